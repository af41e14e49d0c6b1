// Google's OAuth 2.0 for web server applications: the consent page (/o/oauth2/v2/auth), the token
// endpoint (/token: authorization_code with PKCE, refresh_token) and /revoke.
#include "Tokens.h"
#include "YouTubeState.h"

#include <Poco/URI.h>

#include <sstream>

namespace emulators {
namespace {

std::string randomCode() { return marketsage::test::randomText("4/0A", 32, marketsage::test::kHex); }

void oauthError(Response& response, int status, const std::string& error, const std::string& description) {
  marketsage::test::sendJson(response, status,
                             json::serialize(json::object{{"error", error}, {"error_description", description}}));
}

bool knownScope(const std::string& scope) {
  return scope == YouTubeApi::scopeYoutube || scope == YouTubeApi::scopeUpload || scope == YouTubeApi::scopeReadonly ||
         scope == "https://www.googleapis.com/auth/youtube.force-ssl" ||
         scope == "https://www.googleapis.com/auth/yt-analytics.readonly" || scope == "openid" || scope == "email" ||
         scope == "profile";
}

}  // namespace

void YouTubeApi::State::authorization(Request& request, Response& response) {
  const auto query = marketsage::test::formParameters(request, "");
  const auto get = [&](const char* name) {
    const auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  };
  std::lock_guard lock(mutex);
  lastAuthorization = query;
  const auto redirectUri = get("redirect_uri");
  // Errors before the redirect URI is trusted are shown to the user, never redirected.
  if (get("client_id") != clientId)
    return oauthError(response, 401, "invalid_client", "The OAuth client was not found.");
  const bool absolute = redirectUri.rfind("http://", 0) == 0 || redirectUri.rfind("https://", 0) == 0;
  if (!absolute || redirectUri.find('#') != std::string::npos ||
      (!redirectUris.empty() && !redirectUris.count(redirectUri)))
    return oauthError(response, 400, "redirect_uri_mismatch",
                      "The redirect URI in the request does not match the ones authorized for the OAuth client.");
  const auto encode = [](const std::string& text) {
    std::string out;
    Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]", out);
    return out;
  };
  const auto fail = [&](const std::string& error) {
    marketsage::test::redirect(response, redirectUri + (redirectUri.find('?') == std::string::npos ? "?" : "&") +
                                             "error=" + error + "&state=" + encode(get("state")));
  };
  if (get("response_type") != "code") return fail("unsupported_response_type");
  std::istringstream words(get("scope"));
  std::string scopes;
  for (std::string scope; words >> scope;) {
    if (!knownScope(scope)) return fail("invalid_scope");
    scopes += (scopes.empty() ? "" : " ") + scope;
  }
  if (scopes.empty()) return fail("invalid_scope");
  // This emulated app requires PKCE with S256 (Google accepts plain too, but nobody should send it).
  if (get("code_challenge").size() < 43 || get("code_challenge_method") != "S256") return fail("invalid_request");
  const auto code = randomCode();
  codes[code] = Code{redirectUri, scopes, get("code_challenge"), get("access_type") == "offline"};
  marketsage::test::redirect(response, redirectUri + (redirectUri.find('?') == std::string::npos ? "?" : "&") +
                                           "state=" + encode(get("state")) + "&code=" + encode(code) +
                                           "&scope=" + encode(scopes));
}

void YouTubeApi::State::token(Request& request, Response& response) {
  const auto body = marketsage::test::readBody(request);
  if (request.getContentType().rfind("application/x-www-form-urlencoded", 0) != 0)
    return oauthError(response, 400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
  // The token request's parameters travel in the form body; a secret in the URL is refused.
  for (const auto& [name, value] : Poco::URI(request.getURI()).getQueryParameters())
    if (name == "client_secret" || name == "code" || name == "refresh_token" || name == "code_verifier")
      return oauthError(response, 400, "invalid_request", "Parameters must be sent in the request body");
  auto form = marketsage::test::formParameters(request, body);
  std::lock_guard lock(mutex);
  if (clientDeleted) return oauthError(response, 401, "deleted_client", "The OAuth client was deleted.");
  if (form["client_id"] != clientId || form["client_secret"] != clientSecret)
    return oauthError(response, 401, "invalid_client", "Unauthorized");
  const auto grant = form["grant_type"];
  json::object answer{{"token_type", "Bearer"}, {"expires_in", answeredLifetime}};
  if (grant == "authorization_code") {
    const auto it = codes.find(form["code"]);
    if (it == codes.end()) return oauthError(response, 400, "invalid_grant", "Malformed auth code.");
    const auto code = it->second;
    codes.erase(it);  // single use, even when refused below
    if (form["redirect_uri"] != code.redirectUri)
      return oauthError(response, 400, "redirect_uri_mismatch", "Bad Request");
    if (form["code_verifier"].empty() || marketsage::test::pkceS256(form["code_verifier"]) != code.challenge)
      return oauthError(response, 400, "invalid_grant", "Invalid code verifier.");
    std::string refresh;
    if (code.offline) {
      refresh = "1//0g" + randomCode().substr(4);
      refreshTokens[refresh] = Refresh{code.scopes, false};
      issued.push_back(refresh);
      answer["refresh_token"] = refresh;
    }
    answer["access_token"] = mintToken(code.scopes, refresh);
    answer["scope"] = code.scopes;
  } else if (grant == "refresh_token") {
    const auto it = refreshTokens.find(form["refresh_token"]);
    if (it == refreshTokens.end() || it->second.revoked)
      return oauthError(response, 400, "invalid_grant", "Token has been expired or revoked.");
    ++refreshGrants;
    // A refresh answer carries no new refresh_token: the old one stays valid.
    answer["access_token"] = mintToken(it->second.scopes, it->first);
    answer["scope"] = it->second.scopes;
  } else {
    return oauthError(response, 400, "unsupported_grant_type", "Invalid grant_type: " + grant);
  }
  marketsage::test::sendJson(response, 200, json::serialize(answer));
}

void YouTubeApi::State::revoke(Request& request, Response& response) {
  const auto body = marketsage::test::readBody(request);
  auto form = marketsage::test::formParameters(request, body);
  std::lock_guard lock(mutex);
  const auto token = form["token"];
  if (auto it = refreshTokens.find(token); it != refreshTokens.end() && !it->second.revoked) {
    it->second.revoked = true;  // the grant ends: its access tokens too
    for (auto& [name, t] : tokens)
      if (t.refresh == token) t.revoked = true;
  } else if (auto at = tokens.find(token); at != tokens.end() && !at->second.revoked) {
    at->second.revoked = true;
  } else {
    return oauthError(response, 400, "invalid_token", "Token expired or revoked");
  }
  ++revocations;
  marketsage::test::sendJson(response, 200, "{}");
}

}  // namespace emulators
