// Facebook Pages plugin: Facebook Login, the Pages a user manages, delete, insights and health.
// Publishing and validation live in facebook_publish.cpp. Wire details: README.md.
#include "MetaInsights.hpp"
#include "MetaPlugin.hpp"

namespace marketsage::facebook {

// In facebook_publish.cpp.
ms_status validate(const char* req, size_t len, const ms_reply* reply);
ms_status publish(const char* req, size_t len, const ms_reply* reply);
ms_status reconcile(const char* req, size_t len, const ms_reply* reply);

namespace {

using namespace marketsage::meta;

constexpr char kScopes[] = "pages_show_list,pages_manage_posts,pages_read_engagement,read_insights,business_management";

/// GET /me/accounts: one account per Page, with the Page access token the host stores for it.
ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return call(req, len, reply, [](std::string_view r) {
    const Graph graph(host.requiredString(r, "/accessToken"));
    auto accounts = Json::array();
    for (const auto& page : graph.getAll("/me/accounts", {{"fields", "id,name,access_token,tasks,picture"}})) {
      const auto id = host.string(page, "/id");
      if (!id) continue;
      auto account =
          Json::object().field("id", *id).field("name", host.string(page, "/name").value_or(*id)).field("type", "page");
      if (const auto token = host.string(page, "/access_token")) account.field("accessToken", *token);
      if (const auto picture = host.string(page, "/picture/data/url")) account.field("pictureUrl", *picture);
      auto tasks = Json::array();
      for (std::size_t i = 0, n = host.count(page, "/tasks"); i < n; ++i)
        tasks.push(host.get(page, ("/tasks/" + std::to_string(i)).c_str()).text);
      accounts.pushRaw(account.raw("metadata", Json::object().raw("tasks", tasks)));
    }
    return Json::object().raw("accounts", accounts).str();
  });
}

// Page metrics of the current Graph versions: "impressions" and "page fans" metrics were retired
// on 2025-11-15 in favour of the media "views" and "follows" metrics.
const MetricMap kPageMetrics = {{"reach", "page_total_media_view_unique"},
                                {"impressions", "page_media_view"},
                                {"engagement", "page_post_engagements"},
                                {"videoViews", "page_video_views"},
                                {"followers", "page_follows"}};
const MetricMap kPostMetrics = {
    {"reach", "post_total_media_view_unique"}, {"impressions", "post_media_view"}, {"clicks", "post_clicks"}};

std::string graphNames(const MetricMap& map) {
  std::string names;
  for (const auto& entry : map) names += (names.empty() ? "" : ",") + entry.second;
  return names;
}

/// GET /{page-id}/insights?metric=…&period=day&since&until
ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return call(req, len, reply, [](std::string_view r) {
    const auto token = host.requiredString(r, "/accessToken");
    const auto pageId = graphId(host.requiredString(r, "/account/id", 128), "account.id");
    const auto range = parseRange(r);
    const auto metrics = requestedMetrics(r);
    const Graph graph(token);
    // Page insights answer at most 93 days per call.
    const auto read = [&](const std::string& graphMetrics) {
      return readInsightsByWindow(range, 90, {"page_follows"}, [&](long long since, long long until) {
        return graph.get("/" + pageId + "/insights", {{"metric", graphMetrics},
                                                      {"period", "day"},
                                                      {"since", std::to_string(since)},
                                                      {"until", std::to_string(until)}});
      });
    };
    auto unavailable = Json::array();
    std::map<std::string, MetricValues> values;
    try {
      values = read(graphNames(kPageMetrics));
    } catch (const Error& e) {
      if (e.status == MS_ERR_AUTH_EXPIRED || e.status == MS_ERR_RATE_LIMITED || e.status == MS_ERR_TRANSIENT) throw;
      // Graph refuses the whole call for one metric the Page or token may not read: ask one by
      // one, and report the ones refused.
      for (const auto& [standard, graphName] : kPageMetrics) {
        if (!wanted(metrics, standard)) continue;
        sdk::optionalPart(unavailable, standard, [&, name = graphName] {
          for (auto& [metric, value] : read(name)) values[metric] = std::move(value);
        });
      }
    }
    return insightsReply(values, kPageMetrics, metrics, unavailable);
  });
}

/// Per post: GET /{post-id}/insights (lifetime) and the reactions/comments/shares summaries.
ms_status postInsights(const char* req, size_t len, const ms_reply* reply) {
  return call(req, len, reply, [](std::string_view r) {
    return postInsightsReply(r, [](const Graph& graph, const std::string& id, const std::vector<std::string>& metrics) {
      auto values = readInsights(graph.get("/" + id + "/insights", {{"metric", graphNames(kPostMetrics)}}));
      const auto counts = graph.get(
          "/" + id,
          {{"fields", "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"}});
      const long long likes = host.integer(counts, "/reactions/summary/total_count").value_or(0);
      const long long comments = host.integer(counts, "/comments/summary/total_count").value_or(0);
      const long long shares = host.integer(counts, "/shares/count").value_or(0);
      values["reactions"].total = likes;
      values["comments"].total = comments;
      values["shares"].total = shares;
      values["engagement"].total = likes + comments + shares;
      MetricMap map = kPostMetrics;
      map.insert(
          map.end(),
          {{"likes", "reactions"}, {"comments", "comments"}, {"shares", "shares"}, {"engagement", "engagement"}});
      return insightsReply(values, map, metrics);
    });
  });
}

constexpr PlatformCalls kCalls = {listAccounts, validate, publish, accountInsights, postInsights, reconcile};
using Plugin = Extensions<kScopes, kCalls>;

const ms_plugin_descriptor kDescriptor = {sizeof(ms_plugin_descriptor),
                                          "facebook",
                                          "Facebook Pages",
                                          "1.2.0",
                                          Plugin::capabilities,
                                          MS_PLUGIN_STABLE,
                                          "Publishes to Facebook Pages through the Meta Graph API.",
                                          "https://developers.facebook.com/docs/pages-api"};

}  // namespace
}  // namespace marketsage::facebook

MARKETSAGE_META_PLUGIN_ENTRY(marketsage::facebook::kDescriptor, marketsage::facebook::Plugin);
