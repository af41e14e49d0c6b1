// Published posts: DELETE /2/tweets/:id and metrics from GET /2/tweets
// (https://docs.x.com/x-api/posts/manage-tweets, https://docs.x.com/x-api/fundamentals/metrics).
#include "Capabilities.h"
#include "Common.h"

#include <algorithm>
#include <set>

namespace twitter {
namespace {

constexpr size_t idsPerLookup = 100;  // GET /2/tweets takes up to 100 ids
constexpr const char* allMetrics = "public_metrics,non_public_metrics,organic_metrics";

/// GET /2/tweets for the comma-separated `ids` with `fields`.
sdk::HttpResponse lookup(const std::string& token, const std::string& ids, const char* fields) {
  return apiCall("GET", apiBase() + "/2/tweets?ids=" + host.urlEncode(ids) + "&tweet.fields=" + host.urlEncode(fields),
                 token, {}, "tweet.read");
}

/// The ids X refused private metrics for (not-authorized-for-field: not the user's own post, or
/// older than 30 days), comma-separated.
std::string refusedIds(const sdk::HttpResponse& r) {
  std::set<std::string> refused;  // X reports each refused field: an id may come twice
  for (size_t i = 0; host.get(r.body, ("/errors/" + std::to_string(i)).c_str()).present(); ++i) {
    const std::string at = "/errors/" + std::to_string(i);
    const auto id = host.string(r.body, (at + "/resource_id").c_str());
    if (id && isXId(*id) &&
        host.string(r.body, (at + "/type").c_str()).value_or("").ends_with("/not-authorized-for-field"))
      refused.insert(*id);
  }
  std::string ids;
  for (const auto& id : refused) ids += (ids.empty() ? "" : ",") + id;
  return ids;
}

/// The standard metrics of the tweet at `at` ("/data/<i>"), restricted to `wanted` when not empty.
std::string metricsOf(const sdk::HttpResponse& r, const std::string& at, const std::vector<std::string>& wanted) {
  const auto metric = [&](const char* group, const char* name) {
    return host.integer(r.body, (at + "/" + group + "/" + name).c_str());
  };
  const long long likes = metric("public_metrics", "like_count").value_or(0);
  const long long comments = metric("public_metrics", "reply_count").value_or(0);
  const long long shares =
      metric("public_metrics", "retweet_count").value_or(0) + metric("public_metrics", "quote_count").value_or(0);
  const auto impressions = metric("non_public_metrics", "impression_count")
                               ? metric("non_public_metrics", "impression_count")
                               : metric("public_metrics", "impression_count");
  std::optional<long long> clicks;
  if (auto links = metric("non_public_metrics", "url_link_clicks"))
    clicks = *links + metric("non_public_metrics", "user_profile_clicks").value_or(0);
  std::vector<std::pair<const char*, std::optional<long long>>> values = {
      {"likes", likes},   {"comments", comments},
      {"shares", shares}, {"impressions", impressions},
      {"clicks", clicks}, {"engagement", likes + comments + shares + clicks.value_or(0)}};
  auto out = sdk::Json::object();
  for (const auto& [name, value] : values) {
    const bool asked = wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
    if (asked && value) out.field(name, *value);
  }
  return out.str();
}

std::string rawGroups(const sdk::HttpResponse& r, const std::string& at) {
  auto extra = sdk::Json::object();
  for (const char* group : {"public_metrics", "non_public_metrics", "organic_metrics"})
    if (auto value = host.get(r.body, (at + "/" + group).c_str()); value.type == MS_JSON_OBJECT)
      extra.raw(group, value.text);
  return extra.str();
}

/// One entry of the reply per post under "data"; deleted or invisible posts (under "errors") are left out.
void appendPosts(const sdk::HttpResponse& r, const std::vector<std::string>& wanted, sdk::Json& posts) {
  for (size_t i = 0;; ++i) {
    const std::string at = "/data/" + std::to_string(i);
    const auto id = host.string(r.body, (at + "/id").c_str());
    if (!id) return;
    posts.pushRaw(sdk::Json::object()
                      .field("postId", *id)
                      .raw("metrics", metricsOf(r, at, wanted))
                      .raw("extra", rawGroups(r, at)));
  }
}

}  // namespace

ms_status deletePost(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto id = requiredId(json, "/postId");
    const auto r = apiCall("DELETE", apiBase() + "/2/tweets/" + id, token, {}, "tweet.write");
    if (host.get(r.body, "/data/deleted").text != "true") throw Error(MS_ERR_PERMANENT, "X did not delete post " + id);
    return std::string("{}");
  });
}

ms_status postInsights(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto postIds = stringArray(json, "/postIds", 1000);
    if (postIds.empty()) throw Error(MS_ERR_INVALID_INPUT, "/postIds is required");
    for (const auto& id : postIds)
      if (!isXId(id)) throw Error(MS_ERR_INVALID_INPUT, "/postIds holds something that is not an X post id");
    const auto wanted = stringArray(json, "/metrics", 32);
    auto posts = sdk::Json::array();
    for (size_t first = 0; first < postIds.size(); first += idsPerLookup) {
      std::string ids;
      for (size_t i = first; i < std::min(postIds.size(), first + idsPerLookup); ++i)
        ids += (ids.empty() ? "" : ",") + postIds[i];
      const auto all = lookup(token, ids, allMetrics);
      appendPosts(all, wanted, posts);
      // Posts refused their private metrics are asked again for the public ones only.
      if (const auto refused = refusedIds(all); !refused.empty())
        appendPosts(lookup(token, refused, "public_metrics"), wanted, posts);
    }
    return sdk::Json::object().raw("posts", posts).str();
  });
}

}  // namespace twitter
