// Reads Graph insights answers ({"data":[{"name","period","values":[{"value","end_time"}]}]} or
// {"total_value":{"value"}}) and builds the ABI insights reply: standard names, daily, extra.
// https://developers.facebook.com/docs/graph-api/reference/insights
#ifndef MARKETSAGE_META_INSIGHTS_HPP
#define MARKETSAGE_META_INSIGHTS_HPP

#include "GraphApi.hpp"
#include "MetaPost.hpp"

#include <cstdio>
#include <map>

namespace marketsage::meta {

/// "YYYY-MM-DD" of a day number since 1970-01-01 (H. Hinnant's civil_from_days).
inline std::string dateOfDay(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const long long y = static_cast<long long>(yoe) + era * 400 + (m <= 2);
  char out[40];
  std::snprintf(out, sizeof out, "%04lld-%02u-%02u", y, m, d);
  return out;
}

/// One metric of an insights answer: its total over the range and its daily values.
struct MetricValues {
  long long total = 0;
  std::map<std::string, long long> daily;  ///< date -> value, for period=day metrics
};

/// Every numeric metric of an insights answer, by Graph name. Day values are summed, except the
/// `snapshot` metrics (counts such as followers), whose total is the last value.
inline std::map<std::string, MetricValues> readInsights(const std::string& body,
                                                        const std::vector<std::string>& snapshot = {}) {
  std::map<std::string, MetricValues> out;
  const std::size_t n = host.count(body, "/data");
  for (std::size_t i = 0; i < n; ++i) {
    const std::string at = "/data/" + std::to_string(i);
    const auto name = host.string(body, (at + "/name").c_str());
    if (!name) continue;
    MetricValues& metric = out[*name];
    if (const auto total = host.integer(body, (at + "/total_value/value").c_str())) {
      metric.total = *total;
      continue;
    }
    const bool isSnapshot = std::find(snapshot.begin(), snapshot.end(), *name) != snapshot.end();
    const bool daily = host.get(body, (at + "/period").c_str()).text == "day";
    const std::size_t values = host.count(body, at + "/values");
    for (std::size_t v = 0; v < values; ++v) {
      const std::string value = at + "/values/" + std::to_string(v);
      const auto number = host.integer(body, (value + "/value").c_str());
      if (!number) continue;  // breakdown objects (reactions by type…) stay out of the totals
      metric.total = isSnapshot ? *number : metric.total + *number;
      // end_time closes the day the value belongs to.
      const auto end = host.string(body, (value + "/end_time").c_str());
      const auto endDay = end ? parseDate(*end) : std::nullopt;
      if (daily && endDay) metric.daily[dateOfDay(*endDay / 86400 - 1)] = *number;
    }
  }
  return out;
}

/// readInsights() over `range` cut into windows of at most `maxDays` (Graph refuses longer
/// ranges): totals added (snapshot metrics: the last window's), daily values merged.
/// `fetch(since, until)` answers one window's insights body.
template <class Fetch>
std::map<std::string, MetricValues> readInsightsByWindow(const DateRange& range, long long maxDays,
                                                         const std::vector<std::string>& snapshot, Fetch&& fetch) {
  std::map<std::string, MetricValues> out;
  for (long long since = range.since; since < range.until; since += maxDays * 86400) {
    const long long until = std::min(range.until, since + maxDays * 86400);
    for (auto& [name, window] : readInsights(fetch(since, until), snapshot)) {
      MetricValues& metric = out[name];
      const bool isSnapshot = std::find(snapshot.begin(), snapshot.end(), name) != snapshot.end();
      metric.total = isSnapshot ? window.total : metric.total + window.total;
      metric.daily.insert(window.daily.begin(), window.daily.end());
    }
  }
  return out;
}

/// Standard metric name -> the Graph metric that carries it.
using MetricMap = std::vector<std::pair<std::string, std::string>>;

/// {"metrics":{standard:…},"daily":[…],"extra":{graph name: total},"unavailable?":[…]} limited to
/// `wantedNames`; `unavailable` lists the parts that could not be read ({"name","reason"}).
inline std::string insightsReply(const std::map<std::string, MetricValues>& values, const MetricMap& mapping,
                                 const std::vector<std::string>& wantedNames, const Json& unavailable = Json::array()) {
  auto metrics = Json::object();
  std::map<std::string, Json> days;
  for (const auto& [standard, graphName] : mapping) {
    const auto found = values.find(graphName);
    if (found == values.end() || !wanted(wantedNames, standard)) continue;
    metrics.field(standard, found->second.total);
    for (const auto& [date, value] : found->second.daily)
      days.try_emplace(date, Json::object()).first->second.field(standard, value);
  }
  auto extra = Json::object();
  for (const auto& [name, metric] : values) extra.field(name, metric.total);
  auto reply = Json::object().raw("metrics", metrics);
  if (!days.empty()) {
    auto daily = Json::array();
    for (const auto& [date, dayMetrics] : days)
      daily.pushRaw(Json::object().field("date", date).raw("metrics", dayMetrics));
    reply.raw("daily", daily);
  }
  reply.raw("extra", extra);
  if (!unavailable.empty()) reply.raw("unavailable", unavailable);
  return reply.str();
}

/// The /postIds of a post_insights request (1 to 100 Graph ids); the range is checked too, though
/// post metrics are lifetime values Graph gives no range for.
inline std::vector<std::string> requestedPostIds(std::string_view json) {
  parseRange(json);
  const std::size_t n = optionalArraySize(json, "/postIds", 100);
  if (n == 0) throw Error(MS_ERR_INVALID_INPUT, "/postIds must list at least one post");
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < n; ++i)
    ids.push_back(graphId(host.requiredString(json, "/postIds/" + std::to_string(i), 128), "postIds"));
  return ids;
}

/// post_insights: {"posts":[{"postId","metrics","extra"}]}, where `insightsOf(graph, id, metrics)`
/// answers one post's insightsReply(). The request is checked whole before any network call.
template <class InsightsOf>
std::string postInsightsReply(std::string_view request, InsightsOf&& insightsOf) {
  const auto token = host.requiredString(request, "/accessToken");
  const auto ids = requestedPostIds(request);
  const auto metrics = requestedMetrics(request);
  const Graph graph(token);
  auto posts = Json::array();
  for (const auto& id : ids) {
    const std::string one = insightsOf(graph, id, metrics);
    posts.pushRaw(Json::object()
                      .field("postId", id)
                      .raw("metrics", host.get(one, "/metrics").text)
                      .raw("extra", host.get(one, "/extra").text));
  }
  return Json::object().raw("posts", posts).str();
}

}  // namespace marketsage::meta

#endif  // MARKETSAGE_META_INSIGHTS_HPP
