#include "LinkedInFixture.h"

#include "../common/PendingPublish.h"

#include <catch2/catch.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <fstream>
#include <random>

namespace linkedin_test {

using namespace marketsage::plugins;

LinkedInFixture::LinkedInFixture(json::object settings) {
  linkedin.addOrganization("2414183", "Acme Corp");
  linkedin.addOrganization("1000", "Someone Else's Page", false);
  linkedin.setProcessingPolls(1, 2);
  token = linkedin.issueToken();

  std::random_device random;
  folder_ = std::filesystem::temp_directory_path() / ("linkedin-test-" + std::to_string(random()) + std::to_string(random()));
  std::filesystem::create_directories(folder_);

  json::object values{{"api_base", linkedin.url()},         {"auth_base", linkedin.url()},
                      {"client_id", emulators::LinkedInApi::clientId}, {"client_secret", emulators::LinkedInApi::clientSecret},
                      {"api_version", kApiVersion},         {"poll_interval_ms", 5},
                      {"http_timeout_ms", 1000}};  // SlowAnswer faults outlast it
  for (const auto& [key, value] : settings) values[key] = value;
  registry_ = std::make_unique<PluginRegistry>(
      [values](const std::string&) { return PluginSettings{true, values}; },
      [this](int, std::string_view, std::string_view message) {
        std::lock_guard lock(logMutex_);
        logLines_.emplace_back(message);
      });
  REQUIRE(registry_->loadFile(LINKEDIN_PLUGIN));
  plugin_ = registry_->get("linkedin");
  REQUIRE(plugin_ != nullptr);
}

LinkedInFixture::~LinkedInFixture() {
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

CallResult LinkedInFixture::call(Operation op, const json::object& request) const {
  auto result = plugin_->call(op, json::value(request));
  // Shown with the next failing assertion, to tell why a call failed.
  UNSCOPED_INFO(toString(op) << ": " << toString(result.kind) << " " << result.message << " [" << result.platformCode << "]");
  return result;
}

CallResult LinkedInFixture::callText(Operation op, std::string_view request) const { return plugin_->call(op, request); }

CallResult LinkedInFixture::publishSettled(json::object request, int* pendings) const {
  const auto done = marketsage::test::publishResuming(
      [&](const json::object& r) { return callText(Operation::Publish, json::serialize(r)); }, std::move(request));
  if (pendings) *pendings += done.pendingRounds;
  return done.result;  // still pending after 50 rounds: the caller's assertions say so
}

std::string LinkedInFixture::file(const std::string& name, size_t bytes) const {
  const auto path = folder_ / name;
  std::ofstream out(path, std::ios::binary);
  for (size_t i = 0; i < bytes; ++i) out.put(static_cast<char>('a' + i % 26));
  return path.string();
}

json::object LinkedInFixture::media(const std::string& kind, const std::string& mimeType, size_t bytes, const std::string& name) const {
  return {{"id", "m-" + name}, {"kind", kind}, {"mimeType", mimeType}, {"path", file(name, bytes)}, {"size", bytes}};
}

std::string LinkedInFixture::consent(const std::string& authorizeUrl) {
  const Poco::URI uri(authorizeUrl);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery());
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response);
  REQUIRE(response.getStatus() == Poco::Net::HTTPResponse::HTTP_FOUND);
  return response.get("Location");
}

std::string LinkedInFixture::logs() const {
  std::lock_guard lock(logMutex_);
  std::string all;
  for (const auto& line : logLines_) all += line + "\n";
  return all;
}

std::string LinkedInFixture::lastPostBody() const {
  const auto posts = linkedin.posts();
  return posts.empty() ? std::string() : posts.back().body;
}

}  // namespace linkedin_test
