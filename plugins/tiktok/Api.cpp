// Settings, the call to open.tiktokapis.com and TikTok's error mapping
// (https://developers.tiktok.com/doc/tiktok-api-v2-error-handling,
// https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit).
#include "TikTok.h"

#include <algorithm>

namespace tiktok {

marketsage::sdk::Host host;

namespace {

std::string trimmedBase(const char* pointer, const char* fallback) {
  auto base = host.setting(pointer, fallback);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

std::string scalarSetting(const char* pointer) {
  const auto value = host.setting(pointer);
  return value.type == MS_JSON_STRING || value.type == MS_JSON_NUMBER ? value.text : std::string();
}

/// Retry-After in whole seconds when TikTok sends one, else `fallback` (its limits are per
/// minute: a sliding one-minute window per user token and endpoint).
int32_t retryAfter(const HttpResponse& r, int32_t fallback) {
  const auto header = host.string(r.headers, "/retry-after").value_or("");
  if (!header.empty() && header.size() < 9 && header.find_first_not_of("0123456789") == std::string::npos)
    return std::max(1, std::stoi(header));
  return fallback;
}

}  // namespace

std::string apiBase() { return trimmedBase("/api_base", "https://open.tiktokapis.com"); }
std::string authBase() { return trimmedBase("/auth_base", "https://www.tiktok.com"); }

std::string requiredSetting(const char* pointer) {
  auto value = scalarSetting(pointer);
  if (value.empty()) throw Error(MS_ERR_PERMANENT, std::string("setting ") + (pointer + 1) + " is not configured");
  return value;
}

long long integerSetting(const char* pointer, long long fallback) {
  try {
    const auto text = scalarSetting(pointer);
    return text.empty() ? fallback : std::stoll(text);
  } catch (...) {
    return fallback;
  }
}

uint32_t httpTimeoutMs() {
  return static_cast<uint32_t>(std::clamp<long long>(integerSetting("/http_timeout_ms", 0), 0, 600'000));
}

std::string accessToken(std::string_view json) { return host.requiredString(json, "/accessToken", 8192); }

std::string shorten(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

HttpResponse send(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& body) {
  HttpRequest request;
  request.method = method;
  request.url = apiBase() + path;
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Authorization", "Bearer " + token}};
  if (method == "POST") {
    request.headers.emplace_back("Content-Type", "application/json; charset=UTF-8");
    request.body = body.empty() ? "{}" : body;
  }
  return host.http(request);
}

std::string errorCode(const HttpResponse& r) {
  if (r.result != MS_OK) return {};
  return host.string(r.body, "/error/code").value_or("");
}

bool succeeded(const HttpResponse& r) {
  return r.result == MS_OK && r.status >= 200 && r.status < 300 && errorCode(r) == "ok";
}

HttpResponse call(const std::string& method, const std::string& path, const std::string& token, const char* what,
                  const std::string& body) {
  auto r = send(method, path, token, body);
  if (!succeeded(r)) fail(r, what);
  return r;
}

void fail(const HttpResponse& r, const std::string& what, bool creates) {
  if (r.result != MS_OK) {
    if (r.result == MS_ERR_INVALID_INPUT)
      throw Error(MS_ERR_PERMANENT, what + ": the request could not be sent (check api_base): " + shorten(r.error));
    if (creates && r.sent)
      throw Error(MS_ERR_OUTCOME_UNKNOWN,
                  what + ": the request went out and TikTok's answer was lost (" + shorten(r.error) + ")");
    throw Error(MS_ERR_TRANSIENT, what + ": TikTok did not answer: " + shorten(r.error));
  }
  auto code = errorCode(r);
  const auto message = shorten(host.string(r.body, "/error/message").value_or("HTTP " + std::to_string(r.status)));
  const auto text = what + ": " + (message.empty() ? "HTTP " + std::to_string(r.status) : message);
  if (creates && (r.status == 502 || r.status == 503 || r.status == 504))
    throw Error(MS_ERR_OUTCOME_UNKNOWN,
                "TikTok's gateway gave up (HTTP " + std::to_string(r.status) + "); the post may exist: " + text,
                code.empty() ? std::to_string(r.status) : code);
  if (code.empty() || code == "ok") code = std::to_string(r.status);
  if (r.status == 429 || code == "rate_limit_exceeded")
    throw Error(MS_ERR_RATE_LIMITED, "TikTok throttled this user token (" + text + ")", code, retryAfter(r, 60));
  // The creator's daily posting cap, or the app's daily cap of active posting users: later.
  if (code == "spam_risk_too_many_posts" || code == "spam_risk_too_many_pending_share" ||
      code == "reached_active_user_cap")
    throw Error(MS_ERR_RATE_LIMITED, "TikTok refuses more posts for now (" + text + ")", code, retryAfter(r, 3600));
  if (r.status == 408 || r.status >= 500 || code == "internal_error")
    throw Error(MS_ERR_TRANSIENT, "TikTok failed: " + text, code);
  // TikTok says access_token_invalid for an expired token and a revoked one alike: the host
  // refreshes once, and a refused refresh token then marks the connection invalid.
  if (r.status == 401 && (code == "scope_not_authorized" || code == "scope_permission_missed"))
    throw Error(MS_ERR_AUTH_INVALID, "the user did not grant the scope for this: " + text, code);
  if (r.status == 401 || code == "access_token_invalid")
    throw Error(MS_ERR_AUTH_EXPIRED, "TikTok refused the access token: " + text, code);
  if (code == "scope_not_authorized" || code == "scope_permission_missed")
    throw Error(MS_ERR_AUTH_INVALID, "the user did not grant the scope for this: " + text, code);
  throw Error(MS_ERR_PERMANENT, "TikTok refused: " + text, code);
}

}  // namespace tiktok
