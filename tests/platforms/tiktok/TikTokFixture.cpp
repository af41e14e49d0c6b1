#include "TikTokFixture.h"

#include "Tokens.h"

#include <fstream>
#include <sstream>

namespace tiktok_test {

namespace {
std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}
}  // namespace

TikTokFixture::TikTokFixture(json::object settings)
    : mediaServer_([this](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        std::string file;
        {
          std::lock_guard lock(mutex_);
          if (auto it = served_.find(request.getURI()); it != served_.end()) file = it->second;
        }
        if (file.empty()) return marketsage::test::sendJson(response, 404, "{}");
        const auto bytes = readFile(file);
        response.setContentType("application/octet-stream");
        response.setContentLength(static_cast<std::streamsize>(bytes.size()));
        response.send() << bytes;
      }),
      plugin_(TIKTOK_PLUGIN, "tiktok",
              {{"api_base", tiktok.url()},
               {"auth_base", tiktok.url()},
               {"client_id", emulators::TikTokApi::clientKey},
               {"client_secret", emulators::TikTokApi::clientSecret},
               {"chunk_bytes", 5 * kMiB},
               {"http_timeout_ms", 1000}},  // SlowAnswer faults outlast it
              settings) {
  token = tiktok.issueToken();
}

CallResult TikTokFixture::call(Operation op, const json::object& request) const { return plugin_.call(op, request); }

CallResult TikTokFixture::callText(Operation op, std::string_view request) const {
  return plugin_.callText(op, request);
}

CallResult TikTokFixture::publishSettled(json::object request, int* pendings) const {
  const auto done = plugin_.publishSettled(std::move(request));
  if (pendings) *pendings += done.pendingRounds;
  UNSCOPED_INFO("publish: " << toString(done.result.kind) << " " << done.result.message << " "
                            << json::serialize(done.result.json));
  return done.result;
}

json::object TikTokFixture::media(const std::string& kind, const std::string& mimeType, size_t bytes,
                                  const std::string& name) {
  auto m = plugin_.media(kind, mimeType, bytes, name, true);
  const auto path = "/media/" + name + "?sig=abc";
  {
    std::lock_guard lock(mutex_);
    served_[path] = json::value_to<std::string>(m.at("path"));
  }
  m["url"] = mediaServer_.url() + path;
  return m;
}

json::object TikTokFixture::post(const std::string& content, json::array media, json::object options) const {
  if (!options.contains("privacy_level")) options["privacy_level"] = "PUBLIC_TO_EVERYONE";
  return {{"accessToken", token},
          {"account", json::object{{"id", emulators::TikTokApi::openId}}},
          {"content", content},
          {"media", std::move(media)},
          {"options", std::move(options)},
          {"idempotencyKey", "ms-target-1"}};
}

std::string TikTokFixture::sha256OfFile(const std::string& path) { return marketsage::test::sha256Hex(readFile(path)); }

std::string TikTokFixture::logs() const { return plugin_.logs(); }

}  // namespace tiktok_test
