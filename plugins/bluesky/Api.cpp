// Request reading, settings, the XRPC call and the mapping of XRPC errors to ABI error kinds.
#include "Bluesky.h"

#include <algorithm>

namespace bluesky {

marketsage::sdk::Host host;

namespace {

std::string trimmedBase(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

uint32_t httpTimeoutMs() {
  return static_cast<uint32_t>(std::clamp<long long>(integerSetting("/http_timeout_ms", 0), 0, 600'000));
}

Answer exchange(HttpRequest request) {
  if (request.timeoutMs == 0) request.timeoutMs = httpTimeoutMs();
  Answer a;
  a.http = host.http(request);
  if (a.http.result != MS_OK) return a;
  a.ok = a.http.status >= 200 && a.http.status < 300;
  if (!a.ok) {
    const auto doc = host.parse(a.http.body);
    a.error = doc.string("/error").value_or("");
    a.message = shorten(doc.string("/message").value_or(""));
  }
  // Rate-limit headers (docs.bsky.app "Rate Limits"): ratelimit-reset is a unix time in seconds.
  const auto headers = host.parse(a.http.headers);
  if (const auto reset = Document::integerOf(headers.get("/ratelimit-reset")); reset && *reset > 0)
    a.retryAfter = static_cast<int>(std::clamp<long long>(*reset - host.nowMs() / 1000, 1, 86400));
  else if (const auto after = Document::integerOf(headers.get("/retry-after")); after && *after > 0)
    a.retryAfter = static_cast<int>(std::min<long long>(*after, 86400));
  return a;
}

}  // namespace

std::string shorten(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

Document objectRequest(const char* request, size_t length) {
  const std::string_view json(request ? request : "", request ? length : 0);
  if (json.empty()) throw Error(MS_ERR_INVALID_INPUT, "the request must be a JSON object");
  auto doc = host.parse(json);
  if (!doc.valid() || doc.get("").type != MS_JSON_OBJECT)
    throw Error(MS_ERR_INVALID_INPUT, "the request must be a JSON object");
  return doc;
}

std::string optionalString(const Document& json, const char* pointer, size_t maxLength) {
  auto value = json.get(pointer);
  if (!value.present() || value.type == MS_JSON_NULL) return {};
  if (!value.isString()) throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " must be a string");
  if (value.text.size() > maxLength) throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " is too long");
  return std::move(value.text);
}

std::string requiredString(const Document& json, const char* pointer, size_t maxLength) {
  auto text = optionalString(json, pointer, maxLength);
  if (text.empty()) throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " is required");
  return text;
}

Session sessionOf(const Document& json) {
  Session s;
  s.accessJwt = requiredString(json, "/accessToken", 8192);
  s.did = requiredString(json, "/account/id", 2048);
  if (!isDid(s.did)) throw Error(MS_ERR_INVALID_INPUT, "account.id must be a DID (did:plc:… or did:web:…)");
  s.handle = optionalString(json, "/account/metadata/handle", 253);
  if (s.handle.empty()) s.handle = optionalString(json, "/account/name", 253);
  s.pds = trimmedBase(optionalString(json, "/account/metadata/pds", 2048));
  if (s.pds.empty()) s.pds = apiBase();  // an account stored without its PDS: the entryway forwards
  return s;
}

std::string apiBase() { return trimmedBase(host.setting("/api_base", "https://bsky.social")); }
std::string plcBase() { return trimmedBase(host.setting("/plc_base", "https://plc.directory")); }
std::string appBase() { return trimmedBase(host.setting("/app_base", "https://bsky.app")); }

long long integerSetting(const char* pointer, long long fallback) {
  const auto value = host.setting(pointer);
  if (value.type != MS_JSON_NUMBER && value.type != MS_JSON_STRING) return fallback;
  return Document::integerOf(value).value_or(fallback);
}

Answer xrpcGet(const std::string& base, const std::string& nsid, const std::string& query, const std::string& bearer) {
  HttpRequest request;
  request.method = "GET";
  request.url = base + "/xrpc/" + nsid + (query.empty() ? "" : "?" + query);
  if (!bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer);
  return exchange(std::move(request));
}

Answer xrpcPost(const std::string& base, const std::string& nsid, const std::string& jsonBody,
                const std::string& bearer) {
  HttpRequest request;
  if (!jsonBody.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = jsonBody;
  }
  if (!bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer);
  return xrpcSend(base, nsid, std::move(request));
}

Answer xrpcSend(const std::string& base, const std::string& nsid, HttpRequest request) {
  request.method = "POST";
  request.url = base + "/xrpc/" + nsid;
  return exchange(std::move(request));
}

void fail(const Answer& a, const std::string& what) {
  if (a.http.result == MS_ERR_INVALID_INPUT)
    throw Error(MS_ERR_PERMANENT, "the request to " + what + " could not be made: " + shorten(a.http.error));
  if (a.http.result == MS_ERR_PERMANENT)
    throw Error(MS_ERR_PERMANENT, "the answer of " + what + " could not be read: " + shorten(a.http.error));
  if (a.http.result != MS_OK)
    throw Error(MS_ERR_TRANSIENT, "Bluesky did not answer " + what + ": " + shorten(a.http.error));
  const auto code = a.error.empty() ? std::to_string(a.http.status) : a.error;
  const auto detail = (a.error.empty() ? "HTTP " + std::to_string(a.http.status) : a.error) +
                      (a.message.empty() ? "" : ": " + a.message);
  if (a.http.status == 429 || a.error == "RateLimitExceeded")
    throw Error(MS_ERR_RATE_LIMITED, "Bluesky throttled " + what + " (" + detail + ")", code,
                a.retryAfter > 0 ? a.retryAfter : 60);
  if (a.error == "ExpiredToken") throw Error(MS_ERR_AUTH_EXPIRED, "the Bluesky session expired (" + detail + ")", code);
  if (a.error == "InvalidToken" || a.error == "AuthenticationRequired" || a.error == "AccountTakedown" ||
      a.error == "AccountDeactivated" || a.http.status == 401)
    throw Error(MS_ERR_AUTH_INVALID, "Bluesky refused the session for " + what + " (" + detail + ")", code);
  if (a.http.status == 408 || a.http.status >= 500)
    throw Error(MS_ERR_TRANSIENT, "Bluesky failed " + what + " (" + detail + ")", code);
  throw Error(MS_ERR_PERMANENT, "Bluesky refused " + what + " (" + detail + ")", code);
}

}  // namespace bluesky
