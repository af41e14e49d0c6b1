// marketsage::plugins::LoadedPlugin — one plugin library: opened, checked, started, stopped.
// Internal to the loader; shared by PluginRegistry and checkPlugin.
#pragma once

#include "plugins/HostServices.h"
#include "plugins/Plugin.h"

#include <marketsage/plugin.h>

#ifndef BOOST_DLL_USE_STD_FS
#define BOOST_DLL_USE_STD_FS
#endif
#include <boost/dll/shared_library.hpp>

#include <array>
#include <filesystem>
#include <memory>
#include <string>

namespace marketsage::plugins {

/// A started plugin's function for each Operation (NULL: not offered).
using FunctionTable = std::array<ms_call_fn, 15>;

class LoadedPlugin {
 public:
  /// Opens `file` and validates the entry symbol, its ABI version, its struct sizes, required
  /// functions and the descriptor. Does not call into the plugin. On failure returns nullptr and
  /// sets `error` to one line naming the reason.
  static std::unique_ptr<LoadedPlugin> open(const std::filesystem::path& file, std::string& error);

  /// Calls deinit() if the plugin was started, then unloads the library.
  ~LoadedPlugin();

  /// Calls init() with `host`, then looks up and validates the extension of every announced
  /// capability. On failure deinit()s when init had succeeded, returns false and sets `error`.
  bool start(std::unique_ptr<HostServices> host, std::string& error);

  /// Calls deinit() once if started (a later start() is not supported). Returns false and sets
  /// `error` when deinit threw.
  bool stop(std::string& error);

  const PluginInfo& info() const { return info_; }
  bool started() const { return started_; }
  /// The function implementing `op`, or nullptr.
  ms_call_fn function(Operation op) const { return functions_[static_cast<std::size_t>(op)]; }
  /// The entry as copied (zero-extended) from the plugin.
  const ms_plugin_entry& entry() const { return entry_; }
  /// Calls get_extension(id), catching exceptions (which count as NULL). For checks.
  const void* extension(const char* id, std::string* thrown = nullptr) const;
  /// Services table given in start(); nullptr before.
  const HostServices* host() const { return host_.get(); }

 private:
  LoadedPlugin() = default;

  boost::dll::shared_library library_;  // first: destroyed last
  ms_plugin_entry entry_{};
  ms_plugin_descriptor descriptor_{};
  FunctionTable functions_{};
  std::unique_ptr<HostServices> host_;
  PluginInfo info_;
  bool started_ = false;
};

/// Calls `op` of a started plugin with `length` bytes at `request` (passed as is, NULL allowed),
/// catching exceptions, mapping the status and validating the reply JSON (see Plugin::call).
CallResult invokePlugin(const LoadedPlugin& plugin, Operation op, const char* request, std::size_t length);

}  // namespace marketsage::plugins
