#pragma once
/// What a request thread sees of one request and how it answers: a complete, validated head; a
/// body that is either already in memory (every route but those that stream uploads) or read
/// from the socket as the handler consumes it, within a time bound; and a response written once.

#include "http/RequestHead.h"

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace marketsage::http {

class Connection;

/// The RFC 9110 reason phrase of a status code ("" for one it does not name).
const char* reasonPhrase(int status);

class Request {
 public:
  Request(Connection& connection, const RequestHead& head);
  ~Request();

  const std::string& method() const { return head_.method; }
  /// The request-target as sent: path and query string.
  const std::string& target() const { return head_.target; }
  const std::string& path() const { return head_.path; }
  const std::string& clientAddress() const;
  /// The first field of that name (case-insensitive), or `fallback`.
  std::string header(std::string_view name, std::string_view fallback = {}) const;
  const RequestHead& head() const { return head_; }
  bool hasBody() const { return head_.hasBody(); }
  /// The Content-Length, when the body is framed by one.
  std::optional<std::uint64_t> contentLength() const;
  std::string contentType() const { return header("Content-Type"); }

  /// The body. Reading past what arrived within the server's time bounds, or a body that breaks
  /// its framing, throws Problem (408 or 400) out of the stream.
  std::istream& body();
  /// True once every byte of the body has been read (always for bodies read by the event loop).
  bool bodyComplete() const;

 private:
  Connection& connection_;
  const RequestHead& head_;
  std::unique_ptr<std::streambuf> buffer_;
  std::optional<std::istream> stream_;
};

class Response {
 public:
  Response(Connection& connection, const RequestHead& head);

  void set(std::string name, std::string value);
  /// Asks for the connection to be closed after this response.
  void closeConnection() { keepAlive_ = false; }
  bool keepAlive() const { return keepAlive_; }

  /// Writes status line, headers, Content-Length and `body` (omitted for HEAD). Once.
  void send(int status, std::string_view contentType, std::string_view body);
  /// 200 with `size` bytes read from `body` in blocks. A body that ends early closes the
  /// connection (the client sees a short body), as headers are already out.
  void sendStream(std::istream& body, std::uint64_t size, const std::string& contentType);
  bool sent() const { return status_ != 0; }
  int status() const { return status_; }

 private:
  std::string head(int status, std::string_view contentType, std::uint64_t contentLength) const;
  void write(std::string_view bytes, std::string_view more = {});

  Connection& connection_;
  const RequestHead& request_;
  std::vector<std::pair<std::string, std::string>> fields_;
  bool keepAlive_ = true;
  int status_ = 0;
};

}  // namespace marketsage::http
