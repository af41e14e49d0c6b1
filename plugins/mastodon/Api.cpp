// Settings, the instance's limits, HTTP and error mapping of the Mastodon plugin
// (docs.joinmastodon.org: api/rate-limits, entities/Error, methods/instance).
#include "Mastodon.h"

#include <cctype>
#include <map>
#include <mutex>

namespace mastodon {

sdk::Host host;

namespace {

/// Limits read per instance, with the time they were read (process memory only: no secret).
struct CachedLimits {
  Limits limits;
  long long readAtMs = 0;
};
std::mutex limitsMutex;
std::map<std::string, CachedLimits>* limitsCache = nullptr;  // made by init(), freed by deinit()

constexpr long long limitsTtlMs = 60LL * 60 * 1000;

std::string trimmedSetting(const char* pointer) {
  auto value = host.setting(pointer, "");
  while (!value.empty() && value.back() == '/') value.pop_back();
  return value;
}

Limits parseLimits(const std::string& body) {
  Limits out;
  const auto doc = host.parse(body);
  const auto set = [&](long long& field, const char* pointer) {
    if (auto value = doc.integer(pointer); value && *value > 0) field = *value;
  };
  set(out.maxCharacters, "/configuration/statuses/max_characters");
  set(out.maxMediaAttachments, "/configuration/statuses/max_media_attachments");
  set(out.charactersPerUrl, "/configuration/statuses/characters_reserved_per_url");
  set(out.imageSizeLimit, "/configuration/media_attachments/image_size_limit");
  set(out.videoSizeLimit, "/configuration/media_attachments/video_size_limit");
  set(out.pollMaxOptions, "/configuration/polls/max_options");
  set(out.pollMaxCharactersPerOption, "/configuration/polls/max_characters_per_option");
  set(out.pollMinExpiration, "/configuration/polls/min_expiration");
  set(out.pollMaxExpiration, "/configuration/polls/max_expiration");
  const size_t types = doc.count("/configuration/media_attachments/supported_mime_types");
  for (size_t i = 0; i < types && i < 200; ++i)
    if (auto type = doc.string(("/configuration/media_attachments/supported_mime_types/" + std::to_string(i)).c_str()))
      out.mimeTypes.push_back(*type);
  return out;
}

bool mentions(const std::string& text, const char* word) {
  std::string lower = text;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(word) != std::string::npos;
}

}  // namespace

void initApi() {
  if (limitsCache == nullptr) limitsCache = new std::map<std::string, CachedLimits>();
}

void deinitApi() {
  delete limitsCache;
  limitsCache = nullptr;
}

std::string instanceUrl(std::string_view text) {
  std::string url(text);
  while (!url.empty() && url.back() == '/') url.pop_back();
  const size_t scheme = url.find("://");
  const std::string name = scheme == std::string::npos ? "" : url.substr(0, scheme);
  if (name != "https" && name != "http")
    throw Error(MS_ERR_INVALID_INPUT, "the instance must be an https:// URL, e.g. https://mastodon.social");
  const std::string rest = url.substr(scheme + 3);
  if (rest.empty() || rest.size() > 253) throw Error(MS_ERR_INVALID_INPUT, "the instance URL names no server");
  for (const char c : rest)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
      throw Error(MS_ERR_INVALID_INPUT, "the instance URL must be scheme and server only (no path, query or user)");
  for (auto& c : url) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return url;
}

std::string instanceHost(const std::string& base) {
  const size_t scheme = base.find("://");
  return scheme == std::string::npos ? base : base.substr(scheme + 3);
}

std::string apiBase() {
  auto base = trimmedSetting("/api_base");
  if (base.empty())
    throw Error(MS_ERR_PERMANENT, "no instance: connect through ?instance=https://… (or set api_base) first");
  return base;
}

std::string authBase() {
  const auto base = trimmedSetting("/auth_base");
  return base.empty() ? apiBase() : base;
}

Limits knownLimits() {
  std::string base;
  try {
    base = apiBase();
  } catch (const Error&) {
    return Limits{};
  }
  const std::lock_guard lock(limitsMutex);
  if (limitsCache != nullptr)
    if (const auto it = limitsCache->find(base); it != limitsCache->end()) return it->second.limits;
  return Limits{};
}

Limits instanceLimits() {
  const auto base = apiBase();
  const long long now = host.nowMs();
  {
    const std::lock_guard lock(limitsMutex);
    if (limitsCache != nullptr)
      if (const auto it = limitsCache->find(base); it != limitsCache->end() && now - it->second.readAtMs < limitsTtlMs)
        return it->second.limits;
  }
  // Public, no token: GET /api/v2/instance (Mastodon 4.0+).
  const auto r = send(apiRequest("GET", base + "/api/v2/instance", ""));
  auto limits = parseLimits(r.body);
  const std::lock_guard lock(limitsMutex);
  if (limitsCache != nullptr) (*limitsCache)[base] = CachedLimits{limits, now};
  return limits;
}

std::string accessToken(std::string_view json) { return host.requiredString(json, "/accessToken"); }

bool isId(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  for (const char c : text)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

std::string requiredId(std::string_view json, const std::string& pointer) {
  auto id = host.requiredString(json, pointer, 64);
  if (!isId(id)) throw Error(MS_ERR_INVALID_INPUT, pointer + " is not a Mastodon id");
  return id;
}

std::vector<std::string> stringArray(std::string_view json, const std::string& pointer, size_t maxItems) {
  const auto type = host.get(json, pointer.c_str()).type;
  if (type == MS_JSON_NONE || type == MS_JSON_NULL) return {};
  if (type != MS_JSON_ARRAY) throw Error(MS_ERR_INVALID_INPUT, pointer + " must be an array");
  const size_t n = host.count(json, pointer);
  if (n > maxItems) throw Error(MS_ERR_INVALID_INPUT, pointer + " has too many items");
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(host.requiredString(json, pointer + "/" + std::to_string(i)));
  return out;
}

sdk::HttpRequest apiRequest(const std::string& method, const std::string& url, const std::string& token) {
  sdk::HttpRequest request;
  request.method = method;
  request.url = url;
  if (!token.empty()) request.headers = {{"Authorization", "Bearer " + token}};
  return request;
}

sdk::HttpResponse exchange(sdk::HttpRequest request) {
  if (request.timeoutMs == 0) {
    const auto timeout = sdk::Document::integerOf(host.setting("/http_timeout_ms"));
    if (timeout && *timeout > 0 && *timeout <= 600'000) request.timeoutMs = static_cast<uint32_t>(*timeout);
  }
  return host.http(request);
}

sdk::HttpResponse send(const sdk::HttpRequest& request) {
  auto r = exchange(request);
  if (r.result != MS_OK || r.status < 200 || r.status > 299) fail(r);
  return r;
}

int32_t resetSeconds(const sdk::HttpResponse& r) {
  auto reset = host.string(r.headers, "/x-ratelimit-reset");
  if (!reset || reset->size() < 19) return 0;
  // "2026-12-02T13:30:00.123456Z": whole seconds are enough.
  const auto at = host.parseTime(reset->substr(0, 19) + "Z");
  if (!at) return 0;
  const long long wait = (*at - host.nowMs() + 999) / 1000;
  return static_cast<int32_t>(wait < 1 ? 1 : (wait > 86400 ? 86400 : wait));
}

std::string errorText(const sdk::HttpResponse& r) {
  auto text = host.string(r.body, "/error").value_or("");
  if (auto description = host.string(r.body, "/error_description"); description && !description->empty())
    text += (text.empty() ? "" : ": ") + *description;
  if (text.empty()) return "HTTP " + std::to_string(r.status);
  return text.substr(0, 300);
}

[[noreturn]] void fail(const sdk::HttpResponse& r) {
  if (r.result == MS_ERR_INVALID_INPUT) throw Error(MS_ERR_INVALID_INPUT, "the host refused the request: " + r.error);
  if (r.result != MS_OK) throw Error(MS_ERR_TRANSIENT, "no answer from the Mastodon instance: " + r.error);
  const auto text = errorText(r);
  const auto code = host.string(r.body, "/error").value_or(std::to_string(r.status));
  const auto status = std::to_string(r.status);
  if (r.status == 429)
    throw Error(MS_ERR_RATE_LIMITED, "Mastodon rate limit reached: " + text, status, resetSeconds(r));
  if (r.status == 408 || r.status >= 500) {
    const auto after = host.integer(r.headers, "/retry-after").value_or(0);
    throw Error(MS_ERR_TRANSIENT, "the Mastodon instance is unavailable: " + text, status,
                static_cast<int32_t>(after < 0 ? 0 : (after > 86400 ? 86400 : after)));
  }
  // OAuth endpoints (Doorkeeper, RFC 6749 5.2).
  if (code == "invalid_client" || code == "unauthorized_client")
    throw Error(MS_ERR_PERMANENT, "the instance refused the app's client credentials: " + text, code);
  if (code == "invalid_grant" || code == "invalid_request" || code == "invalid_scope")
    throw Error(MS_ERR_AUTH_INVALID, "the instance refused the grant: " + text, code);
  // Mastodon tokens do not expire: a 401 is a revoked or unknown token, a reconnect cures it.
  if (r.status == 401) throw Error(MS_ERR_AUTH_INVALID, "Mastodon refused the access token: " + text, status);
  if (r.status == 403 && mentions(text, "scope"))
    throw Error(MS_ERR_AUTH_INVALID, "the token lacks a scope for this call: " + text, status);
  throw Error(MS_ERR_PERMANENT, "Mastodon refused: " + text, status);
}

}  // namespace mastodon
