#include "plugins/HostServices.h"

#include "core/Json.h"
#include "core/Time.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <condition_variable>
#include <mutex>

namespace json = boost::json;

namespace marketsage::plugins {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

const HostServices& self(const ms_host* host) {
  return *static_cast<const HostServices*>(host->host_data);
}

std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}

json::parse_options parseOptions() {
  json::parse_options o;
  o.max_depth = 64;
  return o;
}

/// Writes a found JSON value the way setting()/json_get() promise: strings raw, others as JSON.
int32_t writeValue(const json::value* v, const ms_sink* out) {
  if (v == nullptr) return MS_JSON_NONE;
  switch (v->kind()) {
    case json::kind::null: writeToSink(out, "null"); return MS_JSON_NULL;
    case json::kind::bool_: writeToSink(out, v->get_bool() ? "true" : "false"); return MS_JSON_BOOL;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: writeToSink(out, marketsage::jsontext::write(*v)); return MS_JSON_NUMBER;
    case json::kind::string: writeToSink(out, v->get_string()); return MS_JSON_STRING;
    case json::kind::array: writeToSink(out, marketsage::jsontext::write(*v)); return MS_JSON_ARRAY;
    case json::kind::object: writeToSink(out, marketsage::jsontext::write(*v)); return MS_JSON_OBJECT;
  }
  return MS_JSON_NONE;
}

const json::value* lookup(const json::value& doc, const char* pointer) {
  boost::system::error_code ec;
  const json::value* v = doc.find_pointer(pointer ? pointer : "", ec);
  return ec ? nullptr : v;
}

Poco::Net::Context::Ptr tlsClientContext() {
  static std::once_flag once;
  static Poco::Net::Context::Ptr context;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                     Poco::Net::Context::VERIFY_RELAXED, 9, true,
                                     "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH");
  });
  return context;
}

// --- the C entry points of the table; each one catches everything --------------------------

void hostLog(const ms_host* host, int32_t level, const char* message) {
  if (host == nullptr || message == nullptr) return;
  self(host).log(std::clamp<int32_t>(level, MS_LOG_DEBUG, MS_LOG_ERROR), message);
}

int32_t hostSetting(const ms_host* host, const char* pointer, const ms_sink* out) {
  if (host == nullptr) return MS_JSON_NONE;
  try {
    return self(host).setting(pointer, out);
  } catch (...) {
    return MS_JSON_NONE;
  }
}

ms_status hostHttp(const ms_host* host, const ms_http_request* request, ms_http_response* response) {
  if (host == nullptr) return MS_ERR_INVALID_INPUT;
  try {
    return self(host).http(request, response);
  } catch (...) {
    return MS_ERR_TRANSIENT;
  }
}

int64_t hostNowUnixMs(const ms_host*) {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t hostMonotonicNs(const ms_host*) {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

ms_status hostRandomBytes(const ms_host*, void* out, size_t len) {
  if (len == 0) return MS_OK;
  if (out == nullptr || len > static_cast<size_t>(INT32_MAX)) return MS_ERR_INVALID_INPUT;
  return RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(len)) == 1 ? MS_OK
                                                                                  : MS_ERR_TRANSIENT;
}

void hostSha256(const ms_host*, const void* data, size_t len, uint8_t out[32]) {
  if (out == nullptr) return;
  static const unsigned char empty = 0;
  SHA256(data ? static_cast<const unsigned char*>(data) : &empty, data ? len : 0, out);
}

void hostHmacSha256(const ms_host*, const void* key, size_t keyLen, const void* data, size_t len,
                    uint8_t out[32]) {
  if (out == nullptr) return;
  static const unsigned char empty = 0;
  unsigned int outLen = 32;
  HMAC(EVP_sha256(), key ? key : &empty, key ? static_cast<int>(keyLen) : 0,
       data ? static_cast<const unsigned char*>(data) : &empty, data ? len : 0, out, &outLen);
}

void hostBase64(const ms_host*, const void* data, size_t len, uint32_t flags, const ms_sink* out) {
  try {
    const char* alphabet = (flags & MS_BASE64_URL)
                               ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                               : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto* p = static_cast<const unsigned char*>(data);
    if (p == nullptr) len = 0;
    std::string r;
    r.reserve((len + 2) / 3 * 4);
    for (size_t i = 0; i < len; i += 3) {
      uint32_t n = uint32_t(p[i]) << 16;
      if (i + 1 < len) n |= uint32_t(p[i + 1]) << 8;
      if (i + 2 < len) n |= p[i + 2];
      r += alphabet[(n >> 18) & 63];
      r += alphabet[(n >> 12) & 63];
      if (i + 1 < len) r += alphabet[(n >> 6) & 63];
      else if (!(flags & MS_BASE64_NO_PADDING)) r += '=';
      if (i + 2 < len) r += alphabet[n & 63];
      else if (!(flags & MS_BASE64_NO_PADDING)) r += '=';
    }
    writeToSink(out, r);
  } catch (...) {
  }
}

void hostUrlEncode(const ms_host*, const char* text, size_t len, const ms_sink* out) {
  try {
    static const char* hex = "0123456789ABCDEF";
    std::string r;
    for (size_t i = 0; text != nullptr && i < len; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        r += static_cast<char>(c);
      } else {
        r += '%';
        r += hex[c >> 4];
        r += hex[c & 15];
      }
    }
    writeToSink(out, r);
  } catch (...) {
  }
}

int32_t hostJsonGet(const ms_host*, const char* text, size_t len, const char* pointer,
                    const ms_sink* out) {
  try {
    if (text == nullptr) return MS_JSON_NONE;
    boost::system::error_code ec;
    json::value doc = json::parse(json::string_view(text, len), ec, {}, parseOptions());
    if (ec) return MS_JSON_NONE;
    return writeValue(lookup(doc, pointer), out);
  } catch (...) {
    return MS_JSON_NONE;
  }
}

void hostJsonQuote(const ms_host*, const char* text, size_t len, const ms_sink* out) {
  try {
    writeToSink(out, json::serialize(json::string_view(text ? text : "", text ? len : 0)));
  } catch (...) {
  }
}

// ---- ABI 1.1 ---------------------------------------------------------------------------------

ms_status hostSleepMs(const ms_host* host, uint32_t ms) {
  return self(host).sleep(std::chrono::milliseconds(std::min<uint32_t>(ms, 60'000))) ? MS_OK : MS_ERR_TRANSIENT;
}

ms_status hostTimeParse(const ms_host*, const char* text, size_t len, int64_t* out) {
  if (text == nullptr || out == nullptr) return MS_ERR_INVALID_INPUT;
  try {
    const auto millis = marketsage::time::parseIso8601(std::string_view(text, len));
    if (!millis) return MS_ERR_INVALID_INPUT;
    *out = *millis;
    return MS_OK;
  } catch (...) {
    return MS_ERR_INVALID_INPUT;
  }
}

void hostTimeFormat(const ms_host*, int64_t millis, const ms_sink* out) {
  try {
    auto text = marketsage::time::formatIso8601(millis);  // …T10:00:00.000Z
    if (millis % 1000 == 0) text.erase(text.size() - 5, 4);
    writeToSink(out, text);
  } catch (...) {
  }
}

/// What a ms_json_doc handle points at.
struct ParsedDocument {
  json::value root;
};

ms_json_doc* hostJsonParse(const ms_host*, const char* text, size_t len) {
  try {
    if (text == nullptr) return nullptr;
    boost::system::error_code ec;
    auto doc = std::make_unique<ParsedDocument>();
    doc->root = json::parse(json::string_view(text, len), ec, {}, parseOptions());
    if (ec) return nullptr;
    return reinterpret_cast<ms_json_doc*>(doc.release());
  } catch (...) {
    return nullptr;
  }
}

int32_t hostJsonDocGet(const ms_host*, const ms_json_doc* doc, const char* pointer, const ms_sink* out) {
  try {
    if (doc == nullptr) return MS_JSON_NONE;
    return writeValue(lookup(reinterpret_cast<const ParsedDocument*>(doc)->root, pointer), out);
  } catch (...) {
    return MS_JSON_NONE;
  }
}

int64_t hostJsonDocCount(const ms_host*, const ms_json_doc* doc, const char* pointer) {
  try {
    if (doc == nullptr) return -1;
    const json::value* v = lookup(reinterpret_cast<const ParsedDocument*>(doc)->root, pointer);
    if (v == nullptr) return -1;
    if (v->is_array()) return static_cast<int64_t>(v->get_array().size());
    if (v->is_object()) return static_cast<int64_t>(v->get_object().size());
    return -1;
  } catch (...) {
    return -1;
  }
}

void hostJsonFree(const ms_host*, ms_json_doc* doc) { delete reinterpret_cast<ParsedDocument*>(doc); }

}  // namespace

bool writeToSink(const ms_sink* sink, std::string_view data) {
  if (sink == nullptr) return true;
  ms_sink local;
  ms_struct_copy(&local, sizeof local, sink);
  if (local.write == nullptr) return false;
  return local.write(local.ctx, data.data(), data.size()) == 0;
}

namespace {

constexpr std::string_view kSchemes[] = {"bearer", "basic", "oauth"};
constexpr std::string_view kParams[] = {"access_token", "refresh_token", "id_token", "client_secret",
                                        "code_verifier", "appsecret_proof", "api_key", "apikey",
                                        "password", "token", "secret", "signature", "sig",
                                        // OAuth codes and Meta's token-exchange parameters travel in
                                        // query strings of documented GET calls.
                                        "code", "fb_exchange_token", "input_token", "client_assertion"};
constexpr std::string_view kFields[] = {"accesstoken", "refreshtoken", "idtoken", "access_token",
                                        "refresh_token", "id_token", "clientsecret", "client_secret",
                                        "codeverifier", "code_verifier", "password", "token", "secret"};

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool isSpace(char c) { return c == ' ' || c == '\t'; }

/// True when `s` has `word` (lower case) at `i`, case-insensitively.
bool hasAt(std::string_view s, std::size_t i, std::string_view word) {
  if (s.size() - i < word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(s[i + k])) != word[k]) return false;
  return true;
}

}  // namespace

std::string redact(std::string_view text, const std::vector<std::string>& secrets) {
  std::string s(text);
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;
    for (auto pos = s.find(secret); pos != std::string::npos; pos = s.find(secret, pos + 3))
      s.replace(pos, secret.size(), "***");
  }
  // One linear pass (no std::regex: plugin log lines may be huge): replace the value after
  // "Bearer ", after "token=" style parameters and after "accessToken": style JSON fields.
  std::string out;
  out.reserve(s.size());
  const std::string_view v(s);
  std::size_t i = 0;
  auto skipValue = [&](std::size_t j, auto stop) {
    while (j < v.size() && !stop(v[j])) ++j;
    return j;
  };
  while (i < v.size()) {
    const bool boundary = i == 0 || !isWordChar(v[i - 1]);
    std::size_t next = std::string_view::npos;
    if (boundary) {
      for (auto scheme : kSchemes) {
        std::size_t j = i + scheme.size();
        if (!hasAt(v, i, scheme) || j >= v.size() || !isSpace(v[j])) continue;
        while (j < v.size() && isSpace(v[j])) ++j;
        const std::size_t end = skipValue(j, [](char c) { return isSpace(c) || c == '"' || c == ',' || c == ';' || c == '\n'; });
        if (end == j) continue;
        out.append(v.substr(i, j - i)).append("***");
        next = end;
        break;
      }
      for (auto param : kParams) {
        if (next != std::string_view::npos) break;
        const std::size_t j = i + param.size();
        if (!hasAt(v, i, param) || j >= v.size() || v[j] != '=') continue;
        const std::size_t end = skipValue(j + 1, [](char c) { return c == '&' || isSpace(c) || c == '"' || c == '\'' || c == '\n'; });
        out.append(v.substr(i, j + 1 - i)).append("***");
        next = end;
      }
    }
    // A bot token in a URL path, as the Telegram Bot API wants it: /bot<id>:<secret>/method.
    if (next == std::string_view::npos && v[i] == '/' && hasAt(v, i + 1, "bot")) {
      std::size_t j = i + 4;
      while (j < v.size() && std::isdigit(static_cast<unsigned char>(v[j]))) ++j;
      if (j > i + 4 && j < v.size() && v[j] == ':') {
        out.append("/bot***");
        next = skipValue(j, [](char c) { return c == '/' || c == '?' || isSpace(c) || c == '"' || c == '\n'; });
      }
    }
    if (next == std::string_view::npos && v[i] == '"') {
      for (auto field : kFields) {
        std::size_t j = i + 1 + field.size();
        if (!hasAt(v, i + 1, field) || j >= v.size() || v[j] != '"') continue;
        ++j;
        while (j < v.size() && isSpace(v[j])) ++j;
        if (j >= v.size() || v[j] != ':') continue;
        ++j;
        while (j < v.size() && isSpace(v[j])) ++j;
        if (j >= v.size() || v[j] != '"') continue;
        std::size_t end = j + 1;
        while (end < v.size() && v[end] != '"') end += v[end] == '\\' ? 2 : 1;
        out.append(v.substr(i, j + 1 - i)).append("***\"");
        next = std::min(end + 1, v.size());
        break;
      }
    }
    if (next == std::string_view::npos) {
      out += v[i];
      ++i;
    } else {
      i = next;
    }
  }
  return out;
}

namespace {
thread_local int ambiguousRequests = 0;
}  // namespace

HostServices::AmbiguousRequests::AmbiguousRequests() { ambiguousRequests = 0; }
HostServices::AmbiguousRequests::~AmbiguousRequests() { ambiguousRequests = 0; }
int HostServices::AmbiguousRequests::count() const { return ambiguousRequests; }
void HostServices::AmbiguousRequests::note() { ++ambiguousRequests; }

namespace {
std::mutex sleepMutex;
std::condition_variable sleepWake;
bool sleepsInterrupted = false;
}  // namespace

bool HostServices::sleep(std::chrono::milliseconds duration) const {
  std::unique_lock lock(sleepMutex);
  return !sleepWake.wait_for(lock, duration, [] { return sleepsInterrupted; });
}

void HostServices::interruptSleeps() {
  {
    std::lock_guard lock(sleepMutex);
    sleepsInterrupted = true;
  }
  sleepWake.notify_all();
}

HostServices::HostServices(std::string pluginId, json::object settings, LogSink log,
                           HostOptions options)
    : pluginId_(std::move(pluginId)),
      settings_(std::move(settings)),
      log_(std::move(log)),
      options_(std::move(options)) {
  for (const auto& [key, value] : settings_.as_object()) {
    const std::string k = lower(std::string_view(key.data(), key.size()));
    const bool secretKey = k.find("secret") != std::string::npos ||
                           k.find("token") != std::string::npos ||
                           k.find("password") != std::string::npos || k.find("key") != std::string::npos;
    if (secretKey && value.is_string()) secrets_.emplace_back(value.get_string());
  }
  table_.struct_size = sizeof(ms_host);
  table_.abi_major = MS_ABI_VERSION_MAJOR;
  table_.abi_minor = MS_ABI_VERSION_MINOR;
  table_.host_data = this;
  table_.host_name = "marketsage";
  table_.host_version = options_.hostVersion.c_str();
  table_.log = hostLog;
  table_.setting = hostSetting;
  table_.http = hostHttp;
  table_.now_unix_ms = hostNowUnixMs;
  table_.monotonic_ns = hostMonotonicNs;
  table_.random_bytes = hostRandomBytes;
  table_.sha256 = hostSha256;
  table_.hmac_sha256 = hostHmacSha256;
  table_.base64_encode = hostBase64;
  table_.url_encode = hostUrlEncode;
  table_.json_get = hostJsonGet;
  table_.json_quote = hostJsonQuote;
  table_.sleep_ms = hostSleepMs;
  table_.time_parse = hostTimeParse;
  table_.time_format = hostTimeFormat;
  table_.json_parse = hostJsonParse;
  table_.json_doc_get = hostJsonDocGet;
  table_.json_doc_count = hostJsonDocCount;
  table_.json_free = hostJsonFree;
}

void HostServices::log(int level, std::string_view message) const noexcept {
  try {
    if (log_) log_(level, pluginId_, redact(message, secrets_));
  } catch (...) {
  }
}

int32_t HostServices::setting(const char* pointer, const ms_sink* out) const {
  // settings_ is never modified after construction, so concurrent reads are safe.
  return writeValue(lookup(settings_, pointer), out);
}

ms_status HostServices::http(const ms_http_request* requestIn, ms_http_response* responseIn) const {
  if (requestIn == nullptr || responseIn == nullptr) return MS_ERR_INVALID_INPUT;
  ms_http_request req;
  ms_struct_copy(&req, sizeof req, requestIn);
  ms_http_response resp;
  ms_struct_copy(&resp, sizeof resp, responseIn);
  // Write back only fields the plugin's (possibly older, smaller) struct has.
  auto setStatus = [&](int status) {
    if (MS_HAS_FIELD(responseIn, ms_http_response, status)) responseIn->status = status;
  };
  setStatus(0);
  // Whether the whole request went out (ABI 1.2 request_sent): then a missing answer does not
  // mean nothing happened at the platform.
  bool requestSent = false;
  auto setSent = [&] {
    if (MS_HAS_FIELD(responseIn, ms_http_response, request_sent)) responseIn->request_sent = requestSent ? 1 : 0;
  };
  setSent();

  const auto started = std::chrono::steady_clock::now();
  const std::string method = req.method ? std::string(req.method) : std::string();
  std::string host;
  std::uint64_t sent = 0, received = 0;
  auto report = [&](int status, bool transportError) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    log(MS_LOG_DEBUG, "http " + method + " " + redact(req.url ? req.url : "", secrets_) + " -> " +
                          (transportError ? std::string("no response") : std::to_string(status)) +
                          " (" + std::to_string(elapsed.count() / 1000) + " ms)");
    if (options_.onHttp) {
      try {
        options_.onHttp(HttpEvent{pluginId_, method, host, status, transportError, elapsed, sent, received});
      } catch (...) {
      }
    }
  };
  const bool writes = req.method != nullptr && std::strcmp(req.method, "GET") != 0 && std::strcmp(req.method, "HEAD") != 0;
  auto fail = [&](ms_status status, const std::string& reason) {
    writeToSink(resp.error, reason);
    if (status == MS_ERR_TRANSIENT) report(0, true);
    setSent();
    if (requestSent && writes) AmbiguousRequests::note();
    return status;
  };

  if (req.method == nullptr || req.url == nullptr) return fail(MS_ERR_INVALID_INPUT, "method and url are required");
  if (method.empty() || !std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return fail(MS_ERR_INVALID_INPUT, "invalid method");
  Poco::URI uri;
  try {
    uri = Poco::URI(req.url);
  } catch (const Poco::Exception& e) {
    return fail(MS_ERR_INVALID_INPUT, "invalid url: " + e.message());
  }
  const std::string scheme = lower(uri.getScheme());
  host = uri.getHost();
  if ((scheme != "http" && scheme != "https") || host.empty())
    return fail(MS_ERR_INVALID_INPUT, "url must be absolute http:// or https://");

  std::vector<std::pair<std::string, std::string>> headers;
  for (const char* const* h = req.headers; h != nullptr && h[0] != nullptr; h += 2) {
    if (h[1] == nullptr) return fail(MS_ERR_INVALID_INPUT, std::string("header without value: ") + h[0]);
    headers.emplace_back(h[0], h[1]);
  }

  // The body in order: body, the body_file range, body_tail, then each body_parts piece (1.2).
  // Files are checked before anything is sent and streamed from disk, never read whole.
  struct Segment {
    std::string_view bytes;
    const char* file = nullptr;
    std::uint64_t offset = 0, length = 0;
  };
  std::vector<Segment> segments;
  auto addFile = [&](const char* path, std::uint64_t offset, std::uint64_t length, const std::string& what) -> std::optional<std::string> {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return "cannot read " + what + ": " + ec.message();
    if (offset > size) return what + " offset beyond end of file";
    if (length == 0) length = size - offset;
    if (length > size - offset) return what + " range beyond end of file";
    segments.push_back({{}, path, offset, length});
    return std::nullopt;
  };
  if (req.body) segments.push_back({std::string_view(req.body, req.body_len)});
  if (req.body_file != nullptr) {
    if (auto problem = addFile(req.body_file, req.body_file_offset, req.body_file_length, "body_file")) return fail(MS_ERR_INVALID_INPUT, *problem);
  }
  if (req.body_tail) segments.push_back({std::string_view(req.body_tail, req.body_tail_len)});
  if (req.body_part_count > 64) return fail(MS_ERR_INVALID_INPUT, "more than 64 body_parts");
  if (req.body_part_count > 0 && req.body_parts == nullptr) return fail(MS_ERR_INVALID_INPUT, "body_parts is NULL");
  for (std::size_t i = 0; i < req.body_part_count; ++i) {
    const auto& part = req.body_parts[i];
    if (part.file != nullptr) {
      if (auto problem = addFile(part.file, part.file_offset, part.file_length, "body_parts[" + std::to_string(i) + "]"))
        return fail(MS_ERR_INVALID_INPUT, *problem);
    } else if (part.data != nullptr) {
      segments.push_back({std::string_view(part.data, part.data_len)});
    }
  }
  std::uint64_t contentLength = 0;
  for (const auto& segment : segments) contentLength += segment.file ? segment.length : segment.bytes.size();

  if (!options_.allowNetwork) return fail(MS_ERR_TRANSIENT, "network disabled (plugins check)");

  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    const auto port = uri.getPort();
    if (scheme == "https")
      session = std::make_unique<Poco::Net::HTTPSClientSession>(host, port, tlsClientContext());
    else
      session = std::make_unique<Poco::Net::HTTPClientSession>(host, port);
    if (!options_.proxyHost.empty()) session->setProxy(options_.proxyHost, options_.proxyPort);
    const auto timeoutMs = req.timeout_ms ? std::chrono::milliseconds(req.timeout_ms) : options_.httpTimeout;
    session->setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeoutMs.count()) * 1000));

    // The path and query exactly as the plugin encoded them (plugin.h: "already
    // percent-encoded"): re-serialising through Poco::URI would decode "%3A" in
    // "urn%3Ali%3Aperson%3A1" and send a different resource name.
    const std::string url(req.url);
    const auto authority = url.find("://") + 3;
    const auto pathStart = url.find_first_of("/?#", authority);
    std::string target = pathStart == std::string::npos ? "/" : url.substr(pathStart);
    if (const auto fragment = target.find('#'); fragment != std::string::npos) target.erase(fragment);
    if (target.empty() || target.front() != '/') target.insert(0, "/");
    Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.add(name, value);
    if (contentLength > 0 || method == "POST" || method == "PUT" || method == "PATCH")
      request.setContentLength64(static_cast<Poco::Int64>(contentLength));

    std::ostream& os = session->sendRequest(request);
    std::vector<char> buffer(kChunk);
    for (const auto& segment : segments) {
      if (!segment.file) {
        os.write(segment.bytes.data(), static_cast<std::streamsize>(segment.bytes.size()));
        continue;
      }
      std::ifstream file(segment.file, std::ios::binary);
      if (!file) return fail(MS_ERR_TRANSIENT, "a body file could not be opened while sending");
      file.seekg(static_cast<std::streamoff>(segment.offset));
      for (std::uint64_t left = segment.length; left > 0 && os;) {
        const auto n = static_cast<std::streamsize>(std::min<std::uint64_t>(left, kChunk));
        if (!file.read(buffer.data(), n)) return fail(MS_ERR_TRANSIENT, "a body file was shorter than announced while sending");
        os.write(buffer.data(), n);
        left -= static_cast<std::uint64_t>(n);
      }
    }
    os.flush();
    if (!os) return fail(MS_ERR_TRANSIENT, "connection lost while sending the request");
    sent = contentLength;
    requestSent = true;
    setSent();

    Poco::Net::HTTPResponse response;
    std::istream& is = session->receiveResponse(response);
    const int status = static_cast<int>(response.getStatus());
    setStatus(status);
    if (writes && (status == 502 || status == 503 || status == 504)) AmbiguousRequests::note();

    json::object headerObject;
    for (const auto& [name, value] : response) {
      const std::string key = lower(name);
      if (auto* existing = headerObject.if_contains(key))
        existing->as_string().append(", ").append(value);
      else
        headerObject[key] = value;
    }
    bool refused = !writeToSink(resp.headers, json::serialize(headerObject));
    while (!refused && is) {
      is.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const auto n = is.gcount();
      if (n <= 0) break;
      received += static_cast<std::uint64_t>(n);
      refused = !writeToSink(resp.body, std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
    report(status, false);
    if (refused) {
      writeToSink(resp.error, "a response sink refused the data");
      return MS_ERR_PERMANENT;
    }
    return MS_OK;
  } catch (const Poco::TimeoutException&) {
    return fail(MS_ERR_TRANSIENT, "timeout talking to " + host);
  } catch (const Poco::Exception& e) {
    return fail(MS_ERR_TRANSIENT, e.displayText());
  } catch (const std::exception& e) {
    return fail(MS_ERR_TRANSIENT, e.what());
  }
}

}  // namespace marketsage::plugins
