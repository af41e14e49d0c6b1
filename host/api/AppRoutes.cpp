// /api/social-media/apps: an organization registers its own app for a platform (its name on the
// consent page, its quotas); connects, refreshes and calls of that organization then go through it.
#include "api/Routes.h"
#include "api/Views.h"
#include "apps/AppSettings.h"
#include "apps/AppStore.h"
#include "config/Config.h"
#include "core/AddressGuard.h"
#include "core/Time.h"
#include "http/Exchange.h"
#include "http/Router.h"
#include "plugins/PluginRegistry.h"

#include <boost/json.hpp>

#include <functional>
#include <regex>

namespace marketsage::api {
namespace {

using auth::Permission;
using http::Exchange;

constexpr std::size_t maxFields = 16;
constexpr std::size_t maxFieldChars = 2048;

boost::json::object appView(const apps::PlatformApp& app) {
  boost::json::object out{
      {"id", app.id},
      {"platform", app.platform},
      {"clientId", app.clientId},
      {"hasClientSecret", app.hasSecret},
      {"createdBy", app.createdBy.empty() ? boost::json::value(nullptr) : boost::json::value(app.createdBy)},
      {"createdAt", time::formatIso8601(app.createdAt)}};
  for (const auto& [name, value] : app.fields) out[name] = value;
  if (!app.instance.empty()) out["instance"] = app.instance;  // registered by a connect (Mastodon)
  return out;
}

/// A string field of the body, or 400 naming it.
std::string textOf(const boost::json::value& value, const std::string& name, std::size_t maxChars) {
  if (!value.is_string() || value.as_string().empty())
    throw Problem::badInput("\"" + name + "\" must be a non-empty string");
  std::string text(value.as_string());
  if (text.size() > maxChars) throw Problem::badInput("\"" + name + "\" is too long");
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) throw Problem::badInput("\"" + name + "\" holds a control character");
  }
  return text;
}

apps::AppCredentials credentialsFrom(const boost::json::object& body, const config::Config& config) {
  static const std::regex fieldName("[a-z][A-Za-z0-9]{0,39}");
  apps::AppCredentials credentials;
  const auto* clientId = body.if_contains("clientId");
  if (clientId == nullptr) throw Problem::badInput("\"clientId\" is required");
  credentials.clientId = textOf(*clientId, "clientId", 512);
  if (const auto* secret = body.if_contains("clientSecret"); secret != nullptr && !secret->is_null())
    credentials.clientSecret = textOf(*secret, "clientSecret", 4096);
  for (const auto& [key, value] : body) {
    const std::string name(key);
    if (name == "clientId" || name == "clientSecret") continue;
    if (!std::regex_match(name, fieldName) || name == "enabled")
      throw Problem::badInput("\"" + name + "\" is not a field an app can have");
    if (credentials.fields.size() == maxFields) throw Problem::badInput("an app has at most 16 further fields");
    const auto text = textOf(value, name, maxFieldChars);
    // "apiBase", "authBase", "videoBase" …: where the plugin sends this organization's calls.
    // Held to the media URL guard, so that an app cannot aim the host at its own network.
    if (name.size() > 4 && name.compare(name.size() - 4, 4, "Base") == 0)
      guard::checkedBaseUrl(text, config.media.fetchAllowHosts, "\"" + name + "\"");
    credentials.fields[name] = text;
  }
  return credentials;
}

/// The platform's plugin, which must run the OAuth flow and read an organization's app (ABI 1.3).
void requireAppCapable(const plugins::PluginRegistry& plugins, const std::string& platform) {
  // 404 for an unknown platform, 400 for one without OAuth (Telegram takes its bot token per
  // connection already).
  const auto plugin = plugins.require(platform, plugins::Operation::AuthorizeUrl);
  if (!apps::takesOrganizationApps(*plugin)) {
    throw Problem::conflict("the installed " + platform + " plugin (plugin ABI 1." +
                            std::to_string(plugin->info().abiMinor) +
                            ") cannot use an organization's own app; it needs ABI 1.3 or later");
  }
}

void putApp(const config::Config& config, const plugins::PluginRegistry& plugins, const vault::TokenVault& vault,
            Exchange& ex) {
  auto tenant = ex.targetTenant();  // first: the caller's role is checked with the organization
  const auto& platform = ex.param("platform");
  requireAppCapable(plugins, platform);
  const auto credentials = credentialsFrom(ex.jsonBody(), config);
  ex.send(200, appView(apps::AppStore(tenant, vault).put(platform, credentials, ex.actor())));
}

void getApp(const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto app = apps::AppStore(tenant, vault).current(ex.param("platform"));
  if (!app) throw Problem::notFound("this organization has no app of its own for " + ex.param("platform"));
  ex.send(200, appView(*app));
}

void listApps(const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();
  boost::json::array out;
  for (const auto& app : apps::AppStore(tenant, vault).listCurrent()) out.push_back(appView(app));
  ex.send(200, out);
}

void deleteApp(const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();
  if (!apps::AppStore(tenant, vault).retire(ex.param("platform"), ex.actor()))
    throw Problem::notFound("this organization has no app of its own for " + ex.param("platform"));
  ex.sendNoContent();
}

}  // namespace

void addAppRoutes(http::Router& router, const config::Config& config, const plugins::PluginRegistry& plugins,
                  const vault::TokenVault& vault) {
  router.add("GET", "/api/social-media/apps", Permission::ManageTokens, std::bind_front(listApps, std::cref(vault)));
  router.add("PUT", "/api/social-media/apps/{platform}", Permission::ManageTokens,
             std::bind_front(putApp, std::cref(config), std::cref(plugins), std::cref(vault)));
  router.add("GET", "/api/social-media/apps/{platform}", Permission::ManageTokens,
             std::bind_front(getApp, std::cref(vault)));
  router.add("DELETE", "/api/social-media/apps/{platform}", Permission::ManageTokens,
             std::bind_front(deleteApp, std::cref(vault)));
}

}  // namespace marketsage::api
