#include "api/Routes.h"
#include "api/Views.h"
#include "connections/ConnectionStore.h"
#include "core/Log.h"
#include "core/Time.h"
#include "health/ConnectionHealth.h"
#include "http/Exchange.h"
#include "http/Fields.h"
#include "http/Router.h"
#include "oauth/OAuthFlow.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <boost/json.hpp>

#include <functional>

namespace marketsage::api {
namespace {

using auth::Permission;
using http::Access;
using http::Exchange;

/// A health item, with the product contract's names; `openErrors` and `recentErrors` (the newest
/// five) from the error log. `lastError` is the newest of the connection's own record and its open
/// errors, so the item never names an older error than the log shows.
boost::json::object healthView(const health::Health& h) {
  const auto& c = h.connection;
  auto lastError = c.lastError.empty() ? boost::json::value(nullptr) : boost::json::value(c.lastError);
  auto lastErrorAt = c.lastErrorAt;
  boost::json::array recent;
  for (const auto& e : h.openErrors) {
    if (recent.size() < 5) recent.push_back(view(e));
  }
  if (!h.openErrors.empty() && h.openErrors.front().lastSeen > lastErrorAt.value_or(0)) {
    lastError = h.openErrors.front().message;
    lastErrorAt = h.openErrors.front().lastSeen;
  }
  return {{"platform", c.platform},
          {"organizationId", c.organizationId},
          {"connectionId", c.id},
          {"accountId", c.accountId},
          {"accountName", c.accountName},
          {"status", h.status},
          {"canRefresh", c.hasRefreshToken},
          {"lastSuccessfulCall", optionalTime(c.lastSuccessAt)},
          {"tokenExpiresAt", optionalTime(c.expiresAt)},
          {"errorCount", c.errorCount},
          {"lastError", lastError},
          {"lastErrorAt", optionalTime(lastErrorAt)},
          {"openErrors", h.openErrors.size()},
          {"recentErrors", recent}};
}

/// A redirect answer binds the calling browser at once; a JSON answer (a dashboard script, or a
/// backend acting for its user) gets a single-use host link to hand to the browser instead.
void connect(oauth::OAuthFlow& oauth, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const bool json = ex.header("Accept").find("application/json") != std::string::npos;
  const auto started =
      oauth.start(tenant, ex.actor(), ex.param("platform"),
                  json ? oauth::OAuthFlow::Handoff::Link : oauth::OAuthFlow::Handoff::Redirect, ex.query("instance"));
  ex.response().set("Cache-Control", "no-store");
  if (json) {
    ex.send(200, boost::json::object{{"authorizeUrl", started.url}});
    return;
  }
  ex.response().set("Set-Cookie", started.binding->setCookie);
  ex.redirect(started.url);
}

/// GET /api/auth/start/{platform}?link=…: the browser follows the host link of a JSON connect
/// answer; it gets the flow's cookie and goes on to the platform's consent page.
void followLink(oauth::OAuthFlow& oauth, Exchange& ex) {
  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Referrer-Policy", "no-referrer");
  const auto started = oauth.followLink(ex.param("platform"), ex.query("link").value_or(""));
  ex.response().set("Set-Cookie", started.binding->setCookie);
  ex.redirect(started.url);
}

/// POST /api/social-media/connect/{platform} {"credential"?, "accounts"?}: platforms without OAuth
/// (a bot token, an app password), and the accounts the user names where the platform cannot list
/// them (a bot's chats). Answers which were connected and why the others were refused.
void connectWithCredential(oauth::OAuthFlow& oauth, const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto body = ex.jsonBody();
  const http::Fields fields(body, {"credential", "accounts"});
  const auto credential = fields.optionalText("credential", 4096);
  const auto accounts = fields.optionalTextList("accounts", 50, 256);
  const auto result = oauth.connectWithCredential(tenant, ex.actor(), ex.param("platform"), credential, accounts);
  boost::json::array stored;
  for (const auto& c : connections::ConnectionStore(tenant, vault).list()) {
    if (c.platform == ex.param("platform")) stored.push_back(view(c));
  }
  ex.send(201,
          boost::json::object{{"connected", result.connected}, {"connections", stored}, {"refused", result.refused}});
}

void callback(oauth::OAuthFlow& oauth, Exchange& ex) {
  // The URL carries a code and a state: never let it leak onward or sit in a cache.
  ex.response().set("Referrer-Policy", "no-referrer");
  ex.response().set("Cache-Control", "no-store");
  std::map<std::string, std::string> query;
  try {
    for (const auto& [key, value] : Poco::URI(ex.request().target()).getQueryParameters()) query[key] = value;
  } catch (const Poco::Exception&) {
    throw Problem::badInput("the callback's query string is malformed");
  }
  // The browser normally carries no API key here; if a caller does send one, it must be of the
  // organization that started the flow.
  std::string callerOrganization;
  if (!ex.header("Authorization").empty()) {
    ex.authenticate();
    callerOrganization = ex.principal().organizationId;
  }
  ex.response().set("Set-Cookie", oauth.clearBinding(ex.param("platform"), query));
  try {
    const auto outcome = oauth.complete(ex.param("platform"), query, ex.cookies(), callerOrganization,
                                        ex.remoteAddress(), ex.requestId());
    ex.redirect(outcome.dashboardUrl);
  } catch (const Problem& problem) {
    // A person's browser (it asks for HTML) lands back on the dashboard with the reason, not on a
    // raw error document; an API client keeps the problem+json answer.
    if (ex.header("Accept").find("text/html") == std::string::npos) throw;
    log::info("callback refused",
              {{"platform", ex.param("platform")}, {"reason", problem.slug()}, {"requestId", ex.requestId()}});
    ex.redirect(oauth.failedAt(ex.param("platform"), problem.slug(), problem.detail()));
  }
}

void listConnections(const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();
  boost::json::array out;
  for (const auto& c : connections::ConnectionStore(tenant, vault).list()) out.push_back(view(c));
  ex.send(200, out);
}

void getConnection(const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();
  connections::ConnectionStore store(tenant, vault);
  ex.send(200, view(store.get(ex.param("id"))));
}

void disconnect(oauth::OAuthFlow& oauth, Exchange& ex) {
  auto tenant = ex.targetTenant();
  if (!oauth.disconnect(tenant, ex.actor(), ex.param("id"), ex.requestId()))
    throw Problem::notFound("no such connection");
  ex.sendNoContent();
}

/// POST …/connections/{id}/refresh: a new token where the platform gives refresh tokens; where it
/// does not (Facebook Pages, Instagram), the token is re-checked at the platform instead.
void refresh(health::ConnectionHealth& health, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto renewed = health.renew(tenant, ex.actor(), ex.param("id"));
  auto answer = view(renewed.connection);
  answer["refreshed"] = renewed.refreshed;
  if (!renewed.refreshed) answer["checked"] = true;  // nothing to refresh: the token was checked and still works
  ex.send(200, answer);
}

/// Stored health of every connection; `?live=true` also asks each platform (check_token), using
/// tokens refreshed first when they are about to expire.
void listHealth(health::ConnectionHealth& health, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const bool live = ex.query("live").value_or("") == "true";
  const auto platform = ex.hasParam("platform") ? ex.param("platform") : std::string();
  boost::json::array out;
  for (const auto& h : health.of(tenant, platform, live)) {
    auto view = healthView(h);
    if (h.rateLimitedUntil) view["rateLimitedUntil"] = time::formatIso8601(*h.rateLimitedUntil);
    for (const auto& [key, value] : h.usage) view[key] = value;
    out.push_back(std::move(view));
  }
  ex.send(200, out);
}

}  // namespace

void addConnectionRoutes(http::Router& router, oauth::OAuthFlow& oauth, const vault::TokenVault& vault,
                         health::ConnectionHealth& health) {
  using std::bind_front, std::ref;
  router.add("GET", "/api/social-media/connect/{platform}", Permission::ConnectAccounts,
             bind_front(connect, ref(oauth)));
  router.add("POST", "/api/social-media/connect/{platform}", Permission::ConnectAccounts,
             bind_front(connectWithCredential, ref(oauth), ref(vault)));
  router.add("GET", "/api/auth/start/{platform}", Access::Public, bind_front(followLink, ref(oauth)));
  router.add("GET", "/api/auth/callback/{platform}", Access::Public, bind_front(callback, ref(oauth)));
  router.add("GET", "/api/social-media/connections", Permission::ViewConnections,
             bind_front(listConnections, ref(vault)));
  router.add("GET", "/api/social-media/connections/{id}", Permission::ViewConnections,
             bind_front(getConnection, ref(vault)));
  router.add("DELETE", "/api/social-media/connections/{id}", Permission::ManageTokens,
             bind_front(disconnect, ref(oauth)));
  router.add("POST", "/api/social-media/connections/{id}/refresh", Permission::ManageTokens,
             bind_front(refresh, ref(health)));
  router.add("GET", "/api/social-media/health", Permission::ViewConnections, bind_front(listHealth, ref(health)));
  router.add("GET", "/api/social-media/health/{platform}", Permission::ViewConnections,
             bind_front(listHealth, ref(health)));
}

}  // namespace marketsage::api
