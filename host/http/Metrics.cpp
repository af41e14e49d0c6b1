#include "http/Metrics.h"

#include <cstdio>
#include <initializer_list>
#include <string_view>

namespace marketsage::http {

namespace {

const std::string& boundedMethod(const std::string& method) {
  static const std::array<std::string, 8> known = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"};
  for (const auto& name : known) {
    if (name == method) return name;
  }
  return known.back();
}

/// Appends the pieces one after the other (no temporary strings in the render loops).
void append(std::string& out, std::initializer_list<std::string_view> pieces) {
  for (const auto piece : pieces) out += piece;
}

}  // namespace

void appendMetric(std::string& out, const char* name, const char* type, const char* help, std::int64_t value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
         std::to_string(value) + "\n";
}

void Metrics::record(const std::string& route, const std::string& method, int status, double seconds) {
  const auto& knownMethod = boundedMethod(method);
  std::lock_guard lock(mutex_);
  const std::tuple<std::string_view, std::string_view, int> series{route, knownMethod, status};
  auto count = requests_.find(series);
  if (count == requests_.end()) count = requests_.emplace(std::tuple(route, knownMethod, status), 0).first;
  ++count->second;
  auto latencyOf = latency_.find(std::string_view(route));
  if (latencyOf == latency_.end()) latencyOf = latency_.emplace(route, Latency{}).first;
  auto& latency = latencyOf->second;
  for (std::size_t i = 0; i < bucketBounds.size(); ++i) {
    if (seconds <= bucketBounds[i]) ++latency.buckets[i];
  }
  ++latency.count;
  latency.sum += seconds;
}

void Metrics::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  char number[64];
  out +=
      "# HELP marketsage_http_requests_total HTTP requests by route pattern, method and status.\n"
      "# TYPE marketsage_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    append(out, {"marketsage_http_requests_total{route=\"", route, "\",method=\"", method, "\",status=\"",
                 std::to_string(status), "\"} ", std::to_string(count), "\n"});
  }
  out +=
      "# HELP marketsage_http_request_duration_seconds Time to answer a request.\n"
      "# TYPE marketsage_http_request_duration_seconds histogram\n";
  for (const auto& [route, latency] : latency_) {
    const std::string prefix = "marketsage_http_request_duration_seconds";
    for (std::size_t i = 0; i < bucketBounds.size(); ++i) {
      std::snprintf(number, sizeof number, "%g", bucketBounds[i]);
      append(out,
             {prefix, "_bucket{route=\"", route, "\",le=\"", number, "\"} ", std::to_string(latency.buckets[i]), "\n"});
    }
    append(out, {prefix, "_bucket{route=\"", route, R"(",le="+Inf"} )", std::to_string(latency.count), "\n"});
    std::snprintf(number, sizeof number, "%.6f", latency.sum);
    append(out, {prefix, "_sum{route=\"", route, "\"} ", number, "\n"});
    append(out, {prefix, "_count{route=\"", route, "\"} ", std::to_string(latency.count), "\n"});
  }
  appendMetric(out, "marketsage_http_connections", "gauge", "Open client connections.", server_.connections.load());
  appendMetric(out, "marketsage_http_requests_in_service", "gauge", "Requests queued for or held by a request thread.",
               server_.inService.load());
  appendMetric(out, "marketsage_http_connections_evicted_total", "counter",
               "Connections closed to admit others (per-client or total bound).", server_.evicted.load());
  appendMetric(out, "marketsage_http_timeouts_total", "counter", "Request heads or bodies that did not arrive in time.",
               server_.timedOut.load());
  appendMetric(out, "marketsage_http_refused_total", "counter",
               "Requests the server answered itself (malformed, too large, overloaded).", server_.refused.load());
}

}  // namespace marketsage::http
