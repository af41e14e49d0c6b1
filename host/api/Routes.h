#pragma once
/// The REST API, one file per area. Each adds its routes to the server's table, with the
/// permission each requires and exactly the services its handlers use (app/ assembles them).
/// Every route is described in api/openapi.json (GET /api/openapi.json); tests/unit/OpenApiTests.cpp
/// fails the build's tests when a route is added or removed without it.

namespace marketsage::config {
struct Config;
}
namespace marketsage::http {
class Metrics;
class RateLimiter;
class Router;
}  // namespace marketsage::http
namespace marketsage::oauth {
class OAuthFlow;
}
namespace marketsage::plugins {
class PluginRegistry;
}
namespace marketsage::publishing {
class Publisher;
}
namespace marketsage::insights {
class PlatformCalls;
class SnapshotTaker;
}  // namespace marketsage::insights
namespace marketsage::health {
class ConnectionHealth;
}
namespace marketsage::store {
class Database;
}
namespace marketsage::tenants {
class Authenticator;
class Directory;
}  // namespace marketsage::tenants
namespace marketsage::vault {
class TokenVault;
}
namespace marketsage::webhooks {
class Deliverer;
}

namespace marketsage::api {

/// /api/health, /metrics
void addHealthRoutes(http::Router& router, store::Database& db, const plugins::PluginRegistry& plugins,
                     http::Metrics& metrics, const http::RateLimiter& rateLimiter,
                     const insights::PlatformCalls& platformCalls);
/// /api/me, /api/orgs, /api/orgs/{id}/users
void addOrganizationRoutes(http::Router& router, tenants::Directory& directory, tenants::Authenticator& authenticator);
/// /api/keys
void addKeyRoutes(http::Router& router, tenants::Directory& directory, tenants::Authenticator& authenticator);
/// /api/audit
void addAuditRoutes(http::Router& router);
/// OAuth connect/callback, /api/social-media/connections, health
void addConnectionRoutes(http::Router& router, oauth::OAuthFlow& oauth, const vault::TokenVault& vault,
                         health::ConnectionHealth& health);
/// /api/social-media/apps: each organization's own platform apps
void addAppRoutes(http::Router& router, const config::Config& config, const plugins::PluginRegistry& plugins,
                  const vault::TokenVault& vault);
/// /social-media page, /api/social-media/platforms
void addDashboardRoutes(http::Router& router, const config::Config& config, const plugins::PluginRegistry& plugins);
/// /api/social-media/media, signed /media/{id}
void addMediaRoutes(http::Router& router, const config::Config& config, store::Database& db,
                    tenants::Directory& directory, const vault::TokenVault& vault);
/// /api/social-media/posts, /errors
void addPostRoutes(http::Router& router, publishing::Publisher& publisher, const config::Config& config);
/// /api/social-media/analytics, …/timeseries, …/report, …/overview, …/refresh
void addAnalyticsRoutes(http::Router& router, insights::SnapshotTaker& taker, const insights::PlatformCalls& calls,
                        const vault::TokenVault& vault);
/// /api/webhooks
void addWebhookRoutes(http::Router& router, const config::Config& config, const vault::TokenVault& vault,
                      webhooks::Deliverer& deliverer);
/// The platform error log: list, resolve by hand.
void addErrorRoutes(http::Router& router);
/// /api/openapi.json
void addOpenApiRoutes(http::Router& router);

}  // namespace marketsage::api
