#include "health/ConnectionHealth.h"

#include "connections/ConnectionStore.h"
#include "core/Problem.h"
#include "core/Time.h"
#include "oauth/TokenRefresher.h"
#include "plugins/PlatformError.h"
#include "plugins/PluginRegistry.h"
#include "publishing/PostStore.h"
#include "tenants/TenantStore.h"

namespace marketsage::health {
namespace {

/// What the stored state says, before anyone asks the platform.
std::string storedHealth(const connections::Connection& c) {
  if (c.status == connections::status::invalid) return "invalid";
  if (c.status == connections::status::expired ||
      (c.expiresAt && *c.expiresAt < time::nowMillis() && !c.hasRefreshToken))
    return "expired";
  return "healthy";
}

}  // namespace

std::vector<Health> ConnectionHealth::of(tenants::TenantStore& tenant, const std::string& platform, bool live) {
  connections::ConnectionStore store(tenant, vault_);
  publishing::PostStore posts(tenant);
  std::vector<Health> out;
  for (const auto& c : store.list()) {
    if (!platform.empty() && c.platform != platform) continue;
    Health h;
    h.status = storedHealth(c);
    // What the publisher learnt: targets of this connection waiting for the platform's reset.
    h.rateLimitedUntil = h.status == "healthy" ? posts.rateLimitedUntil(c.id) : std::nullopt;
    if (h.rateLimitedUntil) h.status = "rate_limited";
    if (live && h.status == "healthy") h.status = checkAtPlatform(tenant, store, c, h.status, &h.usage);
    h.connection = *store.find(c.id);
    out.push_back(std::move(h));
  }
  // Read after the live checks: an error a check cleared is not shown as open.
  for (const auto& e : monitoring::ErrorLog(tenant).open()) {
    for (auto& h : out) {
      if (e.connectionId == h.connection.id) h.openErrors.push_back(e);
    }
  }
  return out;
}

ConnectionHealth::Renewed ConnectionHealth::renew(tenants::TenantStore& tenant, const tenants::Actor& actor,
                                                  const std::string& connectionId) {
  connections::ConnectionStore store(tenant, vault_);
  const auto connection = store.get(connectionId);
  if (connection.hasRefreshToken) {
    auto refreshed = refresher_.refresh(tenant, connection.id);
    tenant.audit(actor, "connection.refreshed", "connection", connection.id, {{"platform", connection.platform}});
    return {std::move(refreshed), true};
  }
  if (connection.status != connections::status::active) {
    throw plugins::PlatformError(plugins::ErrorKind::AuthInvalid, connection.platform,
                                 "the connection is " + connection.status);
  }
  const auto health = checkAtPlatform(tenant, store, connection, "healthy");
  tenant.audit(actor, "connection.checked", "connection", connection.id,
               {{"platform", connection.platform}, {"health", health}});
  const auto checked = store.get(connection.id);
  if (health == "invalid" || health == "expired") {
    throw plugins::PlatformError(plugins::ErrorKind::AuthInvalid, connection.platform, checked.lastError);
  }
  if (health == "rate_limited")
    throw plugins::PlatformError(plugins::ErrorKind::RateLimited, connection.platform, "try again later", {}, 60);
  return {checked, false};
}

std::string ConnectionHealth::checkAtPlatform(tenants::TenantStore& tenant, connections::ConnectionStore& store,
                                              const connections::Connection& c, std::string health,
                                              boost::json::object* usage) {
  auto plugin = plugins_.get(c.platform);
  if (!plugin || !plugin->supports(plugins::Operation::CheckToken)) return health;
  try {
    const auto result = refresher_.callWithToken(tenant, c.id, *plugin, plugins::Operation::CheckToken, {});
    if (result.ok()) {
      store.recordSuccess(c.id);
      // What the platform counts against the app (YouTube's daily quota units), as the plugin says.
      if (const auto* quota = result.json.is_object() ? result.json.as_object().if_contains("quota") : nullptr;
          usage && quota && quota->is_object()) {
        (*usage)["quota"] = *quota;
      }
      return health;
    }
    health = result.kind == plugins::ErrorKind::RateLimited   ? "rate_limited"
             : result.kind == plugins::ErrorKind::AuthExpired ? "expired"
             : result.kind == plugins::ErrorKind::AuthInvalid ? "invalid"
                                                              : health;
    if (health == "invalid" || health == "expired") store.markFailed(c.id, health, result.message);
  } catch (const plugins::PlatformError& error) {  // the token could not be made fresh
    if (error.kind() == plugins::ErrorKind::RateLimited) return "rate_limited";
    if (error.needsReconnect()) {
      const auto now = store.find(c.id);
      return now && now->status == connections::status::invalid ? "invalid" : "expired";
    }
  } catch (const Problem&) {  // the connection is gone
  }
  return health;
}

}  // namespace marketsage::health
