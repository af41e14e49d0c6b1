#include "api/Routes.h"
#include "core/Json.h"
#include "core/Time.h"
#include "http/Exchange.h"
#include "http/Metrics.h"
#include "http/RateLimiter.h"
#include "http/Router.h"
#include "insights/PlatformCalls.h"
#include "plugins/PluginRegistry.h"
#include "store/Database.h"

#include <boost/json.hpp>

#include <functional>

namespace marketsage::api {
namespace {

/// Liveness for load balancers: 200 when the database answers, 503 when it does not.
void health(store::Database& db, const plugins::PluginRegistry& plugins, http::Exchange& ex) {
  const bool databaseUp = db.ping();
  // A pinned platform API version near or past its end is a warning here long before it breaks.
  boost::json::array warnings;
  for (const auto& info : plugins.list()) {
    if (const auto warning = plugins::apiVersionWarning(info, time::nowMillis())) warnings.emplace_back(*warning);
  }
  boost::json::object body{
      {"status", databaseUp ? "ok" : "unavailable"},
      {"version", MARKETSAGE_VERSION},
      {"database", {{"backend", db.backendName()}, {"status", databaseUp ? "up" : "down"}}},
      {"plugins",
       {{"loaded", plugins.enabled().size()}, {"failed", plugins.loadErrors().size()}, {"warnings", warnings}}},
  };
  ex.send(databaseUp ? 200 : 503, body);
}

void metrics(store::Database& db, const plugins::PluginRegistry& plugins, http::Metrics& metrics,
             const http::RateLimiter& limiter, const insights::PlatformCalls& platformCalls, http::Exchange& ex) {
  std::string out;
  metrics.render(out);
  platformCalls.render(out);
  const auto pool = db.stats();
  out += "# HELP marketsage_db_pool_sessions Database sessions by state.\n# TYPE marketsage_db_pool_sessions gauge\n";
  out += "marketsage_db_pool_sessions{state=\"capacity\"} " + std::to_string(pool.capacity) + "\n";
  out += "marketsage_db_pool_sessions{state=\"used\"} " + std::to_string(pool.used) + "\n";
  out += "marketsage_db_pool_sessions{state=\"idle\"} " + std::to_string(pool.idle) + "\n";
  http::appendMetric(out, "marketsage_plugins_loaded", "gauge", "Plugins loaded and enabled.",
                     static_cast<std::int64_t>(plugins.enabled().size()));
  // Inbound rate limits: what is configured and how often it refused.
  using Scope = http::RateLimiter::Scope;
  const auto& limits = limiter.limits();
  out +=
      "# HELP marketsage_rate_limit_refused_total Requests refused with 429 by the inbound rate limits.\n"
      "# TYPE marketsage_rate_limit_refused_total counter\n";
  for (const auto scope : {Scope::Key, Scope::Address, Scope::AuthFailure}) {
    out += std::string("marketsage_rate_limit_refused_total{scope=\"") + http::RateLimiter::name(scope) + "\"} " +
           std::to_string(limiter.refused(scope)) + "\n";
  }
  out +=
      "# HELP marketsage_rate_limit_per_second Configured sustained rate per scope (0 = no limit).\n"
      "# TYPE marketsage_rate_limit_per_second gauge\n";
  const std::pair<Scope, http::BucketLimit> configured[] = {
      {Scope::Key, limits.perKey}, {Scope::Address, limits.perAddress}, {Scope::AuthFailure, limits.authFailures}};
  for (const auto& [scope, limit] : configured) {
    out += std::string("marketsage_rate_limit_per_second{scope=\"") + http::RateLimiter::name(scope) + "\"} " +
           jsontext::write(limits.enabled ? jsontext::rounded(limit.perSecond, 4) : boost::json::value(0)) + "\n";
  }
  out += "# HELP marketsage_rate_limit_burst Configured burst per scope.\n# TYPE marketsage_rate_limit_burst gauge\n";
  for (const auto& [scope, limit] : configured) {
    out += std::string("marketsage_rate_limit_burst{scope=\"") + http::RateLimiter::name(scope) + "\"} " +
           jsontext::write(jsontext::rounded(limit.burst, 4)) + "\n";
  }
  ex.sendText(200, "text/plain; version=0.0.4", out);
}

}  // namespace

void addHealthRoutes(http::Router& router, store::Database& db, const plugins::PluginRegistry& plugins,
                     http::Metrics& metrics, const http::RateLimiter& rateLimiter,
                     const insights::PlatformCalls& platformCalls) {
  using std::bind_front, std::cref, std::ref;
  router.add("GET", "/api/health", http::Access::Public, bind_front(health, ref(db), ref(plugins)));
  router.add("GET", "/metrics", http::Access::Public,
             bind_front(api::metrics, ref(db), ref(plugins), ref(metrics), ref(rateLimiter), cref(platformCalls)));
}

}  // namespace marketsage::api
