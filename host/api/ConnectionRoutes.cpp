#include "api/Routes.h"
#include "api/Views.h"
#include "app/Host.h"
#include "connections/ConnectionStore.h"
#include "core/Log.h"
#include "core/Time.h"
#include "http/Exchange.h"
#include "http/Fields.h"
#include "http/Router.h"
#include "oauth/OAuthFlow.h"
#include "oauth/TokenRefresher.h"
#include "platforms/PlatformCalls.h"
#include "plugins/PluginRegistry.h"
#include "publishing/PostStore.h"

#include <Poco/URI.h>
#include <boost/json.hpp>

namespace marketsage::api {
namespace {

using auth::Permission;
using http::Access;
using http::Exchange;

/// The health states of the product contract: healthy, expired, invalid, rate_limited.
std::string healthOf(const connections::Connection& c) {
  if (c.status == connections::status::invalid) return "invalid";
  if (c.status == connections::status::expired || (c.expiresAt && *c.expiresAt < time::nowMillis() && !c.hasRefreshToken)) return "expired";
  return "healthy";
}

/// A health item, with the product contract's names.
boost::json::object healthView(const connections::Connection& c, const std::string& health) {
  return {{"platform", c.platform},
          {"organizationId", c.organizationId},
          {"connectionId", c.id},
          {"accountId", c.accountId},
          {"accountName", c.accountName},
          {"status", health},
          {"canRefresh", c.hasRefreshToken},
          {"lastSuccessfulCall", optionalTime(c.lastSuccessAt)},
          {"tokenExpiresAt", optionalTime(c.expiresAt)},
          {"errorCount", c.errorCount},
          {"lastError", c.lastError.empty() ? boost::json::value(nullptr) : boost::json::value(c.lastError)},
          {"lastErrorAt", optionalTime(c.lastErrorAt)}};
}

/// A redirect answer binds the calling browser at once; a JSON answer (a dashboard script, or a
/// backend acting for its user) gets a single-use host link to hand to the browser instead.
void connect(Exchange& ex) {
  auto tenant = ex.tenantFor(Permission::ConnectAccounts);
  const bool json = ex.header("Accept").find("application/json") != std::string::npos;
  const auto started = ex.host().oauth().start(tenant, ex.actor(), ex.param("platform"),
                                               json ? oauth::OAuthFlow::Handoff::Link : oauth::OAuthFlow::Handoff::Redirect);
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
void followLink(Exchange& ex) {
  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Referrer-Policy", "no-referrer");
  const auto started = ex.host().oauth().followLink(ex.param("platform"), ex.query("link").value_or(""));
  ex.response().set("Set-Cookie", started.binding->setCookie);
  ex.redirect(started.url);
}

/// POST /api/social-media/connect/{platform} {"credential"?, "accounts"?}: platforms without OAuth
/// (a bot token, an app password), and the accounts the user names where the platform cannot list
/// them (a bot's chats). Answers which were connected and why the others were refused.
void connectWithCredential(Exchange& ex) {
  auto tenant = ex.tenantFor(Permission::ConnectAccounts);
  const auto body = ex.jsonBody();
  const http::Fields fields(body, {"credential", "accounts"});
  const auto credential = fields.optionalText("credential", 4096);
  const auto accounts = fields.optionalTextList("accounts", 50, 256);
  const auto result = ex.host().oauth().connectWithCredential(tenant, ex.actor(), ex.param("platform"), credential, accounts);
  boost::json::array stored;
  for (const auto& c : connections::ConnectionStore(tenant, ex.host().vault()).list()) {
    if (c.platform == ex.param("platform")) stored.push_back(view(c));
  }
  ex.send(201, boost::json::object{{"connected", result.connected}, {"connections", stored}, {"refused", result.refused}});
}

void callback(Exchange& ex) {
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
  ex.response().set("Set-Cookie", ex.host().oauth().clearBinding(ex.param("platform"), query));
  try {
    const auto outcome =
        ex.host().oauth().complete(ex.param("platform"), query, ex.cookies(), callerOrganization, ex.remoteAddress(), ex.requestId());
    ex.redirect(outcome.dashboardUrl);
  } catch (const Problem& problem) {
    // A person's browser (it asks for HTML) lands back on the dashboard with the reason, not on a
    // raw error document; an API client keeps the problem+json answer.
    if (ex.header("Accept").find("text/html") == std::string::npos) throw;
    log::info("callback refused", {{"platform", ex.param("platform")}, {"reason", problem.slug()}, {"requestId", ex.requestId()}});
    ex.redirect(ex.host().oauth().failedAt(ex.param("platform"), problem.slug(), problem.detail()));
  }
}

void listConnections(Exchange& ex) {
  auto tenant = ex.tenantFor(Permission::ViewConnections);
  boost::json::array out;
  for (const auto& c : connections::ConnectionStore(tenant, ex.host().vault()).list()) out.push_back(view(c));
  ex.send(200, out);
}

connections::Connection existing(connections::ConnectionStore& store, const std::string& id) {
  auto c = store.find(id);
  if (!c) throw Problem::notFound("no such connection");
  return *c;
}

void getConnection(Exchange& ex) {
  auto tenant = ex.tenantFor(Permission::ViewConnections);
  connections::ConnectionStore store(tenant, ex.host().vault());
  ex.send(200, view(existing(store, ex.param("id"))));
}

void disconnect(Exchange& ex) {
  auto tenant = ex.tenantFor(Permission::ManageTokens);
  connections::ConnectionStore store(tenant, ex.host().vault());
  const auto connection = existing(store, ex.param("id"));
  // Revoke at the platform where it can; the row goes either way (the user asked to forget it).
  if (auto plugin = ex.host().plugins().get(connection.platform); plugin && plugin->supports(plugins::Operation::RevokeToken)) {
    const auto tokens = store.tokens(connection.id);
    boost::json::object request{{"accessToken", tokens->accessToken}};
    if (tokens->refreshToken) request["refreshToken"] = *tokens->refreshToken;
    const auto result = plugin->call(plugins::Operation::RevokeToken, request);
    if (!result.ok()) {
      log::warn("revoke at the platform failed; forgetting the token anyway",
                {{"platform", connection.platform}, {"kind", plugins::toString(result.kind)}, {"requestId", ex.requestId()}});
    }
  }
  store.remove(connection.id, ex.actor());
  ex.sendNoContent();
}

/// Asks the platform whether the connection's token still works (check_token), recording the
/// answer on the connection. Returns the health it shows: healthy, expired, invalid or rate_limited.
std::string checkAtPlatform(Exchange& ex, tenants::TenantStore& tenant, connections::ConnectionStore& store,
                            const connections::Connection& c, std::string health, boost::json::object* usage = nullptr) {
  auto plugin = ex.host().plugins().get(c.platform);
  if (!plugin || !plugin->supports(plugins::Operation::CheckToken)) return health;
  try {
    const auto result = ex.host().refresher().callWithToken(tenant, c.id, *plugin, plugins::Operation::CheckToken, {});
    if (result.ok()) {
      store.recordSuccess(c.id);
      // What the platform counts against the app (YouTube's daily quota units), as the plugin says.
      if (const auto* quota = result.json.is_object() ? result.json.as_object().if_contains("quota") : nullptr;
          usage && quota && quota->is_object()) {
        (*usage)["quota"] = *quota;
      }
      return health;
    }
    health = result.kind == plugins::ErrorKind::RateLimited ? "rate_limited"
             : result.kind == plugins::ErrorKind::AuthExpired ? "expired"
             : result.kind == plugins::ErrorKind::AuthInvalid ? "invalid" : health;
    if (health == "invalid" || health == "expired") store.markFailed(c.id, health, result.message);
  } catch (const Problem& problem) {
    if (problem.status() == 429) return "rate_limited";
    if (problem.status() == 409) {
      const auto now = store.find(c.id);
      return now && now->status == connections::status::invalid ? "invalid" : "expired";
    }
  }
  return health;
}

/// POST …/connections/{id}/refresh: a new token where the platform gives refresh tokens; where it
/// does not (Facebook Pages, Instagram), the token is re-checked at the platform instead.
void refresh(Exchange& ex) {
  auto tenant = ex.tenantFor(Permission::ManageTokens);
  connections::ConnectionStore store(tenant, ex.host().vault());
  const auto connection = existing(store, ex.param("id"));
  if (connection.hasRefreshToken) {
    auto refreshed = view(ex.host().refresher().refresh(tenant, connection.id));
    tenant.audit(ex.actor(), "connection.refreshed", "connection", connection.id, {{"platform", connection.platform}});
    refreshed["refreshed"] = true;
    ex.send(200, refreshed);
    return;
  }
  if (connection.status != connections::status::active) {
    throw Problem(409, "reconnect-required", "The connection must be reconnected", connection.platform + ": the connection is " + connection.status);
  }
  const auto health = checkAtPlatform(ex, tenant, store, connection, "healthy");
  tenant.audit(ex.actor(), "connection.checked", "connection", connection.id, {{"platform", connection.platform}, {"health", health}});
  const auto checked = existing(store, connection.id);
  if (health == "invalid" || health == "expired") {
    throw Problem(409, "reconnect-required", "The connection must be reconnected", connection.platform + ": " + checked.lastError);
  }
  if (health == "rate_limited") throw Problem(429, "rate-limited", "Rate limited by the platform", connection.platform + ": try again later").retryAfter(60);
  auto answer = view(checked);
  answer["refreshed"] = false;  // nothing to refresh: the token was checked and still works
  answer["checked"] = true;
  ex.send(200, answer);
}

/// Stored health of every connection; `?live=true` also asks each platform (check_token), using
/// tokens refreshed first when they are about to expire.
void health(Exchange& ex) {
  auto tenant = ex.tenantFor(Permission::ViewConnections);
  const bool live = ex.query("live").value_or("") == "true";
  const auto platform = ex.hasParam("platform") ? ex.param("platform") : std::string();
  connections::ConnectionStore store(tenant, ex.host().vault());
  publishing::PostStore posts(tenant);
  boost::json::array out;
  for (const auto& c : store.list()) {
    if (!platform.empty() && c.platform != platform) continue;
    std::string health = healthOf(c);
    // What the publisher learnt: targets of this connection waiting for the platform's reset.
    const auto throttledUntil = health == "healthy" ? posts.rateLimitedUntil(c.id) : std::nullopt;
    if (throttledUntil) health = "rate_limited";
    boost::json::object usage;
    if (live && health == "healthy") health = checkAtPlatform(ex, tenant, store, c, health, &usage);
    auto view = healthView(*store.find(c.id), health);
    if (throttledUntil) view["rateLimitedUntil"] = time::formatIso8601(*throttledUntil);
    for (auto& [key, value] : usage) view[key] = value;
    out.push_back(std::move(view));
  }
  ex.send(200, out);
}

}  // namespace

void addConnectionRoutes(http::Router& router) {
  router.add("GET", "/api/social-media/connect/{platform}", Access::Authenticated, connect);
  router.add("POST", "/api/social-media/connect/{platform}", Access::Authenticated, connectWithCredential);
  router.add("GET", "/api/auth/start/{platform}", Access::Public, followLink);
  router.add("GET", "/api/auth/callback/{platform}", Access::Public, callback);
  router.add("GET", "/api/social-media/connections", Access::Authenticated, listConnections);
  router.add("GET", "/api/social-media/connections/{id}", Access::Authenticated, getConnection);
  router.add("DELETE", "/api/social-media/connections/{id}", Access::Authenticated, disconnect);
  router.add("POST", "/api/social-media/connections/{id}/refresh", Access::Authenticated, refresh);
  router.add("GET", "/api/social-media/health", Access::Authenticated, health);
  router.add("GET", "/api/social-media/health/{platform}", Access::Authenticated, health);
}

}  // namespace marketsage::api
