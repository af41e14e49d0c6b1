#include "YouTubeFixture.h"

#include "Tokens.h"

#include <fstream>
#include <sstream>

namespace youtube_test {

using namespace marketsage::plugins;

YouTubeFixture::YouTubeFixture(json::object settings)
    : plugin_(YOUTUBE_PLUGIN, "youtube",
              {{"api_base", youtube.url()},
               {"auth_base", youtube.url()},
               {"client_id", emulators::YouTubeApi::clientId},
               {"client_secret", emulators::YouTubeApi::clientSecret},
               {"chunk_bytes", 2 * kUnit},
               {"http_timeout_ms", 1000}},  // SlowAnswer faults outlast it
              settings) {
  token = youtube.issueToken();
}

CallResult YouTubeFixture::call(Operation op, const json::object& request) const { return plugin_.call(op, request); }

CallResult YouTubeFixture::callText(Operation op, std::string_view request) const {
  return plugin_.callText(op, request);
}

CallResult YouTubeFixture::publishSettled(json::object request, int* pendings, json::object* last) const {
  const auto done = plugin_.publishSettled(std::move(request));
  if (pendings) *pendings += done.pendingRounds;
  if (last) *last = done.request;
  UNSCOPED_INFO("publish: " << toString(done.result.kind) << " " << done.result.message << " "
                            << json::serialize(done.result.json));
  return done.result;
}

// Pseudo-random bytes: a chunk sent twice or out of place changes the video's SHA-256.
std::string YouTubeFixture::file(const std::string& name, size_t bytes) const {
  return plugin_.file(name, bytes, true);
}

std::string YouTubeFixture::sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return marketsage::test::sha256Hex(bytes.str());
}

json::object YouTubeFixture::videoMedia(size_t bytes, const std::string& name) const {
  return plugin_.media("video", "video/mp4", bytes, name, true);
}

json::object YouTubeFixture::imageMedia(size_t bytes, const std::string& id) const {
  return {
      {"id", id}, {"kind", "image"}, {"mimeType", "image/png"}, {"path", file(id + ".png", bytes)}, {"size", bytes}};
}

json::object YouTubeFixture::post(const std::string& content, json::array media, json::object options) const {
  return {{"accessToken", token},
          {"account", json::object{{"id", emulators::YouTubeApi::channelId}}},
          {"content", content},
          {"media", std::move(media)},
          {"options", std::move(options)},
          {"idempotencyKey", "ms-target-1"}};
}

std::string YouTubeFixture::consent(const std::string& authorizeUrl) {
  return marketsage::test::LoadedPlugin::consent(authorizeUrl);
}

std::string YouTubeFixture::logs() const { return plugin_.logs(); }

}  // namespace youtube_test
