#pragma once
/// The host's one error for "a platform call did not succeed": the ABI's error kind, the
/// platform's reason and code, and how long to wait. Services throw it and decide by kind (retry,
/// reconnect, give up); only api/ turns it into an HTTP answer (api/Problems.h).

#include "plugins/Plugin.h"

#include <stdexcept>
#include <string>

namespace marketsage::plugins {

class PlatformError : public std::runtime_error {
 public:
  /// `platform` prefixes the one-line reason: "x: the token was revoked (code 89)". Empty when the
  /// host itself found the call impossible (a stored token that no longer decrypts).
  PlatformError(ErrorKind kind, const std::string& platform, const std::string& reason, std::string platformCode = {},
                int retryAfterSeconds = 0)
      : std::runtime_error((platform.empty() ? "" : platform + ": ") + reason +
                           (platformCode.empty() ? "" : " (code " + platformCode + ")")),
        kind_(kind),
        platformCode_(std::move(platformCode)),
        retryAfter_(retryAfterSeconds) {}
  /// The error of a failed call (`result.ok()` is false).
  static PlatformError of(const CallResult& result, const std::string& platform) {
    return {result.kind, platform, result.reason(), result.platformCode, result.retryAfterSeconds};
  }

  ErrorKind kind() const { return kind_; }
  const std::string& platformCode() const { return platformCode_; }
  /// For RateLimited/Transient: seconds to wait, 0 = unknown.
  int retryAfterSeconds() const { return retryAfter_; }
  /// The connection must be reconnected (its token expired or was revoked).
  bool needsReconnect() const { return kind_ == ErrorKind::AuthExpired || kind_ == ErrorKind::AuthInvalid; }
  /// Worth trying again later.
  bool retryable() const { return kind_ == ErrorKind::RateLimited || kind_ == ErrorKind::Transient; }

 private:
  ErrorKind kind_;
  std::string platformCode_;
  int retryAfter_;
};

/// Calls `op` and returns its result, or throws PlatformError::of() it.
inline CallResult callOrThrow(const Plugin& plugin, Operation op, const boost::json::value& request) {
  auto result = plugin.call(op, request);
  if (!result.ok()) throw PlatformError::of(result, plugin.id());
  return result;
}

}  // namespace marketsage::plugins
