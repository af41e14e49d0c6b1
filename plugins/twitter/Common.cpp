#include "Common.h"

#include <cctype>
#include <ctime>

namespace twitter {

sdk::Host host;

std::string accessToken(std::string_view json) { return host.requiredString(json, "/accessToken"); }

bool isXId(std::string_view text) {
  if (text.empty() || text.size() > 19) return false;
  for (const char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string requiredId(std::string_view json, const std::string& pointer) {
  auto id = host.requiredString(json, pointer, 64);
  if (!isXId(id)) throw Error(MS_ERR_INVALID_INPUT, pointer + " is not an X id (1 to 19 digits)");
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

namespace {
std::string baseSetting(const char* pointer, const std::string& fallback) {
  auto value = host.setting(pointer, fallback);
  while (!value.empty() && value.back() == '/') value.pop_back();  // "http://x/" + "/2/..." would double it
  return value.empty() ? fallback : value;
}

/// Seconds until the window named by x-rate-limit-reset (epoch seconds) reopens, else Retry-After.
int32_t retryAfterSeconds(const sdk::HttpResponse& r) {
  if (auto reset = host.integer(r.headers, "/x-rate-limit-reset")) {
    const long long wait = *reset - nowSeconds();
    return static_cast<int32_t>(wait < 1 ? 1 : (wait > 86400 ? 86400 : wait));
  }
  if (auto after = host.integer(r.headers, "/retry-after")) return static_cast<int32_t>(*after);
  return 0;
}

/// Retry-After (seconds) of a 408/5xx answer; 0 lets the host use its own backoff.
/// x-rate-limit-reset is not a retry time here: X sends it on every answer, and it marks the end
/// of the 15-minute rate-limit window, which only matters once that window is used up.
int32_t retryAfterHeader(const sdk::HttpResponse& r) {
  if (auto after = host.integer(r.headers, "/retry-after")) {
    return static_cast<int32_t>(*after < 0 ? 0 : (*after > 86400 ? 86400 : *after));
  }
  return 0;
}

/// X's own words for the failure: the problem's detail, the first errors[].message, or the OAuth
/// error_description. X never echoes tokens in these.
std::string detailOf(const sdk::HttpResponse& r) {
  for (const char* pointer : {"/detail", "/errors/0/message", "/errors/0/detail", "/error_description", "/title"})
    if (auto text = host.string(r.body, pointer); text && !text->empty()) return text->substr(0, 300);
  return "HTTP " + std::to_string(r.status);
}

/// "client-not-enrolled", the problem type's last segment, the OAuth error, or the HTTP status.
std::string codeOf(const sdk::HttpResponse& r) {
  for (const char* pointer : {"/reason", "/error"})
    if (auto text = host.string(r.body, pointer); text && !text->empty()) return *text;
  if (auto type = host.string(r.body, "/type"); type && *type != "about:blank")
    return type->substr(type->rfind('/') + 1);
  return std::to_string(r.status);
}

bool mentions(const std::string& text, std::initializer_list<const char*> words) {
  std::string lower = text;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : words)
    if (lower.find(word) != std::string::npos) return true;
  return false;
}

/// A 403 about the app or the token rather than the content: unenrolled client, unsupported
/// authentication, app permissions or scopes, or the bare "Forbidden" X answers when the token
/// lacks the endpoint's scope.
bool isPermissionProblem(const sdk::HttpResponse& r) {
  const auto code = codeOf(r);
  if (code == "client-not-enrolled" || code == "client-forbidden" || code == "unsupported-authentication" ||
      code == "oauth1-permissions")
    return true;
  const auto detail = host.string(r.body, "/detail").value_or("");
  return detail == "Forbidden" || mentions(detail, {"scope", "permission"});
}

}  // namespace

std::string apiBase() { return baseSetting("/api_base", "https://api.x.com"); }
std::string authBase() { return baseSetting("/auth_base", "https://x.com"); }
std::string uploadBase() { return baseSetting("/upload_base", apiBase()); }

[[noreturn]] void fail(const sdk::HttpResponse& r, const char* scope) {
  if (r.result == MS_ERR_INVALID_INPUT) throw Error(MS_ERR_INVALID_INPUT, "the host refused the request: " + r.error);
  if (r.result != MS_OK) throw Error(MS_ERR_TRANSIENT, "no answer from X: " + r.error);
  const auto detail = detailOf(r), code = codeOf(r);
  const bool exhausted = host.string(r.headers, "/x-rate-limit-remaining").value_or("") == "0";
  if (r.status == 429 || (exhausted && r.status >= 400))
    throw Error(MS_ERR_RATE_LIMITED, "X rate limit reached: " + detail, code, retryAfterSeconds(r));
  if (r.status == 408 || r.status >= 500)
    throw Error(MS_ERR_TRANSIENT, "X is unavailable: " + detail, code, retryAfterHeader(r));
  // OAuth token endpoint (RFC 6749 5.2): X answers invalid_request for a rejected code, verifier
  // or refresh token; invalid_client / unauthorized_client mean the operator's app credentials.
  if (const auto oauthError = host.string(r.body, "/error")) {
    if (*oauthError == "invalid_client" || *oauthError == "unauthorized_client")
      throw Error(MS_ERR_PERMANENT, "X refused the app's client credentials: " + detail, code);
    throw Error(MS_ERR_AUTH_INVALID, "X refused the grant: " + detail, code);
  }
  // X's usual 401 says only "Unauthorized", for expired and revoked tokens alike: the host's
  // refresh settles which. A 401 that says the token is revoked or invalid needs a reconnect.
  if (r.status == 401 && mentions(detail, {"revoked", "invalid"}))
    throw Error(MS_ERR_AUTH_INVALID, "X refused the access token: " + detail, code);
  if (r.status == 401)
    throw Error(MS_ERR_AUTH_EXPIRED, "X refused the access token (expired or revoked): " + detail, code);
  if (r.status == 403 && isPermissionProblem(r))
    throw Error(MS_ERR_AUTH_INVALID,
                std::string("the token lacks the permission for this call (needs scope ") + scope + "): " + detail,
                code);
  throw Error(MS_ERR_PERMANENT, "X refused: " + detail, code);
}

sdk::HttpResponse exchange(sdk::HttpRequest request) {
  if (request.timeoutMs == 0) {
    const auto timeout = sdk::Document::integerOf(host.setting("/http_timeout_ms"));
    if (timeout && *timeout > 0 && *timeout <= 600'000) request.timeoutMs = static_cast<uint32_t>(*timeout);
  }
  return host.http(request);
}

sdk::HttpResponse send(const sdk::HttpRequest& request, const char* scope) {
  auto r = exchange(request);
  if (r.result != MS_OK || r.status < 200 || r.status > 299) fail(r, scope);
  return r;
}

sdk::HttpRequest apiRequest(const std::string& method, const std::string& url, const std::string& token,
                            const std::string& jsonBody) {
  sdk::HttpRequest request;
  request.method = method;
  request.url = url;
  request.headers = {{"Authorization", "Bearer " + token}};
  if (!jsonBody.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = jsonBody;
  }
  return request;
}

sdk::HttpResponse apiCall(const std::string& method, const std::string& url, const std::string& token,
                          const std::string& jsonBody, const char* scope) {
  return send(apiRequest(method, url, token, jsonBody), scope);
}

std::string postUrl(std::string_view json, const std::string& id) {
  const auto username = host.optionalString(json, "/account/metadata/username", 64).value_or("");
  return "https://x.com/" + (username.empty() ? std::string("i/web") : username) + "/status/" + id;
}

sdk::Json jsonList(const std::vector<std::string>& items) {
  auto list = sdk::Json::array();
  for (const auto& item : items) list.push(item);
  return list;
}

long long nowSeconds() { return host.raw()->now_unix_ms(host.raw()) / 1000; }

std::string rfc3339(long long epochSeconds) {
  const auto t = static_cast<std::time_t>(epochSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace twitter
