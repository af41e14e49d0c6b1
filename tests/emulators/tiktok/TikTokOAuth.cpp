// Login Kit OAuth v2: the consent page (www.tiktok.com/v2/auth/authorize/), the token endpoint
// (authorization_code with TikTok's PKCE, refresh_token) and revoke, at open.tiktokapis.com/v2/oauth/
// (https://developers.tiktok.com/doc/login-kit-web, https://developers.tiktok.com/doc/login-kit-desktop,
// https://developers.tiktok.com/doc/oauth-user-access-token-management).
#include "ConsentPage.h"
#include "TikTokState.h"
#include "Tokens.h"

#include <Poco/URI.h>

#include <random>

namespace emulators {
namespace {

void sendOAuthError(Response& response, int status, const std::string& error, const std::string& description) {
  json::object body{{"error", error}, {"error_description", description}, {"log_id", "20261202OAUTH"}};
  marketsage::test::sendJson(response, status, json::serialize(body));
}

std::string newCode() {
  static std::mt19937_64 generator{std::random_device{}()};
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  return "code-" + std::to_string(generator());
}

/// Token requests carry their parameters in an application/x-www-form-urlencoded body only.
std::optional<std::map<std::string, std::string>> formBody(Request& request, Response& response) {
  const auto body = marketsage::test::readBody(request);
  if (request.getContentType().rfind("application/x-www-form-urlencoded", 0) != 0) {
    sendOAuthError(response, 400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded.");
    return std::nullopt;
  }
  if (!Poco::URI(request.getURI()).getRawQuery().empty()) {
    sendOAuthError(response, 400, "invalid_request", "Parameters must be sent in the request body.");
    return std::nullopt;
  }
  return marketsage::test::formParameters(request, body);
}

bool clientOk(const std::map<std::string, std::string>& form, Response& response) {
  const auto key = form.find("client_key"), secret = form.find("client_secret");
  if (key == form.end() || secret == form.end() || key->second != TikTokApi::clientKey ||
      secret->second != TikTokApi::clientSecret) {
    sendOAuthError(response, 401, "invalid_client", "Client key or secret is incorrect.");
    return false;
  }
  return true;
}

}  // namespace

void TikTokApi::State::authorization(Request& request, Response& response) {
  std::map<std::string, std::string> params;
  for (const auto& [name, value] : Poco::URI(request.getURI()).getQueryParameters()) params[name] = value;
  const auto get = [&](const char* name) {
    const auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  {
    std::lock_guard lock(mutex);
    lastAuthorization = params;
  }
  const auto redirectUri = get("redirect_uri");
  if (get("client_key") != clientKey || redirectUri.rfind("http", 0) != 0 || get("response_type") != "code" ||
      get("scope").empty()) {
    response.setStatus(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
    response.setContentType("text/html");
    response.send() << "<html><body>Something went wrong: client_key, redirect_uri, response_type=code and scope are "
                       "required</body></html>";
    return;
  }
  if (!get("code_challenge").empty() && get("code_challenge_method") != "S256") {
    response.setStatus(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
    response.send() << "code_challenge_method must be S256";
    return;
  }
  if (marketsage::test::showConsentPage(request.get("Accept", ""), params)) {
    std::vector<std::string> scopes;
    std::string current;
    for (const char c : get("scope") + ",") {
      if (c == ',') {
        if (!current.empty()) scopes.push_back(current);
        current.clear();
      } else {
        current += c;
      }
    }
    const auto html = marketsage::test::consentPage("TikTok", "MarketSage", scopes, "/v2/auth/authorize/", params);
    response.setContentType("text/html; charset=utf-8");
    response.setContentLength(static_cast<std::streamsize>(html.size()));
    response.send() << html;
    return;
  }
  const auto separator = redirectUri.find('?') == std::string::npos ? "?" : "&";
  if (get(marketsage::test::consentParameter) == "deny")
    return marketsage::test::redirect(
        response,
        redirectUri + separator +
            "error=access_denied&error_description=The%20user%20denied%20the%20request&state=" + get("state"));
  const auto code = newCode();
  {
    std::lock_guard lock(mutex);
    codes[code] = {redirectUri, get("scope"), get("code_challenge")};
  }
  std::string encodedState, encodedScopes;
  Poco::URI::encode(get("state"), "!#$&'()*+,/:;=?@[]", encodedState);
  Poco::URI::encode(get("scope"), "!#$&'()*+/:;=?@[]", encodedScopes);
  marketsage::test::redirect(
      response, redirectUri + separator + "code=" + code + "&scopes=" + encodedScopes + "&state=" + encodedState);
}

void TikTokApi::State::token(Request& request, Response& response) {
  const auto form = formBody(request, response);
  if (!form || !clientOk(*form, response)) return;
  const auto get = [&](const char* name) {
    const auto it = form->find(name);
    return it == form->end() ? std::string() : it->second;
  };
  std::lock_guard lock(mutex);
  std::string scopes, refresh;
  if (get("grant_type") == "authorization_code") {
    const auto it = codes.find(get("code"));
    if (it == codes.end()) return sendOAuthError(response, 400, "invalid_grant", "Authorization code is expired.");
    const auto code = it->second;
    codes.erase(it);  // single use
    if (code.redirectUri != get("redirect_uri"))
      return sendOAuthError(response, 400, "invalid_request", "Redirect URI does not match the authorization.");
    if (!code.challenge.empty() && marketsage::test::sha256Hex(get("code_verifier")) != code.challenge)
      return sendOAuthError(response, 400, "invalid_request", "Code verifier or code challenge is invalid.");
    scopes = code.scopes;
    refresh = "rft." + std::to_string(nextId++) + "-" + std::to_string(nowMs());
    refreshTokens[refresh] = {scopes, false};
  } else if (get("grant_type") == "refresh_token") {
    const auto old = get("refresh_token");
    const auto it = refreshTokens.find(old);
    if (it == refreshTokens.end() || it->second.revoked)
      return sendOAuthError(response, 400, "invalid_grant", "Refresh token is invalid or expired.");
    scopes = it->second.scopes;
    ++refreshGrants;
    // "Refresh tokens are rotated: a successful refresh request will return a new refresh_token in
    // place of the one you sent. The previous refresh token stops working once a new one is issued."
    // (https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token)
    it->second.revoked = true;
    refresh = "rft." + std::to_string(nextId++) + "-" + std::to_string(nowMs());
    refreshTokens[refresh] = {scopes, false};
    for (auto& [name, t] : tokens)
      if (t.refresh == old) t.refresh = refresh;  // the same grant: revoke still ends them all
  } else {
    return sendOAuthError(response, 400, "invalid_request", "grant_type is invalid.");
  }
  const auto access = mintToken(scopes, refresh);
  // Access tokens live 2 hours, refresh tokens 180 days (Manage OAuth Access Tokens, "Token lifetimes").
  json::object body{{"access_token", access},         {"expires_in", kAccessTokenSeconds}, {"open_id", openId},
                    {"refresh_expires_in", 15552000}, {"refresh_token", refresh},          {"scope", scopes},
                    {"token_type", "Bearer"}};
  marketsage::test::sendJson(response, 200, json::serialize(body));
}

void TikTokApi::State::revoke(Request& request, Response& response) {
  const auto form = formBody(request, response);
  if (!form || !clientOk(*form, response)) return;
  std::lock_guard lock(mutex);
  const auto it = form->find("token");
  const auto token = it == form->end() ? tokens.end() : tokens.find(it->second);
  if (token == tokens.end()) return sendOAuthError(response, 400, "invalid_request", "The token is invalid.");
  token->second.revoked = true;
  if (auto r = refreshTokens.find(token->second.refresh); r != refreshTokens.end()) r->second.revoked = true;
  for (auto& [name, t] : tokens)
    if (!t.refresh.empty() && t.refresh == token->second.refresh) t.revoked = true;
  ++revocations;
  marketsage::test::sendJson(response, 200, "{}");
}

}  // namespace emulators
