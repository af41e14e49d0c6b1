#include "http/Request.h"

#include "core/Problem.h"
#include "http/Connection.h"

#include <array>
#include <ctime>

namespace marketsage::http {
namespace {

/// A body the event loop already read: the handler reads it from memory.
class MemoryBody final : public std::streambuf {
 public:
  explicit MemoryBody(std::string& bytes) {
    char* begin = bytes.data();
    setg(begin, begin, begin + bytes.size());
  }
};

/// A body read from the socket as the handler consumes it (large uploads). The whole transfer is
/// bounded in time: the body grace plus the bytes so far at the minimum rate, so a client that
/// trickles one byte a second is cut off instead of holding the thread.
class SocketBody final : public std::streambuf {
 public:
  SocketBody(Connection& connection, const RequestHead& head)
      : connection_(connection), head_(head), remaining_(head.contentLength), started_(Clock::now()) {
    connection_.bodyComplete = !head.hasBody();
  }

 protected:
  int_type underflow() override {
    if (connection_.bodyComplete) return traits_type::eof();
    if (head_.expectContinue && !continued_) {
      continued_ = true;
      constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
      connection_.transport().writeAll(interim.data(), interim.size(),
                                       Clock::now() + connection_.limits().writeTimeout);
    }
    for (;;) {
      if (!connection_.input.empty()) {
        decoded_.clear();
        take();
        if (!decoded_.empty()) {
          setg(decoded_.data(), decoded_.data(), decoded_.data() + decoded_.size());
          return traits_type::to_int_type(decoded_.front());
        }
        if (connection_.bodyComplete) return traits_type::eof();
      }
      const auto deadline = started_ + connection_.limits().allowance(connection_.limits().bodyTimeout, received_);
      char buffer[65536];
      const auto result = connection_.transport().readWithin(buffer, sizeof buffer, deadline);
      if (result.io == Transport::Io::Ok) {
        connection_.input.append(buffer, result.bytes);
        continue;
      }
      // The answer (408 or 400) is still written; the unread rest of the body closes the connection.
      if (result.io == Transport::Io::WantRead || result.io == Transport::Io::WantWrite) {
        throw Problem(408, "request-timeout", "Request timeout", "the body arrived too slowly");
      }
      throw Problem::badInput("the connection closed before the whole body arrived");
    }
  }

 private:
  /// Moves body bytes from the connection's input into decoded_, leaving what follows the body.
  void take() {
    auto& input = connection_.input;
    if (head_.framing == BodyFraming::Length) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
      decoded_.assign(input, 0, n);
      input.erase(0, n);
      remaining_ -= n;
      received_ += n;
      connection_.bodyComplete = remaining_ == 0;
      return;
    }
    auto& decoder = connection_.chunked;
    const auto used = decoder.feed(input, decoded_);
    input.erase(0, used);
    received_ += used;
    if (decoder.state() == ChunkedDecoder::State::Failed) {
      throw Problem::badInput("malformed chunked body: " + decoder.error());
    }
    connection_.bodyComplete = decoder.state() == ChunkedDecoder::State::Done;
  }

  Connection& connection_;
  const RequestHead& head_;
  std::uint64_t remaining_;
  std::uint64_t received_ = 0;
  Clock::time_point started_;
  bool continued_ = false;
  std::string decoded_;
};

/// The Date field's value, made at most once a second.
std::string httpDate() {
  thread_local std::time_t cachedSecond = 0;
  thread_local std::array<char, 64> cached{};
  const std::time_t now = std::time(nullptr);
  if (now != cachedSecond) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(cached.data(), cached.size(), "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cachedSecond = now;
  }
  return cached.data();
}

}  // namespace

const char* reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

// ---- Request --------------------------------------------------------------------------------

Request::Request(Connection& connection, const RequestHead& head) : connection_(connection), head_(head) {}

Request::~Request() = default;

const std::string& Request::clientAddress() const { return connection_.client(); }

std::string Request::header(std::string_view name, std::string_view fallback) const {
  const auto* value = head_.find(name);
  return value != nullptr ? *value : std::string(fallback);
}

std::optional<std::uint64_t> Request::contentLength() const {
  if (head_.framing != BodyFraming::Length) return std::nullopt;
  return head_.contentLength;
}

std::istream& Request::body() {
  if (!stream_) {
    if (connection_.streamsBody) {
      buffer_ = std::make_unique<SocketBody>(connection_, head_);
    } else {
      buffer_ = std::make_unique<MemoryBody>(connection_.bufferedBody);
    }
    stream_.emplace(buffer_.get());
    stream_->exceptions(std::ios::badbit);  // a Problem thrown by the socket reader reaches the handler
  }
  return *stream_;
}

bool Request::bodyComplete() const { return connection_.bodyComplete; }

// ---- Response -------------------------------------------------------------------------------

Response::Response(Connection& connection, const RequestHead& head) : connection_(connection), request_(head) {}

void Response::set(std::string name, std::string value) {
  for (auto& field : fields_) {
    if (field.first == name) {
      field.second = std::move(value);
      return;
    }
  }
  fields_.emplace_back(std::move(name), std::move(value));
}

std::string Response::head(int status, std::string_view contentType, std::uint64_t contentLength) const {
  std::string out;
  out.reserve(256);
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reasonPhrase(status);
  out += "\r\nDate: " + httpDate() + "\r\nServer: marketsage\r\n";
  for (const auto& [name, value] : fields_) out.append(name).append(": ").append(value).append("\r\n");
  if (!contentType.empty()) out += "Content-Type: " + std::string(contentType) + "\r\n";
  if (status != 204 && status != 304) out += "Content-Length: " + std::to_string(contentLength) + "\r\n";
  if (!keepAlive_) {
    out += "Connection: close\r\n";
  } else if (request_.minorVersion == 0) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return out;
}

void Response::write(std::string_view bytes, std::string_view more) {
  if (connection_.broken || (bytes.empty() && more.empty())) return;
  const auto deadline =
      Clock::now() + connection_.limits().allowance(connection_.limits().writeTimeout, bytes.size() + more.size());
  if (!connection_.transport().writeAll(bytes, more, deadline)) connection_.broken = true;
}

void Response::send(int status, std::string_view contentType, std::string_view body) {
  if (sent()) return;
  status_ = status;
  // A body the handler did not read to its end cannot be skipped reliably: close after this.
  if (!connection_.bodyComplete || connection_.serverDraining->load()) keepAlive_ = false;
  // Head and body leave together (one sendmsg) without copying the body behind the head.
  write(head(status, contentType, body.size()), request_.method != "HEAD" ? body : std::string_view());
}

void Response::sendStream(std::istream& body, std::uint64_t size, const std::string& contentType) {
  status_ = 200;
  if (!connection_.bodyComplete || connection_.serverDraining->load()) keepAlive_ = false;
  write(head(200, contentType, size));
  if (request_.method == "HEAD") return;
  std::vector<char> block(256 * 1024);
  std::uint64_t left = size;
  while (left > 0 && !connection_.broken) {
    body.read(block.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(left, block.size())));
    const auto got = static_cast<std::size_t>(body.gcount());
    if (got == 0) {
      connection_.broken = true;  // the content shrank or failed under us: a short body and a close
      break;
    }
    write({block.data(), got});
    left -= got;
  }
}

}  // namespace marketsage::http
