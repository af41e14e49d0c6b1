#include "config/PluginSettings.h"

#include "core/Log.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace marketsage::config {

namespace {

/// A plugin's own settings: its section of the configuration, then the environment.
plugins::PluginSettings ownSettings(const Config& config, const std::string& pluginId) {
  plugins::PluginSettings settings;
  if (const auto* section = config.plugins.if_contains(pluginId); section != nullptr && section->is_object()) {
    settings.values = section->get_object();
  }
  if (const auto* enabled = settings.values.if_contains("enabled"); enabled != nullptr && enabled->is_bool()) {
    settings.enabled = enabled->get_bool();
  }
  static constexpr std::pair<const char*, const char*> secretKeys[] = {{"client_secret", "CLIENT_SECRET"},
                                                                       {"bot_token", "BOT_TOKEN"}};
  if (config.production()) {
    for (const auto& [key, suffix] : secretKeys) {
      if (settings.values.erase(key) > 0) {
        log::warn("ignoring a secret in the configuration file: production secrets come from the environment",
                  {{"plugin", pluginId}, {"setting", key}, {"use", "<PLATFORM>_" + std::string(suffix)}});
      }
    }
  }
  std::string prefix = pluginId;
  std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                 [](unsigned char c) { return c == '-' ? '_' : std::toupper(c); });
  static constexpr std::pair<const char*, const char*> fromEnvironment[] = {{"API_BASE", "api_base"},
                                                                            {"AUTH_BASE", "auth_base"},
                                                                            {"CLIENT_ID", "client_id"},
                                                                            {"CLIENT_SECRET", "client_secret"},
                                                                            {"BOT_TOKEN", "bot_token"}};
  for (const auto& [suffix, key] : fromEnvironment) {
    const std::string name = prefix + "_" + suffix;
    if (const char* value = std::getenv(name.c_str()); value != nullptr && *value != '\0') settings.values[key] = value;
  }
  settings.values["enabled"] = settings.enabled;
  return settings;
}

}  // namespace

plugins::PluginSettings pluginSettings(const Config& config, const std::string& pluginId) {
  auto settings = ownSettings(config, pluginId);
  // "credentials_from": "facebook" — one app for several platforms (Instagram through Facebook
  // Login uses the Meta app): take its client id and secret when this plugin has none of its own.
  if (const auto* from = settings.values.if_contains("credentials_from");
      from != nullptr && from->is_string() && !settings.values.contains("client_id")) {
    const auto source = ownSettings(config, std::string(from->get_string()));
    for (const char* key : {"client_id", "client_secret"}) {
      if (const auto* value = source.values.if_contains(key)) settings.values[key] = *value;
    }
  }
  return settings;
}

std::unique_ptr<plugins::PluginRegistry> loadPlugins(const Config& config, plugins::HttpObserver onHttp) {
  plugins::HostOptions options;
  options.onHttp = std::move(onHttp);
  options.hostVersion = MARKETSAGE_VERSION;
  auto registry = std::make_unique<plugins::PluginRegistry>(
      [&config](const std::string& id) { return pluginSettings(config, id); },
      [](int level, std::string_view pluginId, std::string_view message) {
        log::write(static_cast<log::Level>(std::clamp(level, 0, 3)), message, {{"plugin", pluginId}});
      },
      options);
  registry->loadFrom(config.pluginPath);
  return registry;
}

}  // namespace marketsage::config
