// HostServices: the ms_host table, and its services that need the plugin's own state: log,
// setting, http (HostHttp.cpp), the clocks and sleep_ms. The stateless helpers are in
// HostCodecs.cpp and HostJson.cpp, redaction in Redact.cpp.
#include "plugins/HostServices.h"

#include "plugins/HostServicesDetail.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace json = boost::json;

namespace marketsage::plugins {

namespace {

const HostServices& self(const ms_host* host) { return *static_cast<const HostServices*>(host->host_data); }

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

// ---- ABI 1.1 ---------------------------------------------------------------------------------

ms_status hostSleepMs(const ms_host* host, uint32_t ms) {
  return self(host).sleep(std::chrono::milliseconds(std::min<uint32_t>(ms, 60'000))) ? MS_OK : MS_ERR_TRANSIENT;
}

}  // namespace

bool writeToSink(const ms_sink* sink, std::string_view data) {
  if (sink == nullptr) return true;
  ms_sink local;
  ms_struct_copy(&local, sizeof local, sink);
  if (local.write == nullptr) return false;
  return local.write(local.ctx, data.data(), data.size()) == 0;
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

HostServices::HostServices(std::string pluginId, json::object settings, LogSink log, HostOptions options)
    : pluginId_(std::move(pluginId)),
      settings_(std::move(settings)),
      log_(std::move(log)),
      options_(std::move(options)) {
  for (const auto& [key, value] : settings_.as_object()) {
    const std::string k = detail::lower(std::string_view(key.data(), key.size()));
    const bool secretKey = k.find("secret") != std::string::npos || k.find("token") != std::string::npos ||
                           k.find("password") != std::string::npos || k.find("key") != std::string::npos;
    if (secretKey && value.is_string()) secrets_.emplace_back(value.get_string());
  }
  using namespace detail;  // the stateless entry points
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
  return detail::writeJsonAt(settings_, pointer, out);
}

}  // namespace marketsage::plugins
