#pragma once
/// The health of an organization's connections, as the product contract names it: healthy,
/// expired, invalid or rate_limited. From what is stored (status, expiry, the publisher's
/// rate-limit waits) and, when asked, from the platform itself (check_token).

#include "connections/Connection.h"
#include "connections/ConnectionStore.h"
#include "monitoring/ErrorLog.h"
#include "oauth/TokenRefresher.h"
#include "plugins/PluginRegistry.h"
#include "tenants/Model.h"
#include "tenants/TenantStore.h"
#include "vault/TokenVault.h"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace marketsage::health {

struct Health {
  connections::Connection connection;            ///< as stored after any live check
  std::string status;                            ///< healthy, expired, invalid, rate_limited
  std::optional<std::int64_t> rateLimitedUntil;  ///< when publishing waits for the platform's reset
  boost::json::object usage;  ///< what the platform counts against the app ({"quota": …}), from a live check
  std::vector<monitoring::ErrorItem> openErrors;  ///< the connection's open errors in the error log, newest first
};

class ConnectionHealth {
 public:
  ConnectionHealth(const vault::TokenVault& vault, const plugins::PluginRegistry& plugins,
                   oauth::TokenRefresher& refresher)
      : vault_(vault), plugins_(plugins), refresher_(refresher) {}

  /// Every connection of the organization (of `platform` when not empty). `live`: each healthy
  /// one is also checked at its platform, with tokens refreshed first when about to expire.
  std::vector<Health> of(tenants::TenantStore& tenant, const std::string& platform, bool live);

  struct Renewed {
    connections::Connection connection;
    bool refreshed = false;  ///< false: the platform gives no refresh token; the token was checked instead
  };
  /// A new token where the platform gives refresh tokens; where it does not (Facebook Pages,
  /// Instagram) the token is checked at the platform instead. Audited. Throws Problem 404 for no
  /// such connection, PlatformError when it must be reconnected or the platform limits us.
  Renewed renew(tenants::TenantStore& tenant, const tenants::Actor& actor, const std::string& connectionId);

 private:
  /// Asks the platform whether the token still works, recording the answer on the connection;
  /// returns the health that shows (`health` when the platform cannot be asked).
  std::string checkAtPlatform(tenants::TenantStore& tenant, connections::ConnectionStore& store,
                              const connections::Connection& c, std::string health,
                              boost::json::object* usage = nullptr);

  const vault::TokenVault& vault_;
  const plugins::PluginRegistry& plugins_;
  oauth::TokenRefresher& refresher_;
};

}  // namespace marketsage::health
