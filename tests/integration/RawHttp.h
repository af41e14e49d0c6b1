#pragma once
/// A bare TCP client for what HTTP libraries refuse to send: malformed and smuggled requests,
/// heads that never finish, bytes trickled one at a time. And a parser that splits whatever came
/// back into responses, so a test can count them.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

class RawSocket {
 public:
  /// Connects to 127.0.0.1:`port`, from `sourceAddress` (any 127.x address works on Linux).
  explicit RawSocket(int port, const std::string& sourceAddress = "127.0.0.1")
      : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in source{};
    source.sin_family = AF_INET;
    inet_pton(AF_INET, sourceAddress.c_str(), &source.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0)
      throw std::runtime_error("bind to " + sourceAddress + " failed");
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &target.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0)
      throw std::runtime_error("connect failed");
    const int on = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  ~RawSocket() { ::close(fd_); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;
  int fd() const { return fd_; }

  /// False when the peer has closed (or reset) the connection.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  struct Received {
    std::string bytes;
    bool closed = false;  ///< the server closed the connection (EOF or reset)
  };
  /// Reads until the server closes the connection or `timeout` passes.
  Received readUntilClosed(std::chrono::milliseconds timeout) {
    Received out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return out;
      pollfd entry{fd_, POLLIN, 0};
      if (::poll(&entry, 1, static_cast<int>(left)) <= 0) continue;
      char buffer[65536];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        out.closed = true;
        return out;
      }
      out.bytes.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
};

/// The responses in `bytes`, in order: status line, headers (lower-case names) and body, framed by
/// Content-Length as the server sends them.
struct RawResponse {
  std::string statusLine;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return {};
  }
};

inline std::vector<RawResponse> splitResponses(std::string_view bytes) {
  std::vector<RawResponse> out;
  while (!bytes.empty()) {
    const auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos || bytes.substr(0, 5) != "HTTP/") break;
    RawResponse response;
    auto head = bytes.substr(0, end);
    const auto firstLine = head.find("\r\n");
    response.statusLine = std::string(head.substr(0, firstLine));
    response.status = std::stoi(response.statusLine.substr(9, 3));
    std::size_t length = 0;
    for (std::size_t at = firstLine; at != std::string_view::npos && at < head.size();) {
      const auto next = head.find("\r\n", at + 2);
      const auto line = head.substr(at + 2, next == std::string_view::npos ? std::string_view::npos : next - at - 2);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (name == "content-length") length = std::stoul(std::string(value));
        response.headers.emplace_back(name, std::string(value));
      }
      at = next;
    }
    bytes.remove_prefix(end + 4);
    response.body = std::string(bytes.substr(0, length));
    bytes.remove_prefix(std::min(length, bytes.size()));
    out.push_back(std::move(response));
  }
  return out;
}

}  // namespace harness
