#include "app/Host.h"

#include "api/Problems.h"
#include "api/Routes.h"
#include "apps/AppSettings.h"
#include "config/PluginSettings.h"
#include "connections/RefreshSchedule.h"
#include "core/Random.h"
#include "health/ConnectionHealth.h"
#include "http/Dispatcher.h"
#include "insights/PlatformCalls.h"
#include "insights/SnapshotTaker.h"
#include "oauth/OAuthFlow.h"
#include "oauth/TokenRefresher.h"
#include "plugins/PluginRegistry.h"
#include "publishing/Publisher.h"
#include "store/Migrations.h"
#include "vault/KeyRing.h"
#include "vault/TokenVault.h"
#include "webhooks/Deliverer.h"

namespace marketsage::app {
namespace {

http::RateLimits rateLimitsOf(const config::RateLimitConfig& c) {
  return {c.enabled,
          {c.perKeyPerSecond, c.perKeyBurst},
          {c.perAddressPerSecond, c.perAddressBurst},
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
  vault_ = std::make_unique<vault::TokenVault>(vault::KeyRing::fromEnvironment(
      config_.production(), config_.dataDir, database_.backend() == store::Backend::PostgreSQL));
  platformCalls_ = std::make_unique<insights::PlatformCalls>();
  plugins_ =
      config::loadPlugins(config_, [calls = platformCalls_.get()](const plugins::HttpEvent& e) { calls->record(e); });
  refreshSchedule_ = std::make_unique<connections::RefreshSchedule>(database_);
  appSettings_ = std::make_unique<apps::AppSettings>(*vault_);
  refresher_ =
      std::make_unique<oauth::TokenRefresher>(directory_, *refreshSchedule_, *vault_, *plugins_, *appSettings_);
  oauth_ = std::make_unique<oauth::OAuthFlow>(config_, database_, directory_, *vault_, *plugins_, *appSettings_);
  publisher_ = std::make_unique<publishing::Publisher>(config_, database_, directory_, *vault_, *plugins_, *refresher_);
  health_ = std::make_unique<health::ConnectionHealth>(*vault_, *plugins_, *refresher_);
  const auto& a = config_.analytics;
  snapshots_ = std::make_unique<insights::SnapshotTaker>(
      database_, directory_, *vault_, *plugins_, *refresher_,
      insights::HistoryOptions{a.refreshIntervalSeconds, a.accountRefreshSeconds, a.backfillDays, a.paceMillis});
  deliverer_ = std::make_unique<webhooks::Deliverer>(config_, database_, directory_, *vault_, random::uuid());
  addRoutes();
  const http::Gate gate{authenticator_, rateLimiter_, directory_, config_.server.maxBodyBytes};
  dispatcher_ = std::make_unique<http::Dispatcher>(router_, metrics_, gate, api::problemOf, config_.accessLog);
}

Host::~Host() = default;

void Host::addRoutes() {
  api::addHealthRoutes(router_, database_, *plugins_, metrics_, rateLimiter_, *platformCalls_);
  api::addOrganizationRoutes(router_, directory_, authenticator_);
  api::addKeyRoutes(router_, directory_, authenticator_);
  api::addAuditRoutes(router_);
  api::addConnectionRoutes(router_, *oauth_, *vault_, *health_);
  api::addAppRoutes(router_, config_, *plugins_, *vault_);
  api::addDashboardRoutes(router_, config_, *plugins_);
  api::addMediaRoutes(router_, config_, database_, directory_, *vault_);
  api::addPostRoutes(router_, *publisher_, config_);
  api::addAnalyticsRoutes(router_, *snapshots_, *platformCalls_, *vault_);
  api::addWebhookRoutes(router_, config_, *vault_, *deliverer_);
  api::addErrorRoutes(router_);
  api::addOpenApiRoutes(router_);
}

}  // namespace marketsage::app
