#include "http/Metrics.h"

#include <cstdio>

namespace marketsage::http {

void Metrics::record(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, status}];
  auto& latency = latency_[route];
  for (std::size_t i = 0; i < bucketBounds.size(); ++i) {
    if (seconds <= bucketBounds[i]) ++latency.buckets[i];
  }
  ++latency.count;
  latency.sum += seconds;
}

void Metrics::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  char number[64];
  out += "# HELP marketsage_http_requests_total HTTP requests by route pattern, method and status.\n"
         "# TYPE marketsage_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out += "marketsage_http_requests_total{route=\"" + route + "\",method=\"" + method + "\",status=\"" +
           std::to_string(status) + "\"} " + std::to_string(count) + "\n";
  }
  out += "# HELP marketsage_http_request_duration_seconds Time to answer a request.\n"
         "# TYPE marketsage_http_request_duration_seconds histogram\n";
  for (const auto& [route, latency] : latency_) {
    const std::string prefix = "marketsage_http_request_duration_seconds";
    for (std::size_t i = 0; i < bucketBounds.size(); ++i) {
      std::snprintf(number, sizeof number, "%g", bucketBounds[i]);
      out += prefix + "_bucket{route=\"" + route + "\",le=\"" + number + "\"} " + std::to_string(latency.buckets[i]) + "\n";
    }
    out += prefix + "_bucket{route=\"" + route + "\",le=\"+Inf\"} " + std::to_string(latency.count) + "\n";
    std::snprintf(number, sizeof number, "%.6f", latency.sum);
    out += prefix + "_sum{route=\"" + route + "\"} " + number + "\n";
    out += prefix + "_count{route=\"" + route + "\"} " + std::to_string(latency.count) + "\n";
  }
}

}  // namespace marketsage::http
