#include "http/RateLimiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace marketsage::http {

const char* RateLimiter::name(Scope scope) {
  switch (scope) {
    case Scope::Key: return "key";
    case Scope::Address: return "address";
    case Scope::AuthFailure: return "auth_failures";
  }
  return "unknown";
}

const BucketLimit& RateLimiter::limitOf(Scope scope) const {
  switch (scope) {
    case Scope::Key: return limits_.perKey;
    case Scope::Address: return limits_.perAddress;
    default: return limits_.authFailures;
  }
}

std::optional<int> RateLimiter::take(Scope scope, const std::string& who, std::int64_t nowMillis) {
  return use(scope, who, nowMillis, true);
}

void RateLimiter::countRefusal(Scope scope) { ++refused_[static_cast<std::size_t>(scope)]; }

std::optional<int> RateLimiter::peek(Scope scope, const std::string& who, std::int64_t nowMillis) {
  return use(scope, who, nowMillis, false);
}

std::optional<int> RateLimiter::use(Scope scope, const std::string& who, std::int64_t nowMillis, bool consume) {
  const auto& limit = limitOf(scope);
  if (!limits_.enabled || limit.perSecond <= 0) return std::nullopt;
  const std::string key = std::string(name(scope)) + '\n' + who;
  auto& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= kMaxBucketsPerShard) {
      // Forget buckets that have refilled completely: they hold nothing a new one would not.
      for (auto i = shard.buckets.begin(); i != shard.buckets.end();) {
        const double refilled = i->second.tokens + static_cast<double>(nowMillis - i->second.updatedMillis) / 1000.0 *
                                                       limitOf(scope).perSecond;
        i = refilled >= limit.burst ? shard.buckets.erase(i) : std::next(i);
      }
      if (shard.buckets.size() >= kMaxBucketsPerShard) shard.buckets.clear();  // under attack: start afresh
    }
    it = shard.buckets.emplace(key, Bucket{limit.burst, nowMillis}).first;
  }
  auto& bucket = it->second;
  bucket.tokens = std::min(
      limit.burst, bucket.tokens + static_cast<double>(std::max<std::int64_t>(0, nowMillis - bucket.updatedMillis)) /
                                       1000.0 * limit.perSecond);
  bucket.updatedMillis = nowMillis;
  if (bucket.tokens >= 1) {
    if (consume) bucket.tokens -= 1;
    return std::nullopt;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - bucket.tokens) / limit.perSecond)));
}

}  // namespace marketsage::http
