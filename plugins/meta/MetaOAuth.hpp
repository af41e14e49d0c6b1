// Facebook Login for both plugins: the Login dialog URL, code exchange, long-lived token exchange,
// "refresh" by re-exchange, revoke, and the token health check.
// https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
// https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
// https://developers.facebook.com/docs/facebook-login/guides/permissions/request-revoke
#ifndef MARKETSAGE_META_OAUTH_HPP
#define MARKETSAGE_META_OAUTH_HPP

#include "GraphApi.hpp"

namespace marketsage::meta {

/// The scopes a connect asks for, comma-separated: the request's "scopes", or `defaultScopes`.
inline std::string requestedScopes(std::string_view request, const char* defaultScopes) {
  std::string scopes;
  const std::size_t n = optionalArraySize(request, "/scopes", 100);
  for (std::size_t i = 0; i < n; ++i)
    scopes += (i ? "," : "") + host.requiredString(request, "/scopes/" + std::to_string(i), 200);
  return scopes.empty() ? defaultScopes : scopes;
}

/// The Login dialog URL: {auth_base}/{version}/dialog/oauth?client_id&redirect_uri&state&…
inline std::string authorizeUrl(std::string_view request, const char* defaultScopes) {
  const auto redirectUri = host.requiredString(request, "/redirectUri");
  const auto state = host.requiredString(request, "/state");
  const auto challenge = host.requiredString(request, "/codeChallenge");
  const auto scopes = requestedScopes(request, defaultScopes);
  const auto url = host.setting("/auth_base", "https://www.facebook.com") + "/" + apiVersion() + "/dialog/oauth?" +
                   host.form({{"client_id", requiredSetting("/client_id")},
                              {"redirect_uri", redirectUri},
                              {"state", state},
                              {"response_type", "code"},
                              {"scope", scopes},
                              {"code_challenge", challenge},
                              {"code_challenge_method", "S256"}});
  return Json::object().field("url", url).str();
}

/// GET {api_base}/{version}/oauth/access_token with `params` and the app credentials.
inline std::string tokenCall(Params params) {
  params.emplace_back("client_id", requiredSetting("/client_id"));
  params.emplace_back("client_secret", requiredSetting("/client_secret"));
  sdk::HttpRequest request;
  request.url = graphBase() + "/oauth/access_token?" + host.form(params);
  return sendGraph(request, Effect::Repeatable, true);
}

/// Trades a still-valid user token for a long-lived one (about 60 days); the ABI Token reply.
inline std::string longLivedToken(const std::string& token) {
  const auto body = tokenCall({{"grant_type", "fb_exchange_token"}, {"fb_exchange_token", token}});
  const auto access = host.string(body, "/access_token");
  if (!access || access->empty()) throw Error(MS_ERR_PERMANENT, "the token exchange answered no access_token");
  auto reply = Json::object().field("accessToken", *access);
  if (const auto expires = host.integer(body, "/expires_in"); expires && *expires > 0)
    reply.field("expiresIn", *expires);
  return reply.str();
}

/// The permissions the user granted (status "granted" in GET /me/permissions): a user may decline
/// some of those asked for, so the connection records what it really holds.
/// https://developers.facebook.com/docs/graph-api/reference/user/permissions/
inline std::string grantedScopes(const std::string& token) {
  const auto body = Graph(token).get("/me/permissions", {});
  const auto doc = host.parse(body);
  auto scopes = Json::array();
  for (std::size_t i = 0, n = doc.count("/data"); i < n; ++i) {
    const auto at = "/data/" + std::to_string(i);
    if (doc.string((at + "/status").c_str()).value_or("") != "granted") continue;
    if (const auto permission = doc.string((at + "/permission").c_str())) scopes.push(*permission);
  }
  return scopes.str();
}

/// Code -> short-lived user token -> long-lived user token, with the permissions granted.
inline std::string exchangeCode(std::string_view request) {
  const auto code = host.requiredString(request, "/code");
  const auto redirectUri = host.requiredString(request, "/redirectUri");
  const auto verifier = host.requiredString(request, "/codeVerifier");
  const auto body = tokenCall({{"redirect_uri", redirectUri}, {"code", code}, {"code_verifier", verifier}});
  const auto shortLived = host.string(body, "/access_token");
  if (!shortLived || shortLived->empty()) throw Error(MS_ERR_PERMANENT, "the code exchange answered no access_token");
  auto reply = longLivedToken(*shortLived);
  const auto longLived = host.string(reply, "/accessToken").value_or("");
  reply.pop_back();  // the object's closing brace
  return reply + ",\"scopes\":" + grantedScopes(longLived) + "}";
}

/// Meta has no refresh token: a still-valid long-lived token is exchanged again; an expired or
/// revoked one is refused by Graph (code 190) and the user must reconnect (AUTH_INVALID).
inline std::string refreshToken(std::string_view request) {
  const auto token = host.requiredString(request, "/refreshToken");
  return longLivedToken(token);
}

/// DELETE /me/permissions: removes the app's authorization for the token's user.
inline std::string revokeToken(std::string_view request) {
  Graph(host.requiredString(request, "/accessToken")).del("/me/permissions");
  return "{}";
}

/// Cheapest authenticated call: GET /me?fields=id (the Page for a Page token).
inline std::string checkToken(std::string_view request) {
  const auto body = Graph(host.requiredString(request, "/accessToken")).get("/me", {{"fields", "id"}});
  auto reply = Json::object().field("healthy", true);
  if (const auto id = host.string(body, "/id")) reply.field("accountId", *id);
  return reply.str();
}

/// A ms_call_fn body: parses the request as an object, runs `work`, guards everything.
template <class Work>
ms_status call(const char* req, std::size_t len, const ms_reply* reply, Work&& work) noexcept {
  return sdk::guard(req, len, reply, [&] { return work(host.objectRequest(req, len)); });
}

}  // namespace marketsage::meta

#endif  // MARKETSAGE_META_OAUTH_HPP
