// One bundled plugin loaded from its .so by the host's own loader, as the platform tests drive it:
// fixed settings (pointing it at an emulator), its log lines kept, calls explained on the next
// failing assertion, and a temporary folder for the media files a test hands it.
#pragma once

#include "PendingPublish.h"

#include "plugins/PluginRegistry.h"

#include <catch2/catch.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace marketsage::test {

class LoadedPlugin {
 public:
  /// Loads `soPath` and takes the plugin `id` from it, with `settings` (`overrides` merged over
  /// them) as its configuration.
  LoadedPlugin(const std::string& soPath, const std::string& id, boost::json::object settings,
               const boost::json::object& overrides) {
    for (const auto& [key, value] : overrides) settings[key] = value;
    std::random_device random;
    folder_ =
        std::filesystem::temp_directory_path() / (id + "-test-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(folder_);
    registry_ = std::make_unique<plugins::PluginRegistry>(
        [settings](const std::string&) {
          return plugins::PluginSettings{true, settings};
        },
        [this](int, std::string_view, std::string_view message) {
          std::lock_guard lock(logMutex_);
          logLines_.emplace_back(message);
        });
    REQUIRE(registry_->loadFile(soPath));
    plugin_ = registry_->get(id);
    REQUIRE(plugin_ != nullptr);
  }
  ~LoadedPlugin() {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  /// Calls the plugin; what it answered is shown with the next failing assertion.
  plugins::CallResult call(plugins::Operation op, const boost::json::object& request) const {
    auto result = plugin_->call(op, boost::json::value(request));
    UNSCOPED_INFO(toString(op) << ": " << toString(result.kind) << " " << result.message << " [" << result.platformCode
                               << "] " << boost::json::serialize(result.json));
    return result;
  }
  /// The same with raw request text, passed unvalidated (bad-input tests). No Catch2 macro: safe
  /// on any thread.
  plugins::CallResult callText(plugins::Operation op, std::string_view request) const {
    return plugin_->call(op, request);
  }

  /// The plugin itself, for calls that must say nothing to Catch2 (from other threads).
  const plugins::Plugin& plugin() const { return *plugin_; }

  /// publish, called again with each pending reply's resume merged into the request (as the host
  /// does) until it answers something else. No Catch2 macro: safe on any thread.
  Resumed publishSettled(boost::json::object request) const {
    return publishResuming(
        [&](const boost::json::object& r) { return callText(plugins::Operation::Publish, boost::json::serialize(r)); },
        std::move(request));
  }

  /// A file of `bytes` bytes in the temporary folder: the alphabet over and over, or
  /// pseudo-random bytes (seeded by the size) where a checksum must tell chunks apart.
  std::string file(const std::string& name, size_t bytes, bool random = false) const {
    const auto path = folder_ / name;
    std::string content(bytes, '\0');
    std::mt19937 generator(static_cast<unsigned>(bytes));
    for (size_t i = 0; i < bytes; ++i)
      content[i] = random ? static_cast<char>(generator()) : static_cast<char>('a' + i % 26);
    std::ofstream(path, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
    return path.string();
  }
  /// A Media object of the ABI for a new file (id "m-<name>").
  boost::json::object media(const std::string& kind, const std::string& mimeType, size_t bytes, const std::string& name,
                            bool random = false) const {
    return {{"id", "m-" + name},
            {"kind", kind},
            {"mimeType", mimeType},
            {"path", file(name, bytes, random)},
            {"size", bytes}};
  }

  /// Every log line the plugin and the loader wrote.
  std::string logs() const {
    std::lock_guard lock(logMutex_);
    std::string all;
    for (const auto& line : logLines_) all += line + "\n";
    return all;
  }

  /// Follows an authorize URL at an emulator (the user consents) and answers the redirect.
  static std::string consent(const std::string& authorizeUrl) {
    const Poco::URI uri(authorizeUrl);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery());
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response);
    REQUIRE(response.getStatus() == Poco::Net::HTTPResponse::HTTP_FOUND);
    return response.get("Location");
  }

 private:
  std::filesystem::path folder_;
  mutable std::mutex logMutex_;
  std::vector<std::string> logLines_;
  std::unique_ptr<plugins::PluginRegistry> registry_;
  std::shared_ptr<const plugins::Plugin> plugin_;
};

}  // namespace marketsage::test
