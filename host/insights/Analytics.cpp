#include "insights/Analytics.h"

#include "core/Json.h"
#include "core/Time.h"
#include "insights/Figures.h"
#include "insights/SnapshotStore.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace marketsage::insights {
namespace {

namespace json = boost::json;

constexpr std::size_t maxDailyDays = 1000;  ///< a longer range lists its first 1000 days

/// One platform's (or all platforms') figures. engagementRate is a percentage of reach: 8.1
/// means 8.1 %, rounded to two decimals.
json::object summary(const json::object& metrics, json::array topPosts, std::int64_t posts) {
  const double reach = metrics.contains("reach") ? number(metrics.at("reach")) : 0;
  const double engagement = engagementOf(metrics);
  std::stable_sort(topPosts.begin(), topPosts.end(), [](const json::value& a, const json::value& b) {
    return number(a.at("engagement")) > number(b.at("engagement"));
  });
  if (topPosts.size() > 5) topPosts.resize(5);
  return {{"totalReach", jsontext::rounded(reach, 0)},
          {"totalEngagement", jsontext::rounded(engagement, 0)},
          {"engagementRate", jsontext::rounded(reach > 0 ? 100.0 * engagement / reach : 0.0, 2)},
          {"posts", posts},
          {"topPosts", topPosts},
          {"metrics", metrics}};
}

/// An account's figures: its own rows' metrics, completed by the sums of its posts' metrics for
/// every metric the account rows lack (engagement above all), so that post engagement reaches
/// the platform totals without being counted twice.
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

json::object only(const json::object& metrics, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return metrics;
  json::object out;
  for (const auto& name : wanted)
    if (const auto* v = metrics.if_contains(name)) out[name] = *v;
  return out;
}

std::string dayText(std::int64_t at) { return time::formatIso8601(at).substr(0, 10); }

/// What the history holds for one connection over the range.
struct Account {
  std::string platform, accountId, accountName;
  json::object metrics;                        ///< periods summed, levels of the last day
  std::map<std::int64_t, json::object> byDay;  ///< each day's row
  std::vector<const Snapshot*> posts;          ///< latest row of each post published in range
  json::object postSums;
};

/// The history of the range, by connection (ordered by connection id).
struct History {
  std::vector<Snapshot> accountRows, postRows;
  std::map<std::string, Account> accounts;
};

History load(tenants::TenantStore& tenant, const Range& range) {
  SnapshotStore store(tenant);
  History h;
  h.accountRows = store.between(kind::account, range.start, range.end, range.platforms);
  h.postRows = store.between(kind::post, range.start, range.end, range.platforms);
  for (const auto& row : h.accountRows) {  // by connection, then day: the last day comes last
    auto& a = h.accounts[row.connectionId];
    a.platform = row.platform, a.accountId = row.accountId, a.accountName = row.accountName;
    const auto metrics = only(row.metrics, range.metrics);
    a.byDay[row.day] = metrics;
    for (const auto& [name, value] : metrics) {
      if (!value.is_number()) continue;
      a.metrics[name] = isLevel(name) || !a.metrics.contains(name)
                            ? value
                            : jsontext::rounded(number(a.metrics[name]) + number(value), 4);
    }
  }
  // Rows of one post come together, oldest measure first: the last one of a run counts.
  for (std::size_t i = 0; i < h.postRows.size(); ++i) {
    const auto& row = h.postRows[i];
    if (i + 1 < h.postRows.size() && h.postRows[i + 1].subjectId == row.subjectId) continue;
    auto& a = h.accounts[row.connectionId];
    if (a.platform.empty()) a.platform = row.platform, a.accountId = row.accountId, a.accountName = row.accountName;
    a.posts.push_back(&row);
    addMetrics(a.postSums, only(row.metrics, range.metrics));
  }
  return h;
}

json::object postEntry(const Snapshot& row, const std::vector<std::string>& wanted) {
  const auto metrics = only(row.metrics, wanted);
  json::object entry{{"platform", row.platform},
                     {"connectionId", row.connectionId},
                     {"accountName", row.accountName},
                     {"postId", row.platformPostId.value_or("")},
                     {"engagement", jsontext::rounded(engagementOf(metrics), 0)},
                     {"metrics", metrics},
                     {"age", row.slot},
                     {"measuredAt", time::formatIso8601(row.takenAt)}};
  if (row.postId) entry["marketsagePostId"] = *row.postId;
  if (row.url) entry["url"] = *row.url;
  if (row.summary) entry["content"] = *row.summary;
  if (row.publishedAt) entry["publishedAt"] = time::formatIso8601(*row.publishedAt);
  return entry;
}

std::vector<std::int64_t> days(const Range& range) {
  std::vector<std::int64_t> out;
  for (std::int64_t d = range.start; d <= range.end && out.size() < maxDailyDays; d += time::dayMillis)
    out.push_back(d);
  return out;
}

/// The Monday of the day's ISO week (1970-01-01 was a Thursday).
std::int64_t mondayOf(std::int64_t day) {
  const auto n = day / time::dayMillis;
  return (n - (n + 3) % 7) * time::dayMillis;
}

/// The metric's value for the account on one day: its own row's, else (a metric the account rows
/// never carry) the sum over the posts it published that day.
std::optional<double> valueOn(const Account& a, std::int64_t day, const std::string& metric, bool accountHasIt) {
  if (accountHasIt) {
    const auto found = a.byDay.find(day);
    if (found == a.byDay.end()) return std::nullopt;
    if (metric == "engagement") return engagementOf(found->second);
    const auto* v = found->second.if_contains(metric);
    return v ? std::optional<double>(number(*v)) : std::nullopt;
  }
  if (isLevel(metric)) return std::nullopt;
  double sum = 0;
  for (const auto* p : a.posts)
    if (p->day == day)
      sum += metric == "engagement" ? engagementOf(p->metrics)
                                    : number(p->metrics.if_contains(metric) ? p->metrics.at(metric) : json::value(0));
  return sum;
}

bool accountCarries(const Account& a, const std::string& metric) {
  for (const auto& [d, m] : a.byDay) {
    if (m.contains(metric)) return true;
    if (metric == "engagement")
      for (const char* part : {"likes", "comments", "shares", "saves", "clicks"})
        if (m.contains(part)) return true;
  }
  return false;
}

/// Followers (or another level) per connection at the first and the last day measured in range.
std::pair<double, double> levelSpan(const Account& a, const std::string& metric) {
  std::optional<double> first, last;
  for (const auto& [d, m] : a.byDay) {
    const auto* v = m.if_contains(metric);
    if (v == nullptr) continue;
    if (!first) first = number(*v);
    last = number(*v);
  }
  return {first.value_or(0), last.value_or(0)};
}

}  // namespace

json::object Analytics::report(tenants::TenantStore& tenant, const Range& range) {
  const auto history = load(tenant, range);
  std::map<std::string, std::pair<json::object, json::array>> perPlatform;  // metrics, topPosts
  std::map<std::string, json::array> accounts;
  std::map<std::string, std::int64_t> postCounts;
  std::map<std::int64_t, std::pair<std::int64_t, double>> byDay;  // day → posts, engagement
  json::array allTopPosts;
  for (const auto& [connectionId, a] : history.accounts) {
    const auto figures = accountFigures(a.metrics, a.postSums);
    addMetrics(perPlatform[a.platform].first, figures);
    accounts[a.platform].push_back(json::object{{"connectionId", connectionId},
                                                {"accountId", a.accountId},
                                                {"accountName", a.accountName},
                                                {"daysMeasured", static_cast<std::int64_t>(a.byDay.size())},
                                                {"metrics", figures}});
    for (const auto* p : a.posts) {
      auto entry = postEntry(*p, range.metrics);
      byDay[p->day].first += 1;
      byDay[p->day].second += engagementOf(only(p->metrics, range.metrics));
      postCounts[a.platform] += 1;
      perPlatform[a.platform].second.push_back(entry);
      allTopPosts.push_back(std::move(entry));
    }
  }
  json::object out;
  json::object totals;
  std::int64_t allPosts = 0;
  for (auto& [platform, data] : perPlatform) {
    addMetrics(totals, data.first);
    allPosts += postCounts[platform];
    auto view = summary(data.first, data.second, postCounts[platform]);
    view["accounts"] = accounts[platform];
    out[platform] = view;
  }
  out["totals"] = summary(totals, allTopPosts, allPosts);
  json::array daily;
  for (const auto d : days(range)) {
    const auto found = byDay.find(d);
    daily.push_back({{"day", dayText(d)},
                     {"posts", found == byDay.end() ? 0 : found->second.first},
                     {"engagement", jsontext::rounded(found == byDay.end() ? 0.0 : found->second.second, 0)}});
  }
  out["totals"].as_object()["daily"] = std::move(daily);
  out["start"] = dayText(range.start);
  out["end"] = dayText(range.end);
  return out;
}

json::object Analytics::timeseries(tenants::TenantStore& tenant, const Range& range, const std::string& metric,
                                   bool weekly) {
  auto unfiltered = range;
  unfiltered.metrics.clear();
  const auto history = load(tenant, unfiltered);
  std::set<std::string> platforms(range.platforms.begin(), range.platforms.end());
  for (const auto& [id, a] : history.accounts) platforms.insert(a.platform);
  // bucket → platform → value
  std::map<std::int64_t, std::map<std::string, double>> buckets;
  const auto all = days(range);
  for (const auto d : all) buckets[weekly ? mondayOf(d) : d];
  const bool level = isLevel(metric);
  for (const auto& [id, a] : history.accounts) {
    const bool carried = accountCarries(a, metric);
    std::optional<double> known;  // a level carries over days without a row
    std::map<std::int64_t, double> perBucket;
    for (const auto d : all) {
      const auto v = valueOn(a, d, metric, carried);
      const auto bucket = weekly ? mondayOf(d) : d;
      if (level) {
        if (v) known = v;
        if (known) perBucket[bucket] = *known;  // the bucket's last day
      } else if (v) {
        perBucket[bucket] += *v;
      }
    }
    for (const auto& [bucket, v] : perBucket) buckets[bucket][a.platform] += v;
  }
  json::array points;
  for (const auto& [bucket, byPlatform] : buckets) {
    json::object split;
    double total = 0;
    for (const auto& p : platforms) {
      const auto found = byPlatform.find(p);
      const double v = found == byPlatform.end() ? 0 : found->second;
      split[p] = jsontext::rounded(v, 0);
      total += v;
    }
    points.push_back({{"date", dayText(bucket)}, {"value", jsontext::rounded(total, 0)}, {"byPlatform", split}});
  }
  return {{"metric", metric},
          {"interval", weekly ? "week" : "day"},
          {"start", dayText(range.start)},
          {"end", dayText(range.end)},
          {"points", points}};
}

json::object Analytics::clientReport(tenants::TenantStore& tenant, const Range& range) {
  const auto history = load(tenant, range);
  const auto figures = report(tenant, range);
  std::map<std::string, std::pair<double, double>> followers;  // platform → first, last
  for (const auto& [id, a] : history.accounts) {
    const auto [first, last] = levelSpan(a, "followers");
    followers[a.platform].first += first;
    followers[a.platform].second += last;
  }
  json::array platforms;
  double followersStart = 0, followersEnd = 0;
  const auto row = [](const std::string& name, const json::object& s, double start, double end) {
    return json::object{{"platform", name},
                        {"posts", s.at("posts")},
                        {"reach", s.at("totalReach")},
                        {"engagement", s.at("totalEngagement")},
                        {"engagementRate", s.at("engagementRate")},
                        {"followersStart", jsontext::rounded(start, 0)},
                        {"followersEnd", jsontext::rounded(end, 0)},
                        {"followerGrowth", jsontext::rounded(end - start, 0)}};
  };
  for (const auto& [name, value] : figures) {
    if (name == "totals" || !value.is_object()) continue;
    const auto& f = followers[name];
    followersStart += f.first, followersEnd += f.second;
    platforms.push_back(row(name, value.as_object(), f.first, f.second));
  }
  const auto& totals = figures.at("totals").as_object();
  return {{"start", figures.at("start")},
          {"end", figures.at("end")},
          {"platforms", platforms},
          {"totals", row("totals", totals, followersStart, followersEnd)},
          {"topPosts", totals.at("topPosts")}};
}

}  // namespace marketsage::insights
