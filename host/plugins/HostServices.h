// marketsage::plugins::HostServices — the ms_host routine table one plugin receives in init().
// Internal to the loader.
#pragma once

#include "plugins/PluginRegistry.h"

#include <marketsage/plugin.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace marketsage::plugins {

/// Owns the ms_host table given to one plugin and implements every function in it. Every
/// function is thread-safe and catches everything: nothing is thrown back into plugin code.
/// Must outlive the plugin's deinit().
class HostServices {
 public:
  HostServices(std::string pluginId, boost::json::object settings, LogSink log, HostOptions options);
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  const ms_host* table() const { return &table_; }
  const std::string& pluginId() const { return pluginId_; }
  const HostOptions& options() const { return options_; }
  /// Logs a line attributed to the plugin, redacted. Never throws.
  void log(int level, std::string_view message) const noexcept;
  /// Performs ms_host.http.
  ms_status http(const ms_http_request* request, ms_http_response* response) const;
  /// Performs ms_host.setting.
  int32_t setting(const char* pointer, const ms_sink* out) const;
  /// Performs ms_host.sleep_ms: false when the wait was cut short because the host is stopping.
  bool sleep(std::chrono::milliseconds duration) const;
  /// Ends every plugin's sleep_ms at once, now and from now on (the host is stopping).
  static void interruptSleeps();

  /// Counts, on the calling thread while it lives, the write requests (not GET or HEAD) that went
  /// out whole and got no complete answer or a gateway's 502/503/504: the platform may have acted
  /// on them. One plugin call at a time per thread (calls do not nest).
  class AmbiguousRequests {
   public:
    AmbiguousRequests();
    ~AmbiguousRequests();
    int count() const;
    static void note();  ///< called by http() when such a request happens
  };

 private:
  ms_host table_{};
  std::string pluginId_;
  boost::json::value settings_;  // an object; const after construction
  LogSink log_;
  HostOptions options_;
  std::vector<std::string> secrets_;  // setting values never to appear in logs
};

/// Replaces credentials in a log line or URL with "***": Bearer/Basic tokens, token-like query
/// parameters and JSON fields, and each of `secrets`.
std::string redact(std::string_view text, const std::vector<std::string>& secrets = {});

/// Writes `data` into a sink received from the other side of the ABI (struct copied by size).
/// Returns false when the sink refused it. A NULL sink swallows everything.
bool writeToSink(const ms_sink* sink, std::string_view data);

}  // namespace marketsage::plugins
