#include "oauth/TokenRefresher.h"

#include "connections/ConnectionStore.h"
#include "connections/RefreshSchedule.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "monitoring/ErrorLog.h"
#include "oauth/Accounts.h"
#include "plugins/HostServices.h"
#include "plugins/PlatformError.h"
#include "plugins/PluginRegistry.h"
#include "tenants/Directory.h"

#include <boost/json.hpp>

#include <chrono>

namespace marketsage::oauth {
namespace {

constexpr std::int64_t leaseMillis = 30'000;

plugins::PlatformError reconnectRequired(const connections::Connection& c, const std::string& why) {
  const auto kind =
      c.status == connections::status::expired ? plugins::ErrorKind::AuthExpired : plugins::ErrorKind::AuthInvalid;
  return {kind, c.platform, why};
}

bool expiring(const connections::Connection& c, std::int64_t now) {
  return c.expiresAt && *c.expiresAt - now < TokenRefresher::marginMillis;
}

}  // namespace

TokenRefresher::TokenRefresher(tenants::Directory& directory, connections::RefreshSchedule& schedule,
                               const vault::TokenVault& vault, const plugins::PluginRegistry& plugins,
                               apps::AppSettings& apps)
    : directory_(directory),
      schedule_(schedule),
      vault_(vault),
      plugins_(plugins),
      apps_(apps),
      owner_("host-" + random::token(12)) {}

TokenRefresher::~TokenRefresher() { stopBackground(); }

std::vector<std::string> TokenRefresher::secretsOf(const connections::Tokens& tokens) {
  std::vector<std::string> secrets{tokens.accessToken};
  if (tokens.refreshToken) secrets.push_back(*tokens.refreshToken);
  return secrets;
}

std::shared_ptr<std::mutex> TokenRefresher::lockFor(const std::string& grantId) {
  std::lock_guard guard(locksMutex_);
  auto& slot = locks_[grantId];
  auto lock = slot.lock();
  if (!lock) {
    lock = std::make_shared<std::mutex>();
    slot = lock;
  }
  // Forget entries nobody holds any more, so the map does not grow with every connection ever seen.
  for (auto it = locks_.begin(); it != locks_.end();) it = it->second.expired() ? locks_.erase(it) : std::next(it);
  return lock;
}

connections::Tokens TokenRefresher::freshTokens(tenants::TenantStore& tenant, const std::string& connectionId) {
  // Taken before waiting for anyone: a refresh stored after this moment is one we can use.
  const auto requestedAt = time::nowMillis();
  connections::ConnectionStore store(tenant, vault_);
  const auto connection = store.find(connectionId);
  if (!connection) throw Problem::notFound("no such connection");
  if (connection->status != connections::status::active) {
    throw reconnectRequired(*connection, "the connection is " + connection->status + "; reconnect it");
  }
  if (!expiring(*connection, time::nowMillis()) || !connection->hasRefreshToken) return *store.tokens(connectionId);
  const auto lock = lockFor(connection->grantId);
  std::lock_guard guard(*lock);
  return refreshLocked(tenant, connectionId, requestedAt, true);
}

plugins::CallResult TokenRefresher::callWithToken(tenants::TenantStore& tenant, const std::string& connectionId,
                                                  const plugins::Plugin& plugin, plugins::Operation op,
                                                  boost::json::object request) {
  const auto requestedAt = time::nowMillis();
  const auto connection = connections::ConnectionStore(tenant, vault_).find(connectionId);
  if (!connection) throw Problem::notFound("no such connection");
  std::optional<connections::Tokens> tokens = freshTokens(tenant, connectionId);
  auto result = call(tenant, *connection, {}, tokens, plugin, op, std::move(request), requestedAt);
  // The error log's one point for calls made by id (health checks, insights, deletions; the
  // publisher logs its attempts with their outcomes): a failure is logged, a success clears.
  const monitoring::ErrorLog errors(tenant);
  if (const auto type = monitoring::typeOf(result.kind)) {
    errors.record({connection->platform, connection->id, *type, plugins::redact(result.reason(), secretsOf(*tokens)),
                   result.platformCode});
  } else {
    errors.recover(connection->id);
  }
  return result;
}

plugins::CallResult TokenRefresher::callWithToken(tenants::TenantStore& tenant,
                                                  const connections::Connection& connection,
                                                  const connections::SealedTokens& sealed,
                                                  std::optional<connections::Tokens>& tokens,
                                                  const plugins::Plugin& plugin, plugins::Operation op,
                                                  boost::json::object request) {
  return call(tenant, connection, sealed, tokens, plugin, op, std::move(request), time::nowMillis());
}

plugins::CallResult TokenRefresher::call(tenants::TenantStore& tenant, const connections::Connection& connection,
                                         const connections::SealedTokens& sealed,
                                         std::optional<connections::Tokens>& tokens, const plugins::Plugin& plugin,
                                         plugins::Operation op, boost::json::object request, std::int64_t requestedAt) {
  if (connection.status != connections::status::active) {
    throw reconnectRequired(connection, "the connection is " + connection.status + "; reconnect it");
  }
  if (!tokens) {
    if (expiring(connection, requestedAt) && connection.hasRefreshToken) {
      const auto lock = lockFor(connection.grantId);
      std::lock_guard guard(*lock);
      tokens = refreshLocked(tenant, connection.id, requestedAt, true);
    } else {
      tokens = connections::ConnectionStore(tenant, vault_).open(connection.id, sealed);
    }
  }
  // Every call made for a connection names the account it acts for (sdk-docs: Account).
  if (!request.contains("account")) request["account"] = connections::accountJson(connection);
  apps_.addTo(request, tenant, connection.appId, plugin);
  request["accessToken"] = tokens->accessToken;
  auto result = plugin.call(op, request);
  if (result.kind != plugins::ErrorKind::AuthExpired || !connection.hasRefreshToken) return result;
  {
    const auto lock = lockFor(connection.grantId);
    std::lock_guard guard(*lock);
    tokens = refreshLocked(tenant, connection.id, requestedAt, false);
  }
  request["accessToken"] = tokens->accessToken;
  return plugin.call(op, request);
}

connections::Connection TokenRefresher::refresh(tenants::TenantStore& tenant, const std::string& connectionId) {
  const auto requestedAt = time::nowMillis();
  connections::ConnectionStore store(tenant, vault_);
  const auto connection = store.find(connectionId);
  if (!connection) throw Problem::notFound("no such connection");
  const auto lock = lockFor(connection->grantId);
  {
    std::lock_guard guard(*lock);
    refreshLocked(tenant, connectionId, requestedAt, false);
  }
  return *store.find(connectionId);
}

connections::Tokens TokenRefresher::refreshLocked(tenants::TenantStore& tenant, const std::string& connectionId,
                                                  std::int64_t requestedAt, bool onlyIfExpiring) {
  connections::ConnectionStore store(tenant, vault_);
  // Someone (here or on another host, for this account or another of the same grant) refreshed
  // while we waited: use their result. Strictly later: a refresh stored in the very millisecond
  // this request began happened before it, and a forced refresh must not be skipped for it.
  const auto doneMeanwhile = [&](const connections::Connection& c) {
    const bool refreshedMeanwhile =
        c.refreshedAt && *c.refreshedAt > requestedAt && c.status == connections::status::active;
    return refreshedMeanwhile || (onlyIfExpiring && !expiring(c, time::nowMillis()));
  };
  // The grant's lease, held from here to the end of the refresh (released on every way out).
  struct Lease {
    connections::ConnectionStore& store;
    std::string grant;
    const std::string& owner;
    ~Lease() {
      if (!grant.empty()) store.releaseLease(grant, owner);
    }
  } lease{store, {}, owner_};

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(leaseMillis + 5000);
  std::optional<connections::Connection> connection;
  for (;;) {
    connection = store.find(connectionId);
    if (!connection) throw Problem::notFound("no such connection");
    if (doneMeanwhile(*connection)) return *store.tokens(connectionId);
    if (connection->status != connections::status::active) {
      throw reconnectRequired(*connection, "the connection is " + connection->status + "; reconnect it");
    }
    if (!connection->hasRefreshToken) {
      throw reconnectRequired(*connection, "the platform gave no refresh token; reconnect when it expires");
    }
    if (store.tryLease(connection->grantId, owner_, time::nowMillis() + leaseMillis)) {
      lease.grant = connection->grantId;
      // Read again under the lease: another host may have stored its refresh (and released the
      // lease) between our read above and taking the lease.
      connection = store.find(connectionId);
      if (!connection) throw Problem::notFound("no such connection");
      if (doneMeanwhile(*connection)) return *store.tokens(connectionId);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw plugins::PlatformError(plugins::ErrorKind::Transient, connection->platform,
                                   "another host is refreshing this connection; try again", {}, 5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  return refreshAtPlatform(tenant, store, *connection);
}

connections::Tokens TokenRefresher::refreshAtPlatform(tenants::TenantStore& tenant, connections::ConnectionStore& store,
                                                      const connections::Connection& connection) {
  const auto current = *store.tokens(connection.id);
  const auto plugin = plugins_.get(connection.platform);
  if (!plugin)
    throw plugins::PlatformError(plugins::ErrorKind::Transient, connection.platform, "the plugin is not loaded", {},
                                 60);
  if (!plugin->supports(plugins::Operation::RefreshToken)) {
    throw reconnectRequired(connection, "the plugin cannot refresh tokens; reconnect when the token expires");
  }
  // Tokens refresh only with the app that issued them.
  boost::json::object request{{"refreshToken", *current.refreshToken},
                              {"accessToken", current.accessToken},
                              {"account", connections::accountJson(connection)}};  // since ABI 1.4
  apps_.addTo(request, tenant, connection.appId, *plugin);
  const auto result = plugin->call(plugins::Operation::RefreshToken, request);
  if (result.ok()) {
    if (auto tokens = tokensFrom(result.json)) {
      if (tokens->scopes.empty()) tokens->scopes = current.scopes;
      store.storeRefreshed(connection.id, *tokens);
      store.shareRefreshedGrant(connection.id, current, *tokens);
      monitoring::ErrorLog(tenant).recoverToken(connection.id);
      log::info("token refreshed", {{"platform", connection.platform}, {"connection", connection.id}});
      return *store.tokens(connection.id);
    }
    store.markFailed(connection.id, connections::status::active, "the plugin's refresh answer had no access token");
    monitoring::ErrorLog(tenant).record({connection.platform,
                                         connection.id,
                                         monitoring::errorType::token,
                                         "the plugin's refresh answer had no access token",
                                         {}});
    throw plugins::PlatformError(plugins::ErrorKind::PluginFault, connection.platform,
                                 "the refresh answer had no access token");
  }
  // invalid_grant and friends: the refresh token is dead; stop until the user reconnects.
  const bool dead = result.kind == plugins::ErrorKind::AuthInvalid || result.kind == plugins::ErrorKind::AuthExpired;
  const std::string reason = "refresh failed: " + result.reason();
  store.markFailed(connection.id, dead ? connections::status::expired : connections::status::active, reason);
  monitoring::ErrorLog(tenant).record(
      {connection.platform, connection.id,
       result.kind == plugins::ErrorKind::RateLimited ? monitoring::errorType::rateLimit : monitoring::errorType::token,
       plugins::redact(reason, secretsOf(current)), result.platformCode});
  log::warn(
      "token refresh failed",
      {{"platform", connection.platform}, {"connection", connection.id}, {"kind", plugins::toString(result.kind)}});
  throw plugins::PlatformError::of(result, connection.platform);
}

int TokenRefresher::refreshExpiring() {
  // A refresh stored by anyone after this look-up makes the pass skip that connection.
  const auto lookedAt = time::nowMillis();
  const auto horizon = lookedAt + 2 * marginMillis;
  int refreshed = 0;
  for (const auto& due : schedule_.expiringBefore(horizon, 500)) {
    auto tenant = directory_.tenant(due.organizationId);
    try {
      const auto lock = lockFor(due.grantId);
      std::lock_guard guard(*lock);
      // Refresh when within 2 margins, so a request never has to wait for it.
      refreshLocked(tenant, due.connectionId, lookedAt, false);
      ++refreshed;
    } catch (const std::exception& e) {
      log::warn("background refresh failed", {{"connection", due.connectionId}, {"error", describe(e)}});
    }
  }
  return refreshed;
}

void TokenRefresher::startBackground(int intervalSeconds) {
  background_.start(std::chrono::seconds(intervalSeconds), "background refresh pass", [this] { refreshExpiring(); });
}

void TokenRefresher::stopBackground() { background_.stop(); }

}  // namespace marketsage::oauth
