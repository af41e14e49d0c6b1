// OAuth 2.0 with Pinterest
// (https://developers.pinterest.com/docs/getting-started/set-up-authentication-and-authorization/): the consent page
// www.pinterest.com/oauth/ (scopes comma-separated), then POST /v5/oauth/token with the app's credentials in HTTP Basic
// and a form body: authorization_code, refresh_token. Pinterest documents no PKCE parameters, so the host's challenge
// is not sent (the app is a confidential client: its secret authenticates the exchange).
#include "Pinterest.h"

namespace pinterest {
namespace {

/// What the plugin calls: boards (list, pins of a board for reconcile), pins (create, delete,
/// analytics), the user account (health, analytics).
constexpr const char* kDefaultScopes = "boards:read,boards:write,pins:read,pins:write,user_accounts:read";

enum class Grant { Code, Refresh };

[[noreturn]] void oauthFail(const HttpResponse& r, Grant grant) {
  if (r.result != MS_OK)
    throw Error(r.result == MS_ERR_INVALID_INPUT ? MS_ERR_PERMANENT : MS_ERR_TRANSIENT,
                "Pinterest's token endpoint did not answer: " + shorten(r.error));
  if (r.status == 429) throw Error(MS_ERR_RATE_LIMITED, "Pinterest throttled the token endpoint", "429", retryAfter(r));
  if (r.status == 408 || r.status >= 500)
    throw Error(MS_ERR_TRANSIENT, "Pinterest's token endpoint failed: HTTP " + std::to_string(r.status));
  const auto code = host.integer(r.body, "/code");
  const auto platformCode =
      code ? std::to_string(*code) : host.string(r.body, "/error").value_or(std::to_string(r.status));
  const auto message =
      shorten(host.string(r.body, "/message").value_or(host.string(r.body, "/error_description").value_or("refused")));
  // 401: the app's own credentials (client_id/client_secret) were refused: the operator's
  // configuration, not the user's grant.
  if (r.status == 401)
    throw Error(MS_ERR_PERMANENT, "Pinterest refused the app credentials (client_id/client_secret): " + message,
                platformCode);
  throw Error(MS_ERR_AUTH_INVALID,
              grant == Grant::Code ? "Pinterest refused the authorization code: " + message
                                   : "Pinterest refused the refresh token (revoked or expired): " + message,
              platformCode);
}

std::string postToken(const std::vector<std::pair<std::string, std::string>>& fields, Grant grant) {
  const auto credentials = requiredSetting("/client_id") + ":" + requiredSetting("/client_secret");
  HttpRequest request;
  request.method = "POST";
  request.url = apiBase() + "/v5/oauth/token";
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Authorization", "Basic " + host.base64(credentials)},
                     {"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = host.form(fields);
  const auto r = host.http(request);
  if (r.result != MS_OK || r.status != 200) oauthFail(r, grant);
  // The ABI's Token from Pinterest's answer; a refresh answer without refresh_token keeps the old one.
  return host.oauthToken(r.body, "Pinterest").str();
}

}  // namespace

ms_status authorizeUrl(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto redirectUri = host.requiredString(json, "/redirectUri");
    const auto state = host.requiredString(json, "/state");
    host.optionalString(json, "/codeChallenge", 200);  // checked, not sent: Pinterest documents no PKCE
    std::string scopes;
    if (const auto type = host.get(json, "/scopes").type; type == MS_JSON_ARRAY) {
      const auto n = host.count(json, "/scopes");
      if (n > 30) throw Error(MS_ERR_INVALID_INPUT, "too many scopes");
      for (size_t i = 0; i < n; ++i)
        scopes += (i ? "," : "") + host.requiredString(json, "/scopes/" + std::to_string(i), 100);
    } else if (type != MS_JSON_NONE && type != MS_JSON_NULL) {
      throw Error(MS_ERR_INVALID_INPUT, "/scopes must be an array of strings");
    }
    const auto url = authBase() + "/oauth/?" +
                     host.form({{"client_id", requiredSetting("/client_id")},
                                {"redirect_uri", redirectUri},
                                {"response_type", "code"},
                                {"scope", scopes.empty() ? kDefaultScopes : scopes},
                                {"state", state}});
    return Json::object().field("url", url).str();
  });
}

ms_status exchangeCode(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto code = host.requiredString(json, "/code");
    const auto redirectUri = host.requiredString(json, "/redirectUri");
    host.optionalString(json, "/codeVerifier", 200);
    return postToken({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", redirectUri}},
                     Grant::Code);
  });
}

ms_status refreshToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto refresh = host.requiredString(json, "/refreshToken", 8192);
    return postToken({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}, Grant::Refresh);
  });
}

}  // namespace pinterest
