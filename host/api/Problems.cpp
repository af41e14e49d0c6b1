#include "api/Problems.h"

#include <algorithm>

namespace marketsage::api {

Problem problemFor(const plugins::PlatformError& error) {
  using plugins::ErrorKind;
  const std::string detail = error.what();
  const int retryAfter = std::max(1, error.retryAfterSeconds());
  switch (error.kind()) {
    case ErrorKind::InvalidInput:
    case ErrorKind::Permanent: return {422, "platform-rejected", "The platform rejected the request", detail};
    case ErrorKind::AuthExpired:
    case ErrorKind::AuthInvalid: return {409, "reconnect-required", "The connection must be reconnected", detail};
    case ErrorKind::RateLimited:
      return Problem(429, "rate-limited", "Rate limited by the platform", detail).retryAfter(retryAfter);
    case ErrorKind::Transient:
      return Problem(503, "platform-unavailable", "The platform is unavailable", detail).retryAfter(retryAfter);
    case ErrorKind::NotSupported: return Problem::badInput(detail);
    default: return {502, "plugin-fault", "The platform plugin failed", detail};
  }
}

std::optional<Problem> problemOf(const std::exception& error) {
  if (const auto* problem = dynamic_cast<const Problem*>(&error)) return *problem;
  if (const auto* failed = dynamic_cast<const plugins::PlatformError*>(&error)) return problemFor(*failed);
  return std::nullopt;
}

}  // namespace marketsage::api
