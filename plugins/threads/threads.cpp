// Threads plugin: its own OAuth (Threads authorization window, short-lived then long-lived tokens,
// refresh before the 60 days end), the one account of the token, delete, insights, health and the
// pinned API version. Publishing lives in threads_publish.cpp. See README.md.
// https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions
// https://developers.facebook.com/docs/threads/get-started/long-lived-tokens
// https://developers.facebook.com/docs/threads/insights
// https://developers.facebook.com/docs/threads/posts/delete-posts
#include "Threads.hpp"
#include "MetaInsights.hpp"
#include "MetaOAuth.hpp"

namespace marketsage::threads {
namespace {

using namespace marketsage::meta;

constexpr char kScopes[] =
    "threads_basic,threads_content_publish,threads_manage_insights,threads_manage_replies,threads_read_replies,"
    "threads_delete";

/// The authorization window: {auth_base}/oauth/authorize?client_id&redirect_uri&scope&response_type&state.
/// Threads documents no PKCE: the code challenge is not sent (the code is bound to the app secret).
std::string authorizeWindow(std::string_view r) {
  const auto redirectUri = host.requiredString(r, "/redirectUri");
  const auto state = host.requiredString(r, "/state");
  const auto scopes = requestedScopes(r, kScopes);
  const auto url = host.setting("/auth_base", "https://threads.net") + "/oauth/authorize?" +
                   host.form({{"client_id", requiredSetting("/client_id")},
                              {"redirect_uri", redirectUri},
                              {"scope", scopes},
                              {"response_type", "code"},
                              {"state", state}});
  return Json::object().field("url", url).str();
}

/// GET {api_base}/{path}?params (the unversioned token endpoints); refusals mean reconnecting.
std::string tokenGet(const std::string& path, const Params& params) {
  sdk::HttpRequest request;
  request.url = apiBase() + path + "?" + host.form(params);
  return sendGraph(request, Effect::Repeatable, true);
}

/// The Token reply of a long-lived token: it is its own refresh token (Threads has no other), so
/// the host refreshes it before its 60 days end.
std::string longLivedReply(const std::string& body, const std::optional<Json>& account = std::nullopt) {
  const auto token = host.string(body, "/access_token");
  if (!token || token->empty()) throw Error(MS_ERR_PERMANENT, "Threads answered no access_token");
  auto reply = Json::object().field("accessToken", *token).field("refreshToken", *token);
  if (const auto expires = host.integer(body, "/expires_in"); expires && *expires > 0)
    reply.field("expiresIn", *expires);
  if (account) reply.raw("account", *account);
  return reply.str();
}

/// GET /me?fields=id,username,name,threads_profile_picture_url
std::string profileOf(const std::string& token) {
  return threadsGraph(token).get("/me", {{"fields", "id,username,name,threads_profile_picture_url"}});
}

/// Code -> short-lived token (POST /oauth/access_token) -> long-lived token (GET /access_token,
/// grant_type=th_exchange_token), with the account it belongs to.
std::string exchange(std::string_view r) {
  const auto code = host.requiredString(r, "/code");
  const auto redirectUri = host.requiredString(r, "/redirectUri");
  const auto secret = requiredSetting("/client_secret");
  sdk::HttpRequest request;
  request.method = "POST";
  request.url = apiBase() + "/oauth/access_token";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = host.form({{"client_id", requiredSetting("/client_id")},
                            {"client_secret", secret},
                            {"grant_type", "authorization_code"},
                            {"redirect_uri", redirectUri},
                            {"code", code}});
  const auto shortLived = host.string(sendGraph(request, Effect::Repeatable, true), "/access_token");
  if (!shortLived || shortLived->empty()) throw Error(MS_ERR_PERMANENT, "the code exchange answered no access_token");
  const auto body = tokenGet(
      "/access_token", {{"grant_type", "th_exchange_token"}, {"client_secret", secret}, {"access_token", *shortLived}});
  const auto profile = profileOf(host.string(body, "/access_token").value_or(*shortLived));
  const auto id = host.string(profile, "/id").value_or("");
  return longLivedReply(body,
                        Json::object().field("id", id).field("name", host.string(profile, "/username").value_or(id)));
}

/// GET /refresh_access_token?grant_type=th_refresh_token with the long-lived token (at least 24
/// hours old and unexpired); an expired one is refused and the user connects again.
std::string refresh(std::string_view r) {
  const auto token = host.requiredString(r, "/refreshToken");
  return longLivedReply(
      tokenGet("/refresh_access_token", {{"grant_type", "th_refresh_token"}, {"access_token", token}}));
}

/// The token's own Threads profile: the one account of a connection.
std::string listAccounts(std::string_view r) {
  const auto profile = profileOf(host.requiredString(r, "/accessToken"));
  const auto id = idIn(profile);
  const auto username = host.string(profile, "/username").value_or(id);
  auto account = Json::object().field("id", id).field("name", username).field("type", "user");
  auto metadata = Json::object().field("username", username);
  if (const auto picture = host.string(profile, "/threads_profile_picture_url")) {
    account.field("pictureUrl", *picture);
    metadata.field("pictureUrl", *picture);
  }
  return Json::object().raw("accounts", Json::array().pushRaw(account.raw("metadata", metadata))).str();
}

std::string health(std::string_view r) {
  const auto body = threadsGraph(host.requiredString(r, "/accessToken")).get("/me", {{"fields", "id"}});
  auto reply = Json::object().field("healthy", true);
  if (const auto id = host.string(body, "/id")) reply.field("accountId", *id);
  return reply.str();
}

/// DELETE /{threads-media-id} (100 deletes per account and day).
std::string deletePost(std::string_view r) {
  const auto id = graphId(host.requiredString(r, "/postId"), "postId");
  threadsGraph(host.requiredString(r, "/accessToken")).del("/" + id);
  return "{}";
}

// Threads names: views (of the profile for users, of the post for media), likes, replies, reposts,
// quotes, shares, clicks, followers_count.
const MetricMap kAccountMetrics = {{"impressions", "views"},    {"likes", "likes"},   {"comments", "replies"},
                                   {"shares", "reposts"},       {"clicks", "clicks"}, {"followers", "followers_count"},
                                   {"engagement", "engagement"}};
const MetricMap kPostMetrics = {{"impressions", "views"},    {"likes", "likes"},   {"comments", "replies"},
                                {"shares", "reposts"},       {"quotes", "quotes"}, {"sends", "shares"},
                                {"engagement", "engagement"}};

/// Threads reports no engagement total: likes + replies + reposts + quotes (+ shares of a post).
std::map<std::string, MetricValues> withEngagement(std::map<std::string, MetricValues> values) {
  long long sum = 0;
  bool any = false;
  for (const char* name : {"likes", "replies", "reposts", "quotes", "shares"})
    if (const auto it = values.find(name); it != values.end()) {
      sum += it->second.total;
      any = true;
    }
  if (any) values["engagement"].total = sum;
  return values;
}

/// since/until do not work before 2024-04-13 (1712991600).
constexpr long long kInsightsEpoch = 1712991600;

/// GET /{threads-user-id}/threads_insights?metric=…&since&until (views daily, the rest totals).
std::string accountInsights(std::string_view r) {
  const auto graph = threadsGraph(host.requiredString(r, "/accessToken"));
  const auto user = "/" + graphId(host.requiredString(r, "/account/id", 128), "account.id");
  auto range = parseRange(r);
  range.since = std::max(range.since, kInsightsEpoch);
  range.until = std::max(range.until, range.since + 86400);
  const auto values = withEngagement(readInsights(
      graph.get(user + "/threads_insights", {{"metric", "views,likes,replies,reposts,quotes,clicks,followers_count"},
                                             {"since", std::to_string(range.since)},
                                             {"until", std::to_string(range.until)}}),
      {"followers_count"}));
  return insightsReply(values, kAccountMetrics, requestedMetrics(r));
}

/// GET /{threads-media-id}/insights per post (lifetime values).
std::string postInsights(std::string_view r) {
  return postInsightsReply(r, [](const Graph& any, const std::string& id, const std::vector<std::string>& metrics) {
    const auto body =
        any.onHost(apiBase()).get("/" + id + "/insights", {{"metric", "views,likes,replies,reposts,quotes,shares"}});
    return insightsReply(withEngagement(readInsights(body)), kPostMetrics, metrics);
  });
}

/// v1.0 is the only Threads API version (June 2024); Meta has announced no end for it.
std::string apiVersionReply(std::string_view /*request*/) {
  const auto version = apiVersion();
  auto out = Json::object().field("version", version);
  if (version == "v1.0") out.field("releasedAt", "2024-06-18");
  return out.str();
}

template <std::string (*Work)(std::string_view)>
ms_status run(const char* req, size_t len, const ms_reply* reply) {
  return call(req, len, reply, Work);
}

ms_status initPlugin(const ms_host* h) {
  host = sdk::Host(h);
  return MS_OK;
}
void deinitPlugin() {}

constexpr ms_oauth_ext kOAuth = {sizeof(ms_oauth_ext), run<authorizeWindow>, run<exchange>, run<refresh>, nullptr};
constexpr ms_accounts_ext kAccounts = {sizeof(ms_accounts_ext), run<listAccounts>};
constexpr ms_validate_ext kValidate = {sizeof(ms_validate_ext), validate};
constexpr ms_publish_ext kPublish = {sizeof(ms_publish_ext), publish};
constexpr ms_delete_ext kDelete = {sizeof(ms_delete_ext), run<deletePost>};
constexpr ms_insights_ext kInsights = {sizeof(ms_insights_ext), run<accountInsights>, run<postInsights>};
constexpr ms_health_ext kHealth = {sizeof(ms_health_ext), run<health>};
constexpr ms_api_version_ext kVersion = {sizeof(ms_api_version_ext), run<apiVersionReply>};
constexpr ms_reconcile_ext kReconcile = {sizeof(ms_reconcile_ext), reconcile};
constexpr sdk::ExtensionEntry kTable[] = {
    {MS_EXT_OAUTH, &kOAuth},     {MS_EXT_ACCOUNTS, &kAccounts},   {MS_EXT_VALIDATE, &kValidate},
    {MS_EXT_PUBLISH, &kPublish}, {MS_EXT_DELETE, &kDelete},       {MS_EXT_INSIGHTS, &kInsights},
    {MS_EXT_HEALTH, &kHealth},   {MS_EXT_API_VERSION, &kVersion}, {MS_EXT_RECONCILE, &kReconcile}};

const void* findExtension(const char* id) { return sdk::findExtension(kTable, id); }

const ms_plugin_descriptor kDescriptor = {
    sizeof(ms_plugin_descriptor),
    "threads",
    "Threads",
    "1.0.0",
    sdk::capabilitiesOf(kTable),
    MS_PLUGIN_STABLE,
    "Publishes text, images, videos and carousels to Threads profiles through the Threads API.",
    "https://developers.facebook.com/docs/threads"};

}  // namespace
}  // namespace marketsage::threads

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {MS_ABI_VERSION_MAJOR,
                                                                      MS_ABI_VERSION_MINOR,
                                                                      sizeof(ms_plugin_entry),
                                                                      &marketsage::threads::kDescriptor,
                                                                      marketsage::threads::initPlugin,
                                                                      marketsage::threads::deinitPlugin,
                                                                      marketsage::threads::findExtension};
