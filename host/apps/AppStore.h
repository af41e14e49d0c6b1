#pragma once
/// Each organization's own platform apps ("bring your own app"): the client id and secret, and any
/// other per-app settings, that its connect flow, token refreshes and platform calls use instead of
/// the instance's (the plugin's settings). The secret is sealed by the vault under the
/// organization's key, bound to the app, and is never returned.
///
/// A stored app never changes: registering another retires it, and it stays as long as a
/// connection made with it exists, because that connection's tokens refresh only with the app
/// that issued them.

#include "store/Database.h"
#include "tenants/Model.h"
#include "tenants/ScopedDatabase.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::vault {
class TokenVault;
}
namespace marketsage::tenants {
class TenantStore;
}

namespace marketsage::apps {

/// An app's client secret is sealed under the organization's key as field `secretField`, bound to
/// sealedFor(platform, app id): a sealed secret copied to another row does not open.
inline constexpr const char* secretField = "client_secret";
std::string sealedFor(const std::string& platform, const std::string& appId);

/// An app as the API shows it: everything but the secret.
struct PlatformApp {
  std::string id;
  std::string platform;
  std::string instance;  ///< the server's base URL for a platform with many (Mastodon), else ""
  std::string clientId;
  bool hasSecret = false;
  boost::json::object fields;  ///< the other settings, as the API names them ("apiBase", …)
  std::string createdBy;
  std::int64_t createdAt = 0;
};

/// What PUT gives: the client id, the secret (absent for a public client) and the other fields.
struct AppCredentials {
  std::string clientId;
  std::optional<std::string> clientSecret;
  boost::json::object fields;
};

/// "apiBase" -> "api_base": an API field's name as the plugin's settings spell it.
std::string settingName(const std::string& apiName);

class AppStore {
 public:
  AppStore(tenants::TenantStore& tenant, const vault::TokenVault& vault);

  /// The organization's app for `platform` (on server `instance` of a platform with many),
  /// nullopt when it uses the instance's.
  std::optional<PlatformApp> current(const std::string& platform, const std::string& instance = {});
  std::vector<PlatformApp> listCurrent();
  /// Registers `credentials` as the organization's app for `platform` (retiring the current one)
  /// and audits it. Returns the new app.
  PlatformApp put(const std::string& platform, const AppCredentials& credentials, const tenants::Actor& actor);
  /// Keeps `credentials`, which the host registered at server `instance` (ABI 1.4 register_app),
  /// as the organization's app there, and audits it — unless another connect registered one
  /// meanwhile: then that one is kept and returned.
  PlatformApp adopt(const std::string& platform, const std::string& instance, const AppCredentials& credentials,
                    const tenants::Actor& actor);
  /// Retires the current app: new connects use the instance's app again. False when there was none.
  bool retire(const std::string& platform, const tenants::Actor& actor);

  /// The "app" of a plugin call (sdk-docs: App): the app's settings under the names the plugin's
  /// settings use, secret included — {"client_id", "client_secret", "api_base", …}. nullopt when
  /// there is no app `appId` in this organization (retired ones included).
  std::optional<boost::json::object> pluginSettings(const std::string& appId);

  /// Re-seals every secret not under the vault's current key; returns how many changed.
  std::size_t resealSecrets();

 private:
  /// Deletes retired apps that no connection uses any more.
  void forgetUnused(store::Transaction& tx, const std::string& platform);

  tenants::ScopedDatabase db_;
  tenants::TenantStore& tenant_;
  const vault::TokenVault& vault_;
  const std::string organizationId_;
};

}  // namespace marketsage::apps
