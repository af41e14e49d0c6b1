// Published statuses: delete, metrics, reconcile (docs.joinmastodon.org/methods/statuses:
// delete, get, source; methods/accounts#statuses), and the plugin's API level.
#include "Mastodon.h"

#include <algorithm>

namespace mastodon {
namespace {

constexpr size_t maxPostIds = 100;

/// The account's statuses since `sinceMs` (one page of 40, oldest first): id and in_reply_to_id.
std::vector<std::pair<std::string, std::string>> recentStatuses(const std::string& token, const std::string& accountId,
                                                                long long sinceMs) {
  const auto r = send(apiRequest(
      "GET", apiBase() + "/api/v1/accounts/" + accountId + "/statuses?limit=40&exclude_reblogs=true", token));
  const auto doc = host.parse(r.body);
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < doc.count(""); ++i) {
    const std::string at = "/" + std::to_string(i);
    const auto id = doc.string((at + "/id").c_str());
    const auto created = host.parseTime(doc.string((at + "/created_at").c_str()).value_or(""));
    if (!id || !created || *created < sinceMs) continue;
    out.emplace_back(*id, doc.string((at + "/in_reply_to_id").c_str()).value_or(""));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

ms_status deletePost(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto id = requiredId(json, "/postId");
    const auto r = exchange(apiRequest("DELETE", apiBase() + "/api/v1/statuses/" + id, token));
    if (r.result == MS_OK && r.status == 404) return std::string("{}");  // already gone
    if (r.result != MS_OK || r.status < 200 || r.status > 299) fail(r);
    return std::string("{}");
  });
}

ms_status postInsights(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto postIds = stringArray(json, "/postIds", maxPostIds);
    if (postIds.empty()) throw Error(MS_ERR_INVALID_INPUT, "/postIds is required");
    for (const auto& id : postIds)
      if (!isId(id)) throw Error(MS_ERR_INVALID_INPUT, "/postIds holds something that is not a Mastodon id");
    const auto wanted = stringArray(json, "/metrics", 32);
    auto posts = sdk::Json::array();
    for (const auto& id : postIds) {
      const auto r = exchange(apiRequest("GET", apiBase() + "/api/v1/statuses/" + id, token));
      if (r.result == MS_OK && r.status == 404) continue;  // deleted since
      if (r.result != MS_OK || r.status != 200) fail(r);
      const long long likes = host.integer(r.body, "/favourites_count").value_or(0);
      const long long shares = host.integer(r.body, "/reblogs_count").value_or(0);
      const long long comments = host.integer(r.body, "/replies_count").value_or(0);
      auto metrics = sdk::Json::object();
      for (const auto& [name, value] :
           {std::pair{"likes", likes}, std::pair{"shares", shares}, std::pair{"comments", comments},
            std::pair{"engagement", likes + shares + comments}})
        if (wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end()) metrics.field(name, value);
      posts.pushRaw(sdk::Json::object().field("postId", id).raw("metrics", metrics));
    }
    return sdk::Json::object().raw("posts", posts).str();
  });
}

/// Looks for the parts of the post among the account's statuses since a little before the
/// attempt, part by part after resume.postIds: same reply target, same source text.
ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto accountId = requiredId(json, "/account/id");
    const Post post = parsePost(json);
    const auto attemptedAt = host.parseTime(host.requiredString(json, "/attemptedAt", 64));
    if (!attemptedAt) throw Error(MS_ERR_INVALID_INPUT, "/attemptedAt is not an RFC 3339 time");
    auto ids = stringArray(json, "/resume/postIds", post.parts.size());
    const size_t known = ids.size();
    const auto candidates = recentStatuses(token, accountId, *attemptedAt - 120'000);
    for (const auto& [id, replyTo] : candidates) {
      if (ids.size() == post.parts.size()) break;
      const std::string expectedReplyTo = ids.empty() ? post.inReplyToId : ids.back();
      if (replyTo != expectedReplyTo || std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
      const auto source = send(apiRequest("GET", apiBase() + "/api/v1/statuses/" + id + "/source", token));
      if (host.string(source.body, "/text").value_or("") == post.parts[ids.size()]) ids.push_back(id);
    }
    if (ids.size() == known && known == 0) return sdk::Json::object().field("outcome", "not_found").str();
    auto list = sdk::Json::array();
    for (const auto& id : ids) list.push(id);
    return sdk::Json::object().field("outcome", "found").field("postId", ids.front()).raw("postIds", list).str();
  });
}

/// Mastodon versions its REST API by path (v1, v2) and announces no end of life for them; the
/// plugin needs Mastodon 4.0+ (/api/v2/instance), and PKCE from 4.3.
ms_status apiVersion(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    host.objectRequest(req, len);
    return std::string(R"({"version":"4.0"})");
  });
}

}  // namespace mastodon
