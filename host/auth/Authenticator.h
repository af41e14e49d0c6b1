#pragma once
/// Turns an "Authorization: Bearer <api key>" header into the calling Principal.

#include "tenants/Directory.h"

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace marketsage::auth {

class Authenticator {
 public:
  explicit Authenticator(tenants::Directory& directory) : directory_(directory) {}

  /// nullopt for a missing, malformed, unknown or revoked key. Records the key's last use at
  /// most once a minute per key and host, so that reads do not turn into writes. [thread-safe]
  std::optional<tenants::Principal> authenticate(std::string_view authorizationHeader);

 private:
  static constexpr std::int64_t touchIntervalMillis = 60'000;
  tenants::Directory& directory_;
  std::mutex touchMutex_;
  std::unordered_map<std::string, std::int64_t> lastTouched_;
};

}  // namespace marketsage::auth
