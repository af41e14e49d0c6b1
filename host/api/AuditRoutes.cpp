#include "api/Routes.h"
#include "api/Views.h"
#include "http/Exchange.h"
#include "http/Router.h"

#include <boost/json.hpp>

#include <charconv>

namespace marketsage::api {
namespace {

std::int64_t integerQuery(http::Exchange& ex, const std::string& name, std::int64_t fallback, std::int64_t min,
                          std::int64_t max) {
  const auto text = ex.query(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    throw Problem::badInput("\"" + name + "\" must be a whole number from " + std::to_string(min) + " to " +
                            std::to_string(max));
  }
  return value;
}

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
