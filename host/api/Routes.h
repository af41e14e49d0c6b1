#pragma once
/// The REST API, one file per area. Each adds its routes to the host's table. Every route is
/// described in api/openapi.json (GET /api/openapi.json); tests/unit/OpenApiTests.cpp fails the
/// build's tests when a route is added or removed without it.

namespace marketsage::http { class Router; }

namespace marketsage::api {

void addHealthRoutes(http::Router& router);        ///< /api/health, /metrics
void addOrganizationRoutes(http::Router& router);  ///< /api/orgs, /api/orgs/{id}/users
void addKeyRoutes(http::Router& router);           ///< /api/keys
void addAuditRoutes(http::Router& router);         ///< /api/audit
void addConnectionRoutes(http::Router& router);    ///< OAuth connect/callback, /api/social-media/connections, health
void addDashboardRoutes(http::Router& router);     ///< /social-media page, /api/social-media/platforms
void addMediaRoutes(http::Router& router);         ///< /api/social-media/media, signed /media/{id}
void addPostRoutes(http::Router& router);          ///< /api/social-media/posts, /errors
void addAnalyticsRoutes(http::Router& router);     ///< /api/social-media/analytics
void addOpenApiRoutes(http::Router& router);       ///< /api/openapi.json

inline void addAllRoutes(http::Router& router) {
  addHealthRoutes(router);
  addOrganizationRoutes(router);
  addKeyRoutes(router);
  addAuditRoutes(router);
  addConnectionRoutes(router);
  addDashboardRoutes(router);
  addMediaRoutes(router);
  addPostRoutes(router);
  addAnalyticsRoutes(router);
  addOpenApiRoutes(router);
}

}  // namespace marketsage::api
