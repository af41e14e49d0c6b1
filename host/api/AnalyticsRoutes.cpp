// /api/social-media/analytics and below: the organization's analytics, read from its stored
// history (insights/Analytics.h), as JSON or CSV; the client report; the dashboard's overview;
// a refresh that takes what is due now (insights/SnapshotTaker.h).
#include "api/Routes.h"
#include "connections/ConnectionStore.h"
#include "core/Problem.h"
#include "core/Time.h"
#include "http/Exchange.h"
#include "http/Router.h"
#include "insights/Analytics.h"
#include "insights/Export.h"
#include "insights/PlatformCalls.h"
#include "insights/SnapshotTaker.h"
#include "publishing/PostStore.h"

#include <boost/json.hpp>

#include <functional>
#include <sstream>

namespace marketsage::api {
namespace {

namespace json = boost::json;
using auth::Permission;
using http::Exchange;

constexpr const char* csvType = "text/csv; charset=utf-8";

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

/// start, end (default: the 30 days before today, and today), platforms, metrics.
insights::Range rangeOf(Exchange& ex) {
  const auto today = time::nowMillis() / time::dayMillis * time::dayMillis;
  const auto startText = ex.query("start");
  const auto endText = ex.query("end");
  insights::Range range;
  range.end = endText ? parseDate(*endText, "end") : today;
  range.start = startText ? parseDate(*startText, "start") : range.end - 30 * time::dayMillis;
  if (range.start > range.end) throw Problem::badInput("start is after end");
  range.platforms = commaList(ex.query("platforms"));
  range.metrics = commaList(ex.query("metrics"));
  return range;
}

bool accepts(Exchange& ex, const char* type) { return ex.header("Accept").find(type) != std::string::npos; }

void analytics(Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto report = insights::Analytics::report(tenant, rangeOf(ex));
  if (accepts(ex, "text/csv")) return ex.sendText(200, csvType, insights::analyticsCsv(report));
  ex.send(200, report);
}

void timeseries(Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto metric = ex.query("metric").value_or("reach");
  if (metric != "reach" && metric != "impressions" && metric != "engagement" && metric != "followers")
    throw Problem::badInput("metric must be reach, impressions, engagement or followers");
  const auto interval = ex.query("interval").value_or("day");
  if (interval != "day" && interval != "week") throw Problem::badInput("interval must be day or week");
  const auto series = insights::Analytics::timeseries(tenant, rangeOf(ex), metric, interval == "week");
  if (accepts(ex, "text/csv")) return ex.sendText(200, csvType, insights::timeseriesCsv(series));
  ex.send(200, series);
}

void report(Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto report = insights::Analytics::clientReport(tenant, rangeOf(ex));
  if (accepts(ex, "text/csv")) return ex.sendText(200, csvType, insights::reportCsv(report));
  if (accepts(ex, "application/json")) return ex.send(200, report);
  ex.sendText(200, "text/html; charset=utf-8", insights::reportHtml(report));
}

void overview(const vault::TokenVault& vault, const insights::PlatformCalls& calls, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto now = time::nowMillis();
  const auto today = now / time::dayMillis * time::dayMillis;
  connections::ConnectionStore connectionStore(tenant, vault);
  publishing::PostStore posts(tenant);
  std::int64_t active = 0, postsToday = 0;
  for (const auto& c : connectionStore.list()) {
    if (c.status == connections::status::active) ++active;
    postsToday += static_cast<std::int64_t>(posts.publishedBetween(c.id, today, now, 1000).size());
  }
  insights::Range last30;
  last30.end = today;
  last30.start = today - 29 * time::dayMillis;
  const auto figures = insights::Analytics::report(tenant, last30);
  const auto& totals = figures.at("totals").as_object();
  ex.send(200, json::object{{"activeConnections", active},
                            {"postsToday", postsToday},
                            {"reach", totals.at("totalReach")},
                            {"engagement", totals.at("totalEngagement")},
                            {"engagementRate", totals.at("engagementRate")},
                            {"start", figures.at("start")},
                            {"end", figures.at("end")},
                            {"platformHealthWindowSeconds", insights::PlatformCalls::windowMillis / 1000},
                            {"platformHealth", calls.health(now)}});
}

void refresh(insights::SnapshotTaker& taker, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto counts = taker.refresh(tenant, true);
  ex.send(200, json::object{{"connections", counts.connections},
                            {"accountSnapshots", counts.accounts},
                            {"postSnapshots", counts.posts},
                            {"failed", counts.failed},
                            {"rateLimited", json::value_from(counts.rateLimited)}});
}

}  // namespace

void addAnalyticsRoutes(http::Router& router, insights::SnapshotTaker& taker, const insights::PlatformCalls& calls,
                        const vault::TokenVault& vault) {
  router.add("GET", "/api/social-media/analytics", Permission::ViewAnalytics, api::analytics);
  router.add("GET", "/api/social-media/analytics/timeseries", Permission::ViewAnalytics, api::timeseries);
  router.add("GET", "/api/social-media/analytics/report", Permission::ViewAnalytics, api::report);
  router.add("GET", "/api/social-media/analytics/overview", Permission::ViewAnalytics,
             std::bind_front(api::overview, std::cref(vault), std::cref(calls)));
  router.add("POST", "/api/social-media/analytics/refresh", Permission::ViewAnalytics,
             std::bind_front(api::refresh, std::ref(taker)));
}

}  // namespace marketsage::api
