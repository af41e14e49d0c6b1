#pragma once
/// The one error type of the host: an RFC 9457 problem. Services throw it; the HTTP layer
/// writes it as application/problem+json; the CLI prints its detail on one line.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace marketsage {

class Problem : public std::runtime_error {
 public:
  Problem(int status, std::string slug, std::string title, const std::string& detail)
      : std::runtime_error(detail), status_(status), slug_(std::move(slug)), title_(std::move(title)) {}

  int status() const { return status_; }
  /// The problem type URI: "urn:marketsage:problem:<slug>".
  std::string type() const { return "urn:marketsage:problem:" + slug_; }
  const std::string& slug() const { return slug_; }
  const std::string& title() const { return title_; }
  std::string detail() const { return what(); }
  /// Seconds a client should wait (429/503); 0 = no Retry-After header.
  int retryAfterSeconds() const { return retryAfter_; }
  Problem& retryAfter(int seconds) {
    retryAfter_ = seconds;
    return *this;
  }
  /// An extension member of the problem body (RFC 9457 section 3.2), given as JSON text.
  Problem& extend(std::string name, std::string json) {
    extensions_.emplace_back(std::move(name), std::move(json));
    return *this;
  }
  /// The application/problem+json body (RFC 9457) with the request id that names this answer.
  std::string json(const std::string& requestId) const;

  static Problem badInput(const std::string& detail) { return {400, "bad-input", "Bad input", detail}; }
  static Problem unauthenticated(const std::string& detail) {
    return {401, "unauthenticated", "Authentication required", detail};
  }
  static Problem forbidden(const std::string& detail) { return {403, "forbidden", "Role not allowed", detail}; }
  static Problem notFound(const std::string& detail) { return {404, "not-found", "Not found", detail}; }
  static Problem conflict(const std::string& detail) { return {409, "conflict", "Conflict", detail}; }
  static Problem tooLarge(const std::string& detail) { return {413, "too-large", "Request body too large", detail}; }
  static Problem unsupportedMediaType(const std::string& detail) {
    return {415, "unsupported-media-type", "Unsupported media type", detail};
  }
  static Problem unavailable(const std::string& detail) { return {503, "unavailable", "Service unavailable", detail}; }

 private:
  int status_;
  std::string slug_;
  std::string title_;
  int retryAfter_ = 0;
  std::vector<std::pair<std::string, std::string>> extensions_;  // name, JSON text
};

}  // namespace marketsage
