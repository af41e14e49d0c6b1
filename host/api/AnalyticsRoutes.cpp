// GET /api/social-media/analytics?platforms=&start=&end=&metrics= — account and post metrics of
// the organization's connections (insights/Analytics.h).
#include "api/Routes.h"
#include "core/Problem.h"
#include "core/Time.h"
#include "http/Exchange.h"
#include "http/Router.h"
#include "insights/Analytics.h"

#include <boost/json.hpp>

#include <functional>
#include <sstream>

namespace marketsage::api {
namespace {

using auth::Permission;
using http::Exchange;

std::vector<std::string> commaList(const std::optional<std::string>& text) {
  std::vector<std::string> out;
  if (!text) return out;
  std::stringstream in(*text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

/// "YYYY-MM-DD" → ms at 00:00Z; 400 otherwise.
std::int64_t parseDate(const std::string& text, const char* name) {
  const auto at = text.size() == 10 ? time::parseIso8601(text + "T00:00:00Z") : std::nullopt;
  if (!at) throw Problem::badInput(std::string(name) + " must be a date, YYYY-MM-DD");
  return *at;
}

void analytics(insights::Analytics& analytics, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto today = time::nowMillis() / time::dayMillis * time::dayMillis;
  const auto startText = ex.query("start");
  const auto endText = ex.query("end");
  insights::Range range;
  range.end = endText ? parseDate(*endText, "end") : today;
  range.start = startText ? parseDate(*startText, "start") : range.end - 30 * time::dayMillis;
  if (range.start > range.end) throw Problem::badInput("start is after end");
  range.platforms = commaList(ex.query("platforms"));
  range.metrics = commaList(ex.query("metrics"));
  ex.send(200, analytics.report(tenant, range));
}

}  // namespace

void addAnalyticsRoutes(http::Router& router, insights::Analytics& analytics) {
  router.add("GET", "/api/social-media/analytics", Permission::ViewAnalytics,
             std::bind_front(api::analytics, std::ref(analytics)));
}

}  // namespace marketsage::api
