// OAuth 2.0 for web server applications with Google
// (https://developers.google.com/identity/protocols/oauth2/web-server): authorization code with
// PKCE S256, offline access (a refresh token), incremental authorization, refresh and revoke.
// auth_base replaces both https://accounts.google.com (the consent page) and
// https://oauth2.googleapis.com (/token, /revoke), so one emulator can serve all three.
#include "YouTube.h"

namespace youtube {
namespace {

/// One scope covers everything the plugin calls: videos.insert, thumbnails.set,
/// playlistItems.insert, videos.delete, channels.list/videos.list/playlistItems.list of the
/// user's own channel. youtube.upload alone cannot delete or add to playlists (README "Scopes").
constexpr const char* kDefaultScopes = "https://www.googleapis.com/auth/youtube";

std::string consentBase() {
  const auto base = authBase();
  return base.empty() ? "https://accounts.google.com" : base;
}
std::string tokenBase() {
  const auto base = authBase();
  return base.empty() ? "https://oauth2.googleapis.com" : base;
}

enum class Grant { Code, Refresh };

/// Maps a refused token-endpoint answer ({"error", "error_description"}).
[[noreturn]] void oauthFail(const HttpResponse& r, Grant grant) {
  if (r.result != MS_OK) throw Error(MS_ERR_TRANSIENT, "Google's token endpoint did not answer: " + shorten(r.error));
  if (r.status == 429 || r.status >= 500)
    throw Error(MS_ERR_TRANSIENT, "Google's token endpoint failed: HTTP " + std::to_string(r.status));
  const auto error = host.string(r.body, "/error").value_or(std::to_string(r.status));
  const auto description = shorten(host.string(r.body, "/error_description").value_or(error));
  // The app's OAuth client itself is refused (unknown, deleted or disabled in the Cloud console,
  // not allowed this grant, wrong redirect URI): the operator's configuration, not the user's.
  if (error == "invalid_client" || error == "unauthorized_client" || error == "redirect_uri_mismatch" ||
      error == "deleted_client" || error == "disabled_client")
    throw Error(MS_ERR_PERMANENT,
                "Google refused the app credentials (client_id/client_secret/redirect URI): " + description, error);
  if (error == "invalid_grant")
    throw Error(MS_ERR_AUTH_INVALID,
                grant == Grant::Code ? "Google refused the authorization code: " + description
                                     : "Google refused the refresh token (revoked, expired or reset): " + description,
                error);
  throw Error(MS_ERR_AUTH_INVALID, "Google refused the grant: " + description, error);
}

HttpResponse postToken(std::vector<std::pair<std::string, std::string>> fields, Grant grant) {
  fields.emplace_back("client_id", requiredSetting("/client_id"));
  fields.emplace_back("client_secret", requiredSetting("/client_secret"));
  HttpRequest request;
  request.method = "POST";
  request.url = tokenBase() + "/token";
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = host.form(fields);
  auto response = host.http(request);
  if (response.result != MS_OK || response.status != 200) oauthFail(response, grant);
  return response;
}

/// The ABI's Token from Google's token answer. A refresh answer carries no refresh_token: the
/// reply then leaves refreshToken out, and the host keeps the one it has.
std::string tokenReply(const HttpResponse& r) { return host.oauthToken(r.body, "Google").str(); }

}  // namespace

ms_status authorizeUrl(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto redirectUri = host.requiredString(json, "/redirectUri");
    const auto state = host.requiredString(json, "/state");
    const auto challenge = host.requiredString(json, "/codeChallenge", 200);
    const auto method = optionalString(json, "/codeChallengeMethod", 10);
    if (!method.empty() && method != "S256") throw Error(MS_ERR_INVALID_INPUT, "/codeChallengeMethod must be S256");
    std::string scopes;
    if (const auto type = host.get(json, "/scopes").type; type == MS_JSON_ARRAY) {
      const auto n = host.count(json, "/scopes");
      if (n > 20) throw Error(MS_ERR_INVALID_INPUT, "too many scopes");
      for (size_t i = 0; i < n; ++i)
        scopes += (i ? " " : "") + host.requiredString(json, "/scopes/" + std::to_string(i), 200);
    } else if (type != MS_JSON_NONE && type != MS_JSON_NULL) {
      throw Error(MS_ERR_INVALID_INPUT, "/scopes must be an array of strings");
    }
    const auto url = consentBase() + "/o/oauth2/v2/auth?" +
                     host.form({{"client_id", requiredSetting("/client_id")},
                                {"redirect_uri", redirectUri},
                                {"response_type", "code"},
                                {"scope", scopes.empty() ? kDefaultScopes : scopes},
                                {"access_type", "offline"},
                                {"prompt", "consent"},
                                {"include_granted_scopes", "true"},
                                {"state", state},
                                {"code_challenge", challenge},
                                {"code_challenge_method", "S256"}});
    return Json::object().field("url", url).str();
  });
}

ms_status exchangeCode(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto code = host.requiredString(json, "/code");
    const auto redirectUri = host.requiredString(json, "/redirectUri");
    const auto verifier = host.requiredString(json, "/codeVerifier", 200);
    return tokenReply(postToken({{"code", code},
                                 {"code_verifier", verifier},
                                 {"grant_type", "authorization_code"},
                                 {"redirect_uri", redirectUri}},
                                Grant::Code));
  });
}

ms_status refreshToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto refresh = host.requiredString(json, "/refreshToken", 8192);
    return tokenReply(postToken({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}, Grant::Refresh));
  });
}

/// Revoking the refresh token ends the whole grant (its access tokens too); an access token is
/// revoked when there is no refresh token. A token Google no longer knows is already revoked.
ms_status revokeToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    auto token = optionalString(json, "/refreshToken", 8192);
    if (token.empty()) token = accessToken(json);
    HttpRequest request;
    request.method = "POST";
    request.url = tokenBase() + "/revoke";
    request.timeoutMs = httpTimeoutMs();
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = host.form({{"token", token}});
    const auto r = host.http(request);
    if (r.result != MS_OK)
      throw Error(MS_ERR_TRANSIENT, "Google's revoke endpoint did not answer: " + shorten(r.error));
    if (r.status == 200 || (r.status == 400 && host.string(r.body, "/error").value_or("") == "invalid_token"))
      return std::string("{}");
    throw Error(r.status >= 500 ? MS_ERR_TRANSIENT : MS_ERR_PERMANENT,
                "Google refused to revoke the token: HTTP " + std::to_string(r.status),
                host.string(r.body, "/error").value_or(""));
  });
}

}  // namespace youtube
