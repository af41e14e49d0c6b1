// Settings, the API v5 call and Pinterest's error mapping
// (https://developers.pinterest.com/docs/reference/rate-limits/, error bodies {"code", "message"}).
#include "Pinterest.h"

#include <algorithm>
#include <cctype>

namespace pinterest {

marketsage::sdk::Host host;

namespace {

std::string base(const char* pointer, const char* fallback) {
  auto value = host.setting(pointer, fallback);
  while (!value.empty() && value.back() == '/') value.pop_back();
  return value.empty() ? fallback : value;
}

/// A header of whole seconds (or an epoch second), 0 when absent or not a number.
long long numericHeader(const HttpResponse& r, const char* pointer) {
  const auto text = host.string(r.headers, pointer).value_or("");
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoll(text);
}

}  // namespace

std::string apiBase() { return base("/api_base", "https://api.pinterest.com"); }
std::string authBase() { return base("/auth_base", "https://www.pinterest.com"); }

std::string requiredSetting(const char* pointer) {
  auto value = host.setting(pointer, "");
  if (value.empty()) throw Error(MS_ERR_PERMANENT, std::string("setting ") + (pointer + 1) + " is not configured");
  return value;
}

uint32_t httpTimeoutMs() {
  const auto v = host.setting("/http_timeout_ms");
  if (v.type != MS_JSON_NUMBER) return 0;
  try {
    return static_cast<uint32_t>(std::clamp<long long>(std::stoll(v.text), 0, 600'000));
  } catch (...) {
    return 0;
  }
}

std::string accessToken(std::string_view json) { return host.requiredString(json, "/accessToken", 8192); }

std::string pinUrl(const std::string& pinId) { return "https://www.pinterest.com/pin/" + pinId + "/"; }

std::string shorten(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

HttpResponse send(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& jsonBody) {
  HttpRequest request;
  request.method = method;
  request.url = apiBase() + path;
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
  if (!jsonBody.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = jsonBody;
  }
  return host.http(request);
}

HttpResponse call(const std::string& method, const std::string& path, const std::string& token, const char* what,
                  const std::string& jsonBody) {
  auto r = send(method, path, token, jsonBody);
  if (r.result != MS_OK || r.status < 200 || r.status >= 300) fail(r, what);
  return r;
}

int32_t retryAfter(const HttpResponse& r) {
  if (const auto seconds = numericHeader(r, "/retry-after"); seconds > 0)
    return static_cast<int32_t>(std::min<long long>(seconds, 86400));
  // x-ratelimit-reset: seconds until the window resets (an epoch second is tolerated too).
  if (auto reset = numericHeader(r, "/x-ratelimit-reset"); reset > 0) {
    if (reset > 1'000'000'000) reset -= host.nowMs() / 1000;
    return static_cast<int32_t>(std::clamp<long long>(reset, 1, 86400));
  }
  return 60;
}

void fail(const HttpResponse& r, const std::string& what) {
  if (r.result != MS_OK) {
    if (r.result == MS_ERR_INVALID_INPUT)
      throw Error(MS_ERR_PERMANENT, what + ": the request could not be sent (check api_base): " + shorten(r.error));
    throw Error(MS_ERR_TRANSIENT, what + ": Pinterest did not answer: " + shorten(r.error));
  }
  const auto code = host.integer(r.body, "/code");
  const auto platformCode = code ? std::to_string(*code) : std::to_string(r.status);
  const auto text = what + ": " + shorten(host.string(r.body, "/message").value_or("HTTP " + std::to_string(r.status)));
  if (r.status == 429) {
    // Pinterest also answers 429 to content it takes for spam (its message or message_detail says
    // so, as Pinterest's own api-quickstart api_common.py tells them apart): waiting does not
    // change that answer, so it is a refusal, not a limit.
    auto detail = host.string(r.body, "/message_detail").value_or("") + " " + text;
    std::transform(detail.begin(), detail.end(), detail.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (detail.find("spam") != std::string::npos)
      throw Error(MS_ERR_PERMANENT, "Pinterest refused it as spam: " + text, platformCode);
    throw Error(MS_ERR_RATE_LIMITED, "Pinterest throttled the call (" + text + ")", platformCode, retryAfter(r));
  }
  if (r.status == 408 || r.status >= 500) throw Error(MS_ERR_TRANSIENT, "Pinterest failed: " + text, platformCode);
  // 401 code 3: the token lacks a scope the call needs; a refresh keeps the same scopes, so the
  // user must grant them again (https://github.com/pinterest/api-quickstart/issues/97).
  if (r.status == 401 && code && *code == 3)
    throw Error(MS_ERR_AUTH_INVALID, "Pinterest refused the grant for this (a scope is missing): " + text,
                platformCode);
  if (r.status == 401) throw Error(MS_ERR_AUTH_EXPIRED, "Pinterest refused the access token: " + text, platformCode);
  if (r.status == 403) throw Error(MS_ERR_AUTH_INVALID, "Pinterest refused the grant for this: " + text, platformCode);
  throw Error(MS_ERR_PERMANENT, "Pinterest refused: " + text, platformCode);
}

}  // namespace pinterest
