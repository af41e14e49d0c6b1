// A plain OAuth 2.0 platform (RFC 6749 authorization code + PKCE, RFC 7009 revocation) for the
// host's OAuth and publishing-engine tests: the smallest plugin that exercises connect, accounts,
// refresh, revoke, a token check, validate, publish (threads, resume, inline media that the
// platform may still be processing), delete and insights against tests/integration/OAuthEmulator,
// and — with MARKETSAGE_TEST_PLUGIN_RECONCILE — reconcile. Built with plugin-api/ only, as a third
// party would. MARKETSAGE_TEST_PLUGIN_ID names it, so one source gives two platforms.
#include <marketsage/plugin.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace {

using marketsage::sdk::Error;
using marketsage::sdk::guard;
using marketsage::sdk::Json;

marketsage::sdk::Host host;

std::string field(std::string_view json, const char* pointer, bool required = true) {
  auto value = host.get(json, pointer);
  if (!value.isString() || value.text.empty()) {
    if (required) throw Error(MS_ERR_INVALID_INPUT, std::string("missing ") + pointer);
    return {};
  }
  // No real code, token or URL comes near this; refuse before any network call.
  if (value.text.size() > 4096) throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " is too long");
  return value.text;
}

/// The request text, refused before any network call unless it is a JSON object.
std::string_view objectRequest(const char* req, size_t len) {
  const std::string_view json(req ? req : "", req ? len : 0);
  if (host.get(json, "").type != MS_JSON_OBJECT) throw Error(MS_ERR_INVALID_INPUT, "the request must be a JSON object");
  return json;
}

std::string base(const char* key) {
  auto value = host.setting(key, "");
  if (value.empty()) throw Error(MS_ERR_PERMANENT, std::string("setting ") + key + " is not configured");
  return value;
}

/// Maps an OAuth/HTTP failure to the ABI's kinds, as RFC 6749 section 5.2 defines the errors.
[[noreturn]] void fail(const marketsage::sdk::HttpResponse& r) {
  if (r.result != MS_OK) throw Error(MS_ERR_TRANSIENT, "no answer: " + r.error);
  const auto error = host.get(r.body, "/error").text;
  const auto retryAfter = host.get(r.headers, "/retry-after").text;
  if (r.status == 429)
    throw Error(MS_ERR_RATE_LIMITED, "rate limited", "429", retryAfter.empty() ? 0 : std::stoi(retryAfter));
  if (r.status >= 500) throw Error(MS_ERR_TRANSIENT, "server error", std::to_string(r.status));
  if (error == "invalid_grant") throw Error(MS_ERR_AUTH_INVALID, "the grant was refused", error);
  // The operator's app credentials, not a token: nothing a refresh or a retry would cure.
  if (error == "invalid_client" || error == "unauthorized_client")
    throw Error(MS_ERR_PERMANENT, "the app's client credentials were refused", error);
  if (r.status == 401) throw Error(MS_ERR_AUTH_EXPIRED, "the token was refused", error);
  throw Error(MS_ERR_PERMANENT, "refused: " + (error.empty() ? std::to_string(r.status) : error), error);
}

std::string tokenRequest(const std::string& form) {
  marketsage::sdk::HttpRequest request;
  request.method = "POST";
  request.url = base("/auth_base") + "/token";
  const auto credentials = host.setting("/client_id", "") + ":" + host.setting("/client_secret", "");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Authorization", "Basic " + host.base64(credentials)}};
  request.body = form;
  auto r = host.http(request);
  if (r.result != MS_OK || r.status != 200) fail(r);
  // Token reply of the ABI: camelCase, expiresIn in seconds.
  std::string out = "{\"accessToken\":" + host.quote(field(r.body, "/access_token"));
  if (auto refresh = host.get(r.body, "/refresh_token"); refresh.isString())
    out += ",\"refreshToken\":" + host.quote(refresh.text);
  if (auto expires = host.get(r.body, "/expires_in"); expires.type == MS_JSON_NUMBER)
    out += ",\"expiresIn\":" + expires.text;
  if (auto scope = host.get(r.body, "/scope"); scope.isString()) {
    out += ",\"scopes\":[";
    std::string list = scope.text;
    bool first = true;
    for (std::size_t start = 0; start <= list.size();) {
      auto end = list.find(' ', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) {
        out += (first ? "" : ",") + host.quote(list.substr(start, end - start));
        first = false;
      }
      start = end + 1;
    }
    out += "]";
  }
  return out + "}";
}

ms_status authorizeUrl(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto url = base("/auth_base") +
                     "/authorize?response_type=code&client_id=" + host.urlEncode(host.setting("/client_id", "")) +
                     "&redirect_uri=" + host.urlEncode(field(json, "/redirectUri")) +
                     "&state=" + host.urlEncode(field(json, "/state")) +
                     "&code_challenge=" + host.urlEncode(field(json, "/codeChallenge")) +
                     "&code_challenge_method=S256" + "&scope=" + host.urlEncode("publish offline_access");
    return "{\"url\":" + host.quote(url) + "}";
  });
}

ms_status exchangeCode(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    return tokenRequest("grant_type=authorization_code&code=" + host.urlEncode(field(json, "/code")) +
                        "&redirect_uri=" + host.urlEncode(field(json, "/redirectUri")) +
                        "&code_verifier=" + host.urlEncode(field(json, "/codeVerifier")));
  });
}

ms_status refresh(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    return tokenRequest("grant_type=refresh_token&refresh_token=" + host.urlEncode(field(json, "/refreshToken")));
  });
}

ms_status revoke(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = field(json, "/accessToken");
    marketsage::sdk::HttpRequest request;
    request.method = "POST";
    request.url = base("/auth_base") + "/revoke";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = "token=" + host.urlEncode(token);
    auto r = host.http(request);
    if (r.result != MS_OK || r.status != 200) fail(r);
    return std::string("{}");
  });
}

marketsage::sdk::HttpResponse bearerGet(const std::string& path, const std::string& token) {
  marketsage::sdk::HttpRequest request;
  request.url = base("/api_base") + path;  // token already validated by the caller
  request.headers = {{"Authorization", "Bearer " + token}};
  return host.http(request);
}

/// The accounts the token can act for; with "accounts" (names the user gives, as for a bot's
/// chats), only those of them it can act for, and why each other one is refused.
ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    auto r = bearerGet("/me/accounts", field(json, "/accessToken"));
    if (r.result != MS_OK || r.status != 200) fail(r);
    std::vector<std::string> named;
    for (size_t i = 0, n = host.count(json, "/accounts"); i < n; ++i)
      named.push_back(field(json, ("/accounts/" + std::to_string(i)).c_str()));
    auto accounts = Json::array();
    std::set<std::string> known;
    for (int i = 0;; ++i) {
      const std::string at = "/data/" + std::to_string(i);
      auto id = host.get(r.body, (at + "/id").c_str());
      if (!id.isString()) break;
      known.insert(id.text);
      if (!named.empty() && std::find(named.begin(), named.end(), id.text) == named.end()) continue;
      auto account = Json::object()
                         .field("id", id.text)
                         .field("name", host.get(r.body, (at + "/name").c_str()).text)
                         .field("type", host.get(r.body, (at + "/type").c_str()).text);
      if (auto token = host.get(r.body, (at + "/access_token").c_str()); token.isString())
        account.field("accessToken", token.text);
      accounts.pushRaw(account);
    }
    auto refused = Json::array();
    for (const auto& name : named)
      if (!known.count(name))
        refused.pushRaw(
            Json::object().field("account", name).field("reason", "this credential cannot post as " + name));
    return Json::object().raw("accounts", accounts).raw("refused", refused).str();
  });
}

ms_status checkToken(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    auto r = bearerGet("/me", field(json, "/accessToken"));
    if (r.result != MS_OK || r.status != 200) fail(r);
    return "{\"healthy\":true,\"accountId\":" + host.quote(host.get(r.body, "/id").text) + "}";
  });
}

marketsage::sdk::HttpResponse bearerSend(const std::string& method, const std::string& path, const std::string& token,
                                         const std::string& body = {}, const std::string& file = {}) {
  marketsage::sdk::HttpRequest request;
  request.method = method;
  request.url = base("/api_base") + path;
  request.headers = {{"Authorization", "Bearer " + token},
                     {"Content-Type", file.empty() ? "application/json" : "application/octet-stream"}};
  request.body = body;
  request.bodyFile = file;
  const auto timeout = host.setting("/http_timeout_ms");
  if (timeout.type == MS_JSON_NUMBER) request.timeoutMs = static_cast<uint32_t>(std::stoul(timeout.text));
  return host.http(request);
}

/// A create request that may have worked: sent whole with no complete answer, a gateway's
/// 502/503/504, or a refusal of the re-send as a duplicate (ABI 1.2: never resend blindly).
bool outcomeUnknown(const marketsage::sdk::HttpResponse& r) {
  if (r.result != MS_OK) return r.sent;
  return r.status == 502 || r.status == 503 || r.status == 504 ||
         (r.status == 409 && host.get(r.body, "/error").text == "duplicate");
}

/// Parts of the post: the content, then each thread part. A post without a content string is
/// malformed (the schema's Post always has one, empty when media carry the post).
std::vector<std::string> parts(std::string_view json) {
  const auto content = host.string(json, "/content");
  if (!content) throw Error(MS_ERR_INVALID_INPUT, "content must be a string");
  std::vector<std::string> out{*content};
  for (size_t i = 0, n = host.count(json, "/thread"); i < n; ++i) {
    out.push_back(host.string(json, ("/thread/" + std::to_string(i) + "/content").c_str()).value_or(""));
  }
  return out;
}

ms_status validate(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto setting = host.setting("/max_length");
    const unsigned long limit = setting.present() ? std::stoul(setting.text) : 500;
    auto issues = Json::array();
    const auto all = parts(json);
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].size() > limit) {
        issues.pushRaw(
            Json::object()
                .field("field", i == 0 ? std::string("/content") : "/thread/" + std::to_string(i - 1) + "/content")
                .field("message", "longer than " + std::to_string(limit) + " characters"));
      }
    }
    if (!issues.empty()) {
      const auto out = Json::object().raw("issues", issues).str();
      reply->write(reply, out.data(), out.size());
      throw Error(MS_ERR_INVALID_INPUT, "the post breaks the platform's limits");
    }
    return Json::object().raw("issues", "[]").str();
  });
}

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = field(json, "/accessToken");
    const auto account = field(json, "/account/id");
    // Media travel inline: each file is streamed to the platform before the first part. A file
    // the platform is still processing is not waited for: the host comes back (ABI 1.2 pending).
    auto mediaIds = Json::array();
    auto mediaUrls = Json::array();  // the host's signed links, for tests that fetch them back
    std::vector<std::string> uploaded;
    for (size_t i = 0, n = host.count(json, "/resume/state/uploaded"); i < n; ++i) {
      uploaded.push_back(host.string(json, ("/resume/state/uploaded/" + std::to_string(i)).c_str()).value_or(""));
    }
    bool processing = false;
    for (size_t i = 0, n = host.count(json, "/media"); i < n; ++i) {
      std::string id;
      if (i < uploaded.size()) {
        id = uploaded[i];
        auto r = bearerSend("GET", "/media/" + id, token);
        if (r.result != MS_OK || r.status != 200) fail(r);
        processing |= host.get(r.body, "/state").text == "processing";
      } else {
        const auto path = field(json, ("/media/" + std::to_string(i) + "/path").c_str());
        auto r = bearerSend("POST", "/media", token, {}, path);
        if (r.result != MS_OK || r.status != 201) fail(r);
        id = host.string(r.body, "/id").value_or("");
        processing |= host.get(r.body, "/state").text == "processing";
        uploaded.push_back(id);
      }
      mediaIds.push(id);
      if (const auto url = field(json, ("/media/" + std::to_string(i) + "/url").c_str(), false); !url.empty()) {
        mediaUrls.push(url);
      }
    }
    if (processing) {
      auto ids = Json::array();
      for (const auto& id : uploaded) ids.push(id);
      return Json::object()
          .raw("pending", Json::object()
                              .field("retryAfterSeconds", 1)
                              .field("stage", "the platform is processing the media")
                              .raw("resume", Json::object().raw("state", Json::object().raw("uploaded", ids))))
          .str();
    }
    // Parts already live (a retry after a partial failure) are not posted again.
    std::vector<std::string> ids;
    for (size_t i = 0, n = host.count(json, "/resume/postIds"); i < n; ++i) {
      ids.push_back(host.string(json, ("/resume/postIds/" + std::to_string(i)).c_str()).value_or(""));
    }
    const auto all = parts(json);
    for (size_t i = ids.size(); i < all.size(); ++i) {
      auto body = Json::object().field("account", account).field("text", all[i]);
      if (!ids.empty()) body.field("reply_to", ids.back());
      if (i == 0 && !mediaIds.empty()) body.raw("media", mediaIds).raw("media_urls", mediaUrls);
      auto r = bearerSend("POST", "/posts", token, body.str());
      if (r.result != MS_OK || r.status != 201) {
        auto done = Json::array();
        for (const auto& id : ids) done.push(id);
        const auto partial = Json::object().raw("postIds", done).field("failedPart", static_cast<int>(i)).str();
        reply->write(reply, partial.data(), partial.size());
        if (outcomeUnknown(r))
          throw Error(MS_ERR_OUTCOME_UNKNOWN, "part " + std::to_string(i) + " may have been posted: " +
                                                  (r.result != MS_OK ? r.error : std::to_string(r.status)));
        fail(r);
      }
      ids.push_back(host.string(r.body, "/id").value_or(""));
    }
    auto all_ids = Json::array();
    for (const auto& id : ids) all_ids.push(id);
    return Json::object()
        .field("postId", ids.front())
        .field("url", base("/api_base") + "/posts/" + ids.front())
        .raw("postIds", all_ids)
        .str();
  });
}

/// Reconcile: the account's posts since a minute before the attempt, matched part by part —
/// the first by its text, each next one by its text and the part it answers.
ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = field(json, "/accessToken");
    const auto account = field(json, "/account/id");
    const auto attemptedAt = host.parseTime(field(json, "/attemptedAt"));
    if (!attemptedAt) throw Error(MS_ERR_INVALID_INPUT, "attemptedAt must be an RFC 3339 time");
    const auto all = parts(json);
    std::vector<std::string> ids;
    for (size_t i = 0, n = host.count(json, "/resume/postIds"); i < n; ++i) {
      ids.push_back(host.string(json, ("/resume/postIds/" + std::to_string(i)).c_str()).value_or(""));
    }
    auto r = bearerSend(
        "GET", "/posts?account=" + host.urlEncode(account) + "&since=" + std::to_string(*attemptedAt - 60'000), token);
    if (r.result != MS_OK || r.status != 200) fail(r);
    const auto listing = host.parse(r.body);
    for (size_t part = ids.size(); part < all.size(); ++part) {
      std::string match;
      for (size_t i = 0, n = listing.count("/data"); i < n && match.empty(); ++i) {
        const auto at = "/data/" + std::to_string(i);
        const auto answers = listing.string((at + "/reply_to").c_str()).value_or("");
        if (listing.string((at + "/text").c_str()).value_or("") == all[part] &&
            answers == (ids.empty() ? "" : ids.back())) {
          match = listing.string((at + "/id").c_str()).value_or("");
        }
      }
      if (match.empty()) break;
      ids.push_back(match);
    }
    if (ids.empty()) return Json::object().field("outcome", "not_found").str();
    auto found = Json::array();
    for (const auto& id : ids) found.push(id);
    return Json::object()
        .field("outcome", "found")
        .field("postId", ids.front())
        .field("url", base("/api_base") + "/posts/" + ids.front())
        .raw("postIds", found)
        .str();
  });
}

ms_status deletePost(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    auto r = bearerSend("DELETE", "/posts/" + host.urlEncode(field(json, "/postId")), field(json, "/accessToken"));
    if (r.result != MS_OK || r.status != 200) fail(r);
    return std::string("{}");
  });
}

ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    auto r = bearerSend("GET", "/me/insights", field(json, "/accessToken"));
    if (r.result != MS_OK || r.status != 200) fail(r);
    return Json::object()
        .raw("metrics", Json::object()
                            .field("reach", host.integer(r.body, "/reach").value_or(0))
                            .field("followers", host.integer(r.body, "/followers").value_or(0)))
        .str();
  });
}

ms_status postInsights(const char* req, size_t len, const ms_reply* reply) {
  return guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = field(json, "/accessToken");
    auto posts = Json::array();
    for (size_t i = 0, n = host.count(json, "/postIds"); i < n; ++i) {
      const auto id = field(json, ("/postIds/" + std::to_string(i)).c_str());
      auto r = bearerSend("GET", "/posts/" + host.urlEncode(id) + "/metrics", token);
      if (r.result != MS_OK || r.status != 200) continue;  // deleted meanwhile
      posts.pushRaw(Json::object()
                        .field("postId", id)
                        .raw("metrics", Json::object()
                                            .field("likes", host.integer(r.body, "/likes").value_or(0))
                                            .field("comments", host.integer(r.body, "/comments").value_or(0))
                                            .field("impressions", host.integer(r.body, "/impressions").value_or(0))));
    }
    return Json::object().raw("posts", posts).str();
  });
}

const ms_validate_ext validation = {sizeof(ms_validate_ext), validate};
const ms_publish_ext publishing = {sizeof(ms_publish_ext), publish};
const ms_delete_ext deletion = {sizeof(ms_delete_ext), deletePost};
const ms_insights_ext insights = {sizeof(ms_insights_ext), accountInsights, postInsights};

const ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchangeCode, refresh, revoke};
const ms_accounts_ext accounts = {sizeof(ms_accounts_ext), listAccounts};
const ms_health_ext health = {sizeof(ms_health_ext), checkToken};
const ms_reconcile_ext reconciliation = {sizeof(ms_reconcile_ext), reconcile};

constexpr marketsage::sdk::ExtensionEntry extensions[] = {
    {MS_EXT_OAUTH, &oauth},
    {MS_EXT_ACCOUNTS, &accounts},
    {MS_EXT_HEALTH, &health},
    {MS_EXT_VALIDATE, &validation},
    {MS_EXT_PUBLISH, &publishing},
    {MS_EXT_DELETE, &deletion},
    {MS_EXT_INSIGHTS, &insights},
#if MARKETSAGE_TEST_PLUGIN_RECONCILE
    {MS_EXT_RECONCILE, &reconciliation},
#endif
};

const ms_plugin_descriptor descriptor = {sizeof(ms_plugin_descriptor),
                                         MARKETSAGE_TEST_PLUGIN_ID,
                                         "OAuth 2.0 test platform",
                                         "1.2.0",
                                         marketsage::sdk::capabilitiesOf(extensions),
                                         MS_PLUGIN_EXPERIMENTAL,
                                         "Speaks plain OAuth 2.0 to the test emulator.",
                                         nullptr};

ms_status init(const ms_host* h) {
  host = marketsage::sdk::Host(h);
  return MS_OK;
}
void deinit() {}

const void* getExtension(const char* id) { return marketsage::sdk::findExtension(extensions, id); }

}  // namespace

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &descriptor, init, deinit, getExtension};
