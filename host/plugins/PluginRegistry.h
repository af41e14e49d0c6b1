// marketsage::plugins::PluginRegistry — finds, loads and hands out the platform plugins.
#pragma once

#include "plugins/Plugin.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace marketsage::plugins {

/// A plugin's section of the configuration, environment overrides applied.
struct PluginSettings {
  bool enabled = true;
  boost::json::object values;  ///< api_base, auth_base, client_id, client_secret, plugin keys.
};
/// Resolves a plugin's settings by id (called once per plugin while loading).
using SettingsLookup = std::function<PluginSettings(const std::string& pluginId)>;
/// Receives the loader's and the plugins' log lines, already redacted.
/// level: 0 debug, 1 info, 2 warn, 3 error. pluginId is empty for lines about no single plugin.
using LogSink = std::function<void(int level, std::string_view pluginId, std::string_view message)>;

/// One HTTP exchange made by a plugin through the host, for metrics.
struct HttpEvent {
  std::string_view pluginId;
  std::string_view method;
  std::string_view host;        ///< Host name only (no path: it may hold ids or tokens).
  int status = 0;               ///< HTTP status, 0 when no response arrived.
  bool transportError = false;  ///< Connection, TLS or timeout failure.
  std::chrono::microseconds duration{0};
  std::uint64_t bytesSent = 0, bytesReceived = 0;
};
using HttpObserver = std::function<void(const HttpEvent&)>;

/// Host-side knobs of the services table given to plugins.
struct HostOptions {
  std::chrono::milliseconds httpTimeout{30000};  ///< Default when a request gives none.
  std::size_t maxReplyBytes = 16u << 20;         ///< Largest reply JSON accepted from a plugin.
  std::string proxyHost;                         ///< HTTP(S) proxy; empty = direct.
  std::uint16_t proxyPort = 0;
  bool allowNetwork = true;  ///< false: http() fails with MS_ERR_TRANSIENT.
  HttpObserver onHttp;       ///< Called after every plugin HTTP exchange.
  std::string hostVersion = "0.1.0";
};

/// Loads every plugin of the search path once, then serves lookups. loadFrom() must run before
/// the registry is shared between threads; list(), loadErrors() and get() are thread-safe.
class PluginRegistry {
 public:
  using Info = PluginInfo;

  PluginRegistry(SettingsLookup settings, LogSink log, HostOptions options = {});
  ~PluginRegistry();  ///< deinit()s and unloads plugins no handle refers to any more.
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  /// Loads every *.so in each folder, folders in order, files sorted by name. A duplicate id is
  /// refused (first wins), a file that fails to load, has a wrong ABI or whose init fails is
  /// reported (log + loadErrors()) and skipped; a disabled plugin is listed but not started.
  /// A missing folder is logged at debug level and skipped. May be called more than once.
  void loadFrom(const std::vector<std::filesystem::path>& searchPaths);
  /// Loads one file (same rules as loadFrom). Returns true when it was added (enabled or not).
  bool loadFile(const std::filesystem::path& file);

  /// Every plugin found, enabled or not, in load order.
  std::vector<Info> list() const;

  /// The host is stopping: every plugin's sleep_ms returns at once (its call ends transient).
  void interruptWaits();
  /// One line per refused or failed file: "<file>: <reason>".
  std::vector<std::string> loadErrors() const;
  /// The enabled, started plugin with this id, or nullptr.
  std::shared_ptr<const Plugin> get(std::string_view id) const;
  /// The enabled plugin for `platform` that supports `op`. Throws Problem 404 when no such
  /// platform is enabled, 400 when it cannot do `op`.
  std::shared_ptr<const Plugin> require(const std::string& platform, Operation op) const;
  /// Every enabled, started plugin, in load order.
  std::vector<std::shared_ptr<const Plugin>> enabled() const;

 private:
  void addError(const std::filesystem::path& file, const std::string& reason);

  SettingsLookup settings_;
  LogSink log_;
  HostOptions options_;
  mutable std::mutex mutex_;
  std::vector<Info> infos_;                             // every plugin found
  std::vector<std::shared_ptr<const Plugin>> plugins_;  // started ones
  std::vector<std::string> errors_;
};

/// `marketsage plugins list`: a table (id, version, ABI, capabilities, enabled) on `out`, load
/// errors on `err`. Returns 0.
int listPlugins(const PluginRegistry& registry, std::ostream& out, std::ostream& err);

/// `marketsage plugins check FILE.so`: loads the file alone in a child process (so a crash or a
/// hang is caught and reported), with empty settings and the network disabled, checks the entry
/// point, version, descriptor and announced extensions, then calls every announced function with
/// bad input (NULL, empty, invalid JSON, wrong shape, invalid UTF-8, deep nesting, huge strings)
/// and expects MS_ERR_INVALID_INPUT each time, with a valid reply. Writes a readable report to
/// `out` and a one-line verdict on `err` when it fails. Returns 0 only if the plugin honours the
/// ABI, 1 otherwise. Uses fork() without exec: call it from a process with no busy threads (the
/// CLI), not from inside the running server.
int checkPlugin(const std::filesystem::path& so, std::ostream& out, std::ostream& err);

}  // namespace marketsage::plugins
