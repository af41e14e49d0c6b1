#include "tenants/Authenticator.h"

#include "auth/ApiKey.h"
#include "core/Time.h"

#include <cctype>

namespace marketsage::tenants {

namespace {

/// The credentials of "Bearer <token>": the scheme is case-insensitive and followed by one or
/// more spaces (RFC 9110 section 11.1 and 11.4).
std::optional<std::string_view> bearerToken(std::string_view header) {
  constexpr std::string_view scheme = "bearer";
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return std::nullopt;
  }
  auto token = header.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

}  // namespace

std::optional<Principal> Authenticator::authenticate(std::string_view header) {
  const auto token = bearerToken(header);
  if (!token) return std::nullopt;
  const auto key = *token;
  if (!auth::looksLikeApiKey(key)) return std::nullopt;
  const auto hash = auth::hashApiKey(key);
  const auto now = time::nowMillis();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(hash); it != cache_.end() && it->second.until > now) {
      auto& cached = it->second;
      if (now < cached.refreshAt || cached.refreshing) return cached.principal;
      cached.refreshing = true;  // this caller refreshes it; the others keep the cached answer
    }
  }
  return resolve(hash, now);
}

std::optional<Principal> Authenticator::resolve(const std::string& hash, std::int64_t now) {
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    generation = generation_;
  }
  std::optional<Principal> principal;
  try {
    principal = directory_.authenticate(hash);
  } catch (...) {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(hash); it != cache_.end()) it->second.refreshing = false;  // the next caller tries
    throw;
  }
  bool touch = false;
  {
    std::lock_guard lock(mutex_);
    if (!principal) {
      cache_.erase(hash);  // revoked meanwhile (on another host): no longer valid here either
      return std::nullopt;
    }
    if (cacheMillis_ > 0 && generation == generation_) {
      if (cache_.size() > 100'000) cache_.clear();  // bound memory under a flood of distinct keys
      cache_[hash] = {*principal, now + cacheMillis_ * 4 / 5, now + cacheMillis_};
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
  ++generation_;
}

}  // namespace marketsage::tenants
