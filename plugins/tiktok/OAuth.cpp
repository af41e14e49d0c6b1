// Login Kit OAuth v2 (https://developers.tiktok.com/doc/login-kit-web,
// https://developers.tiktok.com/doc/oauth-user-access-token-management): the consent page at
// www.tiktok.com/v2/auth/authorize/, the token, refresh and revoke endpoints at
// open.tiktokapis.com/v2/oauth/, and the user's account from /v2/user/info/.
// TikTok names the app's id client_key; the host's setting is client_id.
#include "TikTok.h"

#include <array>

namespace tiktok {
namespace {

/// user.info.basic (the account), user.info.stats (followers for insights), video.publish
/// (direct post), video.list (video/query for post insights and video/list).
constexpr const char* kDefaultScopes = "user.info.basic,user.info.stats,video.publish,video.list";

/// TikTok's PKCE (Login Kit for Desktop) wants the challenge as the hex of SHA-256(verifier);
/// the host hands the RFC 7636 form, base64url of the same 32 bytes. "" when it is not one.
std::string hexChallenge(const std::string& base64url) {
  std::array<int, 256> value{};
  value.fill(-1);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t i = 0; i < alphabet.size(); ++i) value[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  std::string bytes;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : base64url) {
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0) return {};
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if (bytes.size() != 32) return {};
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out += hex[(static_cast<unsigned char>(c) >> 4) & 15];
    out += hex[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

bool pkce() {
  const auto v = host.setting("/pkce");
  return !(v.type == MS_JSON_BOOL && v.text == "false");
}

enum class Grant { Code, Refresh };

/// A refused token-endpoint answer: {"error", "error_description", "log_id"}.
[[noreturn]] void oauthFail(const HttpResponse& r, Grant grant) {
  if (r.result != MS_OK) throw Error(MS_ERR_TRANSIENT, "TikTok's token endpoint did not answer: " + shorten(r.error));
  if (r.status == 429)
    throw Error(MS_ERR_RATE_LIMITED, "TikTok throttled the token endpoint", "rate_limit_exceeded", 60);
  if (r.status >= 500)
    throw Error(MS_ERR_TRANSIENT, "TikTok's token endpoint failed: HTTP " + std::to_string(r.status));
  const auto error = host.string(r.body, "/error").value_or(std::to_string(r.status));
  const auto description = shorten(host.string(r.body, "/error_description").value_or(error));
  if (error == "invalid_client" || error == "unauthorized_client")
    throw Error(MS_ERR_PERMANENT, "TikTok refused the app credentials (client_id/client_secret): " + description,
                error);
  if (error == "invalid_grant" || error == "invalid_request")
    throw Error(MS_ERR_AUTH_INVALID,
                grant == Grant::Code ? "TikTok refused the authorization code: " + description
                                     : "TikTok refused the refresh token (revoked or expired): " + description,
                error);
  throw Error(MS_ERR_AUTH_INVALID, "TikTok refused the grant: " + description, error);
}

HttpResponse postOAuth(const char* path, std::vector<std::pair<std::string, std::string>> fields) {
  fields.insert(fields.begin(),
                {{"client_key", requiredSetting("/client_id")}, {"client_secret", requiredSetting("/client_secret")}});
  HttpRequest request;
  request.method = "POST";
  request.url = apiBase() + path;
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cache-Control", "no-cache"}};
  request.body = host.form(fields);
  return host.http(request);
}

HttpResponse postToken(std::vector<std::pair<std::string, std::string>> fields, Grant grant) {
  auto r = postOAuth("/v2/oauth/token/", std::move(fields));
  // Errors come as {"error": "invalid_grant", …}, with a 4xx or even a 200.
  if (r.result != MS_OK || r.status != 200 || host.string(r.body, "/error").has_value()) oauthFail(r, grant);
  return r;
}

/// The ABI's Token from TikTok's answer, with the account (open_id and, when user/info answers,
/// display_name).
std::string tokenReply(const HttpResponse& r, bool withAccount) {
  auto out = host.oauthToken(r.body, "TikTok");
  const auto token = host.string(r.body, "/access_token").value_or("");
  const auto openId = host.string(r.body, "/open_id").value_or("");
  if (withAccount && !openId.empty()) {
    std::string name = openId;
    const auto user = send("GET", "/v2/user/info/?fields=open_id,union_id,avatar_url,display_name", token);
    if (succeeded(user)) name = host.string(user.body, "/data/user/display_name").value_or(openId);
    out.raw("account", Json::object().field("id", openId).field("name", name.empty() ? openId : name));
  }
  return out.str();
}

}  // namespace

ms_status authorizeUrl(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto redirectUri = host.requiredString(json, "/redirectUri");
    const auto state = host.requiredString(json, "/state");
    const auto challenge = host.requiredString(json, "/codeChallenge", 200);
    const auto method = host.optionalString(json, "/codeChallengeMethod", 10).value_or("S256");
    if (method != "S256") throw Error(MS_ERR_INVALID_INPUT, "/codeChallengeMethod must be S256");
    const auto hex = hexChallenge(challenge);
    if (hex.empty()) throw Error(MS_ERR_INVALID_INPUT, "/codeChallenge must be base64url of a SHA-256 digest");
    std::string scopes;
    if (const auto type = host.get(json, "/scopes").type; type == MS_JSON_ARRAY) {
      const auto n = host.count(json, "/scopes");
      if (n > 20) throw Error(MS_ERR_INVALID_INPUT, "too many scopes");
      for (size_t i = 0; i < n; ++i)
        scopes += (i ? "," : "") + host.requiredString(json, "/scopes/" + std::to_string(i), 100);
    } else if (type != MS_JSON_NONE && type != MS_JSON_NULL) {
      throw Error(MS_ERR_INVALID_INPUT, "/scopes must be an array of strings");
    }
    if (scopes.empty()) scopes = host.setting("/scopes", kDefaultScopes);
    std::vector<std::pair<std::string, std::string>> query = {{"client_key", requiredSetting("/client_id")},
                                                              {"scope", scopes},
                                                              {"response_type", "code"},
                                                              {"redirect_uri", redirectUri},
                                                              {"state", state}};
    if (pkce()) {
      query.emplace_back("code_challenge", hex);
      query.emplace_back("code_challenge_method", "S256");
    }
    return Json::object().field("url", authBase() + "/v2/auth/authorize/?" + host.form(query)).str();
  });
}

ms_status exchangeCode(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto code = host.requiredString(json, "/code");
    const auto redirectUri = host.requiredString(json, "/redirectUri");
    const auto verifier = host.requiredString(json, "/codeVerifier", 200);
    std::vector<std::pair<std::string, std::string>> fields = {
        {"code", code}, {"grant_type", "authorization_code"}, {"redirect_uri", redirectUri}};
    if (pkce()) fields.emplace_back("code_verifier", verifier);
    return tokenReply(postToken(std::move(fields), Grant::Code), true);
  });
}

ms_status refreshToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto refresh = host.requiredString(json, "/refreshToken", 8192);
    return tokenReply(postToken({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}, Grant::Refresh), false);
  });
}

/// Revokes the user's grant (POST /v2/oauth/revoke/ with the access token).
ms_status revokeToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto token = accessToken(host.objectRequest(req, len));
    const auto r = postOAuth("/v2/oauth/revoke/", {{"token", token}});
    if (r.result != MS_OK)
      throw Error(MS_ERR_TRANSIENT, "TikTok's revoke endpoint did not answer: " + shorten(r.error));
    if (r.status == 200 && !host.string(r.body, "/error").has_value()) return std::string("{}");
    const auto error = host.string(r.body, "/error").value_or(std::to_string(r.status));
    if (error == "invalid_token" || error == "access_token_invalid") return std::string("{}");  // already gone
    throw Error(
        r.status >= 500 ? MS_ERR_TRANSIENT : MS_ERR_PERMANENT,
        "TikTok refused to revoke the token: " + shorten(host.string(r.body, "/error_description").value_or(error)),
        error);
  });
}

/// The cheapest authenticated call: /v2/user/info/?fields=open_id.
ms_status checkToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto token = accessToken(host.objectRequest(req, len));
    const auto r = call("GET", "/v2/user/info/?fields=open_id", token, "user/info");
    auto out = Json::object().field("healthy", true);
    if (auto id = host.string(r.body, "/data/user/open_id")) out.field("accountId", *id);
    return out.str();
  });
}

}  // namespace tiktok
