// Instagram plugin: Facebook Login, the Instagram professional accounts linked to the user's
// Pages, delete, insights and health. Publishing lives in instagram_publish.cpp. See README.md.
#include "MetaInsights.hpp"
#include "MetaPlugin.hpp"

namespace marketsage::instagram {

// In instagram_publish.cpp.
ms_status validate(const char* req, size_t len, const ms_reply* reply);
ms_status publish(const char* req, size_t len, const ms_reply* reply);
ms_status reconcile(const char* req, size_t len, const ms_reply* reply);

namespace {

using namespace marketsage::meta;

constexpr char kScopes[] =
    "instagram_basic,instagram_content_publish,instagram_manage_insights,pages_show_list,pages_read_engagement,"
    "business_management";

/// GET /me/accounts with each Page's linked instagram_business_account: one account per linked
/// professional account, acting with its Page's token.
ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return call(req, len, reply, [](std::string_view r) {
    const Graph graph(host.requiredString(r, "/accessToken"));
    auto accounts = Json::array();
    const Params fields = {
        {"fields", "instagram_business_account{id,username,name,profile_picture_url},access_token,name"}};
    for (const auto& page : graph.getAll("/me/accounts", fields)) {
      const auto id = host.string(page, "/instagram_business_account/id");
      if (!id) continue;  // a Page without a linked Instagram professional account
      const auto username = host.string(page, "/instagram_business_account/username");
      auto account = Json::object().field("id", *id).field(
          "name", username.value_or(host.string(page, "/instagram_business_account/name").value_or(*id)));
      account.field("type", "user");
      if (const auto token = host.string(page, "/access_token")) account.field("accessToken", *token);
      if (const auto picture = host.string(page, "/instagram_business_account/profile_picture_url"))
        account.field("pictureUrl", *picture);
      auto metadata = Json::object()
                          .field("pageId", host.string(page, "/id").value_or(""))
                          .field("pageName", host.string(page, "/name").value_or(""));
      if (username) metadata.field("username", *username);
      accounts.pushRaw(account.raw("metadata", metadata));
    }
    return Json::object().raw("accounts", accounts).str();
  });
}

// "impressions" was retired in v22.0 (April 2025) in favour of "views".
const MetricMap kAccountMetrics = {
    {"reach", "reach"},       {"impressions", "views"}, {"engagement", "total_interactions"}, {"likes", "likes"},
    {"comments", "comments"}, {"shares", "shares"},     {"followers", "followers_count"}};
const MetricMap kMediaMetrics = {{"reach", "reach"},
                                 {"impressions", "views"},
                                 {"videoViews", "views"},
                                 {"likes", "likes"},
                                 {"comments", "comments"},
                                 {"shares", "shares"},
                                 {"engagement", "total_interactions"}};

/// GET /{ig-user-id}/insights?metric=…&metric_type=total_value&period=day&since&until, and the
/// followers_count field (follower_count insights only cover the last 30 days).
ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return call(req, len, reply, [](std::string_view r) {
    const auto token = host.requiredString(r, "/accessToken");
    const auto igUser = "/" + graphId(host.requiredString(r, "/account/id", 128), "account.id");
    const auto range = parseRange(r);
    const auto metrics = requestedMetrics(r);
    const Graph graph(token);
    // total_value account insights cover at most 30 days per call.
    auto values = readInsightsByWindow(range, 30, {}, [&](long long since, long long until) {
      return graph.get(igUser + "/insights",
                       {{"metric", "reach,views,accounts_engaged,total_interactions,likes,comments,shares,saves"},
                        {"metric_type", "total_value"},
                        {"period", "day"},
                        {"since", std::to_string(since)},
                        {"until", std::to_string(until)}});
    });
    // The follower count is a separate read the token may not be allowed: the rest still counts.
    auto unavailable = Json::array();
    if (wanted(metrics, "followers")) {
      sdk::optionalPart(unavailable, "followers", [&] {
        values["followers_count"].total =
            host.integer(graph.get(igUser, {{"fields", "followers_count"}}), "/followers_count").value_or(0);
      });
    }
    return insightsReply(values, kAccountMetrics, metrics, unavailable);
  });
}

/// GET /{ig-media-id}/insights per media (lifetime metrics).
ms_status postInsights(const char* req, size_t len, const ms_reply* reply) {
  return call(req, len, reply, [](std::string_view r) {
    return postInsightsReply(r, [](const Graph& graph, const std::string& id, const std::vector<std::string>& metrics) {
      const auto body =
          graph.get("/" + id + "/insights", {{"metric", "reach,likes,comments,shares,saved,views,total_interactions"}});
      return insightsReply(readInsights(body), kMediaMetrics, metrics);
    });
  });
}

constexpr PlatformCalls kCalls = {listAccounts, validate, publish, accountInsights, postInsights, reconcile};
using Plugin = Extensions<kScopes, kCalls>;

const ms_plugin_descriptor kDescriptor = {
    sizeof(ms_plugin_descriptor),
    "instagram",
    "Instagram (professional accounts)",
    "1.2.0",
    Plugin::capabilities,
    MS_PLUGIN_STABLE,
    "Publishes to Instagram professional accounts through the Instagram API with Facebook Login.",
    "https://developers.facebook.com/docs/instagram-platform/content-publishing"};

}  // namespace
}  // namespace marketsage::instagram

MARKETSAGE_META_PLUGIN_ENTRY(marketsage::instagram::kDescriptor, marketsage::instagram::Plugin);
