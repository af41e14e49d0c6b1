// The authenticated user: GET /2/users/me (https://docs.x.com/x-api/users/lookup/introduction).
#include "Capabilities.h"
#include "Common.h"

namespace twitter {
namespace {

sdk::HttpResponse me(const std::string& token, const char* userFields) {
  std::string url = apiBase() + "/2/users/me";
  if (userFields) url += std::string("?user.fields=") + host.urlEncode(userFields);
  auto r = apiCall("GET", url, token, {}, "users.read");
  if (!host.string(r.body, "/data/id")) throw Error(MS_ERR_PERMANENT, "X answered /2/users/me without a user id");
  return r;
}

}  // namespace

ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto r = me(accessToken(host.objectRequest(req, len)), "profile_image_url");
    auto account = sdk::Json::object();
    account.field("id", host.get(r.body, "/data/id").text)
        .field("name", host.get(r.body, "/data/name").text)
        .field("type", "user");
    if (auto picture = host.string(r.body, "/data/profile_image_url")) account.field("pictureUrl", *picture);
    // publish builds https://x.com/<username>/status/<id> from it.
    account.raw("metadata", sdk::Json::object().field("username", host.get(r.body, "/data/username").text));
    return sdk::Json::object().raw("accounts", sdk::Json::array().pushRaw(account)).str();
  });
}

ms_status checkToken(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto r = me(accessToken(host.objectRequest(req, len)), nullptr);
    return sdk::Json::object().field("healthy", true).field("accountId", host.get(r.body, "/data/id").text).str();
  });
}

/// X v2 has no account metrics over a date range: the current public_metrics counters are given.
ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    host.requiredString(json, "/start", 32);
    host.requiredString(json, "/end", 32);
    const auto r = me(token, "public_metrics");
    const auto followers = host.integer(r.body, "/data/public_metrics/followers_count");
    if (!followers) throw Error(MS_ERR_PERMANENT, "X answered without public_metrics");
    auto extra = sdk::Json::object();
    for (const auto& [name, pointer] : {std::pair{"following", "/data/public_metrics/following_count"},
                                        {"tweetCount", "/data/public_metrics/tweet_count"},
                                        {"listedCount", "/data/public_metrics/listed_count"},
                                        {"likeCount", "/data/public_metrics/like_count"}})
      if (auto value = host.integer(r.body, pointer)) extra.field(name, *value);
    return sdk::Json::object()
        .raw("metrics", sdk::Json::object().field("followers", *followers))
        .raw("extra", extra)
        .str();
  });
}

}  // namespace twitter
