#pragma once
/// Keeps connection tokens fresh. Refresh is single-flight per grant (the accounts reached through
/// one user's authorization share its refresh token): inside one host a per-grant mutex queues
/// concurrent callers, across hosts a lease row in the database does, and a caller that waited
/// takes the tokens its predecessor stored instead of refreshing again (refresh tokens are often
/// single-use). A background thread refreshes tokens before they expire.

#include "apps/AppSettings.h"
#include "connections/Connection.h"
#include "connections/ConnectionStore.h"
#include "connections/RefreshSchedule.h"
#include "core/PeriodicTask.h"
#include "plugins/Plugin.h"
#include "plugins/PluginRegistry.h"
#include "tenants/Directory.h"
#include "vault/TokenVault.h"

#include <boost/json/object.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::oauth {

class TokenRefresher {
 public:
  /// Tokens expiring within this margin are refreshed before use.
  static constexpr std::int64_t marginMillis = 5 * 60 * 1000;

  /// `apps`: the organizations' own platform apps, which a connection made with one refreshes
  /// and calls through.
  TokenRefresher(tenants::Directory& directory, connections::RefreshSchedule& schedule, const vault::TokenVault& vault,
                 const plugins::PluginRegistry& plugins, apps::AppSettings& apps);
  ~TokenRefresher();

  /// The connection's tokens, refreshed first when they expire within the margin.
  /// Throws Problem 404 (no such connection), PlatformError when the connection must be
  /// reconnected (AuthExpired/AuthInvalid) or the refresh cannot be done now (RateLimited, Transient).
  connections::Tokens freshTokens(tenants::TenantStore& tenant, const std::string& connectionId);
  /// Calls `op` of `plugin` for the connection with `request` plus its fresh "accessToken". When
  /// the platform says the token expired anyway, refreshes once and calls again (the SDK's
  /// promise for MS_ERR_AUTH_EXPIRED). Returns the plugin's result, failed or not; a failure goes
  /// to the error log (monitoring/ErrorLog), a success resolves the connection's open errors.
  plugins::CallResult callWithToken(tenants::TenantStore& tenant, const std::string& connectionId,
                                    const plugins::Plugin& plugin, plugins::Operation op, boost::json::object request);

  /// callWithToken for a caller that read the connection and its sealed tokens already (the
  /// publisher, in one statement with the rest of an attempt): reads nothing more unless the
  /// token is due for refresh or the platform says it expired. `tokens` are opened on first use
  /// and replaced by refreshed ones, so the calls of one attempt (media, then the post) share them.
  /// Logs no error: the publisher logs each attempt's with its outcome, in its batch of writes.
  plugins::CallResult callWithToken(tenants::TenantStore& tenant, const connections::Connection& connection,
                                    const connections::SealedTokens& sealed, std::optional<connections::Tokens>& tokens,
                                    const plugins::Plugin& plugin, plugins::Operation op, boost::json::object request);

  /// The tokens as secrets to take out of a message (plugins::redact) before it is kept.
  static std::vector<std::string> secretsOf(const connections::Tokens& tokens);

  /// Refreshes now, unless another caller's refresh completed while this one waited.
  connections::Connection refresh(tenants::TenantStore& tenant, const std::string& connectionId);

  /// Starts the background loop: every `intervalSeconds`, refresh what expires within 2 margins.
  void startBackground(int intervalSeconds);
  void stopBackground();
  /// One pass of the background loop; returns how many connections it refreshed.
  int refreshExpiring();

 private:
  /// Both callWithToken: the call, and one refresh and call again when the platform says the
  /// token expired. A refresh stored after `requestedAt` is taken instead of refreshing again.
  plugins::CallResult call(tenants::TenantStore& tenant, const connections::Connection& connection,
                           const connections::SealedTokens& sealed, std::optional<connections::Tokens>& tokens,
                           const plugins::Plugin& plugin, plugins::Operation op, boost::json::object request,
                           std::int64_t requestedAt);
  /// The refresh itself; `onlyIfExpiring` skips it when the stored token is fresh enough.
  connections::Tokens refreshLocked(tenants::TenantStore& tenant, const std::string& connectionId,
                                    std::int64_t requestedAt, bool onlyIfExpiring);
  /// Asks the platform for new tokens with the stored refresh token and stores them (shared with
  /// the grant's other connections), or records why not (on the connection and in the error
  /// log). The caller holds the grant's lease.
  connections::Tokens refreshAtPlatform(tenants::TenantStore& tenant, connections::ConnectionStore& store,
                                        const connections::Connection& connection);
  /// The in-host mutex of a grant (Connection::grantId): one refresh at a time per grant.
  std::shared_ptr<std::mutex> lockFor(const std::string& grantId);

  tenants::Directory& directory_;
  connections::RefreshSchedule& schedule_;
  const vault::TokenVault& vault_;
  const plugins::PluginRegistry& plugins_;
  apps::AppSettings& apps_;
  const std::string owner_;  ///< this host's lease identity
  std::mutex locksMutex_;
  std::map<std::string, std::weak_ptr<std::mutex>> locks_;
  PeriodicTask background_;  // last: stops before the members its passes use go away
};

}  // namespace marketsage::oauth
