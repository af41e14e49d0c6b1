// Shared Graph API client of the facebook and instagram plugins: versioned URLs, access_token +
// appsecret_proof, Graph error object -> ABI kind (and the create calls whose outcome may be
// unknown), rate-limit headers, paging, multipart uploads.
// https://developers.facebook.com/docs/graph-api/guides/error-handling
// https://developers.facebook.com/docs/graph-api/results (cursor paging)
// https://developers.facebook.com/docs/graph-api/overview/rate-limiting/
// https://developers.facebook.com/docs/graph-api/securing-requests (appsecret_proof)
#ifndef MARKETSAGE_META_GRAPH_API_HPP
#define MARKETSAGE_META_GRAPH_API_HPP

#include "MetaRequest.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace marketsage::meta {

using Params = std::vector<std::pair<std::string, std::string>>;

/// Without a retry hint from Meta: its usage windows are rolling hours, so retrying within
/// seconds only extends the block.
inline constexpr int kDefaultRateLimitWaitSeconds = 300;

/// A required setting, or MS_ERR_PERMANENT naming it (reported by the call that needs it).
inline std::string requiredSetting(const char* pointer) {
  auto value = host.setting(pointer, "");
  if (value.empty()) throw Error(MS_ERR_PERMANENT, std::string("setting ") + (pointer + 1) + " is not configured");
  return value;
}

/// The pinned Graph version ("v23.0") from the settings; never a default in code.
inline std::string apiVersion() {
  auto version = host.setting("/api_version", "");
  const bool wellFormed = version.size() >= 4 && version[0] == 'v' &&
                          std::all_of(version.begin() + 1, version.end(),
                                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
  if (!wellFormed)
    throw Error(MS_ERR_PERMANENT, "setting api_version is required: the pinned Graph API version, e.g. \"v23.0\"");
  return version;
}

/// {api_base}/{api_version}, e.g. https://graph.facebook.com/v23.0
inline std::string graphBase() { return host.setting("/api_base", "https://graph.facebook.com") + "/" + apiVersion(); }

inline std::string hex(const uint8_t* bytes, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0xF];
  }
  return out;
}

/// Longest wait Meta announces in X-Business-Use-Case-Usage (estimated_time_to_regain_access, in
/// minutes, per business id and use case), in seconds; 0 when absent.
inline int bucWaitSeconds(const std::string& headers) {
  const auto usage = host.get(headers, "/x-business-use-case-usage");
  if (!usage.isString()) return 0;
  static constexpr std::string_view key = "\"estimated_time_to_regain_access\"";
  long long minutes = 0;
  const std::string& text = usage.text;
  for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + key.size())) {
    auto i = pos + key.size();
    while (i < text.size() && (text[i] == ':' || text[i] == ' ')) ++i;
    long long value = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && value < 1000000; ++i)
      value = value * 10 + (text[i] - '0');
    minutes = std::max(minutes, value);
  }
  return static_cast<int>(std::min<long long>(minutes * 60, 24 * 3600));
}

/// Seconds to wait after throttling: BUC header, then Retry-After, then a default.
inline int retryAfterSeconds(const std::string& headers) {
  if (const int buc = bucWaitSeconds(headers); buc > 0) return buc;
  if (const auto after = host.integer(headers, "/retry-after"); after && *after > 0)
    return static_cast<int>(std::min<long long>(*after, 24 * 3600));
  return kDefaultRateLimitWaitSeconds;
}

/// The value of a number setting (>= 0), `fallback` when absent or not a number.
inline long long numberSetting(const char* pointer, long long fallback) {
  const auto value = host.setting(pointer);
  try {
    return value.type == MS_JSON_NUMBER ? std::max(0LL, std::stoll(value.text)) : fallback;
  } catch (...) {
    return fallback;
  }
}

/// Milliseconds to wait for data on one Graph call: setting http_timeout_ms, else the host's
/// default (30 s); file uploads wait 5 minutes by default, Meta may take long after the last byte.
inline uint32_t timeoutMs(bool upload = false) {
  return static_cast<uint32_t>(std::min<long long>(numberSetting("/http_timeout_ms", upload ? 300000 : 0), 3600000));
}

/// The permission a Graph permission error names ("(#200) Requires pages_manage_posts permission").
inline std::string missingPermission(const std::string& message) {
  static const char* const prefixes[] = {"pages_",        "instagram_", "read_insights", "business_management",
                                         "publish_video", "ads_"};
  std::string word;
  for (std::size_t i = 0; i <= message.size(); ++i) {
    const char c = i < message.size() ? message[i] : ' ';
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += c;
      continue;
    }
    for (const char* prefix : prefixes)
      if (word.rfind(prefix, 0) == 0) return word;
    word.clear();
  }
  return {};
}

/// Graph's error object of a failed answer, read once.
struct GraphFailure {
  long long code = 0, subcode = 0;
  std::string platformCode;  ///< "code" or "code/subcode" (the HTTP status without an error object)
  std::string detail;        ///< Graph's message (cut to 300 bytes), else "HTTP <status>"
  bool transient = false;    ///< is_transient, code 1 or 2
  bool rateLimited = false;  ///< 4, 9, 17, 32, 613, 80001-80014, or HTTP 429 without an error object

  explicit GraphFailure(const sdk::HttpResponse& r) {
    code = host.integer(r.body, "/error/code").value_or(0);
    subcode = host.integer(r.body, "/error/error_subcode").value_or(0);
    std::string message = host.get(r.body, "/error/message").text;
    if (message.size() > 300) {  // cut on a UTF-8 character boundary
      std::size_t n = 300;
      while (n > 0 && (static_cast<unsigned char>(message[n]) & 0xC0) == 0x80) --n;
      message.resize(n);
    }
    platformCode = code ? std::to_string(code) : std::to_string(r.status);
    if (subcode) platformCode += "/" + std::to_string(subcode);
    detail = message.empty() ? "HTTP " + std::to_string(r.status) : message;
    rateLimited = code == 4 || code == 17 || code == 32 || code == 613 || code == 9 ||
                  (code >= 80001 && code <= 80014) || (!code && r.status == 429);
    transient = host.get(r.body, "/error/is_transient").text == "true" || code == 1 || code == 2;
  }
};

/// Throws the ABI error for a failed Graph answer. `tokenEndpoint`: oauth/access_token, where any
/// refusal of the code or token means the user must connect again.
[[noreturn]] inline void throwGraphError(const sdk::HttpResponse& r, bool tokenEndpoint = false) {
  if (r.result != MS_OK) throw Error(MS_ERR_TRANSIENT, "no answer from the Graph API");
  const GraphFailure f(r);
  const auto& detail = f.detail;
  if (f.rateLimited)
    throw Error(MS_ERR_RATE_LIMITED, "rate limited by Meta: " + detail, f.platformCode, retryAfterSeconds(r.headers));
  if (f.transient || (!f.code && (r.status >= 500 || r.status == 408)))
    throw Error(MS_ERR_TRANSIENT, "temporary Graph API failure: " + detail, f.platformCode);
  // At oauth/access_token even an expired token means reconnecting: there is nothing to refresh with.
  if (f.code == 190 && (f.subcode == 463 || f.subcode == 467) && !tokenEndpoint)
    throw Error(MS_ERR_AUTH_EXPIRED, "the access token has expired", f.platformCode);
  if (f.code == 190 || f.code == 102 || (tokenEndpoint && r.status >= 400 && r.status < 500))
    throw Error(MS_ERR_AUTH_INVALID, "the access token or code was refused; reconnect the account: " + detail,
                f.platformCode);
  if (f.code == 10 || (f.code >= 200 && f.code <= 299)) {
    const auto permission = missingPermission(detail);
    throw Error(MS_ERR_AUTH_INVALID,
                (permission.empty() ? "missing permission" : "missing permission " + permission) + ": " + detail,
                f.platformCode);
  }
  if (r.status >= 500) throw Error(MS_ERR_TRANSIENT, "Graph API server error: " + detail, f.platformCode);
  throw Error(MS_ERR_PERMANENT, "refused by the Graph API: " + detail, f.platformCode);
}

/// Throws the ABI error for a failed call that makes a post go live (a create). Whatever leaves
/// it open whether the post now exists is MS_ERR_OUTCOME_UNKNOWN, never TRANSIENT: the request
/// went out whole without a complete answer (timeout, reset, dropped connection), a gateway gave
/// up (502/503/504), Graph failed on its side (any other 5xx, is_transient, codes 1 and 2: the
/// error-handling guide says to retry them, not that nothing was made), or Facebook refused the
/// text as a duplicate of a recent post (506). The host then looks the post up (reconcile).
/// Only a request that never left, throttling, and refusals of the token or the content say
/// for sure that nothing was made.
[[noreturn]] inline void throwCreateError(const sdk::HttpResponse& r) {
  if (r.result != MS_OK) {
    if (!r.sent) throw Error(MS_ERR_TRANSIENT, "the request could not be sent: " + r.error);
    throw Error(MS_ERR_OUTCOME_UNKNOWN,
                "the request went out but no complete answer came back (" + r.error + "): the post may exist");
  }
  const GraphFailure f(r);
  if (f.rateLimited) throwGraphError(r);
  if (f.code == 506)
    throw Error(MS_ERR_OUTCOME_UNKNOWN,
                "Facebook refused the post as a duplicate of a recent one (" + f.detail + "): it may be live already",
                f.platformCode);
  if (r.status >= 500 || f.transient)
    throw Error(MS_ERR_OUTCOME_UNKNOWN,
                "Graph failed after the request went out (" + f.detail + "): the post may exist", f.platformCode);
  throwGraphError(r);
}

/// What a POST does at Meta. Most can be sent again harmlessly (an unpublished photo, a
/// container, a chunk of an upload); a Creates call makes a post go live or schedules it, so
/// its failures are classified by throwCreateError.
enum class Effect { Repeatable, Creates };

/// Sends `request` (with the configured timeout unless it sets one); the body on 2xx without an
/// error object, else the mapped Error. `tokenEndpoint`: see throwGraphError.
inline std::string sendGraph(sdk::HttpRequest request, Effect effect = Effect::Repeatable, bool tokenEndpoint = false) {
  if (request.timeoutMs == 0) request.timeoutMs = timeoutMs();
  const auto r = host.http(request);
  if (r.result == MS_OK && r.status >= 200 && r.status < 300 && host.get(r.body, "/error").type != MS_JSON_OBJECT)
    return r.body;
  if (effect == Effect::Creates) throwCreateError(r);
  throwGraphError(r, tokenEndpoint);
}

/// Graph calls made with one access token (a User or Page token).
class Graph {
 public:
  explicit Graph(std::string token) : base_(graphBase()), token_(std::move(token)) {
    // appsecret_proof: HMAC-SHA256 of the token keyed with the app secret, as Meta recommends.
    if (const auto secret = host.setting("/client_secret", ""); !secret.empty()) {
      uint8_t mac[32];
      host.raw()->hmac_sha256(host.raw(), secret.data(), secret.size(), token_.data(), token_.size(), mac);
      proof_ = hex(mac, sizeof mac);
    }
  }

  const std::string& base() const { return base_; }
  const std::string& token() const { return token_; }

  /// `params` plus access_token (and appsecret_proof).
  Params withAuth(Params params) const {
    params.emplace_back("access_token", token_);
    if (!proof_.empty()) params.emplace_back("appsecret_proof", proof_);
    return params;
  }

  std::string get(const std::string& path, const Params& params = {}) const { return call("GET", path, params); }
  std::string del(const std::string& path, const Params& params = {}) const { return call("DELETE", path, params); }

  /// POST with an application/x-www-form-urlencoded body.
  std::string post(const std::string& path, const Params& params, Effect effect = Effect::Repeatable) const {
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = base_ + path;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = host.form(withAuth(params));
    return sendGraph(request, effect);
  }

  /// The same token on another host of the API (e.g. a video upload host): {apiBase}/{version}.
  Graph onHost(const std::string& apiBase) const {
    Graph copy = *this;
    copy.base_ = apiBase + "/" + apiVersion();
    return copy;
  }

  /// POST multipart/form-data: `params` as fields, then `fileField` streamed from `filePath`
  /// (bytes [offset, offset + length), length 0 = to the end).
  std::string postFile(const std::string& path, const Params& params, const std::string& fileField,
                       const std::string& filePath, const std::string& mimeType, Effect effect = Effect::Repeatable,
                       uint64_t offset = 0, uint64_t length = 0) const {
    uint8_t random[12];
    if (host.raw()->random_bytes(host.raw(), random, sizeof random) != MS_OK)
      throw Error(MS_ERR_TRANSIENT, "no random bytes for a boundary");
    const std::string boundary = "marketsage" + hex(random, sizeof random);
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = base_ + path;
    request.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary}};
    for (const auto& [name, value] : withAuth(params)) {
      request.body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(name);
      request.body.append("\"\r\n\r\n").append(value).append("\r\n");
    }
    request.body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\"" +
                    fileName(filePath) + "\"\r\nContent-Type: " + mimeType + "\r\n\r\n";
    request.bodyFile = filePath;
    request.fileOffset = offset;
    request.fileLength = length;
    request.bodyTail = "\r\n--" + boundary + "--\r\n";
    request.timeoutMs = timeoutMs(true);
    return sendGraph(request, effect);
  }

  /// Visits each `data` element of a cursor-paged edge in Graph's order, following paging.next
  /// within the API base for at most `maxPages` pages, until `visit` answers false. Returns false
  /// when the page bound cut the walk short (the edge had more), true otherwise.
  template <class Visit>
  bool walk(const std::string& path, const Params& params, std::size_t maxPages, Visit&& visit) const {
    std::string body = get(path, params);
    for (std::size_t page = 0;; ++page) {
      const std::size_t n = host.count(body, "/data");
      for (std::size_t i = 0; i < n; ++i)
        if (!visit(host.get(body, ("/data/" + std::to_string(i)).c_str()).text)) return true;
      const auto next = host.string(body, "/paging/next");
      // Never send the token anywhere but the configured API host.
      if (!next || n == 0 || next->rfind(base_ + "/", 0) != 0) return true;
      if (page + 1 >= maxPages) return false;
      sdk::HttpRequest request;
      // Graph's next URLs carry the access_token but not always the appsecret_proof.
      Params missing;
      for (auto& param : withAuth({}))
        if (next->find(param.first + "=") == std::string::npos) missing.push_back(std::move(param));
      request.url =
          *next + (missing.empty() ? "" : (next->find('?') == std::string::npos ? "?" : "&") + host.form(missing));
      body = sendGraph(request);
    }
  }

  /// Every `data` element of a cursor-paged edge (at most `maxPages` pages).
  std::vector<std::string> getAll(const std::string& path, const Params& params, std::size_t maxPages = 50) const {
    std::vector<std::string> items;
    walk(path, params, maxPages, [&](std::string item) {
      items.push_back(std::move(item));
      return true;
    });
    return items;
  }

 private:
  static std::string fileName(const std::string& path) {
    const auto slash = path.find_last_of('/');
    auto name = slash == std::string::npos ? path : path.substr(slash + 1);
    name.erase(std::remove_if(name.begin(), name.end(), [](char c) { return c == '"' || c == '\r' || c == '\n'; }),
               name.end());
    return name.empty() ? "upload" : name;
  }

  std::string call(const char* method, const std::string& path, const Params& params) const {
    sdk::HttpRequest request;
    request.method = method;
    request.url = base_ + path + (path.find('?') == std::string::npos ? "?" : "&") + host.form(withAuth(params));
    return sendGraph(request);
  }

  std::string base_, token_, proof_;
};

/// A Graph node or edge id from the request, safe as a URL path segment.
inline std::string graphId(const std::string& id, const char* what) {
  const bool safe = !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
  if (!safe) throw Error(MS_ERR_INVALID_INPUT, std::string(what) + " is not a valid Graph id");
  return id;
}

/// The id Graph answered at `pointer` ("/id", "/post_id", "/h"); PERMANENT when missing.
inline std::string idIn(const std::string& body, const char* pointer = "/id") {
  auto id = host.string(body, pointer);
  if (!id || id->empty()) throw Error(MS_ERR_PERMANENT, "the Graph API answered without an id");
  return *id;
}

/// GET /{id}?fields={field} right after publishing. Best effort: the post is live already, so a
/// failure only leaves the field out.
inline std::optional<std::string> publishedField(const Graph& graph, const std::string& id, const char* field) {
  try {
    return host.string(graph.get("/" + id, {{"fields", field}}), (std::string("/") + field).c_str());
  } catch (const Error&) {
    host.log(MS_LOG_WARN, "published " + id + " but could not read its " + field);
    return std::nullopt;
  }
}

}  // namespace marketsage::meta

#endif  // MARKETSAGE_META_GRAPH_API_HPP
