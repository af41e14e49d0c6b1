// LinkedIn's 3-legged OAuth 2.0 (Authorization Code Flow), programmatic refresh tokens and revoke.
// LinkedIn web apps are confidential clients: the secret goes in the form body and no PKCE
// parameter is sent (LinkedIn reserves PKCE for native apps), so the host's challenge is unused.
#include "LinkedIn.h"

namespace linkedin {
namespace {

constexpr const char* kDefaultScopes =
    "openid profile w_member_social r_organization_social w_organization_social rw_organization_admin";

enum class Grant { Code, Refresh, Revoke };

/// Maps a refused token-endpoint answer ({"error", "error_description"}, RFC 6749 section 5.2).
[[noreturn]] void oauthFail(const HttpResponse& r, Grant grant) {
  if (r.result != MS_OK || r.status == 429 || r.status == 408 || r.status >= 500) fail(r, "");
  const auto error = host.string(r.body, "/error").value_or(std::to_string(r.status));
  const auto description = host.string(r.body, "/error_description").value_or(error).substr(0, 300);
  if (error == "unauthorized_client" && grant == Grant::Refresh)
    throw Error(MS_ERR_NOT_SUPPORTED,
                "this LinkedIn app has no programmatic refresh tokens: the member reconnects when the token expires",
                error);
  if (error == "invalid_client" || r.status == 401)
    throw Error(MS_ERR_PERMANENT, "LinkedIn refused the app credentials (client_id/client_secret): " + description,
                error);
  throw Error(MS_ERR_AUTH_INVALID, "LinkedIn refused the grant: " + description, error);
}

/// POSTs `fields` plus the app credentials, form-encoded, to auth_base + `path`.
HttpResponse postForm(const char* path, std::vector<std::pair<std::string, std::string>> fields, Grant grant) {
  fields.emplace_back("client_id", requiredSetting("/client_id"));
  fields.emplace_back("client_secret", requiredSetting("/client_secret"));
  HttpRequest request;
  request.method = "POST";
  request.url = authBase() + path;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = host.form(fields);
  auto response = host.http(request);
  if (response.result != MS_OK || response.status != 200) oauthFail(response, grant);
  return response;
}

/// The member a fresh token belongs to, from /v2/userinfo; empty when LinkedIn does not say.
std::string tokenAccount(const std::string& token) {
  try {
    const auto r = callApi("GET", "/v2/userinfo", token, "openid profile");
    const auto sub = host.string(r.body, "/sub");
    if (!sub) return {};
    return Json::object()
        .field("id", "urn:li:person:" + *sub)
        .field("name", host.string(r.body, "/name").value_or(""))
        .str();
  } catch (const Error&) {
    return {};  // the token itself is good; the account comes with list_accounts anyway
  }
}

/// The ABI's Token from LinkedIn's token answer.
std::string tokenReply(const HttpResponse& r, bool withAccount) {
  auto out = host.oauthToken(r.body, "LinkedIn");
  if (withAccount)
    if (auto account = tokenAccount(host.string(r.body, "/access_token").value_or("")); !account.empty())
      out.raw("account", account);
  if (auto refreshExpires = host.integer(r.body, "/refresh_token_expires_in"))
    out.raw("extra", Json::object().field("refreshTokenExpiresIn", *refreshExpires));
  return out.str();
}

}  // namespace

ms_status authorizeUrl(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto redirectUri = host.requiredString(json, "/redirectUri");
    const auto state = host.requiredString(json, "/state");
    std::string scopes;
    if (const auto type = host.get(json, "/scopes").type; type == MS_JSON_ARRAY) {
      const auto n = host.count(json, "/scopes");
      if (n > 50) throw Error(MS_ERR_INVALID_INPUT, "too many scopes");
      for (size_t i = 0; i < n; ++i)
        scopes += (i ? " " : "") + host.requiredString(json, "/scopes/" + std::to_string(i), 100);
    } else if (type != MS_JSON_NONE) {
      throw Error(MS_ERR_INVALID_INPUT, "/scopes must be an array of strings");
    }
    const auto url = authBase() + "/oauth/v2/authorization?" +
                     host.form({{"response_type", "code"},
                                {"client_id", requiredSetting("/client_id")},
                                {"redirect_uri", redirectUri},
                                {"state", state},
                                {"scope", scopes.empty() ? kDefaultScopes : scopes}});
    return Json::object().field("url", url).str();
  });
}

ms_status exchangeCode(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto code = host.requiredString(json, "/code");
    const auto redirectUri = host.requiredString(json, "/redirectUri");
    const auto r =
        postForm("/oauth/v2/accessToken",
                 {{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", redirectUri}}, Grant::Code);
    return tokenReply(r, true);
  });
}

ms_status refreshToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto refresh = host.requiredString(json, "/refreshToken");
    const auto r = postForm("/oauth/v2/accessToken", {{"grant_type", "refresh_token"}, {"refresh_token", refresh}},
                            Grant::Refresh);
    return tokenReply(r, false);
  });
}

ms_status revokeToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    postForm("/oauth/v2/revoke", {{"token", accessToken(json)}}, Grant::Revoke);
    return std::string("{}");
  });
}

}  // namespace linkedin
