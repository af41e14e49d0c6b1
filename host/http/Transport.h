#pragma once
/// One accepted socket, plain TCP or TLS, always non-blocking: the event loop reads it when
/// epoll says so, and a request thread waits on it with poll() up to a deadline. Neither ever
/// blocks on a client without a bound.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace marketsage::http {

using Clock = std::chrono::steady_clock;

/// The server's TLS settings: certificate chain and key from PEM files, TLS 1.2 and up, no
/// renegotiation (a client could otherwise make us redo handshakes at will).
class TlsContext {
 public:
  /// Throws std::runtime_error with the reason when the files do not load or do not match.
  TlsContext(const std::string& certificateFile, const std::string& privateKeyFile);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL* newSession(int fd) const;

 private:
  SSL_CTX* context_;
};

class Transport {
 public:
  enum class Io { Ok, WantRead, WantWrite, Closed, Failed };
  struct Result {
    Io io;
    std::size_t bytes = 0;
  };

  /// Takes ownership of `fd` (and of `ssl`, when not null).
  Transport(int fd, SSL* ssl);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  int fd() const { return fd_; }
  bool tls() const { return ssl_ != nullptr; }
  /// TLS handshake step (Ok at once for plain TCP).
  Io handshake();
  /// What is there now, without waiting: Ok with bytes > 0, WantRead/WantWrite, Closed or Failed.
  Result read(char* buffer, std::size_t size);
  Result write(const char* data, std::size_t size);

  /// Waits up to `deadline` for `io` (WantRead or WantWrite). False when the time ran out.
  bool wait(Io io, Clock::time_point deadline) const;
  /// Reads until at least one byte arrives or `deadline` passes.
  Result readWithin(char* buffer, std::size_t size, Clock::time_point deadline);
  /// Writes everything or fails: false when the peer went away or `deadline` passed.
  bool writeAll(const char* data, std::size_t size, Clock::time_point deadline);
  /// Writes `first` then `second` as writeAll does, without joining them first: one sendmsg for
  /// plain TCP (a response's head and body leave in one segment, with no copy of the body).
  bool writeAll(std::string_view first, std::string_view second, Clock::time_point deadline);
  /// Says we will send no more (TLS close_notify, then TCP FIN), so that the client reads our
  /// answer before the connection closes instead of a reset.
  void shutdownWrite();
  /// Interrupts a request thread that waits on this socket (used when the server stops).
  void abort();

 private:
  int fd_;
  SSL* ssl_;
};

}  // namespace marketsage::http
