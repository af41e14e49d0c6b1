#pragma once
/// How a plugin call learns which app to act as (ABI 1.3): the host adds the organization's app to
/// the request as "app", the plugin's settings for that one call; without it the plugin uses its
/// own settings (the instance's app). Apps never change once stored, so their settings are kept
/// in memory after the first read: a publish through an organization's app reads no extra row.

#include <boost/json/object.hpp>

#include <mutex>
#include <string>
#include <unordered_map>

namespace marketsage::vault {
class TokenVault;
}
namespace marketsage::tenants {
class TenantStore;
}
namespace marketsage::plugins {
class Plugin;
}

namespace marketsage::apps {

/// The first plugin ABI minor (1.y) whose plugins read "app" from their requests.
inline constexpr int firstAppAbiMinor = 3;

/// True when `plugin` can act as an organization's own app.
bool takesOrganizationApps(const plugins::Plugin& plugin);

class AppSettings {
 public:
  explicit AppSettings(const vault::TokenVault& vault) : vault_(vault) {}

  /// Adds "app" (the settings of app `appId` of the tenant's organization) to `request`; nothing
  /// when `appId` is empty (the instance's app). Throws PlatformError: AuthInvalid when the app is
  /// gone (the connection must be made again), Permanent when the plugin predates ABI 1.3 and so
  /// would silently act as the instance's app with tokens another app issued.
  void addTo(boost::json::object& request, tenants::TenantStore& tenant, const std::string& appId,
             const plugins::Plugin& plugin);

 private:
  const vault::TokenVault& vault_;
  std::mutex mutex_;
  std::unordered_map<std::string, boost::json::object> cache_;  ///< organization + "/" + app id
};

}  // namespace marketsage::apps
