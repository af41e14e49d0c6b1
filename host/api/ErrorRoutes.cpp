// The platform error log of the organization: GET /api/social-media/errors (newest first,
// ?resolved=, ?platform=, ?limit=) and POST …/errors/{id}/resolve (a person closes one).
#include "api/Routes.h"
#include "api/Views.h"
#include "core/Problem.h"
#include "http/Exchange.h"
#include "http/Router.h"
#include "monitoring/ErrorLog.h"

#include <boost/json.hpp>

namespace marketsage::api {
namespace {

using auth::Permission;
using http::Exchange;

void listErrors(Exchange& ex) {
  auto tenant = ex.targetTenant();
  monitoring::ErrorLog::Filter filter;
  if (const auto resolved = ex.query("resolved")) {
    if (*resolved != "true" && *resolved != "false") throw Problem::badInput("\"resolved\" must be true or false");
    filter.resolved = *resolved == "true";
  }
  if (const auto platform = ex.query("platform"); platform && !platform->empty()) filter.platform = *platform;
  filter.limit = static_cast<int>(integerQuery(ex, "limit", 100, 1, 500));
  ex.send(200, viewAll(monitoring::ErrorLog(tenant).list(filter)));
}

void resolveError(Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto& id = ex.param("id");
  const monitoring::ErrorLog errors(tenant);
  const auto before = errors.find(id);
  if (!before) throw Problem::notFound("no such error");
  const auto after = errors.resolve(id, "user:" + ex.actor().userId);
  if (!before->resolved) {
    tenant.audit(ex.actor(), "error.resolved", "platform_error", id,
                 {{"platform", before->platform}, {"errorType", before->errorType}});
  }
  ex.send(200, view(*after));
}

}  // namespace

void addErrorRoutes(http::Router& router) {
  router.add("GET", "/api/social-media/errors", Permission::ViewConnections, listErrors);
  router.add("POST", "/api/social-media/errors/{id}/resolve", Permission::ManageTokens, resolveError);
}

}  // namespace marketsage::api
