// Request reading, settings, the REST call and LinkedIn's error mapping.
#include "LinkedIn.h"

#include <algorithm>

namespace linkedin {

marketsage::sdk::Host host;

namespace {

constexpr size_t kMaxMessage = 300;  // LinkedIn messages are short; bound what reaches the host

/// `text` cut to `limit` bytes without splitting a UTF-8 sequence.
std::string shorten(std::string text, size_t limit = kMaxMessage) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

/// A setting written as a string or a number ("202510" or 202510), "" when absent.
std::string scalarSetting(const char* pointer) {
  const auto value = host.setting(pointer);
  return value.type == MS_JSON_STRING || value.type == MS_JSON_NUMBER ? value.text : std::string();
}

long long integerSetting(const char* pointer, long long fallback) {
  try {
    const auto text = scalarSetting(pointer);
    return text.empty() ? fallback : std::stoll(text);
  } catch (...) {
    return fallback;
  }
}

/// The LinkedIn-Version header: YYYYMM (or YYYYMM.RR), pinned by the operator, never guessed.
std::string apiVersion() {
  auto version = requiredSetting("/api_version");
  const auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
  bool valid = version.size() == 6 || (version.size() == 9 && version[6] == '.');
  for (size_t i = 0; valid && i < version.size(); ++i) valid = i == 6 || isDigit(version[i]);
  if (!valid) throw Error(MS_ERR_PERMANENT, "setting api_version must be a LinkedIn version YYYYMM, e.g. 202510");
  return version;
}

/// Seconds to wait after a 429: Retry-After when LinkedIn sends one; for a daily quota, until it
/// resets at midnight UTC; otherwise a minute.
int32_t throttleWait(const HttpResponse& r, const std::string& message) {
  const auto header = host.string(r.headers, "/retry-after");
  if (header && !header->empty() && header->find_first_not_of("0123456789") == std::string::npos && header->size() < 9)
    return std::stoi(*header);
  if (message.find("DAY") != std::string::npos) {
    const long long secondsToday = host.raw()->now_unix_ms(host.raw()) / 1000 % 86400;
    return static_cast<int32_t>(86400 - secondsToday);
  }
  return 60;
}

}  // namespace

/// api_version (ABI 1.1): LinkedIn releases a version a month and serves each for at least a year
/// (https://learn.microsoft.com/en-us/linkedin/marketing/versioning); its migrations table puts
/// the sunset on about the 15th of the same month a year later (202510 → 2026-10-15).
ms_status apiVersionInfo(const char* request, size_t length, const ms_reply* reply) {
  return marketsage::sdk::guard(request, length, reply, [&] {
    host.objectRequest(request, length);  // {} — but malformed input is refused like everywhere
    const auto version = apiVersion();
    const int year = std::stoi(version.substr(0, 4));
    const auto month = version.substr(4, 2);
    return Json::object()
        .field("version", version)
        .field("releasedAt", version.substr(0, 4) + "-" + month + "-01")
        .field("sunsetAt", std::to_string(year + 1) + "-" + month + "-15")
        .field("estimated", true)
        .str();
  });
}

std::string optionalString(std::string_view json, const char* pointer, size_t maxLength) {
  return host.optionalString(json, pointer, maxLength).value_or(std::string());
}

std::string accessToken(std::string_view json) { return host.requiredString(json, "/accessToken"); }

bool isOrganization(std::string_view urn) { return urn.rfind("urn:li:organization:", 0) == 0; }

std::string authorUrn(std::string_view json) {
  auto urn = host.requiredString(json, "/account/id", 200);
  if (urn.rfind("urn:li:person:", 0) != 0 && !isOrganization(urn))
    throw Error(MS_ERR_INVALID_INPUT, "account.id must be a urn:li:person or urn:li:organization URN");
  return urn;
}

std::string apiBase() { return host.setting("/api_base", "https://api.linkedin.com"); }
std::string authBase() { return host.setting("/auth_base", "https://www.linkedin.com"); }

std::string requiredSetting(const char* pointer) {
  auto value = scalarSetting(pointer);
  if (value.empty()) throw Error(MS_ERR_PERMANENT, std::string("setting ") + (pointer + 1) + " is not configured");
  return value;
}

std::string encodeUrn(std::string_view urn) { return host.urlEncode(urn); }

std::string postUrl(const std::string& urn) { return "https://www.linkedin.com/feed/update/" + urn + "/"; }

int pollSeconds() {
  const auto ms = integerSetting("/poll_interval_ms", 2000);
  return static_cast<int>(std::clamp<long long>((ms + 999) / 1000, 1, 3600));
}

long long uploadTimeoutMs() { return 1000 * std::max<long long>(integerSetting("/upload_timeout_seconds", 600), 1); }

uint32_t httpTimeoutMs() {
  return static_cast<uint32_t>(std::clamp<long long>(integerSetting("/http_timeout_ms", 0), 0, 600'000));
}

std::string writePermission(const std::string& authorUrn) {
  return isOrganization(authorUrn) ? "w_organization_social" : "w_member_social";
}

HttpResponse sendApi(const std::string& method, const std::string& path, const std::string& token,
                     const std::string& jsonBody, const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpRequest request;
  request.method = method;
  request.url = apiBase() + path;
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Authorization", "Bearer " + token}};
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  if (path.rfind("/rest/", 0) == 0) {
    request.headers.emplace_back("LinkedIn-Version", apiVersion());
    request.headers.emplace_back("X-Restli-Protocol-Version", "2.0.0");
  }
  if (!jsonBody.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = jsonBody;
  }
  return host.http(request);
}

HttpResponse callApi(const std::string& method, const std::string& path, const std::string& token,
                     const std::string& permission, const std::string& jsonBody) {
  auto response = sendApi(method, path, token, jsonBody);
  if (response.result != MS_OK || response.status < 200 || response.status >= 300) fail(response, permission);
  return response;
}

void fail(const HttpResponse& r, const std::string& permission) {
  if (r.result != MS_OK) throw Error(MS_ERR_TRANSIENT, "LinkedIn did not answer: " + shorten(r.error));
  const auto code = host.string(r.body, "/code").value_or("");
  const auto serviceCode = host.integer(r.body, "/serviceErrorCode");
  const auto message = shorten(host.string(r.body, "/message").value_or("HTTP " + std::to_string(r.status)));
  const auto platformCode = serviceCode ? std::to_string(*serviceCode) : code.empty() ? std::to_string(r.status) : code;

  if (r.status == 429)
    throw Error(MS_ERR_RATE_LIMITED, "LinkedIn throttled the call: " + message, platformCode, throttleWait(r, message));
  if (r.status == 408 || r.status >= 500) throw Error(MS_ERR_TRANSIENT, "LinkedIn failed: " + message, platformCode);
  if (r.status == 401) {
    const bool expired = code == "EXPIRED_ACCESS_TOKEN" || (serviceCode && *serviceCode == 65602) ||
                         message.find("expired") != std::string::npos;
    throw Error(expired ? MS_ERR_AUTH_EXPIRED : MS_ERR_AUTH_INVALID, "LinkedIn refused the token: " + message,
                platformCode);
  }
  if (r.status == 403)
    throw Error(MS_ERR_AUTH_INVALID, "missing LinkedIn permission " + permission + ": " + message, platformCode);
  if (r.status == 426)
    throw Error(MS_ERR_PERMANENT, "LinkedIn no longer serves this api_version (" + message + "): update the setting",
                platformCode);
  throw Error(MS_ERR_PERMANENT, "LinkedIn refused: " + message, platformCode);
}

}  // namespace linkedin
