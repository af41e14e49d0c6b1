#pragma once
/// Request counters and latency histograms in Prometheus text format. Labels are route
/// patterns, never raw paths, so no id or tenant name ever becomes a label.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace marketsage::http {

/// The server's live figures, updated by its event loop.
struct ServerGauges {
  std::atomic<std::int64_t> connections{0};  ///< open sockets
  std::atomic<std::int64_t> inService{0};    ///< requests queued for or held by a thread
  std::atomic<std::int64_t> evicted{0};      ///< connections closed to admit others
  std::atomic<std::int64_t> timedOut{0};     ///< heads or bodies that did not arrive in time
  std::atomic<std::int64_t> refused{0};      ///< requests answered by the server itself (4xx/5xx)
};

/// Appends one unlabelled series with its HELP and TYPE lines (Prometheus text format).
void appendMetric(std::string& out, const char* name, const char* type, const char* help, std::int64_t value);

class Metrics {
 public:
  static constexpr std::array<double, 12> bucketBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  /// `method` outside the standard ones counts as "other", so a client cannot mint series.
  /// [thread-safe]
  void record(const std::string& route, const std::string& method, int status, double seconds);
  ServerGauges& server() { return server_; }
  /// Appends this registry's series to `out`.
  void render(std::string& out) const;

 private:
  struct Latency {
    std::array<std::uint64_t, bucketBounds.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  /// Orders (route, method, status) keys whatever strings hold them, so that record() looks a
  /// series up by string_view and makes no key string once the series exists.
  struct SeriesOrder {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::tuple<std::string_view, std::string_view, int>(std::get<0>(a), std::get<1>(a), std::get<2>(a)) <
             std::tuple<std::string_view, std::string_view, int>(std::get<0>(b), std::get<1>(b), std::get<2>(b));
    }
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t, SeriesOrder> requests_;
  std::map<std::string, Latency, std::less<>> latency_;
  ServerGauges server_;
};

}  // namespace marketsage::http
