// A TikTok emulator, a media server for the URLs TikTok pulls, and the tiktok plugin loaded from
// its .so, pointed at the emulator.
#pragma once

#include "TikTokEmulator.h"

#include "../common/LoadedPlugin.h"

#include "TestServer.h"

#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <string>

namespace tiktok_test {

namespace json = boost::json;
using marketsage::plugins::CallResult;
using marketsage::plugins::ErrorKind;
using marketsage::plugins::Operation;

constexpr size_t kMiB = 1024 * 1024;

class TikTokFixture {
 public:
  /// `settings` are merged over the defaults (api_base/auth_base = emulator, credentials,
  /// chunk_bytes = 5 MiB, http_timeout_ms = 1000).
  explicit TikTokFixture(json::object settings = {});

  emulators::TikTokApi tiktok;
  std::string token;  ///< a valid token with every scope

  CallResult call(Operation op, const json::object& request) const;
  CallResult callText(Operation op, std::string_view request) const;
  /// publish, called again with each pending reply's resume merged (as the host does).
  CallResult publishSettled(json::object request, int* pendings = nullptr) const;
  /// A Media of `bytes` pseudo-random bytes, also served at its `url` by the media server.
  json::object media(const std::string& kind, const std::string& mimeType, size_t bytes, const std::string& name);
  /// A publish request with options.tiktok = `options` (privacy_level PUBLIC_TO_EVERYONE unless given).
  json::object post(const std::string& content, json::array media, json::object options = {}) const;
  static std::string sha256OfFile(const std::string& path);
  std::string logs() const;

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> served_;  ///< path -> file
  marketsage::test::TestServer mediaServer_;
  marketsage::test::LoadedPlugin plugin_;
};

}  // namespace tiktok_test
