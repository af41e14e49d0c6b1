/// GET /social-media: the dashboard, a single-page app of static files (host/web/: the page, its
/// style sheet and ES modules) embedded in the binary at build time and served under
/// /social-media/assets/. The scripts talk to the REST API with the API key the user pastes (kept
/// in the tab's sessionStorage).
#include "api/Routes.h"
#include "config/Config.h"
#include "config/PluginSettings.h"
#include "core/Problem.h"
#include "http/Exchange.h"
#include "http/Router.h"
#include "plugins/PluginRegistry.h"
#include "web/WebAssets.h"

#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <iterator>
#include <string_view>

namespace marketsage::api {
namespace {

/// The page runs only its own scripts and styles and talks only to this host.
constexpr const char* policy =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

std::string_view typeOf(std::string_view name) {
  const auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "text/html; charset=utf-8";
}

void sendFile(http::Exchange& ex, std::string_view name, std::string_view body) {
  auto& response = ex.response();
  response.set("Content-Security-Policy", policy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  // Embedded in the binary: a new build may change any file, so browsers ask again each time.
  response.set("Cache-Control", "no-cache");
  ex.sendText(200, std::string(typeOf(name)), std::string(body));
}

void sendAsset(http::Exchange& ex, std::string_view name) {
  const auto* found =
      std::find_if(std::begin(web::assets), std::end(web::assets), [&](const auto& a) { return a.first == name; });
  // index.html is the page itself, at /social-media only.
  if (found == std::end(web::assets) || name == "index.html") throw Problem::notFound("no such dashboard file");
  sendFile(ex, name, found->second());
}

void sendPage(http::Exchange& ex) { sendFile(ex, "index.html", web::index_html()); }

/// The enabled platforms and what each can do, for the dashboard's connect buttons.
void platforms(const config::Config& config, const plugins::PluginRegistry& plugins, http::Exchange& ex) {
  boost::json::array out;
  for (const auto& info : plugins.list()) {
    if (!info.enabled) continue;
    boost::json::array capabilities;
    for (const auto& c : info.capabilities) capabilities.emplace_back(c);
    // How an account is connected (the OAuth consent flow, a credential the user gives, an app
    // registered on each server) and whether the operator has set up what that needs.
    const auto setup = config::connectSetup(config, plugins, info);
    out.push_back({{"id", info.id},
                   {"name", info.name},
                   {"version", info.version},
                   {"capabilities", capabilities},
                   {"status", info.status},
                   {"connect", setup.connect},
                   {"defaultCredential", setup.defaultCredential},
                   {"configured", setup.configured}});
  }
  ex.send(200, out);
}

}  // namespace

void addDashboardRoutes(http::Router& router, const config::Config& config, const plugins::PluginRegistry& plugins) {
  router.add("GET", "/social-media", http::Access::Public, [](http::Exchange& ex) { sendPage(ex); });
  router.add("GET", "/social-media/assets/{file}", http::Access::Public,
             [](http::Exchange& ex) { sendAsset(ex, ex.param("file")); });
  router.add("GET", "/api/social-media/platforms", http::Access::Authenticated,
             std::bind_front(platforms, std::ref(config), std::ref(plugins)));
}

}  // namespace marketsage::api
