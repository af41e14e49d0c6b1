#include "http/Transport.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <stdexcept>

namespace marketsage::http {
namespace {

std::string lastTlsError() {
  const unsigned long code = ERR_get_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

Transport::Io fromTls(SSL* ssl, int rc) {
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ: return Transport::Io::WantRead;
    case SSL_ERROR_WANT_WRITE: return Transport::Io::WantWrite;
    case SSL_ERROR_ZERO_RETURN: return Transport::Io::Closed;
    default: ERR_clear_error(); return Transport::Io::Failed;
  }
}

}  // namespace

TlsContext::TlsContext(const std::string& certificateFile, const std::string& privateKeyFile)
    : context_(SSL_CTX_new(TLS_server_method())) {
  if (context_ == nullptr) throw std::runtime_error("cannot create a TLS context: " + lastTlsError());
  SSL_CTX_set_min_proto_version(context_, TLS1_2_VERSION);
  SSL_CTX_set_options(context_, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(context_,
                   SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(context_, certificateFile.c_str()) != 1) {
    const auto why = lastTlsError();
    SSL_CTX_free(context_);
    throw std::runtime_error("cannot load the TLS certificate " + certificateFile + ": " + why);
  }
  if (SSL_CTX_use_PrivateKey_file(context_, privateKeyFile.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(context_) != 1) {
    const auto why = lastTlsError();
    SSL_CTX_free(context_);
    throw std::runtime_error("cannot load the TLS private key " + privateKeyFile + ": " + why);
  }
}

TlsContext::~TlsContext() { SSL_CTX_free(context_); }

SSL* TlsContext::newSession(int fd) const {
  SSL* ssl = SSL_new(context_);
  if (ssl == nullptr) return nullptr;
  SSL_set_fd(ssl, fd);
  SSL_set_accept_state(ssl);
  return ssl;
}

Transport::Transport(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}

Transport::~Transport() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  ::close(fd_);
}

Transport::Io Transport::handshake() {
  if (ssl_ == nullptr) return Io::Ok;
  const int rc = SSL_do_handshake(ssl_);
  return rc == 1 ? Io::Ok : fromTls(ssl_, rc);
}

Transport::Result Transport::read(char* buffer, std::size_t size) {
  if (ssl_ != nullptr) {
    std::size_t got = 0;
    const int rc = SSL_read_ex(ssl_, buffer, size, &got);
    if (rc == 1) return {Io::Ok, got};
    return {fromTls(ssl_, rc)};
  }
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer, size, 0);
    if (n > 0) return {Io::Ok, static_cast<std::size_t>(n)};
    if (n == 0) return {Io::Closed};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {Io::WantRead};
    return {Io::Failed};
  }
}

Transport::Result Transport::write(const char* data, std::size_t size) {
  if (ssl_ != nullptr) {
    std::size_t put = 0;
    const int rc = SSL_write_ex(ssl_, data, size, &put);
    if (rc == 1) return {Io::Ok, put};
    return {fromTls(ssl_, rc)};
  }
  for (;;) {
    const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n >= 0) return {Io::Ok, static_cast<std::size_t>(n)};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {Io::WantWrite};
    return {Io::Failed};
  }
}

bool Transport::wait(Io io, Clock::time_point deadline) const {
  pollfd entry{fd_, static_cast<short>(io == Io::WantWrite ? POLLOUT : POLLIN), 0};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    const int rc = ::poll(&entry, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (rc > 0) return true;  // readable, writable, or an error the next call will report
    if (rc < 0 && errno != EINTR) return true;
  }
}

Transport::Result Transport::readWithin(char* buffer, std::size_t size, Clock::time_point deadline) {
  for (;;) {
    const auto result = read(buffer, size);
    if (result.io != Io::WantRead && result.io != Io::WantWrite) return result;
    if (!wait(result.io, deadline)) return {Io::WantRead};  // timed out
  }
}

bool Transport::writeAll(const char* data, std::size_t size, Clock::time_point deadline) {
  while (size > 0) {
    const auto result = write(data, size);
    if (result.io == Io::Ok) {
      data += result.bytes;
      size -= result.bytes;
      continue;
    }
    if (result.io != Io::WantRead && result.io != Io::WantWrite) return false;
    if (!wait(result.io, deadline)) return false;
  }
  return true;
}

bool Transport::writeAll(std::string_view first, std::string_view second, Clock::time_point deadline) {
  if (ssl_ != nullptr) {  // one TLS record rather than two
    std::string joined;
    joined.reserve(first.size() + second.size());
    joined.append(first).append(second);
    return writeAll(joined.data(), joined.size(), deadline);
  }
  while (!first.empty() || !second.empty()) {
    std::array<iovec, 2> parts{};
    std::size_t count = 0;
    if (!first.empty()) parts[count++] = {const_cast<char*>(first.data()), first.size()};
    if (!second.empty()) parts[count++] = {const_cast<char*>(second.data()), second.size()};
    msghdr message{};
    message.msg_iov = parts.data();
    message.msg_iovlen = count;
    const ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
      if (!wait(Io::WantWrite, deadline)) return false;
      continue;
    }
    auto sent = static_cast<std::size_t>(n);
    const auto fromFirst = std::min(sent, first.size());
    first.remove_prefix(fromFirst);
    second.remove_prefix(sent - fromFirst);
  }
  return true;
}

void Transport::shutdownWrite() {
  if (ssl_ != nullptr) SSL_shutdown(ssl_);  // sends close_notify; we do not wait for the peer's
  ::shutdown(fd_, SHUT_WR);
}

void Transport::abort() { ::shutdown(fd_, SHUT_RDWR); }

}  // namespace marketsage::http
