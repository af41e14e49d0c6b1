#include "MetaTestSupport.h"

#include <openssl/sha.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <random>

namespace metatest {

namespace fs = std::filesystem;

GraphPlugin::GraphPlugin(const std::string& soPath, const std::string& id, const emulators::GraphApi& graph,
                         json::object extraSettings)
    : LoadedPlugin(soPath, id,
                   {{"api_base", graph.url()},
                    {"auth_base", graph.url()},
                    {"rupload_base", graph.url()},
                    {"client_id", emulators::GraphApi::appId},
                    {"client_secret", emulators::GraphApi::appSecret},
                    {"api_version", apiVersion},
                    {"status_poll_interval_ms", 10}},
                   extraSettings) {}

json::object reconcileRequest(json::object request, const std::string& attemptedAt) {
  request["attemptedAt"] = attemptedAt;
  return request;
}

MediaFolder::MediaFolder() {
  std::random_device random;
  path_ = fs::temp_directory_path() / ("marketsage-meta-test-" + std::to_string(random()) + std::to_string(random()));
  fs::create_directories(path_);
}

MediaFolder::~MediaFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

json::object MediaFolder::media(const std::string& name, const std::string& bytes, const std::string& kind,
                                const std::string& mimeType, const std::string& url) {
  const fs::path file = path_ / name;
  std::ofstream(file, std::ios::binary) << bytes;
  json::object media{{"id", "m-" + name},
                     {"kind", kind},
                     {"mimeType", mimeType},
                     {"path", file.string()},
                     {"size", static_cast<int64_t>(bytes.size())}};
  if (!url.empty()) media["url"] = url;
  return media;
}

MediaServer::MediaServer()
    : server_([this](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        std::lock_guard lock(mutex_);
        auto it = files_.find(request.getURI().substr(1));
        if (it == files_.end()) return marketsage::test::sendJson(response, 404, "{}");
        ++it->second.hits;
        response.setContentType(it->second.contentType);
        response.setContentLength(static_cast<std::streamsize>(it->second.bytes.size()));
        response.send() << it->second.bytes;
      }) {}

std::string MediaServer::put(const std::string& name, const std::string& bytes, const std::string& contentType) {
  std::lock_guard lock(mutex_);
  files_[name] = {bytes, contentType, 0};
  return server_.url() + "/" + name;
}

int MediaServer::hits(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = files_.find(name);
  return it == files_.end() ? 0 : it->second.hits;
}

namespace {
std::string filled(std::string head, size_t size, std::string tail = {}) {
  std::string out = std::move(head);
  for (size_t i = 0; out.size() + tail.size() < size; ++i) out += static_cast<char>('a' + i % 26);
  return out + tail;
}
}  // namespace

std::string jpeg(size_t size) { return filled("\xFF\xD8\xFF\xE0", size, "\xFF\xD9"); }
std::string png(size_t size) { return filled("\x89PNG\r\n\x1a\n", size); }
std::string mp4(size_t size) {
  return filled(std::string("\0\0\0\x18"
                            "ftypmp42",
                            12),
                size);
}

std::string sha256Hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) out += {digits[c >> 4], digits[c & 15]};
  return out;
}

namespace {
std::string formatUtc(std::time_t t, const char* format) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[40];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}
}  // namespace

std::string inSeconds(long long seconds) { return formatUtc(std::time(nullptr) + seconds, "%Y-%m-%dT%H:%M:%SZ"); }
std::string dateFromToday(int days) { return formatUtc(std::time(nullptr) + days * 86400LL, "%Y-%m-%d"); }

std::string text(const json::value& value, const char* pointer) {
  boost::system::error_code ec;
  const json::value* found = value.find_pointer(pointer, ec);
  return found && found->is_string() ? std::string(found->as_string()) : std::string();
}

int64_t number(const json::value& value, const char* pointer) {
  boost::system::error_code ec;
  const json::value* found = value.find_pointer(pointer, ec);
  return found && found->is_int64() ? found->as_int64() : -1;
}

}  // namespace metatest
