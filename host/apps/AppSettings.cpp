#include "apps/AppSettings.h"

#include "apps/AppStore.h"
#include "plugins/PlatformError.h"
#include "plugins/Plugin.h"
#include "tenants/TenantStore.h"

namespace marketsage::apps {
namespace {

/// Enough for every app of a large instance; past it the cache starts over rather than grow.
constexpr std::size_t maxCachedApps = 4096;

}  // namespace

bool takesOrganizationApps(const plugins::Plugin& plugin) { return plugin.info().abiMinor >= firstAppAbiMinor; }

void AppSettings::addTo(boost::json::object& request, tenants::TenantStore& tenant, const std::string& appId,
                        const plugins::Plugin& plugin) {
  if (appId.empty()) return;
  if (!takesOrganizationApps(plugin)) {
    throw plugins::PlatformError(plugins::ErrorKind::Permanent, plugin.id(),
                                 "this connection was made with the organization's own app, which the installed "
                                 "plugin (built for ABI 1." +
                                     std::to_string(plugin.info().abiMinor) + ") cannot use; update the plugin");
  }
  const std::string key = tenant.organizationId() + "/" + appId;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(key); it != cache_.end()) {
      request["app"] = it->second;
      return;
    }
  }
  auto settings = AppStore(tenant, vault_).pluginSettings(appId);
  if (!settings) {
    throw plugins::PlatformError(plugins::ErrorKind::AuthInvalid, plugin.id(),
                                 "the app this connection was made with is gone; reconnect the account");
  }
  request["app"] = *settings;
  std::lock_guard lock(mutex_);
  if (cache_.size() >= maxCachedApps) cache_.clear();
  cache_.emplace(key, std::move(*settings));
}

}  // namespace marketsage::apps
