// Apps, OAuth and the account (docs.joinmastodon.org: methods/apps, methods/oauth, spec/oauth,
// methods/accounts#verify_credentials). An app is registered once per instance (POST
// /api/v1/apps); the host seals its client id and secret and sends them back as "app".
#include "Mastodon.h"

namespace mastodon {
namespace {

std::string clientId() {
  auto id = host.setting("/client_id", "");
  if (id.empty()) throw Error(MS_ERR_PERMANENT, "no app registered on this instance (client_id is missing)");
  return id;
}

/// PKCE is sent unless register_app found an instance older than 4.3 (no S256 in its OAuth
/// server metadata) and remembered "pkce": false.
bool usesPkce() { return host.setting("/pkce").text != "false"; }

std::string scopesOf(std::string_view json) {
  std::string scopes;
  for (const auto& scope : stringArray(json, "/scopes", 32)) scopes += (scopes.empty() ? "" : " ") + scope;
  return scopes.empty() ? host.setting("/scopes", defaultScopes) : scopes;
}

/// POST a form to an /oauth endpoint of the instance.
sdk::HttpResponse oauthPost(const char* path, const std::vector<std::pair<std::string, std::string>>& form) {
  sdk::HttpRequest request;
  request.method = "POST";
  request.url = authBase() + path;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = host.form(form);
  return send(request);
}

/// GET /api/v1/accounts/verify_credentials: the token's own account.
sdk::HttpResponse verifyCredentials(const std::string& token) {
  auto r = send(apiRequest("GET", apiBase() + "/api/v1/accounts/verify_credentials", token));
  if (!host.string(r.body, "/id"))
    throw Error(MS_ERR_PERMANENT, "the instance answered verify_credentials without an id");
  return r;
}

/// "@acct@instance" (acct is the bare username for local accounts).
std::string accountName(const sdk::HttpResponse& r) {
  const auto acct = host.string(r.body, "/acct").value_or(host.string(r.body, "/username").value_or(""));
  return "@" + acct + (acct.find('@') == std::string::npos ? "@" + instanceHost(apiBase()) : "");
}

sdk::Json accountJson(const sdk::HttpResponse& r) {
  auto account = sdk::Json::object();
  account.field("id", *host.string(r.body, "/id")).field("name", accountName(r)).field("type", "user");
  if (auto avatar = host.string(r.body, "/avatar")) account.field("pictureUrl", *avatar);
  auto metadata = sdk::Json::object().field("instance", apiBase());
  if (auto url = host.string(r.body, "/url")) metadata.field("profileUrl", *url);
  if (auto username = host.string(r.body, "/username")) metadata.field("username", *username);
  return account.raw("metadata", metadata);
}

}  // namespace

ms_status registerApp(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto instance = instanceUrl(host.requiredString(json, "/instance", 300));
    const auto redirectUri = host.requiredString(json, "/redirectUri", 2000);
    const auto scopes = scopesOf(json);
    std::vector<std::pair<std::string, std::string>> form = {
        {"client_name", host.setting("/client_name", "MarketSage")},
        {"redirect_uris", redirectUri},
        {"scopes", scopes}};
    if (auto website = host.setting("/website", ""); !website.empty()) form.emplace_back("website", website);
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = instance + "/api/v1/apps";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = host.form(form);
    const auto app = send(request);
    const auto id = host.string(app.body, "/client_id"), secret = host.string(app.body, "/client_secret");
    if (!id || id->empty() || !secret)
      throw Error(MS_ERR_PERMANENT, "the instance answered POST /api/v1/apps without client_id/client_secret");
    // Mastodon 4.3+ publishes RFC 8414 metadata with S256; older servers answer 404 and take no PKCE.
    const auto metadata = exchange(apiRequest("GET", instance + "/.well-known/oauth-authorization-server", ""));
    if (metadata.result == MS_OK && metadata.status >= 500) fail(metadata);
    bool pkce = false;
    if (metadata.result == MS_OK && metadata.status == 200)
      for (size_t i = 0; i < 8; ++i)
        if (host.string(metadata.body, ("/code_challenge_methods_supported/" + std::to_string(i)).c_str())
                .value_or("") == "S256")
          pkce = true;
    return sdk::Json::object()
        .field("client_id", *id)
        .field("client_secret", *secret)
        .field("api_base", instance)
        .field("auth_base", instance)
        .field("scopes", scopes)
        .field("pkce", pkce ? "true" : "false")  // the host keeps string settings
        .str();
  });
}

ms_status authorizeUrl(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto redirectUri = host.requiredString(json, "/redirectUri", 2000);
    const auto state = host.requiredString(json, "/state", 500);
    const auto challenge = host.requiredString(json, "/codeChallenge", 128);
    if (host.optionalString(json, "/codeChallengeMethod", 16).value_or("S256") != "S256")
      throw Error(MS_ERR_INVALID_INPUT, "only the S256 code challenge method is used");
    std::vector<std::pair<std::string, std::string>> query = {{"response_type", "code"},
                                                              {"client_id", clientId()},
                                                              {"redirect_uri", redirectUri},
                                                              {"scope", scopesOf(json)},
                                                              {"state", state}};
    if (usesPkce()) {
      query.emplace_back("code_challenge", challenge);
      query.emplace_back("code_challenge_method", "S256");
    }
    return sdk::Json::object().field("url", authBase() + "/oauth/authorize?" + host.form(query)).str();
  });
}

ms_status exchangeCode(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto code = host.requiredString(json, "/code"), redirectUri = host.requiredString(json, "/redirectUri");
    const auto verifier = host.requiredString(json, "/codeVerifier", 128);
    std::vector<std::pair<std::string, std::string>> form = {{"grant_type", "authorization_code"},
                                                             {"code", code},
                                                             {"redirect_uri", redirectUri},
                                                             {"client_id", clientId()},
                                                             {"client_secret", host.setting("/client_secret", "")},
                                                             {"scope", scopesOf(json)}};
    if (usesPkce()) form.emplace_back("code_verifier", verifier);
    const auto r = oauthPost("/oauth/token", form);
    // Mastodon's tokens live until revoked: no expires_in and no refresh_token.
    auto out = host.oauthToken(r.body, "the instance");
    const auto account = verifyCredentials(host.string(r.body, "/access_token").value_or(""));
    return out.raw("account", accountJson(account)).str();
  });
}

ms_status revoke(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    oauthPost("/oauth/revoke",
              {{"client_id", clientId()}, {"client_secret", host.setting("/client_secret", "")}, {"token", token}});
    return std::string("{}");
  });
}

ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto r = verifyCredentials(accessToken(host.objectRequest(req, len)));
    return sdk::Json::object().raw("accounts", sdk::Json::array().pushRaw(accountJson(r))).str();
  });
}

ms_status checkToken(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto r = verifyCredentials(accessToken(host.objectRequest(req, len)));
    return sdk::Json::object().field("healthy", true).field("accountId", *host.string(r.body, "/id")).str();
  });
}

/// Mastodon has no account metrics over a date range: the account's current counters.
ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    host.requiredString(json, "/start", 32);
    host.requiredString(json, "/end", 32);
    const auto r = verifyCredentials(token);
    const auto followers = host.integer(r.body, "/followers_count");
    if (!followers) throw Error(MS_ERR_PERMANENT, "the instance answered without followers_count");
    auto extra = sdk::Json::object();
    for (const auto& [name, pointer] :
         {std::pair{"following", "/following_count"}, std::pair{"statusesCount", "/statuses_count"}})
      if (auto value = host.integer(r.body, pointer)) extra.field(name, *value);
    return sdk::Json::object()
        .raw("metrics", sdk::Json::object().field("followers", *followers))
        .raw("extra", extra)
        .str();
  });
}

}  // namespace mastodon
