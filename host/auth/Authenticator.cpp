#include "auth/Authenticator.h"

#include "auth/ApiKey.h"
#include "core/Time.h"

namespace marketsage::auth {

std::optional<tenants::Principal> Authenticator::authenticate(std::string_view header) {
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() <= scheme.size() || header.substr(0, scheme.size()) != scheme) return std::nullopt;
  const auto key = header.substr(scheme.size());
  if (!looksLikeApiKey(key)) return std::nullopt;
  const auto hash = hashApiKey(key);
  const auto now = time::nowMillis();
  {
    std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(hash); it != cache_.end() && it->second.until > now) return it->second.principal;
  }
  auto principal = directory_.authenticate(hash);
  if (!principal) return std::nullopt;

  bool touch = false;
  {
    std::lock_guard lock(mutex_);
    if (cacheMillis_ > 0) {
      if (cache_.size() > 100'000) cache_.clear();  // bound memory under a flood of distinct keys
      cache_[hash] = {*principal, now + cacheMillis_};
    }
    auto& last = lastTouched_[principal->keyId];
    if (now - last >= touchIntervalMillis) {
      last = now;
      touch = true;
    }
  }
  if (touch) directory_.touchKey(principal->keyId, now);
  return principal;
}

void Authenticator::forgetAll() {
  std::lock_guard lock(mutex_);
  cache_.clear();
}

}  // namespace marketsage::auth
