// Insights of Pages, Page posts, IG accounts and IG media. Numbers are derived from the posts made
// (their Stats) so tests can predict them: GraphApi::metricValue() is the one formula.
// https://developers.facebook.com/docs/platforminsights/page (+ /deprecated-metrics)
// https://developers.facebook.com/docs/instagram-platform/insights
// https://developers.facebook.com/docs/instagram-platform/reference/instagram-user/insights
// https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights
#include "GraphInternals.h"

#include <ctime>

namespace emulators {

long long GraphApi::metricValue(const std::string& metric, const Stats& s) {
  static const std::set<std::string> views = {"page_media_view", "post_media_view", "views", "page_video_views",
                                              "post_video_views"};
  static const std::set<std::string> reach = {"page_total_media_view_unique", "post_total_media_view_unique", "reach"};
  if (views.count(metric)) return s.views;
  if (reach.count(metric)) return s.reach;
  if (metric == "page_post_engagements") return s.reactions + s.comments + s.shares + s.clicks;
  if (metric == "post_clicks") return s.clicks;
  if (metric == "likes" || metric == "post_reactions_like_total") return s.reactions;
  if (metric == "comments") return s.comments;
  if (metric == "shares") return s.shares;
  if (metric == "saved" || metric == "saves") return s.saves;
  if (metric == "total_interactions") return s.reactions + s.comments + s.shares + s.saves;
  if (metric == "accounts_engaged") return s.reactions + s.comments;
  if (metric == "replies" || metric == "profile_links_taps" || metric == "follows_and_unfollows") return 0;
  return -1;
}

namespace graph {

namespace {

constexpr long long day = 86400;

/// Metrics each object type answers (current API); anything else, deprecated ones included
/// (page_impressions, page_fans, impressions, plays, video_views...), is an invalid metric.
const std::set<std::string> pageMetrics = {"page_media_view",       "page_total_media_view_unique",
                                           "page_post_engagements", "page_video_views",
                                           "page_follows",          "page_daily_follows_unique"};
const std::set<std::string> postMetrics = {
    "post_media_view",           "post_total_media_view_unique", "post_clicks",
    "post_reactions_like_total", "post_reactions_by_type_total", "post_video_views"};
const std::set<std::string> igAccountMetrics = {"reach",
                                                "views",
                                                "likes",
                                                "comments",
                                                "shares",
                                                "saves",
                                                "total_interactions",
                                                "accounts_engaged",
                                                "follower_count",
                                                "replies",
                                                "profile_links_taps",
                                                "follows_and_unfollows"};
const std::set<std::string> igMediaMetrics = {
    "reach", "views", "likes", "comments", "shares", "saved", "total_interactions"};
/// IG account metrics that answer only with metric_type=total_value.
const std::set<std::string> totalValueOnly = {"views",
                                              "likes",
                                              "comments",
                                              "shares",
                                              "saves",
                                              "total_interactions",
                                              "accounts_engaged",
                                              "replies",
                                              "profile_links_taps",
                                              "follows_and_unfollows"};

std::vector<std::string> requestedMetrics(const Call& call, const std::set<std::string>& valid) {
  std::vector<std::string> out;
  std::string current;
  for (char c : call.param("metric") + ",") {
    if (c != ',') {
      current += c;
      continue;
    }
    if (!current.empty() && !valid.count(current))
      throw GraphError{100, "(#100) The value must be a valid insights metric"};
    if (!current.empty()) out.push_back(current);
    current.clear();
  }
  if (out.empty()) invalidParameter("The parameter metric is required");
  return out;
}

/// since / until: unix seconds or YYYY-MM-DD; `fallback` when absent.
long long timeParam(const Call& call, const std::string& name, long long fallback) {
  const std::string text = call.param(name);
  if (text.empty()) return fallback;
  std::tm tm{};
  if (text.size() == 10 && strptime(text.c_str(), "%Y-%m-%d", &tm)) return timegm(&tm);
  try {
    size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (...) {
  }
  invalidParameter("The " + name + " parameter is not a valid date or unix time");
}

/// The days [since, until) the call covers, as unix day numbers: at most 93 days apart for Pages,
/// 30 for Instagram accounts.
std::pair<long long, long long> window(const Call& call, long long maxDays) {
  const long long today = nowMs() / 1000 / day;
  const long long since = timeParam(call, "since", (today - 2) * day) / day;
  const long long until = timeParam(call, "until", today * day) / day;
  if (until <= since) invalidParameter("since must be before until");
  if (until - since > maxDays)
    invalidParameter("There cannot be more than " + std::to_string(maxDays) + " days (" +
                     std::to_string(maxDays * day) + " s) between since and until");
  return {since, until};
}

GraphApi::Stats sumOfLivePosts(const Impl& impl, const std::string& ownerId) {
  GraphApi::Stats sum{0, 0, 0, 0, 0, 0, 0};
  for (const auto& [_, item] : impl.itemsById) {
    if (item.ownerId != ownerId || item.deleted || !item.published) continue;
    if (item.kind != "post" && item.kind != "video" && item.kind != "ig_media") continue;
    sum.views += item.stats.views, sum.reach += item.stats.reach, sum.reactions += item.stats.reactions;
    sum.comments += item.stats.comments, sum.shares += item.stats.shares, sum.saves += item.stats.saves;
    sum.clicks += item.stats.clicks;
  }
  return sum;
}

json::object metricEntry(const std::string& objectId, const std::string& metric, const std::string& period) {
  return {{"name", metric},
          {"period", period},
          {"title", metric},
          {"description", "Emulated " + metric},
          {"id", objectId + "/insights/" + metric + "/" + period}};
}

/// One value per day of the window, each `perDay`, end_time at the end of that day.
json::array dailyValues(long long since, long long until, long long perDay) {
  json::array values;
  for (long long d = since; d < until; ++d)
    values.push_back({{"value", perDay}, {"end_time", isoTime((d + 1) * day + 8 * 3600)}});
  return values;
}

void requireInsightsPageToken(Impl& impl, const Call& call, const std::string& pageId) {
  const Token& token = impl.authenticate(call);
  if (!token.page || token.pageId != pageId)
    throw GraphError{190, "(#190) This method must be called with a Page Access Token"};
  impl.require("read_insights");
  impl.require("pages_read_engagement");
}

json::value pageInsights(Impl& impl, const Call& call, const GraphApi::Page& page) {
  requireInsightsPageToken(impl, call, page.id);
  const auto metrics = requestedMetrics(call, pageMetrics);
  const std::string period = call.param("period").empty() ? "day" : call.param("period");
  if (period != "day" && period != "week" && period != "days_28")
    invalidParameter("period must be day, week or days_28");
  const auto [since, until] = window(call, 93);
  const GraphApi::Stats sum = sumOfLivePosts(impl, page.id);
  json::array data;
  for (const auto& metric : metrics) {
    json::object entry = metricEntry(page.id, metric, period);
    const long long perDay = metric == "page_follows"                ? impl.api.followers.load()
                             : metric == "page_daily_follows_unique" ? 1
                                                                     : GraphApi::metricValue(metric, sum);
    entry["values"] = dailyValues(since, until, perDay);
    data.push_back(entry);
  }
  const std::string base =
      impl.server->url() + "/" + call.version + "/" + page.id + "/insights?metric=" + call.param("metric");
  const long long span = (until - since) * day;
  json::object paging{
      {"previous", base + "&since=" + std::to_string(since * day - span) + "&until=" + std::to_string(since * day)},
      {"next", base + "&since=" + std::to_string(until * day) + "&until=" + std::to_string(until * day + span)}};
  return json::object{{"data", data}, {"paging", paging}};
}

json::value postInsights(Impl& impl, const Call& call, const Item& post) {
  requireInsightsPageToken(impl, call, post.ownerId);
  json::array data;
  for (const auto& metric : requestedMetrics(call, postMetrics)) {
    json::object entry = metricEntry(post.id, metric, "lifetime");
    const json::value value = metric == "post_reactions_by_type_total"
                                  ? json::value(json::object{{"like", post.stats.reactions}})
                                  : json::value(GraphApi::metricValue(metric, post.stats));
    entry["values"] = json::array{json::object{{"value", value}}};
    data.push_back(entry);
  }
  return json::object{{"data", data}};
}

json::value igAccountInsights(Impl& impl, const Call& call, const GraphApi::Page& owner) {
  impl.requireInstagram(call, owner.igUserId, "instagram_manage_insights");
  const auto metrics = requestedMetrics(call, igAccountMetrics);
  if (call.param("period") != "day") invalidParameter("period must be day for these metrics");
  const bool totalValue = call.param("metric_type") == "total_value";
  std::string needTotal;
  for (const auto& m : metrics)
    if (!totalValue && totalValueOnly.count(m)) needTotal += (needTotal.empty() ? "" : ", ") + m;
  if (!needTotal.empty())
    invalidParameter("The following metrics (" + needTotal +
                     ") should be specified with parameter metric_type=total_value");
  const auto [since, until] = window(call, 30);
  const GraphApi::Stats sum = sumOfLivePosts(impl, owner.igUserId);
  json::array data;
  for (const auto& metric : metrics) {
    json::object entry = metricEntry(owner.igUserId, metric, "day");
    if (metric == "follower_count" && totalValue)
      invalidParameter("follower_count does not support metric_type=total_value");
    const long long perDay =
        metric == "follower_count" ? impl.api.followers.load() : GraphApi::metricValue(metric, sum);
    if (totalValue)
      entry["total_value"] = {{"value", perDay * (until - since)}};
    else
      entry["values"] = dailyValues(since, until, perDay);
    data.push_back(entry);
  }
  return json::object{{"data", data}};
}

json::value igMediaInsights(Impl& impl, const Call& call, const Item& media) {
  impl.requireInstagram(call, media.ownerId, "instagram_manage_insights");
  json::array data;
  for (const auto& metric : requestedMetrics(call, igMediaMetrics)) {
    json::object entry = metricEntry(media.id, metric, "lifetime");
    entry["values"] = json::array{json::object{{"value", GraphApi::metricValue(metric, media.stats)}}};
    data.push_back(entry);
  }
  return json::object{{"data", data}};
}

}  // namespace

json::value insights(Impl& impl, Call& call) {
  const std::string& id = call.path[0];
  if (call.method != "GET") unknownObject(call.method, id);
  if (const GraphApi::Page* page = impl.page(id)) return pageInsights(impl, call, *page);
  if (const GraphApi::Page* owner = impl.igUser(id)) return igAccountInsights(impl, call, *owner);
  const Item* item = impl.find(id);
  if (!item || item->deleted) unknownObject("get", id);
  if (item->kind == "ig_media") return igMediaInsights(impl, call, *item);
  if (item->kind == "post" || item->kind == "video" || item->kind == "photo") return postInsights(impl, call, *item);
  unknownObject("get", id);
}

}  // namespace graph
}  // namespace emulators
