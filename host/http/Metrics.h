#pragma once
/// Request counters and latency histograms in Prometheus text format. Labels are route
/// patterns, never raw paths, so no id or tenant name ever becomes a label.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace marketsage::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> bucketBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                           0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  /// [thread-safe]
  void record(const std::string& route, const std::string& method, int status, double seconds);
  /// Appends this registry's series to `out`.
  void render(std::string& out) const;

 private:
  struct Latency {
    std::array<std::uint64_t, bucketBounds.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Latency> latency_;
};

}  // namespace marketsage::http
