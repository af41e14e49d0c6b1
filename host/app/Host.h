#pragma once
/// Everything a running host holds, built once at start: configuration, database, tenancy,
/// authentication, the token vault, plugins, OAuth and the route table. Handlers reach it
/// through Exchange.

#include "auth/Authenticator.h"
#include "config/Config.h"
#include "http/Metrics.h"
#include "http/RateLimiter.h"
#include "http/Router.h"
#include "store/Database.h"
#include "tenants/Directory.h"

#include <memory>

namespace marketsage::plugins { class PluginRegistry; }
namespace marketsage::vault { class TokenVault; }
namespace marketsage::oauth { class OAuthFlow; class TokenRefresher; }
namespace marketsage::publishing { class Publisher; }

namespace marketsage::app {

class Host {
 public:
  /// Opens the database, migrates it, loads the encryption keys and the plugins. Throws
  /// std::runtime_error (or a subclass) with a one-line reason.
  explicit Host(config::Config config);
  ~Host();

  const config::Config& config() const { return config_; }
  store::Database& database() { return database_; }
  tenants::Directory& directory() { return directory_; }
  auth::Authenticator& authenticator() { return authenticator_; }
  const vault::TokenVault& vault() const { return *vault_; }
  plugins::PluginRegistry& plugins() { return *plugins_; }
  oauth::OAuthFlow& oauth() { return *oauth_; }
  oauth::TokenRefresher& refresher() { return *refresher_; }
  publishing::Publisher& publisher() { return *publisher_; }
  http::Metrics& metrics() { return metrics_; }
  http::RateLimiter& rateLimiter() { return rateLimiter_; }
  const http::Router& router() const { return router_; }

 private:
  config::Config config_;
  store::Database database_;
  tenants::Directory directory_;
  auth::Authenticator authenticator_;
  std::unique_ptr<vault::TokenVault> vault_;
  std::unique_ptr<plugins::PluginRegistry> plugins_;
  std::unique_ptr<oauth::OAuthFlow> oauth_;
  std::unique_ptr<oauth::TokenRefresher> refresher_;
  std::unique_ptr<publishing::Publisher> publisher_;
  http::Metrics metrics_;
  http::RateLimiter rateLimiter_;
  http::Router router_;
};

}  // namespace marketsage::app
