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
  const std::string prefix = environmentPrefix(pluginId);
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

/// Whether `id` connects through a consent page. A credential platform whose sessions refresh
/// (Bluesky) offers oauth for refresh only, and its authorize_url — which makes no network call —
/// answers not_supported.
bool consentFlow(const plugins::PluginRegistry& registry, const std::string& id) {
  const auto plugin = registry.get(id);
  if (!plugin || !plugin->supports(plugins::Operation::AuthorizeUrl)) return false;
  const boost::json::object request{{"redirectUri", "https://host.invalid/callback"},
                                    {"state", "probe"},
                                    {"codeChallenge", "probe"},
                                    {"codeChallengeMethod", "S256"}};
  return plugin->call(plugins::Operation::AuthorizeUrl, request).kind != plugins::ErrorKind::NotSupported;
}

bool nonEmptyString(const boost::json::object& values, const char* key) {
  const auto* value = values.if_contains(key);
  return value != nullptr && value->is_string() && !value->get_string().empty();
}

}  // namespace

ConnectSetup connectSetup(const Config& config, const plugins::PluginRegistry& registry,
                          const plugins::PluginInfo& info) {
  const auto has = [&](const char* capability) {
    return std::find(info.capabilities.begin(), info.capabilities.end(), capability) != info.capabilities.end();
  };
  const bool oauth = consentFlow(registry, info.id);
  const bool accounts = has("accounts");
  // A platform with many servers (Mastodon) registers its app on the server each organization
  // names: nothing for the operator to set up.
  const bool manyServers = has("app_registration");
  const auto settings = pluginSettings(config, info.id);
  ConnectSetup setup;
  setup.connect = manyServers ? "instance" : oauth ? "oauth" : accounts ? "credential" : "none";
  setup.clientId = nonEmptyString(settings.values, "client_id");
  setup.clientSecret = nonEmptyString(settings.values, "client_secret");
  setup.defaultCredential = nonEmptyString(settings.values, "bot_token");
  // An OAuth platform needs the operator's app (client id) before anyone can connect; a
  // credential platform takes each organization's own.
  setup.configured = manyServers || (oauth ? setup.clientId : accounts);
  return setup;
}

std::string callbackUrl(const Config& config, const std::string& platform) {
  std::string base = config.publicUrl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/auth/callback/" + platform;
}

std::string environmentPrefix(const std::string& pluginId) {
  std::string prefix = pluginId;
  std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                 [](unsigned char c) { return c == '-' ? '_' : static_cast<char>(std::toupper(c)); });
  return prefix;
}

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
