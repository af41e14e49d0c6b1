// HostServices::http — ms_host.http, the HTTP client the host lends to plugins (through Poco).
#include "plugins/HostServices.h"
#include "plugins/HostServicesDetail.h"
#include "plugins/TlsClient.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace json = boost::json;

namespace marketsage::plugins {

namespace {

using detail::lower;

constexpr std::size_t kChunk = 64 * 1024;

/// The path and query exactly as the plugin encoded them (plugin.h: "already percent-encoded"):
/// re-serialising through Poco::URI would decode "%3A" in "urn%3Ali%3Aperson%3A1" and send a
/// different resource name.
std::string requestTarget(const std::string& url) {
  const auto authority = url.find("://") + 3;
  const auto pathStart = url.find_first_of("/?#", authority);
  std::string target = pathStart == std::string::npos ? "/" : url.substr(pathStart);
  if (const auto fragment = target.find('#'); fragment != std::string::npos) target.erase(fragment);
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  return target;
}

/// The response headers as the JSON object the headers sink receives: names in lower case,
/// repeated headers joined with ", ".
std::string headersJson(const Poco::Net::HTTPResponse& response) {
  json::object headerObject;
  for (const auto& [name, value] : response) {
    const std::string key = lower(name);
    if (auto* existing = headerObject.if_contains(key))
      existing->as_string().append(", ").append(value);
    else
      headerObject[key] = value;
  }
  return json::serialize(headerObject);
}

/// Keep-alive connections to the platforms by origin (scheme, host, port and proxy): a publish
/// reuses the connection of the last call instead of paying a TCP and TLS handshake every time.
class KeepAlive {
 public:
  static KeepAlive& instance() {
    static KeepAlive cache;
    return cache;
  }

  /// An idle connection to `origin` the server has not closed, or nothing.
  std::unique_ptr<Poco::Net::HTTPClientSession> take(const std::string& origin) {
    std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> stale;  // closed outside the lock
    std::unique_lock lock(mutex_);
    auto found = idle_.find(origin);
    while (found != idle_.end() && !found->second.empty()) {
      auto entry = std::move(found->second.back());
      found->second.pop_back();
      // Idle longer than servers commonly keep a connection (Node's default is 5 s), or already
      // readable (the server closed it, or wrote what nobody asked for): not worth the risk of a
      // request written into a connection the server is closing, whose outcome would be unknown.
      const bool fresh = std::chrono::steady_clock::now() - entry.since < kIdleLifetime;
      if (fresh && !entry.session->socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ))
        return std::move(entry.session);
      stale.push_back(std::move(entry.session));
    }
    return nullptr;
  }

  void give(const std::string& origin, std::unique_ptr<Poco::Net::HTTPClientSession> session) {
    std::lock_guard lock(mutex_);
    auto& idle = idle_[origin];
    if (idle.size() < kIdlePerOrigin) idle.push_back({std::move(session), std::chrono::steady_clock::now()});
  }

 private:
  static constexpr auto kIdleLifetime = std::chrono::seconds(4);
  // Few: a thread-per-connection server (Poco's serves 16 connections by default) gives each
  // open connection a thread, so connections held idle by many workers, or by several hosts,
  // would starve the others (bench_publish --hosts 2 stalled for the server's keep-alive timeout
  // with 32). Past this many, a connection coming back is closed.
  static constexpr std::size_t kIdlePerOrigin = 8;
  struct Idle {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    std::chrono::steady_clock::time_point since;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Idle>> idle_;
};

/// One piece of the request body: bytes of the plugin's, or a range of a file streamed from disk.
struct Segment {
  std::string_view bytes;
  const char* file = nullptr;
  std::uint64_t offset = 0, length = 0;
};

/// One ms_host.http call in steps: check the request, send it, hand the answer to the plugin's
/// sinks, and tell the log and the metrics how it went.
class HttpCall {
 public:
  HttpCall(const HostServices& services, const std::vector<std::string>& secrets, const ms_http_request* requestIn,
           ms_http_response* responseIn);
  ms_status run();

 private:
  std::optional<std::string> checkRequest();
  std::optional<std::string> collectHeaders();
  std::optional<std::string> collectBody();
  std::optional<std::string> addFile(const char* path, std::uint64_t offset, std::uint64_t length,
                                     const std::string& what);
  ms_status exchange();
  std::string origin() const;
  std::unique_ptr<Poco::Net::HTTPClientSession> openSession() const;
  std::optional<std::string> sendBody(std::ostream& os);
  std::optional<std::string> sendFile(std::ostream& os, const Segment& segment);
  ms_status receive(Poco::Net::HTTPClientSession& session, bool& reusable);
  ms_status fail(ms_status status, const std::string& reason);
  void setStatus(int status);
  void setSent();
  void report(int status, bool transportError);

  const HostServices& services_;
  const std::vector<std::string>& secrets_;
  ms_http_response* responseIn_;  ///< the plugin's struct: written back field by field
  ms_http_request req_;
  ms_http_response resp_;
  std::string method_;
  bool writes_ = false;  ///< not GET or HEAD: the platform may act on it
  /// Whether the whole request went out (ABI 1.2 request_sent): then a missing answer does not
  /// mean nothing happened at the platform.
  bool requestSent_ = false;
  std::chrono::steady_clock::time_point started_;
  Poco::URI uri_;
  std::string scheme_, host_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<Segment> segments_;
  std::uint64_t contentLength_ = 0, sent_ = 0, received_ = 0;
  std::vector<char> buffer_;
};

HttpCall::HttpCall(const HostServices& services, const std::vector<std::string>& secrets,
                   const ms_http_request* requestIn, ms_http_response* responseIn)
    : services_(services), secrets_(secrets), responseIn_(responseIn) {
  ms_struct_copy(&req_, sizeof req_, requestIn);
  ms_struct_copy(&resp_, sizeof resp_, responseIn);
}

ms_status HttpCall::run() {
  setStatus(0);
  setSent();
  started_ = std::chrono::steady_clock::now();
  method_ = req_.method ? std::string(req_.method) : std::string();
  writes_ = req_.method != nullptr && std::strcmp(req_.method, "GET") != 0 && std::strcmp(req_.method, "HEAD") != 0;

  if (auto problem = checkRequest()) return fail(MS_ERR_INVALID_INPUT, *problem);
  if (auto problem = collectHeaders()) return fail(MS_ERR_INVALID_INPUT, *problem);
  if (auto problem = collectBody()) return fail(MS_ERR_INVALID_INPUT, *problem);
  if (!services_.options().allowNetwork) return fail(MS_ERR_TRANSIENT, "network disabled (plugins check)");
  try {
    return exchange();
  } catch (const Poco::TimeoutException&) {
    return fail(MS_ERR_TRANSIENT, "timeout talking to " + host_);
  } catch (const Poco::Exception& e) {
    return fail(MS_ERR_TRANSIENT, e.displayText());
  } catch (const std::exception& e) {
    return fail(MS_ERR_TRANSIENT, e.what());
  }
}

/// Method and URL: an upper-case method and an absolute http(s) URL with a host.
std::optional<std::string> HttpCall::checkRequest() {
  if (req_.method == nullptr || req_.url == nullptr) return "method and url are required";
  if (method_.empty() || !std::all_of(method_.begin(), method_.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return "invalid method";
  try {
    uri_ = Poco::URI(req_.url);
  } catch (const Poco::Exception& e) {
    return "invalid url: " + e.message();
  }
  scheme_ = lower(uri_.getScheme());
  host_ = uri_.getHost();
  if ((scheme_ != "http" && scheme_ != "https") || host_.empty()) return "url must be absolute http:// or https://";
  return std::nullopt;
}

std::optional<std::string> HttpCall::collectHeaders() {
  for (const char* const* h = req_.headers; h != nullptr && h[0] != nullptr; h += 2) {
    if (h[1] == nullptr) return std::string("header without value: ") + h[0];
    headers_.emplace_back(h[0], h[1]);
  }
  return std::nullopt;
}

/// The body in order: body, the body_file range, body_tail, then each body_parts piece (1.2).
/// Files are checked before anything is sent and streamed from disk, never read whole.
std::optional<std::string> HttpCall::collectBody() {
  if (req_.body) segments_.push_back({std::string_view(req_.body, req_.body_len)});
  if (req_.body_file != nullptr) {
    if (auto problem = addFile(req_.body_file, req_.body_file_offset, req_.body_file_length, "body_file"))
      return problem;
  }
  if (req_.body_tail) segments_.push_back({std::string_view(req_.body_tail, req_.body_tail_len)});
  if (req_.body_part_count > 64) return "more than 64 body_parts";
  if (req_.body_part_count > 0 && req_.body_parts == nullptr) return "body_parts is NULL";
  for (std::size_t i = 0; i < req_.body_part_count; ++i) {
    const auto& part = req_.body_parts[i];
    if (part.file != nullptr) {
      if (auto problem =
              addFile(part.file, part.file_offset, part.file_length, "body_parts[" + std::to_string(i) + "]"))
        return problem;
    } else if (part.data != nullptr) {
      segments_.push_back({std::string_view(part.data, part.data_len)});
    }
  }
  for (const auto& segment : segments_) contentLength_ += segment.file ? segment.length : segment.bytes.size();
  return std::nullopt;
}

std::optional<std::string> HttpCall::addFile(const char* path, std::uint64_t offset, std::uint64_t length,
                                             const std::string& what) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return "cannot read " + what + ": " + ec.message();
  if (offset > size) return what + " offset beyond end of file";
  if (length == 0) length = size - offset;
  if (length > size - offset) return what + " range beyond end of file";
  segments_.push_back({{}, path, offset, length});
  return std::nullopt;
}

/// Sends the checked request and receives the answer; Poco throws on transport errors. The
/// connection goes back to KeepAlive only after a whole answer that did not ask to close it.
ms_status HttpCall::exchange() {
  const auto key = origin();
  auto session = KeepAlive::instance().take(key);
  if (!session) session = openSession();
  const auto timeoutMs = req_.timeout_ms ? std::chrono::milliseconds(req_.timeout_ms) : services_.options().httpTimeout;
  const Poco::Timespan timeout(static_cast<Poco::Timespan::TimeDiff>(timeoutMs.count()) * 1000);
  session->setTimeout(timeout);
  if (session->connected()) {
    // Poco applies the session's timeouts to the socket only when it connects: a kept-alive
    // connection would keep the timeout of the call that opened it.
    session->socket().setSendTimeout(timeout);
    session->socket().setReceiveTimeout(timeout);
  }
  Poco::Net::HTTPRequest request(method_, requestTarget(req_.url), Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers_) request.add(name, value);
  if (contentLength_ > 0 || method_ == "POST" || method_ == "PUT" || method_ == "PATCH")
    request.setContentLength64(static_cast<Poco::Int64>(contentLength_));

  std::ostream& os = session->sendRequest(request);
  buffer_.resize(kChunk);
  if (auto problem = sendBody(os)) return fail(MS_ERR_TRANSIENT, *problem);
  sent_ = contentLength_;
  requestSent_ = true;
  setSent();
  bool reusable = false;
  const auto status = receive(*session, reusable);
  if (reusable) KeepAlive::instance().give(key, std::move(session));
  return status;
}

std::string HttpCall::origin() const {
  const auto& options = services_.options();
  return scheme_ + "://" + host_ + ":" + std::to_string(uri_.getPort()) + "|" + options.proxyHost + ":" +
         std::to_string(options.proxyPort);
}

std::unique_ptr<Poco::Net::HTTPClientSession> HttpCall::openSession() const {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  const auto port = uri_.getPort();
  if (scheme_ == "https")
    session = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port, tlsClientContext());
  else
    session = std::make_unique<Poco::Net::HTTPClientSession>(host_, port);
  const auto& options = services_.options();
  if (!options.proxyHost.empty()) session->setProxy(options.proxyHost, options.proxyPort);
  session->setKeepAlive(true);
  return session;
}

std::optional<std::string> HttpCall::sendBody(std::ostream& os) {
  for (const auto& segment : segments_) {
    if (!segment.file) {
      os.write(segment.bytes.data(), static_cast<std::streamsize>(segment.bytes.size()));
      continue;
    }
    if (auto problem = sendFile(os, segment)) return problem;
  }
  os.flush();
  if (!os) return "connection lost while sending the request";
  return std::nullopt;
}

std::optional<std::string> HttpCall::sendFile(std::ostream& os, const Segment& segment) {
  std::ifstream file(segment.file, std::ios::binary);
  if (!file) return "a body file could not be opened while sending";
  file.seekg(static_cast<std::streamoff>(segment.offset));
  for (std::uint64_t left = segment.length; left > 0 && os;) {
    const auto n = static_cast<std::streamsize>(std::min<std::uint64_t>(left, kChunk));
    if (!file.read(buffer_.data(), n)) return "a body file was shorter than announced while sending";
    os.write(buffer_.data(), n);
    left -= static_cast<std::uint64_t>(n);
  }
  return std::nullopt;
}

/// Status, then headers as JSON, then the body in chunks, each to the plugin's sink.
ms_status HttpCall::receive(Poco::Net::HTTPClientSession& session, bool& reusable) {
  Poco::Net::HTTPResponse response;
  std::istream& is = session.receiveResponse(response);
  const int status = static_cast<int>(response.getStatus());
  setStatus(status);
  if (writes_ && (status == 502 || status == 503 || status == 504)) HostServices::AmbiguousRequests::note();

  bool refused = !writeToSink(resp_.headers, headersJson(response));
  while (!refused && is) {
    is.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    const auto n = is.gcount();
    if (n <= 0) break;
    received_ += static_cast<std::uint64_t>(n);
    refused = !writeToSink(resp_.body, std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
  }
  report(status, false);
  reusable = !refused && is.eof() && response.getKeepAlive();
  if (refused) {
    writeToSink(resp_.error, "a response sink refused the data");
    return MS_ERR_PERMANENT;
  }
  return MS_OK;
}

ms_status HttpCall::fail(ms_status status, const std::string& reason) {
  writeToSink(resp_.error, reason);
  if (status == MS_ERR_TRANSIENT) report(0, true);
  setSent();
  if (requestSent_ && writes_) HostServices::AmbiguousRequests::note();
  return status;
}

/// Write back only fields the plugin's (possibly older, smaller) struct has.
void HttpCall::setStatus(int status) {
  if (MS_HAS_FIELD(responseIn_, ms_http_response, status)) responseIn_->status = status;
}

void HttpCall::setSent() {
  if (MS_HAS_FIELD(responseIn_, ms_http_response, request_sent)) responseIn_->request_sent = requestSent_ ? 1 : 0;
}

void HttpCall::report(int status, bool transportError) {
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
  services_.log(MS_LOG_DEBUG, "http " + method_ + " " + redact(req_.url ? req_.url : "", secrets_) + " -> " +
                                  (transportError ? std::string("no response") : std::to_string(status)) + " (" +
                                  std::to_string(elapsed.count() / 1000) + " ms)");
  const auto& onHttp = services_.options().onHttp;
  if (onHttp) {
    try {
      onHttp(HttpEvent{services_.pluginId(), method_, host_, status, transportError, elapsed, sent_, received_});
    } catch (...) {
    }
  }
}

}  // namespace

Poco::Net::Context::Ptr tlsClientContext() {
  static std::once_flag once;
  static Poco::Net::Context::Ptr context;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_RELAXED,
                                     9, true, "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH");
  });
  return context;
}

ms_status HostServices::http(const ms_http_request* requestIn, ms_http_response* responseIn) const {
  if (requestIn == nullptr || responseIn == nullptr) return MS_ERR_INVALID_INPUT;
  return HttpCall(*this, secrets_, requestIn, responseIn).run();
}

}  // namespace marketsage::plugins
