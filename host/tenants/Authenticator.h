#pragma once
/// Turns an "Authorization: Bearer <api key>" header into the calling Principal.

#include "tenants/Directory.h"

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace marketsage::tenants {

class Authenticator {
 public:
  /// `cacheSeconds`: how long a resolved key is trusted without a database lookup (0 = never).
  Authenticator(Directory& directory, int cacheSeconds) : directory_(directory), cacheMillis_(cacheSeconds * 1000LL) {}

  /// nullopt for a missing, malformed, unknown or revoked key. Records the key's last use at
  /// most once a minute per key and host, so that reads do not turn into writes. [thread-safe]
  ///
  /// A cached key is looked up again by one request alone, in the last fifth of its time, while
  /// the others go on using the cached answer: a busy key never expires under its callers, so its
  /// requests do not all reach the database at the same moment. An answer is never used past
  /// `cacheSeconds`.
  std::optional<Principal> authenticate(std::string_view authorizationHeader);

  /// Drops every cached key: call after revoking a key or changing or removing a user, so the
  /// change holds on this host at once. [thread-safe]
  void forgetAll();

 private:
  static constexpr std::int64_t touchIntervalMillis = 60'000;
  struct Cached {
    Principal principal;
    std::int64_t refreshAt;  ///< from then on, one caller looks the key up again
    std::int64_t until;      ///< not used past this
    bool refreshing = false;
  };
  /// Looks the key up in the database, caches the answer, records its use. nullopt when not valid.
  std::optional<Principal> resolve(const std::string& hash, std::int64_t now);

  Directory& directory_;
  const std::int64_t cacheMillis_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;  ///< by key hash
  std::unordered_map<std::string, std::int64_t> lastTouched_;
  std::uint64_t generation_ = 0;  ///< bumped by forgetAll: a lookup begun before must not refill
};

}  // namespace marketsage::tenants
