// OAuth 2.0 Authorization Code with PKCE as X runs it
// (https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code): consent at
// /i/oauth2/authorize, token and revocation at /2/oauth2/token and /2/oauth2/revoke, confidential
// clients authenticated with HTTP Basic. X answers rejected grants with invalid_request.
#include "ConsentPage.h"
#include "Tokens.h"
#include "XImpl.h"

#include <Poco/Base64Decoder.h>
#include <Poco/URI.h>

#include <sstream>

namespace emulators {
namespace {

const std::set<std::string> knownScopes = {"tweet.read",  "tweet.write",   "tweet.moderate.write", "users.read",
                                           "users.email", "follows.read",  "follows.write",        "offline.access",
                                           "space.read",  "mute.read",     "mute.write",           "like.read",
                                           "like.write",  "list.read",     "list.write",           "block.read",
                                           "block.write", "bookmark.read", "bookmark.write",       "media.write",
                                           "dm.read",     "dm.write"};

Reply oauthError(int status, const std::string& error, const std::string& description) {
  return json(status, boost::json::object{{"error", error}, {"error_description", description}});
}

/// True when the request carries "Authorization: Basic base64(client_id:client_secret)".
bool clientAuthenticated(const Request& r) {
  if (r.authorization.rfind("Basic ", 0) != 0) return false;
  std::istringstream in(r.authorization.substr(6));
  Poco::Base64Decoder decoder(in);
  std::string credentials((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  return credentials == std::string(XApi::clientId) + ":" + XApi::clientSecret;
}

std::string encoded(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "&=+#?/", out);
  return out;
}

}  // namespace

Reply XApi::Impl::authorize(const Request& r) {
  const auto redirectUri = r.param("redirect_uri"), state = r.param("state");
  if (r.param("client_id") != XApi::clientId || redirectUri.empty())
    return Reply{400, "Something went wrong: the app's client_id or redirect_uri is not valid.", "text/plain", {}};
  auto errorRedirect = [&](const std::string& error) {
    return Reply{302, "", "text/plain", {{"Location", redirectUri + "?error=" + error + "&state=" + encoded(state)}}};
  };
  const auto method = r.param("code_challenge_method");
  if (r.param("response_type") != "code" || state.empty() || r.param("code_challenge").empty() ||
      (method != "S256" && method != "plain"))
    return errorRedirect("invalid_request");
  std::set<std::string> scopes;
  std::istringstream words(r.param("scope"));
  for (std::string scope; words >> scope;) {
    if (!knownScopes.count(scope)) return errorRedirect("invalid_scope");
    scopes.insert(scope);
  }
  if (scopes.empty()) return errorRedirect("invalid_scope");
  // A browser sees the consent page first; its buttons come back here with `consent`.
  if (marketsage::test::showConsentPage(r.raw ? r.raw->get("Accept", "") : "", r.query))
    return Reply{200,
                 marketsage::test::consentPage("X", "MarketSage", {scopes.begin(), scopes.end()}, r.path, r.query),
                 "text/html; charset=utf-8",
                 {}};
  if (r.param(marketsage::test::consentParameter) == "deny") return errorRedirect("access_denied");  // "Cancel"
  const auto code = newToken("xcode-");
  codes[code] = Code{r.param("code_challenge"), method, redirectUri, scopes};
  const char* separator = redirectUri.find('?') == std::string::npos ? "?" : "&";
  return Reply{
      302, "", "text/plain", {{"Location", redirectUri + separator + "state=" + encoded(state) + "&code=" + code}}};
}

Reply XApi::Impl::token(const Request& r) {
  if (!clientAuthenticated(r)) return oauthError(401, "unauthorized_client", "Missing valid authorization header");
  const auto grantType = r.param("grant_type");
  boost::json::object reply;
  if (grantType == "authorization_code") {
    for (const char* required : {"code", "redirect_uri", "code_verifier"})
      if (r.param(required).empty())
        return oauthError(400, "invalid_request", std::string("Missing required parameter [") + required + "].");
    const auto it = codes.find(r.param("code"));
    if (it == codes.end())
      return oauthError(400, "invalid_request", "Value passed for the authorization code was invalid.");
    const Code code = it->second;
    codes.erase(it);  // single use, even when the exchange fails below
    // redirect_uri must be the one of /authorize, exactly (RFC 6749 section 4.1.3; X's token request
    // repeats it: https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token).
    if (code.redirectUri != r.param("redirect_uri"))
      return oauthError(400, "invalid_request",
                        "Value passed for the redirect uri did not match the uri of the authorization code.");
    const auto verifier = r.param("code_verifier");
    if ((code.method == "S256" ? marketsage::test::pkceS256(verifier) : verifier) != code.challenge)
      return oauthError(400, "invalid_request", "Value passed for the code verifier did not match the code challenge.");
    grantTokens(XApi::userId, code.scopes, reply);
    return json(200, reply);
  }
  if (grantType == "refresh_token") {
    const auto it = refreshTokens.find(r.param("refresh_token"));
    if (it == refreshTokens.end()) return oauthError(400, "invalid_request", "Value passed for the token was invalid.");
    const Grant grant = it->second;
    refreshTokens.erase(it);  // X rotates refresh tokens: the old one is dead now
    ++refreshGrants;
    grantTokens(grant.userId, grant.scopes, reply);
    return json(200, reply);
  }
  return oauthError(400, "unsupported_grant_type", "Value passed for the grant type was invalid.");
}

Reply XApi::Impl::revoke(const Request& r) {
  if (!clientAuthenticated(r)) return oauthError(401, "unauthorized_client", "Missing valid authorization header");
  const auto token = r.param("token");
  if (token.empty()) return oauthError(400, "invalid_request", "Missing required parameter [token].");
  if (accessTokens.erase(token) + refreshTokens.erase(token) > 0) ++revocations;
  return json(200, boost::json::object{{"revoked", true}});  // RFC 7009: unknown tokens revoke fine too
}

}  // namespace emulators
