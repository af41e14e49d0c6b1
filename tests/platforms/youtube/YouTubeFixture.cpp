#include "YouTubeFixture.h"

#include "../common/PendingPublish.h"

#include <catch2/catch.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <fstream>
#include <random>
#include <sstream>

namespace youtube_test {

using namespace marketsage::plugins;

YouTubeFixture::YouTubeFixture(json::object settings) {
  token = youtube.issueToken();
  std::random_device random;
  folder_ = std::filesystem::temp_directory_path() / ("youtube-test-" + std::to_string(random()) + std::to_string(random()));
  std::filesystem::create_directories(folder_);
  json::object values{{"api_base", youtube.url()},
                      {"auth_base", youtube.url()},
                      {"client_id", emulators::YouTubeApi::clientId},
                      {"client_secret", emulators::YouTubeApi::clientSecret},
                      {"chunk_bytes", 2 * kUnit},
                      {"http_timeout_ms", 1000}};  // SlowAnswer faults outlast it
  for (const auto& [key, value] : settings) values[key] = value;
  registry_ = std::make_unique<PluginRegistry>([values](const std::string&) { return PluginSettings{true, values}; },
                                               [this](int, std::string_view, std::string_view message) {
                                                 std::lock_guard lock(logMutex_);
                                                 logLines_.emplace_back(message);
                                               });
  REQUIRE(registry_->loadFile(YOUTUBE_PLUGIN));
  plugin_ = registry_->get("youtube");
  REQUIRE(plugin_ != nullptr);
}

YouTubeFixture::~YouTubeFixture() {
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

CallResult YouTubeFixture::call(Operation op, const json::object& request) const {
  auto result = plugin_->call(op, json::value(request));
  UNSCOPED_INFO(toString(op) << ": " << toString(result.kind) << " " << result.message << " [" << result.platformCode << "] "
                             << json::serialize(result.json));
  return result;
}

CallResult YouTubeFixture::callText(Operation op, std::string_view request) const { return plugin_->call(op, request); }

CallResult YouTubeFixture::publishSettled(json::object request, int* pendings, json::object* last) const {
  const auto done = marketsage::test::publishResuming(
      [&](const json::object& r) { return callText(Operation::Publish, json::serialize(r)); }, std::move(request));
  if (pendings) *pendings += done.pendingRounds;
  if (last) *last = done.request;
  UNSCOPED_INFO("publish: " << toString(done.result.kind) << " " << done.result.message << " " << json::serialize(done.result.json));
  return done.result;
}

std::string YouTubeFixture::file(const std::string& name, size_t bytes) const {
  const auto path = folder_ / name;
  std::ofstream out(path, std::ios::binary);
  std::mt19937 generator(static_cast<unsigned>(bytes));
  std::string buffer(bytes, '\0');
  for (auto& c : buffer) c = static_cast<char>(generator());
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  return path.string();
}

std::string YouTubeFixture::sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return emulators::YouTubeApi::sha256Hex(bytes.str());
}

json::object YouTubeFixture::videoMedia(size_t bytes, const std::string& name) const {
  return {{"id", "m-" + name}, {"kind", "video"}, {"mimeType", "video/mp4"}, {"path", file(name, bytes)}, {"size", bytes}};
}

json::object YouTubeFixture::imageMedia(size_t bytes, const std::string& id) const {
  return {{"id", id}, {"kind", "image"}, {"mimeType", "image/png"}, {"path", file(id + ".png", bytes)}, {"size", bytes}};
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
  const Poco::URI uri(authorizeUrl);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery());
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response);
  REQUIRE(response.getStatus() == Poco::Net::HTTPResponse::HTTP_FOUND);
  return response.get("Location");
}

std::string YouTubeFixture::logs() const {
  std::lock_guard lock(logMutex_);
  std::string all;
  for (const auto& line : logLines_) all += line + "\n";
  return all;
}

}  // namespace youtube_test
