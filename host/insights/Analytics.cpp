#include "insights/Analytics.h"

#include "connections/ConnectionStore.h"
#include "core/Json.h"
#include "core/Problem.h"
#include "core/Time.h"
#include "oauth/TokenRefresher.h"
#include "plugins/PlatformError.h"
#include "plugins/PluginRegistry.h"
#include "publishing/PostStore.h"
#include "tenants/TenantStore.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

namespace marketsage::insights {
namespace {

namespace json = boost::json;
using plugins::Operation;

constexpr std::size_t maxDailyDays = 1000;  ///< a longer range lists its first 1000 days

double number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return 0;
}

/// Adds every numeric metric of `from` into `into` (integers stay integers).
void addMetrics(json::object& into, const json::value& from) {
  if (!from.is_object()) return;
  for (const auto& [name, value] : from.as_object()) {
    if (!value.is_number()) continue;
    into[name] = jsontext::rounded((into.contains(name) ? number(into[name]) : 0) + number(value), 4);
  }
}

/// Engagement as the plugin reports it, else likes + comments + shares + saves + clicks.
double engagementOf(const json::object& metrics) {
  if (const auto* e = metrics.if_contains("engagement")) return number(*e);
  double sum = 0;
  for (const char* name : {"likes", "comments", "shares", "saves", "clicks"})
    if (const auto* v = metrics.if_contains(name)) sum += number(*v);
  return sum;
}

/// One platform's (or all platforms') figures. engagementRate is a percentage of reach: 8.1
/// means 8.1 %, rounded to two decimals.
json::object summary(const json::object& metrics, json::array topPosts) {
  const double reach = metrics.contains("reach") ? number(metrics.at("reach")) : 0;
  const double engagement = engagementOf(metrics);
  std::sort(topPosts.begin(), topPosts.end(), [](const json::value& a, const json::value& b) {
    return number(a.at("engagement")) > number(b.at("engagement"));
  });
  if (topPosts.size() > 5) topPosts.resize(5);
  return {{"totalReach", jsontext::rounded(reach, 0)},
          {"totalEngagement", jsontext::rounded(engagement, 0)},
          {"engagementRate", jsontext::rounded(reach > 0 ? 100.0 * engagement / reach : 0.0, 2)},
          {"topPosts", topPosts},
          {"metrics", metrics}};
}

/// An account's figures: what its account insights say, completed by the sums of its posts'
/// metrics for every metric the account-level answer lacks (engagement above all), so that post
/// engagement reaches the platform totals without being counted twice.
json::object accountFigures(const json::object& accountMetrics, const json::object& postSums) {
  json::object figures = accountMetrics;
  for (const auto& [name, value] : postSums) {
    if (!figures.contains(name)) figures[name] = value;
  }
  if (!accountMetrics.contains("engagement") && !postSums.empty()) {
    bool accountHasParts = false;
    for (const char* part : {"likes", "comments", "shares", "saves", "clicks"})
      accountHasParts |= accountMetrics.contains(part);
    if (!accountHasParts) figures["engagement"] = jsontext::rounded(engagementOf(postSums), 0);
  }
  return figures;
}

/// What the accounts add up to as the report goes along.
struct Tally {
  std::map<std::string, std::pair<json::object, json::array>> perPlatform;  // metrics, topPosts
  std::map<std::string, json::array> accounts;
  json::array allTopPosts;
  std::map<std::int64_t, std::pair<std::int64_t, double>> byDay;  // day (ms at 00:00Z) → posts, engagement
};

/// The account's own insights (account_insights), noting on `account` what the platform would
/// not say. Returns the metrics.
json::object accountInsights(oauth::TokenRefresher& refresher, tenants::TenantStore& tenant,
                             const connections::Connection& c, const plugins::Plugin& plugin, const json::object& asked,
                             json::object& account) {
  json::object metrics;
  if (!plugin.supports(Operation::AccountInsights)) return metrics;
  const auto result = refresher.callWithToken(tenant, c.id, plugin, Operation::AccountInsights, asked);
  if (result.ok() && result.json.is_object()) {
    const auto& reply = result.json.as_object();
    if (const auto* m = reply.if_contains("metrics"); m && m->is_object()) addMetrics(metrics, *m);
    if (const auto* extra = reply.if_contains("extra")) account["raw"] = *extra;
    // What the platform would not say (a metric the token may not read) is listed, and the rest
    // still counts.
    if (const auto* missing = reply.if_contains("unavailable")) account["unavailable"] = *missing;
  } else if (!result.ok()) {
    account["error"] = result.reason();
  }
  return metrics;
}

/// The post's entry among the top posts, with what the host knows of it (`published`).
json::object topPostEntry(const connections::Connection& c, const std::string& platformPostId,
                          const json::object& postMetrics, const std::vector<publishing::Target>& published,
                          Tally& tally) {
  json::object entry{{"platform", c.platform},
                     {"connectionId", c.id},
                     {"postId", platformPostId},
                     {"engagement", jsontext::rounded(engagementOf(postMetrics), 0)},
                     {"metrics", postMetrics}};
  const auto it = std::find_if(published.begin(), published.end(),
                               [&](const publishing::Target& t) { return t.platformPostId == platformPostId; });
  if (it != published.end()) {
    entry["marketsagePostId"] = it->postId;
    if (it->url) entry["url"] = *it->url;
    if (it->publishedAt) {
      entry["publishedAt"] = time::formatIso8601(*it->publishedAt);
      tally.byDay[*it->publishedAt / time::dayMillis * time::dayMillis].second += engagementOf(postMetrics);
    }
  }
  return entry;
}

/// The insights of the posts the host published for the account in the range (post_insights),
/// each added to the top posts. Returns the sums of their metrics.
json::object postInsights(oauth::TokenRefresher& refresher, tenants::TenantStore& tenant,
                          const connections::Connection& c, const plugins::Plugin& plugin, const json::object& asked,
                          const std::vector<publishing::Target>& published, Tally& tally, json::object& account) {
  json::object sums;
  if (!plugin.supports(Operation::PostInsights) || published.empty()) return sums;
  json::array ids;
  for (const auto& t : published) ids.push_back(json::value(*t.platformPostId));
  auto request = asked;
  request["postIds"] = ids;
  const auto result = refresher.callWithToken(tenant, c.id, plugin, Operation::PostInsights, request);
  const auto* list = result.ok() && result.json.is_object() ? result.json.as_object().if_contains("posts") : nullptr;
  if (list == nullptr || !list->is_array()) {
    account["postsError"] = !result.ok() ? result.reason() : "the plugin's post_insights answer has no posts array";
    return sums;
  }
  auto& topPosts = tally.perPlatform[c.platform].second;
  for (const auto& p : list->as_array()) {
    // A reply that breaks the schema loses the entry, never the whole answer.
    const auto* metricsField = p.is_object() ? p.as_object().if_contains("metrics") : nullptr;
    const auto* idField = p.is_object() ? p.as_object().if_contains("postId") : nullptr;
    if (metricsField == nullptr || !metricsField->is_object() || idField == nullptr || !idField->is_string()) continue;
    const auto& postMetrics = metricsField->as_object();
    addMetrics(sums, postMetrics);
    auto entry = topPostEntry(c, std::string(idField->as_string()), postMetrics, published, tally);
    topPosts.push_back(entry);
    tally.allTopPosts.push_back(std::move(entry));
  }
  return sums;
}

/// Over time: the posts published each day of the range and the engagement they have drawn so far
/// — every day listed, quiet ones with zeros, so that a chart needs no gap filling.
json::array dailyTotals(const Range& range, const Tally& tally) {
  json::array daily;
  for (std::int64_t day = range.start; day <= range.end && daily.size() < maxDailyDays; day += time::dayMillis) {
    const auto found = tally.byDay.find(day);
    daily.push_back({{"day", time::formatIso8601(day).substr(0, 10)},
                     {"posts", found == tally.byDay.end() ? 0 : found->second.first},
                     {"engagement", jsontext::rounded(found == tally.byDay.end() ? 0.0 : found->second.second, 0)}});
  }
  return daily;
}

}  // namespace

json::object Analytics::report(tenants::TenantStore& tenant, const Range& range) {
  const std::string startDay = time::formatIso8601(range.start).substr(0, 10);
  const std::string endDay = time::formatIso8601(range.end).substr(0, 10);
  json::object asked{{"start", startDay}, {"end", endDay}};
  if (!range.metrics.empty()) asked["metrics"] = json::value_from(range.metrics);
  connections::ConnectionStore connectionStore(tenant, vault_);
  publishing::PostStore posts(tenant);
  Tally tally;
  for (const auto& c : connectionStore.list()) {
    const bool wanted = range.platforms.empty() ||
                        std::find(range.platforms.begin(), range.platforms.end(), c.platform) != range.platforms.end();
    const auto plugin = wanted && c.status == connections::status::active ? plugins_.get(c.platform) : nullptr;
    if (!plugin) continue;
    auto& platformMetrics = tally.perPlatform[c.platform].first;
    json::object account{{"connectionId", c.id}, {"accountId", c.accountId}, {"accountName", c.accountName}};
    json::object accountMetrics, postSums;
    try {
      accountMetrics = accountInsights(refresher_, tenant, c, *plugin, asked, account);
      const auto published = posts.publishedBetween(c.id, range.start, range.end + time::dayMillis - 1, 100);
      for (const auto& t : published)
        if (t.publishedAt) ++tally.byDay[*t.publishedAt / time::dayMillis * time::dayMillis].first;
      postSums = postInsights(refresher_, tenant, c, *plugin, asked, published, tally, account);
    } catch (const plugins::PlatformError& error) {  // the token could not be made fresh
      account["error"] = error.what();
    } catch (const Problem& problem) {
      account["error"] = problem.detail();
    }
    const auto figures = accountFigures(accountMetrics, postSums);
    account["metrics"] = figures;
    addMetrics(platformMetrics, figures);
    tally.accounts[c.platform].push_back(account);
  }
  json::object out;
  json::object totals;
  for (auto& [platform, data] : tally.perPlatform) {
    addMetrics(totals, data.first);
    auto view = summary(data.first, data.second);
    view["accounts"] = tally.accounts[platform];
    out[platform] = view;
  }
  out["totals"] = summary(totals, tally.allTopPosts);
  out["totals"].as_object()["daily"] = dailyTotals(range, tally);
  out["start"] = startDay;
  out["end"] = endDay;
  return out;
}

}  // namespace marketsage::insights
