#include "auth/Authenticator.h"

#include "auth/ApiKey.h"
#include "core/Time.h"

namespace marketsage::auth {

std::optional<tenants::Principal> Authenticator::authenticate(std::string_view header) {
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() <= scheme.size() || header.substr(0, scheme.size()) != scheme) return std::nullopt;
  const auto key = header.substr(scheme.size());
  if (!looksLikeApiKey(key)) return std::nullopt;
  auto principal = directory_.authenticate(hashApiKey(key));
  if (!principal) return std::nullopt;

  const auto now = time::nowMillis();
  bool touch = false;
  {
    std::lock_guard lock(touchMutex_);
    auto& last = lastTouched_[principal->keyId];
    if (now - last >= touchIntervalMillis) {
      last = now;
      touch = true;
    }
  }
  if (touch) directory_.touchKey(principal->keyId, now);
  return principal;
}

}  // namespace marketsage::auth
