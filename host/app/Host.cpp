#include "app/Host.h"

#include "api/Routes.h"
#include "app/PluginSettings.h"
#include "oauth/OAuthFlow.h"
#include "oauth/TokenRefresher.h"
#include "plugins/PluginRegistry.h"
#include "publishing/Publisher.h"
#include "store/Migrations.h"
#include "vault/KeyRing.h"
#include "vault/TokenVault.h"

namespace marketsage::app {
namespace {

http::RateLimits rateLimitsOf(const config::RateLimitConfig& c) {
  return {c.enabled, {c.perKeyPerSecond, c.perKeyBurst}, {c.perAddressPerSecond, c.perAddressBurst},
          {c.authFailuresPerMinute / 60.0, c.authFailuresBurst}};
}

}  // namespace

Host::Host(config::Config config)
    : config_(std::move(config)),
      database_(config_.database.url, config_.database.poolSize),
      directory_(database_),
      authenticator_(directory_, config_.server.authCacheSeconds),
      rateLimiter_(rateLimitsOf(config_.rateLimit)) {
  store::migrate(database_);
  vault_ = std::make_unique<vault::TokenVault>(vault::KeyRing::fromEnvironment(config_.production(), config_.dataDir));
  plugins_ = loadPlugins(config_);
  oauth_ = std::make_unique<oauth::OAuthFlow>(*this);
  refresher_ = std::make_unique<oauth::TokenRefresher>(*this);
  publisher_ = std::make_unique<publishing::Publisher>(*this);
  api::addAllRoutes(router_);
}

Host::~Host() = default;

}  // namespace marketsage::app
