#pragma once
/// Inbound rate limits: token buckets per API key, per client address, and for failed
/// authentications per address (so guessing keys gets slow fast). Limits hold per host.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace marketsage::http {

struct BucketLimit {
  double perSecond = 0;  ///< sustained rate; 0 = unlimited
  double burst = 0;      ///< tokens a quiet client has saved up
};

struct RateLimits {
  bool enabled = true;
  BucketLimit perKey{50, 1000};
  BucketLimit perAddress{200, 2000};
  BucketLimit authFailures{10.0 / 60, 20};  ///< failed authentications per address
};

class RateLimiter {
 public:
  enum class Scope { Key, Address, AuthFailure };

  explicit RateLimiter(RateLimits limits) : limits_(limits) {}

  /// Takes one token of `who`'s bucket in `scope`. nullopt when it had one; otherwise the
  /// seconds until it will (for Retry-After). [thread-safe]
  std::optional<int> take(Scope scope, const std::string& who, std::int64_t nowMillis);
  /// Whether `who` has a token left, without taking it (failed authentications are counted only
  /// when they happen, but checked before each attempt). [thread-safe]
  std::optional<int> peek(Scope scope, const std::string& who, std::int64_t nowMillis);

  /// Records a request refused for `scope` (for /metrics). [thread-safe]
  void countRefusal(Scope scope);

  const RateLimits& limits() const { return limits_; }
  /// Requests refused per scope, for /metrics.
  std::uint64_t refused(Scope scope) const { return refused_[static_cast<std::size_t>(scope)].load(); }
  static const char* name(Scope scope);

 private:
  struct Bucket {
    double tokens;
    std::int64_t updatedMillis;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;
  };
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kMaxBucketsPerShard = 20'000;  ///< bounded memory under a flood of addresses

  std::optional<int> use(Scope scope, const std::string& who, std::int64_t nowMillis, bool consume);
  const BucketLimit& limitOf(Scope scope) const;

  RateLimits limits_;
  std::array<Shard, kShards> shards_;
  std::array<std::atomic<std::uint64_t>, 3> refused_{};
};

}  // namespace marketsage::http
