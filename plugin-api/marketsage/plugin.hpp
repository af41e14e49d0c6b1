// MarketSage plugin ABI — optional header-only C++17 helpers for plugin authors.
//
// Everything here is compiled into the plugin; nothing C++ crosses the boundary: the helpers only
// wrap the C types of plugin.h (sinks, the host table, the reply). Use them or not; the ABI is
// plugin.h alone.
//
//   static marketsage::sdk::Host host;
//   static ms_status publish(const char* req, size_t len, const ms_reply* reply) {
//     return marketsage::sdk::guard(reply, [&] {
//       auto text = host.get({req, len}, "/content");
//       if (!text.isString()) throw marketsage::sdk::Error(MS_ERR_INVALID_INPUT, "content is required");
//       ...
//       return std::string(R"({"postId":"1","url":"https://…"})");
//     });
//   }
#ifndef MARKETSAGE_PLUGIN_HPP
#define MARKETSAGE_PLUGIN_HPP

#include <marketsage/plugin.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace marketsage::sdk {

/// A std::string that the host can write into (an ms_sink). Not copyable: the sink points at it.
class StringSink {
 public:
  StringSink() : sink_{sizeof(ms_sink), this, &StringSink::append} {}
  StringSink(const StringSink&) = delete;
  StringSink& operator=(const StringSink&) = delete;
  const ms_sink* get() const { return &sink_; }
  std::string data;

 private:
  static int append(void* ctx, const char* bytes, size_t len) noexcept {
    try {
      static_cast<StringSink*>(ctx)->data.append(bytes, len);
      return 0;
    } catch (...) {
      return -1;  // out of memory: the host stops writing
    }
  }
  ms_sink sink_;
};

/// A failure to report from inside guard(): becomes the call's status and error details.
struct Error : std::exception {
  Error(ms_status status, std::string message, std::string platformCode = {}, int32_t retryAfterSeconds = 0)
      : status(status),
        message(std::move(message)),
        platformCode(std::move(platformCode)),
        retryAfterSeconds(retryAfterSeconds) {}
  const char* what() const noexcept override { return message.c_str(); }
  ms_status status;
  std::string message, platformCode;
  int32_t retryAfterSeconds;
};

/// Runs `body` (returning the reply JSON as std::string) and turns every exception into an ABI
/// status: Error as given, std::bad_alloc as MS_ERR_TRANSIENT, anything else as MS_ERR_PERMANENT.
/// Use it for every capability function so that no exception can leave the plugin.
template <class Body>
ms_status guard(const ms_reply* reply, Body&& body) noexcept;

namespace detail {
/// The request of the capability call this thread is serving (set by guard(request, …)), and its
/// "app" object once Host::setting() has looked for it.
struct CallRequest {
  const char* text = nullptr;
  size_t length = 0;
  bool appRead = false;
  std::string app;  ///< JSON text of the request's "app" object; empty when it has none
};
/// A plain pointer to the caller's stack: a thread_local with a destructor would keep glibc from
/// ever unloading the plugin.
inline thread_local CallRequest* callRequest = nullptr;

/// Makes `text` the current call's request until destroyed (restoring the previous one).
class CallScope {
 public:
  CallScope(const char* text, size_t length) noexcept : saved_(callRequest) {
    request_.text = text;
    request_.length = text != nullptr ? length : 0;
    callRequest = &request_;
  }
  ~CallScope() { callRequest = saved_; }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  CallRequest request_;
  CallRequest* saved_;
};
}  // namespace detail

/// guard() for a capability call whose request may carry "app" (ABI 1.3): the organization's own
/// platform app the host chose for this call. While `body` runs, Host::setting() answers from the
/// request's "app" first ("/client_id", "/client_secret", "/api_base" …) and from the plugin's
/// settings for what the app does not set — so one loaded plugin serves many organizations' apps.
/// Use this form for every call that reads app credentials or base URLs.
template <class Body>
ms_status guard(const char* request, size_t length, const ms_reply* reply, Body&& body) noexcept {
  const detail::CallScope scope(request, length);
  return guard(reply, std::forward<Body>(body));
}

template <class Body>
ms_status guard(const ms_reply* reply, Body&& body) noexcept {
  try {
    const std::string out = body();
    if (!out.empty() && reply->write(reply, out.data(), out.size()) != 0)
      throw Error(MS_ERR_PERMANENT, "reply too large for the host");
    return MS_OK;
  } catch (const Error& e) {
    reply->error(reply, e.message.c_str(), e.platformCode.empty() ? nullptr : e.platformCode.c_str(),
                 e.retryAfterSeconds);
    return e.status;
  } catch (const std::bad_alloc&) {
    reply->error(reply, "out of memory", nullptr, 0);
    return MS_ERR_TRANSIENT;
  } catch (const std::exception& e) {
    reply->error(reply, e.what(), nullptr, 0);
    return MS_ERR_PERMANENT;
  } catch (...) {
    reply->error(reply, "unknown error", nullptr, 0);
    return MS_ERR_PERMANENT;
  }
}

/// A value read with Host::get() / Host::setting(): its MS_JSON_* type and its text (strings
/// unescaped, other values as JSON).
struct JsonValue {
  int32_t type = MS_JSON_NONE;
  std::string text;
  bool present() const { return type != MS_JSON_NONE; }
  bool isString() const { return type == MS_JSON_STRING; }
};

/// Appends `text` to `out` as a JSON string literal (quotes included). Pure C++, no host call, so
/// it can build request bodies anywhere; control characters are escaped as \u00XX.
inline void appendJsonString(std::string& out, std::string_view text) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

/// Builds one JSON object or array as text, for request bodies and replies:
///   Json::object().field("text", content).field("count", 3).raw("reply", Json::object()...).str()
/// Fields are written in call order; `raw` inserts JSON text that is already valid.
class Json {
 public:
  static Json object() { return Json('{', '}'); }
  static Json array() { return Json('[', ']'); }

  Json& field(std::string_view name, std::string_view value) {
    key(name);
    appendJsonString(text_, value);
    return *this;
  }
  Json& field(std::string_view name, const char* value) { return field(name, std::string_view(value)); }
  Json& field(std::string_view name, const std::string& value) { return field(name, std::string_view(value)); }
  Json& field(std::string_view name, long long value) {
    key(name);
    text_ += std::to_string(value);
    return *this;
  }
  Json& field(std::string_view name, int value) { return field(name, static_cast<long long>(value)); }
  Json& field(std::string_view name, bool value) {
    key(name);
    text_ += value ? "true" : "false";
    return *this;
  }
  Json& raw(std::string_view name, std::string_view json) {
    key(name);
    text_ += json;
    return *this;
  }
  Json& raw(std::string_view name, const Json& json) { return raw(name, json.str()); }

  /// Array elements.
  Json& push(std::string_view value) {
    comma();
    appendJsonString(text_, value);
    return *this;
  }
  Json& push(const std::string& value) { return push(std::string_view(value)); }
  Json& push(const char* value) { return push(std::string_view(value)); }
  Json& pushRaw(std::string_view json) {
    comma();
    text_ += json;
    return *this;
  }
  Json& pushRaw(const Json& json) { return pushRaw(json.str()); }

  bool empty() const { return count_ == 0; }
  std::string str() const { return text_ + close_; }

 private:
  Json(char open, char close) : text_(1, open), close_(close) {}
  void comma() {
    if (count_++ > 0) text_ += ',';
  }
  void key(std::string_view name) {
    comma();
    appendJsonString(text_, name);
    text_ += ':';
  }
  std::string text_;
  char close_;
  int count_ = 0;
};

/// One thing the platform would refuse in a post: the JSON Pointer of the field ("" when none)
/// and why, as validate reports it.
struct Issue {
  std::string field, message;
};

/// The post's main text as the platform counts it: validate's optional "length".
struct LengthCount {
  long long used = 0;
  long long limit = 0;
  const char* unit = "characters";  ///< "characters", "weighted", "utf16" or "bytes"
};

/// validate's reply: {"issues": [{"field", "message"}, …]}, plus "length" when given.
inline std::string validationReply(const std::vector<Issue>& issues,
                                   const std::optional<LengthCount>& length = std::nullopt) {
  auto list = Json::array();
  for (const auto& issue : issues)
    list.pushRaw(Json::object().field("field", issue.field).field("message", issue.message));
  auto out = Json::object().raw("issues", list);
  if (length)
    out.raw("length",
            Json::object().field("used", length->used).field("limit", length->limit).field("unit", length->unit));
  return out.str();
}

/// One row of a plugin's extension table: an MS_EXT_* id and the plugin's static extension struct.
struct ExtensionEntry {
  const char* id;
  const void* extension;
};

/// get_extension() over a table:
///   const ExtensionEntry extensions[] = {{MS_EXT_OAUTH, &oauth}, {MS_EXT_PUBLISH, &publishing}};
///   const void* getExtension(const char* id) { return findExtension(extensions, id); }
/// Returns the extension for `id`, or NULL for an id the plugin does not implement.
template <std::size_t N>
const void* findExtension(const ExtensionEntry (&table)[N], const char* id) {
  if (id == nullptr) return nullptr;
  for (const auto& entry : table)
    if (std::string_view(entry.id) == id) return entry.extension;
  return nullptr;
}

/// The MS_CAP_* flag of an MS_EXT_* id (0 for an unknown id).
constexpr uint32_t capabilityOf(std::string_view id) {
  constexpr std::pair<std::string_view, uint32_t> kFlags[] = {{MS_EXT_OAUTH, MS_CAP_OAUTH},
                                                              {MS_EXT_ACCOUNTS, MS_CAP_ACCOUNTS},
                                                              {MS_EXT_VALIDATE, MS_CAP_VALIDATE},
                                                              {MS_EXT_PUBLISH, MS_CAP_PUBLISH},
                                                              {MS_EXT_MEDIA, MS_CAP_MEDIA},
                                                              {MS_EXT_DELETE, MS_CAP_DELETE},
                                                              {MS_EXT_INSIGHTS, MS_CAP_INSIGHTS},
                                                              {MS_EXT_HEALTH, MS_CAP_HEALTH},
                                                              {MS_EXT_API_VERSION, MS_CAP_API_VERSION},
                                                              {MS_EXT_RECONCILE, MS_CAP_RECONCILE},
                                                              {MS_EXT_APP_REGISTRATION, MS_CAP_APP_REGISTRATION}};
  for (const auto& [name, flag] : kFlags)
    if (name == id) return flag;
  return 0;
}

/// The descriptor's capability flags, derived from the extension table so that a capability is
/// declared once:
///   constexpr ExtensionEntry extensions[] = {{MS_EXT_OAUTH, &oauth}, …};
///   const ms_plugin_descriptor descriptor = {sizeof descriptor, "id", "Name", "1.0.0", capabilitiesOf(extensions), …};
template <std::size_t N>
constexpr uint32_t capabilitiesOf(const ExtensionEntry (&table)[N]) {
  uint32_t flags = 0;
  for (const auto& entry : table) flags |= capabilityOf(entry.id);
  return flags;
}

/// One HTTP exchange, see ms_http_request / ms_http_response.
struct HttpRequest {
  std::string method = "GET", url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;      ///< Sent first.
  std::string bodyFile;  ///< Streamed next when not empty, [fileOffset, fileOffset + fileLength).
  uint64_t fileOffset = 0, fileLength = 0;
  std::string bodyTail;  ///< Sent after the file.
  /// (1.2) Then these, in order: bytes, or a file range streamed from disk (several files in one
  /// multipart body).
  struct Part {
    std::string data;  ///< Sent when `file` is empty.
    std::string file;
    uint64_t fileOffset = 0, fileLength = 0;  ///< fileLength 0 = to the end
  };
  std::vector<Part> parts;
  uint32_t timeoutMs = 0;
};
struct HttpResponse {
  ms_status result = MS_ERR_TRANSIENT;  ///< MS_OK when a response arrived.
  int32_t status = 0;                   ///< HTTP status.
  bool sent = false;                    ///< (1.2) the whole request went out: without a complete
                                        ///< answer, the platform may have acted on it
  std::string body, headers, error;     ///< headers: a JSON object, lower-case names.
};

/// A JSON document parsed once by the host (ABI 1.1), for reading many fields: reading n fields
/// of a request with Host::get() parses it n times. Not copyable; movable.
///   Document request(host, {req, len});
///   auto content = request.string("/content");
class Document {
 public:
  Document(const ms_host* host, std::string_view json)
      : host_(host), doc_(host->json_parse(host, json.data(), json.size())) {}
  ~Document() {
    if (doc_ != nullptr) host_->json_free(host_, doc_);
  }
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;
  Document(Document&& other) noexcept : host_(other.host_), doc_(other.doc_) { other.doc_ = nullptr; }
  Document& operator=(Document&& other) noexcept {
    std::swap(host_, other.host_);
    std::swap(doc_, other.doc_);
    return *this;
  }

  /// False when the text was not valid JSON (every read then finds nothing).
  bool valid() const { return doc_ != nullptr; }
  JsonValue get(const char* pointer) const {
    StringSink s;
    JsonValue v;
    if (doc_ != nullptr) v.type = host_->json_doc_get(host_, doc_, pointer, s.get());
    v.text = std::move(s.data);
    return v;
  }
  std::optional<std::string> string(const char* pointer) const {
    JsonValue v = get(pointer);
    if (!v.isString()) return std::nullopt;
    return std::move(v.text);
  }
  /// The number at `pointer` as an integer (numeric strings count too), or nullopt.
  std::optional<long long> integer(const char* pointer) const { return integerOf(get(pointer)); }
  /// Elements of the array (members of the object) at `pointer`; 0 when absent or neither.
  size_t count(const char* pointer) const {
    const int64_t n = doc_ != nullptr ? host_->json_doc_count(host_, doc_, pointer) : -1;
    return n < 0 ? 0 : static_cast<size_t>(n);
  }

  /// Shared with Host::integer().
  static std::optional<long long> integerOf(const JsonValue& v) {
    if (v.type != MS_JSON_NUMBER && v.type != MS_JSON_STRING) return std::nullopt;
    try {
      size_t used = 0;
      const double d = std::stod(v.text, &used);
      if (used != v.text.size()) return std::nullopt;
      return static_cast<long long>(d);
    } catch (...) {
      return std::nullopt;
    }
  }

 private:
  const ms_host* host_;
  ms_json_doc* doc_;
};

/// One optional part of a reply made of several platform calls (a metric the token may not
/// read, say). Runs `part`; an error no retry or refresh can cure (invalid input, invalid auth,
/// permanent, not supported) is recorded in `unavailable` as {"name","reason"} and false returned,
/// so the reply still carries everything else. An expired token, a rate limit or a transient
/// failure propagates: the host refreshes or retries the whole call.
template <class Part>
bool optionalPart(Json& unavailable, std::string_view name, Part&& part) {
  try {
    part();
    return true;
  } catch (const Error& e) {
    if (e.status == MS_ERR_AUTH_EXPIRED || e.status == MS_ERR_RATE_LIMITED || e.status == MS_ERR_TRANSIENT) throw;
    unavailable.pushRaw(Json::object().field("name", name).field("reason", e.message));
    return false;
  }
}

/// The host table with C++ signatures. Holds the pointer given to init(); copyable, thread-safe.
class Host {
 public:
  Host() = default;
  explicit Host(const ms_host* host) : host_(host) {}
  const ms_host* raw() const { return host_; }

  void log(int32_t level, const std::string& message) const { host_->log(host_, level, message.c_str()); }

  /// The plugin setting at JSON pointer `pointer` ("/api_base"): inside guard(request, …), the
  /// request's "app" value when it has one (ABI 1.3), else the plugin's own setting.
  JsonValue setting(const char* pointer) const {
    if (const std::string& app = callApp(); !app.empty() && pointer != nullptr && *pointer != '\0') {
      JsonValue v = get(app, pointer);
      if (v.present()) return v;
    }
    StringSink s;
    JsonValue v;
    v.type = host_->setting(host_, pointer, s.get());
    v.text = std::move(s.data);
    return v;
  }
  /// The string setting at `pointer`, or `fallback` when absent or not a string.
  std::string setting(const char* pointer, std::string fallback) const {
    JsonValue v = setting(pointer);
    if (v.isString()) return v.text;
    return fallback;
  }

  /// The value at JSON pointer `pointer` of `json`.
  JsonValue get(std::string_view json, const char* pointer) const {
    StringSink s;
    JsonValue v;
    v.type = host_->json_get(host_, json.data(), json.size(), pointer, s.get());
    v.text = std::move(s.data);
    return v;
  }
  /// `text` as a JSON string literal, quotes included.
  std::string quote(std::string_view text) const {
    StringSink s;
    host_->json_quote(host_, text.data(), text.size(), s.get());
    return std::move(s.data);
  }
  /// The string at `pointer`, or nullopt when absent or not a string.
  std::optional<std::string> string(std::string_view json, const char* pointer) const {
    JsonValue v = get(json, pointer);
    if (!v.isString()) return std::nullopt;
    return std::move(v.text);
  }
  /// The request a capability was called with, refused with MS_ERR_INVALID_INPUT unless it is a
  /// JSON object — check it before any network call.
  std::string_view objectRequest(const char* request, size_t length) const {
    const std::string_view json(request ? request : "", request ? length : 0);
    if (json.empty() || get(json, "").type != MS_JSON_OBJECT)
      throw Error(MS_ERR_INVALID_INPUT, "the request must be a JSON object");
    return json;
  }
  /// The string at `pointer`, nullopt when absent or null; MS_ERR_INVALID_INPUT when it is not a
  /// string or is longer than `maxLength` bytes.
  std::optional<std::string> optionalString(std::string_view json, const std::string& pointer,
                                            size_t maxLength = 4096) const {
    JsonValue v = get(json, pointer.c_str());
    if (!v.present() || v.type == MS_JSON_NULL) return std::nullopt;
    if (!v.isString()) throw Error(MS_ERR_INVALID_INPUT, pointer + " must be a string");
    if (v.text.size() > maxLength) throw Error(MS_ERR_INVALID_INPUT, pointer + " is too long");
    return std::move(v.text);
  }
  /// The non-empty string at `pointer`, or MS_ERR_INVALID_INPUT ("<pointer> is required").
  std::string requiredString(std::string_view json, const std::string& pointer, size_t maxLength = 4096) const {
    auto value = optionalString(json, pointer, maxLength);
    if (!value || value->empty()) throw Error(MS_ERR_INVALID_INPUT, pointer + " is required");
    return std::move(*value);
  }
  /// The number at `pointer` as an integer (a numeric string counts too, as platforms send ids and
  /// counters both ways), or nullopt.
  std::optional<long long> integer(std::string_view json, const char* pointer) const {
    return Document::integerOf(get(json, pointer));
  }
  /// Number of elements of the array at `pointer` (0 when absent or not an array). One parse,
  /// whatever the size (ABI 1.1).
  size_t count(std::string_view json, const std::string& pointer) const {
    const Document doc(host_, json);
    return doc.get(pointer.c_str()).type == MS_JSON_ARRAY ? doc.count(pointer.c_str()) : 0;
  }
  /// `json` parsed once, for reading many fields of it.
  Document parse(std::string_view json) const { return Document(host_, json); }

  /// RFC 3339 text to milliseconds since the epoch; nullopt when malformed.
  std::optional<int64_t> parseTime(std::string_view text) const {
    int64_t ms = 0;
    if (host_->time_parse(host_, text.data(), text.size(), &ms) != MS_OK) return std::nullopt;
    return ms;
  }
  /// Milliseconds since the epoch as RFC 3339 UTC ("2026-12-25T10:00:00Z").
  std::string formatTime(int64_t unixMs) const {
    StringSink s;
    host_->time_format(host_, unixMs, s.get());
    return std::move(s.data);
  }
  /// Waits `ms` milliseconds (at most 60 s); false when the host is stopping (end the call as
  /// MS_ERR_TRANSIENT).
  bool sleep(uint32_t ms) const { return host_->sleep_ms(host_, ms) == MS_OK; }
  int64_t nowMs() const { return host_->now_unix_ms(host_); }
  /// application/x-www-form-urlencoded body or query string: "a=1&b=x%20y".
  std::string form(const std::vector<std::pair<std::string, std::string>>& fields) const {
    std::string out;
    for (const auto& [name, value] : fields) {
      if (!out.empty()) out += '&';
      out += urlEncode(name);
      out += '=';
      out += urlEncode(value);
    }
    return out;
  }
  std::string urlEncode(std::string_view text) const {
    StringSink s;
    host_->url_encode(host_, text.data(), text.size(), s.get());
    return std::move(s.data);
  }
  std::string base64(std::string_view bytes, uint32_t flags = 0) const {
    StringSink s;
    host_->base64_encode(host_, bytes.data(), bytes.size(), flags, s.get());
    return std::move(s.data);
  }

  /// The ABI's Token from an OAuth 2.0 token answer (RFC 6749 section 5.1): accessToken, then
  /// refreshToken when the answer has a non-empty one (a refresh answer without one: the host
  /// keeps the token it has), expiresIn, and the granted scope split on spaces or commas (some
  /// platforms separate with commas). An answer without access_token is MS_ERR_PERMANENT naming
  /// `platform`. The object is returned open: a plugin adds "account" or "extra" before str().
  Json oauthToken(std::string_view body, std::string_view platform) const {
    const auto token = string(body, "/access_token");
    if (!token || token->empty())
      throw Error(MS_ERR_PERMANENT, std::string(platform) + " answered without an access_token");
    auto out = Json::object();
    out.field("accessToken", *token);
    if (auto refresh = string(body, "/refresh_token"); refresh && !refresh->empty())
      out.field("refreshToken", *refresh);
    if (auto expires = integer(body, "/expires_in")) out.field("expiresIn", *expires);
    if (auto scope = string(body, "/scope")) {
      auto scopes = Json::array();
      std::string current;
      for (const char c : *scope + " ") {
        if (c != ' ' && c != ',') {
          current += c;
        } else if (!current.empty()) {
          scopes.push(current);
          current.clear();
        }
      }
      out.raw("scopes", scopes);
    }
    return out;
  }

  HttpResponse http(const HttpRequest& request) const {
    std::vector<const char*> headers;
    for (const auto& [name, value] : request.headers) {
      headers.push_back(name.c_str());
      headers.push_back(value.c_str());
    }
    headers.push_back(nullptr);
    ms_http_request req{};
    req.struct_size = sizeof req;
    req.method = request.method.c_str();
    req.url = request.url.c_str();
    req.headers = headers.data();
    req.body = request.body.data();
    req.body_len = request.body.size();
    req.body_file = request.bodyFile.empty() ? nullptr : request.bodyFile.c_str();
    req.body_file_offset = request.fileOffset;
    req.body_file_length = request.fileLength;
    req.body_tail = request.bodyTail.data();
    req.body_tail_len = request.bodyTail.size();
    req.timeout_ms = request.timeoutMs;
    std::vector<ms_body_part> parts;
    for (const auto& part : request.parts) {
      ms_body_part p{};
      p.data = part.data.data();
      p.data_len = part.data.size();
      p.file = part.file.empty() ? nullptr : part.file.c_str();
      p.file_offset = part.fileOffset;
      p.file_length = part.fileLength;
      parts.push_back(p);
    }
    req.body_parts = parts.empty() ? nullptr : parts.data();
    req.body_part_count = parts.size();
    StringSink body, headerSink, error;
    ms_http_response resp{};
    resp.struct_size = sizeof resp;
    resp.body = body.get();
    resp.headers = headerSink.get();
    resp.error = error.get();
    HttpResponse out;
    out.result = host_->http(host_, &req, &resp);
    out.status = resp.status;
    out.sent = resp.request_sent != 0;
    out.body = std::move(body.data);
    out.headers = std::move(headerSink.data);
    out.error = std::move(error.data);
    return out;
  }

 private:
  /// The current call's "app" object as JSON text, read from its request once per call.
  const std::string& callApp() const {
    static const std::string none;
    auto* call = detail::callRequest;
    if (call == nullptr) return none;
    if (!call->appRead && call->text != nullptr) {
      call->appRead = true;
      StringSink s;
      if (host_->json_get(host_, call->text, call->length, "/app", s.get()) == MS_JSON_OBJECT)
        call->app = std::move(s.data);
    }
    return call->app;
  }

  const ms_host* host_ = nullptr;
};

}  // namespace marketsage::sdk

#endif  // MARKETSAGE_PLUGIN_HPP
