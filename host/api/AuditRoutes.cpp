#include "api/Routes.h"
#include "api/Views.h"
#include "http/Exchange.h"
#include "http/Router.h"

#include <boost/json.hpp>

namespace marketsage::api {
namespace {

/// GET /api/audit?limit=100&before=<id>[&organizationId=…]: newest first.
void listAudit(http::Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto limit = integerQuery(ex, "limit", 100, 1, 1000);
  const auto before = integerQuery(ex, "before", 0, 0, INT64_MAX);
  ex.send(200, viewAll(tenant.listAudit(static_cast<int>(limit), before)));
}

}  // namespace

void addAuditRoutes(http::Router& router) { router.add("GET", "/api/audit", auth::Permission::ViewAudit, listAudit); }

}  // namespace marketsage::api
