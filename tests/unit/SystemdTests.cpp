// The readiness notification (core/Systemd): the datagram a Type=notify unit waits for, sent to a
// socket path or an abstract name, and nothing at all outside systemd.
#include "core/Random.h"
#include "core/Systemd.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

using namespace marketsage;

namespace {

/// A unix datagram socket bound to `name` (a path, or '@' + an abstract name), as systemd
/// listens for notifications; NOTIFY_SOCKET names it while the listener lives.
class Listener {
 public:
  explicit Listener(const std::string& name) : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(name.size() < sizeof(address.sun_path));
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@') address.sun_path[0] = '\0';
    const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), size) == 0);
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~Listener() {
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd_);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  /// The next datagram, or "" when none arrives within a second.
  std::string receive() const {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 1000) != 1) return "";
    char buffer[4096];
    const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    return got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : std::string();
  }

 private:
  int fd_;
};

}  // namespace

TEST_CASE("systemd notify: the state arrives as one datagram on the socket path", "[systemd]") {
  const auto dir = std::filesystem::temp_directory_path() / ("marketsage-notify-" + random::token(6));
  std::filesystem::create_directories(dir);
  {
    const Listener listener((dir / "notify").string());
    REQUIRE(systemd::notify("READY=1\nSTATUS=Listening on port 8080"));
    CHECK(listener.receive() == "READY=1\nSTATUS=Listening on port 8080");
    REQUIRE(systemd::notify("STOPPING=1"));
    CHECK(listener.receive() == "STOPPING=1");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("systemd notify: a name starting with @ is an abstract socket", "[systemd]") {
  const Listener listener("@marketsage-notify-" + random::token(6));
  REQUIRE(systemd::notify("READY=1"));
  CHECK(listener.receive() == "READY=1");
}

TEST_CASE("systemd notify: nothing to do outside systemd, false when the socket is gone", "[systemd]") {
  ::unsetenv("NOTIFY_SOCKET");
  CHECK(systemd::notify("READY=1"));
  const auto missing = std::filesystem::temp_directory_path() / ("marketsage-no-socket-" + random::token(6));
  ::setenv("NOTIFY_SOCKET", missing.c_str(), 1);
  CHECK_FALSE(systemd::notify("READY=1"));
  ::setenv("NOTIFY_SOCKET", "relative/name", 1);
  CHECK_FALSE(systemd::notify("READY=1"));
  ::unsetenv("NOTIFY_SOCKET");
}
