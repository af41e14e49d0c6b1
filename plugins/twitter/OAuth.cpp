// OAuth 2.0 Authorization Code with PKCE, confidential client (HTTP Basic at the token endpoint):
// https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
#include "Capabilities.h"
#include "Common.h"

namespace twitter {
namespace {

std::string clientId() {
  auto id = host.setting("/client_id", "");
  if (id.empty()) throw Error(MS_ERR_PERMANENT, "setting client_id is not configured");
  return id;
}

/// POST to an /2/oauth2 endpoint as a confidential client: Basic client_id:client_secret (when a
/// secret is configured; a public client sends client_id in the body, which X accepts either way).
sdk::HttpResponse oauthPost(const char* path, std::vector<std::pair<std::string, std::string>> form) {
  sdk::HttpRequest request;
  request.method = "POST";
  request.url = apiBase() + path;
  const auto id = clientId(), secret = host.setting("/client_secret", "");
  form.emplace_back("client_id", id);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  if (!secret.empty()) request.headers.emplace_back("Authorization", "Basic " + host.base64(id + ":" + secret));
  request.body = host.form(form);
  return send(request, "offline.access");
}

/// X's token answer as the ABI's Token. X rotates the refresh token on every refresh.
std::string tokenReply(const sdk::HttpResponse& r) { return host.oauthToken(r.body, "X").str(); }

}  // namespace

ms_status authorizeUrl(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto redirectUri = host.requiredString(json, "/redirectUri"),
               state = host.requiredString(json, "/state", 500);
    const auto challenge = host.requiredString(json, "/codeChallenge", 128);
    if (host.optionalString(json, "/codeChallengeMethod", 16).value_or("S256") != "S256")
      throw Error(MS_ERR_INVALID_INPUT, "only the S256 code challenge method is used");
    std::string scopes;
    for (const auto& scope : stringArray(json, "/scopes", 32)) scopes += (scopes.empty() ? "" : " ") + scope;
    const auto url = authBase() + "/i/oauth2/authorize?" +
                     host.form({{"response_type", "code"},
                                {"client_id", clientId()},
                                {"redirect_uri", redirectUri},
                                {"scope", scopes.empty() ? defaultScopes : scopes},
                                {"state", state},
                                {"code_challenge", challenge},
                                {"code_challenge_method", "S256"}});
    return sdk::Json::object().field("url", url).str();
  });
}

ms_status exchangeCode(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto code = host.requiredString(json, "/code"), redirectUri = host.requiredString(json, "/redirectUri");
    const auto verifier = host.requiredString(json, "/codeVerifier", 128);
    return tokenReply(oauthPost("/2/oauth2/token", {{"grant_type", "authorization_code"},
                                                    {"code", code},
                                                    {"redirect_uri", redirectUri},
                                                    {"code_verifier", verifier}}));
  });
}

ms_status refresh(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto refreshToken = host.requiredString(json, "/refreshToken");
    return tokenReply(oauthPost("/2/oauth2/token", {{"grant_type", "refresh_token"}, {"refresh_token", refreshToken}}));
  });
}

ms_status revoke(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto refreshToken = host.optionalString(json, "/refreshToken");
    oauthPost("/2/oauth2/revoke", {{"token", token}, {"token_type_hint", "access_token"}});
    // Revoking only the access token would leave the offline.access grant alive.
    if (refreshToken && !refreshToken->empty())
      oauthPost("/2/oauth2/revoke", {{"token", *refreshToken}, {"token_type_hint", "refresh_token"}});
    return std::string("{}");
  });
}

}  // namespace twitter
