// Request reading, settings, the Data API call and Google's error mapping
// (https://developers.google.com/youtube/v3/docs/errors).
#include "YouTube.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace youtube {

marketsage::sdk::Host host;

namespace {

/// A setting written as a string or a number, "" when absent.
std::string scalarSetting(const char* pointer) {
  const auto value = host.setting(pointer);
  return value.type == MS_JSON_STRING || value.type == MS_JSON_NUMBER ? value.text : std::string();
}

/// Days from 1970-01-01 to y-m-d (proleptic Gregorian).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

/// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as ms since 1970, nullopt when it is not one.
std::optional<int64_t> httpDate(const std::string& text) {
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char weekday[4] = {}, month[4] = {}, zone[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(text.c_str(), "%3s, %d %3s %d %d:%d:%d %3s", weekday, &day, month, &year, &hour, &minute, &second,
                  zone) != 8 ||
      std::string(zone) != "GMT")
    return std::nullopt;
  for (unsigned m = 0; m < 12; ++m)
    if (std::string(month) == months[m])
      return (daysFromCivil(year, m + 1, static_cast<unsigned>(day)) * 86400 + hour * 3600 + minute * 60 + second) *
             1000;
  return std::nullopt;
}

/// Retry-After in seconds (RFC 9110 10.2.3: delta-seconds or an HTTP-date), 0 when absent or
/// unreadable.
int32_t retryAfterHeader(const HttpResponse& r) {
  const auto header = host.string(r.headers, "/retry-after").value_or("");
  if (header.empty()) return 0;
  if (header.size() < 9 && header.find_first_not_of("0123456789") == std::string::npos)
    return std::max(1, std::stoi(header));
  if (const auto at = httpDate(header)) {
    const int64_t wait = (*at - host.nowMs() + 999) / 1000;
    return static_cast<int32_t>(std::clamp<int64_t>(wait, 1, 86400));
  }
  return 0;
}

/// Seconds to wait after a throttled call: Retry-After when Google sends one, else a minute.
int32_t retryAfter(const HttpResponse& r) {
  const auto header = retryAfterHeader(r);
  return header > 0 ? header : 60;
}

}  // namespace

std::string shorten(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

std::string optionalString(std::string_view json, const char* pointer, size_t maxLength) {
  return host.optionalString(json, pointer, maxLength).value_or(std::string());
}

std::string accessToken(std::string_view json) { return host.requiredString(json, "/accessToken", 8192); }

std::string apiBase() {
  auto base = host.setting("/api_base", "https://www.googleapis.com");
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

std::string authBase() {
  auto base = host.setting("/auth_base", "");
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

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

long long chunkBytes() {
  constexpr long long unit = 256 * 1024;
  const long long wanted = integerSetting("/chunk_bytes", 8 * 1024 * 1024);
  return std::max(unit, std::min(wanted, 1024LL * 1024 * 1024) / unit * unit);
}

std::string watchUrl(const std::string& videoId, bool shorts) {
  return (shorts ? "https://www.youtube.com/shorts/" : "https://www.youtube.com/watch?v=") + videoId;
}

HttpResponse send(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& jsonBody, std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest request;
  request.method = method;
  request.url = path.rfind("http", 0) == 0 ? path : apiBase() + path;
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Authorization", "Bearer " + token}};
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  if (!jsonBody.empty()) {
    request.headers.emplace_back("Content-Type", "application/json; charset=UTF-8");
    request.body = jsonBody;
  }
  return host.http(request);
}

HttpResponse call(const std::string& method, const std::string& path, const std::string& token, int units,
                  const char* what, const std::string& jsonBody) {
  chargeQuota(units, what);
  auto r = send(method, path, token, jsonBody);
  if (r.result != MS_OK || r.status < 200 || r.status >= 300) fail(r, what);
  return r;
}

std::string errorReason(const HttpResponse& r) {
  if (r.result != MS_OK) return {};
  if (auto reason = host.string(r.body, "/error/errors/0/reason")) return *reason;
  return host.string(r.body, "/error/status").value_or("");
}

void fail(const HttpResponse& r, const std::string& what) {
  if (r.result != MS_OK) {
    if (r.result == MS_ERR_INVALID_INPUT)
      throw Error(MS_ERR_PERMANENT, what + ": the request could not be sent (check api_base): " + shorten(r.error));
    throw Error(MS_ERR_TRANSIENT, what + ": YouTube did not answer: " + shorten(r.error));
  }
  const auto reason = errorReason(r);
  const auto message = shorten(host.string(r.body, "/error/message").value_or("HTTP " + std::to_string(r.status)));
  const auto code = reason.empty() ? std::to_string(r.status) : reason;
  const auto text = what + ": " + message;
  if (reason == "quotaExceeded" || reason == "dailyLimitExceeded") {
    quotaExhausted(what.rfind("videos.insert", 0) == 0);
    throw Error(MS_ERR_RATE_LIMITED,
                "the Google project's daily YouTube quota is spent until midnight Pacific time (" + text + ")", code,
                secondsUntilQuotaReset());
  }
  if (r.status == 429 || reason == "rateLimitExceeded" || reason == "userRateLimitExceeded")
    throw Error(MS_ERR_RATE_LIMITED, "YouTube throttled the call (" + text + ")", code, retryAfter(r));
  if (r.status == 408 || r.status >= 500 || reason == "backendError" || reason == "internalError")
    throw Error(MS_ERR_TRANSIENT, "YouTube failed: " + text, code, retryAfterHeader(r));  // a 503's Retry-After, if any
  // 401 youtubeSignupRequired: the Google account has no YouTube channel (an "unlinked Google
  // Account"); a refreshed token would meet it again, so it is not an expired token.
  if (reason == "youtubeSignupRequired")
    throw Error(
        MS_ERR_AUTH_INVALID,
        "this Google account has no YouTube channel: create one on youtube.com, then connect again (" + text + ")",
        code);
  if (r.status == 401) throw Error(MS_ERR_AUTH_EXPIRED, "Google refused the access token: " + text, code);
  // The grant lacks a scope, or the account has no channel: only a new consent mends it. Other
  // 403s (forbidden: another channel's video; accessNotConfigured: the project's API is off) are
  // about the request or the operator's project, not the user's token.
  if (r.status == 403 && (reason == "insufficientPermissions" || reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"))
    throw Error(MS_ERR_AUTH_INVALID, "YouTube refused the grant for this: " + text, code);
  throw Error(MS_ERR_PERMANENT, "YouTube refused: " + text, code);
}

}  // namespace youtube
