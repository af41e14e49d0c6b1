#pragma once
/// Platform API health, measured from the host's own plugin HTTP calls (plugins::HttpEvent):
/// per platform a latency histogram and counters by status class for /metrics, and the calls of
/// a recent window for the dashboard (p50/p95 response times, success and error rates). The
/// platform label is the plugin's id, so the series are bounded by the plugins loaded.

#include "plugins/PluginRegistry.h"

#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace marketsage::insights {

class PlatformCalls {
 public:
  static constexpr std::array<double, 10> bucketBounds = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
  static constexpr std::array<const char*, 5> statusClasses = {"2xx", "3xx", "4xx", "5xx", "error"};
  static constexpr std::int64_t windowMillis = 15 * 60 * 1000;  ///< the dashboard's recent window
  static constexpr std::size_t windowCalls = 1000;              ///< at most this many per platform

  /// Records one call (plugins::HostOptions::onHttp). [thread-safe]
  void record(const plugins::HttpEvent& event);
  /// Appends marketsage_platform_request_duration_seconds and marketsage_platform_requests_total.
  void render(std::string& out) const;
  /// Per platform over the recent window: {"requests", "successRate", "errorRate", "p50Ms",
  /// "p95Ms"}; rates are percentages with two decimals. [thread-safe]
  boost::json::object health(std::int64_t nowMillis) const;

 private:
  struct Call {
    std::int64_t at = 0;  ///< ms since epoch
    double millis = 0;
    bool ok = false;
  };
  struct Series {
    std::array<std::uint64_t, bucketBounds.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
    std::array<std::uint64_t, statusClasses.size()> byClass{};
    std::deque<Call> recent;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Series, std::less<>> platforms_;
};

}  // namespace marketsage::insights
