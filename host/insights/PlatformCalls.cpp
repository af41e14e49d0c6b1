#include "insights/PlatformCalls.h"

#include "core/Json.h"
#include "core/Time.h"

#include <boost/json.hpp>

#include <algorithm>
#include <vector>

namespace marketsage::insights {
namespace {

std::size_t classOf(const plugins::HttpEvent& e) {
  if (e.transportError || e.status < 200 || e.status >= 600) return 4;
  return static_cast<std::size_t>(e.status / 100 - 2);
}

std::string number(double v) { return jsontext::write(jsontext::rounded(v, 6)); }

}  // namespace

void PlatformCalls::record(const plugins::HttpEvent& e) {
  const double seconds = static_cast<double>(e.duration.count()) / 1e6;
  const auto cls = classOf(e);
  std::lock_guard lock(mutex_);
  auto found = platforms_.find(e.pluginId);
  if (found == platforms_.end()) found = platforms_.emplace(std::string(e.pluginId), Series{}).first;
  auto& s = found->second;
  for (std::size_t i = 0; i < bucketBounds.size(); ++i)
    if (seconds <= bucketBounds[i]) ++s.buckets[i];
  ++s.count;
  s.sum += seconds;
  ++s.byClass[cls];
  s.recent.push_back({time::nowMillis(), seconds * 1000, cls < 3});  // 2xx and 3xx answered as asked
  if (s.recent.size() > windowCalls) s.recent.pop_front();
}

void PlatformCalls::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  out +=
      "# HELP marketsage_platform_request_duration_seconds Plugin HTTP calls to each platform, by duration.\n"
      "# TYPE marketsage_platform_request_duration_seconds histogram\n";
  for (const auto& [platform, s] : platforms_) {
    const std::string label = "platform=\"" + platform + "\"";
    for (std::size_t i = 0; i < bucketBounds.size(); ++i)
      out += "marketsage_platform_request_duration_seconds_bucket{" + label + ",le=\"" + number(bucketBounds[i]) +
             "\"} " + std::to_string(s.buckets[i]) + "\n";
    out += "marketsage_platform_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(s.count) +
           "\n";
    out += "marketsage_platform_request_duration_seconds_sum{" + label + "} " + number(s.sum) + "\n";
    out += "marketsage_platform_request_duration_seconds_count{" + label + "} " + std::to_string(s.count) + "\n";
  }
  out +=
      "# HELP marketsage_platform_requests_total Plugin HTTP calls to each platform, by status class"
      " (error: no answer).\n"
      "# TYPE marketsage_platform_requests_total counter\n";
  for (const auto& [platform, s] : platforms_) {
    for (std::size_t i = 0; i < statusClasses.size(); ++i)
      out += "marketsage_platform_requests_total{platform=\"" + platform + "\",status_class=\"" + statusClasses[i] +
             "\"} " + std::to_string(s.byClass[i]) + "\n";
  }
}

boost::json::object PlatformCalls::health(std::int64_t nowMillis) const {
  boost::json::object out;
  std::lock_guard lock(mutex_);
  for (const auto& [platform, s] : platforms_) {
    std::vector<double> millis;
    std::int64_t ok = 0;
    for (const auto& c : s.recent) {
      if (c.at < nowMillis - windowMillis) continue;
      millis.push_back(c.millis);
      ok += c.ok ? 1 : 0;
    }
    std::sort(millis.begin(), millis.end());
    const auto count = millis.size();
    const auto n = static_cast<double>(count);
    const auto percentile = [&](double q) {
      return count == 0 ? 0.0 : millis[std::min(count - 1, static_cast<std::size_t>(q * n))];
    };
    const double failed = n - static_cast<double>(ok);
    out[platform] = {{"requests", static_cast<std::int64_t>(count)},
                     {"successRate", jsontext::rounded(count == 0 ? 0.0 : 100.0 * static_cast<double>(ok) / n, 2)},
                     {"errorRate", jsontext::rounded(count == 0 ? 0.0 : 100.0 * failed / n, 2)},
                     {"p50Ms", jsontext::rounded(percentile(0.5), 1)},
                     {"p95Ms", jsontext::rounded(percentile(0.95), 1)}};
  }
  return out;
}

}  // namespace marketsage::insights
