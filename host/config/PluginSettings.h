#pragma once
/// A plugin's settings: its section of the configuration file, then the environment
/// (<ID>_API_BASE, <ID>_AUTH_BASE, <ID>_CLIENT_ID, <ID>_CLIENT_SECRET, <ID>_BOT_TOKEN).

#include "config/Config.h"
#include "plugins/PluginRegistry.h"

namespace marketsage::config {

/// In production, secrets (client_secret, bot_token) are taken from the environment only; a
/// secret found in the file is dropped with a warning.
plugins::PluginSettings pluginSettings(const Config& config, const std::string& pluginId);

/// "facebook" -> "FACEBOOK", "my-net" -> "MY_NET": the prefix of a plugin's environment variables.
std::string environmentPrefix(const std::string& pluginId);

/// How accounts of an enabled platform are connected on this host, and whether the operator has
/// set up what that needs. One answer for the dashboard's connect buttons and `marketsage doctor`.
struct ConnectSetup {
  std::string connect;             ///< "oauth", "instance" (an app registered on each server), "credential", "none"
  bool configured = false;         ///< accounts can be connected with the operator's settings as they are
  bool clientId = false;           ///< an operator client id is set (<ID>_CLIENT_ID or the file)
  bool clientSecret = false;       ///< an operator client secret is set
  bool defaultCredential = false;  ///< a bot token every organization may use is set
};

/// The connect setup of enabled plugin `info`. An OAuth platform needs the operator's client id;
/// a platform with many servers (app_registration) and a credential platform need nothing.
/// Makes no network call (a plugin's authorize_url is asked with a probe request).
ConnectSetup connectSetup(const Config& config, const plugins::PluginRegistry& registry,
                          const plugins::PluginInfo& info);

/// The redirect URI the host sends to `platform` and that must be registered with it: the public
/// URL + /api/auth/callback/{platform}.
std::string callbackUrl(const Config& config, const std::string& platform);

/// A registry loaded from the configured plugin path, logging through the host's log; `onHttp`
/// hears every plugin HTTP exchange (platform API metrics).
std::unique_ptr<plugins::PluginRegistry> loadPlugins(const Config& config, plugins::HttpObserver onHttp = {});

}  // namespace marketsage::config
