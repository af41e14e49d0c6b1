// LinkedIn's Authorization Code Flow (3-legged OAuth): consent redirect, accessToken for codes and
// programmatic refresh tokens (the refresh token keeps its first expiry), and revoke.
#include "LinkedInState.h"

#include <Poco/URI.h>

#include <algorithm>
#include <sstream>

namespace emulators {
namespace {

constexpr int kAccessTokenSeconds = 60 * 24 * 3600;    // 60 days
constexpr int kRefreshTokenSeconds = 365 * 24 * 3600;  // one year

void oauthError(Response& response, int status, const std::string& error, const std::string& description) {
  marketsage::test::sendJson(response, status,
                             json::serialize(json::object{{"error", error}, {"error_description", description}}));
}

/// LinkedIn answers the granted scopes comma-separated.
std::string commaScopes(const std::string& spaced) {
  std::string out = spaced;
  std::replace(out.begin(), out.end(), ' ', ',');
  return out;
}

}  // namespace

void LinkedInApi::State::authorization(Request& request, Response& response) {
  auto q = marketsage::test::formParameters(request, "");
  if (q["response_type"] != "code" || q["client_id"] != clientId || q["redirect_uri"].empty() || q["scope"].empty())
    return oauthError(response, 400, "invalid_request",
                      "response_type, client_id, redirect_uri and scope are required");
  std::lock_guard lock(mutex);
  // redirect_uri must be one of the app's Authorized Redirect URLs, exactly, and cannot include a #
  // (https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow, steps 1
  // and 2). LinkedIn then shows this page instead of redirecting (as apps report it, e.g.
  // github.com/mbilling/PBIConnectors/issues/25).
  const auto& redirectUri = q["redirect_uri"];
  const bool absolute = redirectUri.rfind("https://", 0) == 0 || redirectUri.rfind("http://", 0) == 0;
  if (redirectUris.empty() ? !absolute || redirectUri.find('#') != std::string::npos
                           : !redirectUris.count(redirectUri)) {
    static const std::string page = "The redirect_uri does not match the registered value";
    response.setStatus(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
    response.setContentType("text/plain");
    response.setContentLength(static_cast<std::streamsize>(page.size()));
    response.send() << page;
    return;
  }
  Poco::URI back(redirectUri);
  // scope is space-delimited; a scope the app's products do not grant (unknown ones included) sends
  // the member back with unauthorized_scope_error, LinkedIn's wording HTML-escaped as it sends it
  // (github.com/cuongdevjs/reactjs-social-login/issues/178, github.com/tigillo/linkedin-cli/issues/3).
  std::istringstream words(q["scope"]);
  for (std::string scope; words >> scope;) {
    if (appScopes.count(scope)) continue;
    back.addQueryParameter("error", "unauthorized_scope_error");
    back.addQueryParameter("error_description",
                           "Scope &quot;" + scope + "&quot; is not authorized for your application");
    if (!q["state"].empty()) back.addQueryParameter("state", q["state"]);
    return marketsage::test::redirect(response, back.toString());
  }
  const std::string code = "AQT" + newId();
  codes[code] = {redirectUri, q["scope"]};
  // The member consents at once: back to the app with the code and the state.
  back.addQueryParameter("code", code);
  if (!q["state"].empty()) back.addQueryParameter("state", q["state"]);
  marketsage::test::redirect(response, back.toString());
}

void LinkedInApi::State::accessToken(Request& request, Response& response) {
  if (request.getContentType().rfind("application/x-www-form-urlencoded", 0) != 0)
    return oauthError(response, 400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
  auto form = marketsage::test::formParameters(request, marketsage::test::readBody(request));
  if (form["client_id"] != clientId || form["client_secret"] != clientSecret)
    return oauthError(response, 401, "invalid_client", "Client authentication failed");
  std::lock_guard lock(mutex);
  json::object answer;
  std::string scopes, refresh;
  if (form["grant_type"] == "authorization_code") {
    // The same redirect_uri as the authorization request, exactly (authorization-code-flow, step 3).
    const auto it = codes.find(form["code"]);
    if (it == codes.end() || it->second.redirectUri != form["redirect_uri"])
      return oauthError(response, 400, "invalid_request",
                        "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
                        "authorization code. Or authorization code expired.");
    scopes = it->second.scopes;
    codes.erase(it);  // single use
    if (refreshEnabled) {
      refresh = "AQX" + newId() + "r";
      refreshTokens[refresh] = {scopes, nowMs() + kRefreshTokenSeconds * 1000LL};
      issued.push_back(refresh);
    }
  } else if (form["grant_type"] == "refresh_token") {
    if (!refreshEnabled)
      return oauthError(response, 400, "unauthorized_client",
                        "The client is not authorized to request a token using this method");
    const auto it = refreshTokens.find(form["refresh_token"]);
    if (it == refreshTokens.end() || it->second.expiresAtMs <= nowMs())
      return oauthError(response, 400, "invalid_grant", "Token has been expired or revoked.");
    scopes = it->second.scopes;
    refresh = it->first;  // not rotated: same token, same end of life
    ++refreshGrants;
  } else {
    return oauthError(response, 400, "unsupported_grant_type", "grant_type is not supported");
  }
  answer["access_token"] = mintToken(scopes, kAccessTokenSeconds);
  answer["expires_in"] = kAccessTokenSeconds;
  if (!refresh.empty()) {
    answer["refresh_token"] = refresh;
    answer["refresh_token_expires_in"] = (refreshTokens[refresh].expiresAtMs - nowMs()) / 1000;
  }
  answer["scope"] = commaScopes(scopes);
  marketsage::test::sendJson(response, 200, json::serialize(answer));
}

void LinkedInApi::State::revoke(Request& request, Response& response) {
  auto form = marketsage::test::formParameters(request, marketsage::test::readBody(request));
  if (form["client_id"] != clientId || form["client_secret"] != clientSecret)
    return oauthError(response, 401, "invalid_client", "Client authentication failed");
  if (form["token"].empty()) return oauthError(response, 400, "invalid_request", "token is required");
  std::lock_guard lock(mutex);
  if (auto it = tokens.find(form["token"]); it != tokens.end()) it->second.revoked = true;
  ++revocations;
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentLength(0);
  response.send();
}

}  // namespace emulators
