#pragma once
/// A plugin's settings: its section of the configuration file, then the environment
/// (<ID>_API_BASE, <ID>_AUTH_BASE, <ID>_CLIENT_ID, <ID>_CLIENT_SECRET, <ID>_BOT_TOKEN).

#include "config/Config.h"
#include "plugins/PluginRegistry.h"

namespace marketsage::config {

/// In production, secrets (client_secret, bot_token) are taken from the environment only; a
/// secret found in the file is dropped with a warning.
plugins::PluginSettings pluginSettings(const Config& config, const std::string& pluginId);

/// A registry loaded from the configured plugin path, logging through the host's log; `onHttp`
/// hears every plugin HTTP exchange (platform API metrics).
std::unique_ptr<plugins::PluginRegistry> loadPlugins(const Config& config, plugins::HttpObserver onHttp = {});

}  // namespace marketsage::config
