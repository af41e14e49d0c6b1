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
      : status(status), message(std::move(message)), platformCode(std::move(platformCode)),
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

/// One HTTP exchange, see ms_http_request / ms_http_response.
struct HttpRequest {
  std::string method = "GET", url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;            ///< Sent first.
  std::string bodyFile;        ///< Streamed next when not empty, [fileOffset, fileOffset + fileLength).
  uint64_t fileOffset = 0, fileLength = 0;
  std::string bodyTail;        ///< Sent last.
  uint32_t timeoutMs = 0;
};
struct HttpResponse {
  ms_status result = MS_ERR_TRANSIENT;  ///< MS_OK when a response arrived.
  int32_t status = 0;                   ///< HTTP status.
  std::string body, headers, error;     ///< headers: a JSON object, lower-case names.
};

/// The host table with C++ signatures. Holds the pointer given to init(); copyable, thread-safe.
class Host {
 public:
  Host() = default;
  explicit Host(const ms_host* host) : host_(host) {}
  const ms_host* raw() const { return host_; }

  void log(int32_t level, const std::string& message) const { host_->log(host_, level, message.c_str()); }

  /// The plugin setting at JSON pointer `pointer` ("/api_base").
  JsonValue setting(const char* pointer) const {
    StringSink s;
    JsonValue v;
    v.type = host_->setting(host_, pointer, s.get());
    v.text = std::move(s.data);
    return v;
  }
  /// The string setting at `pointer`, or `fallback` when absent or not a string.
  std::string setting(const char* pointer, std::string fallback) const {
    JsonValue v = setting(pointer);
    return v.isString() ? v.text : fallback;
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
    StringSink body, headerSink, error;
    ms_http_response resp{};
    resp.struct_size = sizeof resp;
    resp.body = body.get();
    resp.headers = headerSink.get();
    resp.error = error.get();
    HttpResponse out;
    out.result = host_->http(host_, &req, &resp);
    out.status = resp.status;
    out.body = std::move(body.data);
    out.headers = std::move(headerSink.data);
    out.error = std::move(error.data);
    return out;
  }

 private:
  const ms_host* host_ = nullptr;
};

}  // namespace marketsage::sdk

#endif  // MARKETSAGE_PLUGIN_HPP
