// A YouTube emulator plus the youtube plugin loaded from its .so, pointed at the emulator.
#pragma once

#include "YouTubeEmulator.h"

#include "../common/LoadedPlugin.h"

#include <boost/json.hpp>

#include <string>

namespace youtube_test {

namespace json = boost::json;
using marketsage::plugins::CallResult;
using marketsage::plugins::ErrorKind;
using marketsage::plugins::Operation;

constexpr long long kUnit = 256 * 1024;

class YouTubeFixture {
 public:
  /// `settings` are merged over the defaults (api_base/auth_base = emulator, credentials,
  /// chunk_bytes = 512 KiB, http_timeout_ms = 1000).
  explicit YouTubeFixture(json::object settings = {});

  emulators::YouTubeApi youtube;
  std::string token;  ///< a valid token with the youtube scope

  CallResult call(Operation op, const json::object& request) const;
  CallResult callText(Operation op, std::string_view request) const;
  /// publish, called again with each pending reply's resume merged (as the host does) until it
  /// answers something else; `request` receives the last request (with the merged resume).
  CallResult publishSettled(json::object request, int* pendings = nullptr, json::object* last = nullptr) const;
  /// A file of `bytes` pseudo-random bytes in a temporary folder, removed with the fixture.
  std::string file(const std::string& name, size_t bytes) const;
  static std::string sha256OfFile(const std::string& path);
  json::object videoMedia(size_t bytes, const std::string& name = "clip.mp4") const;
  json::object imageMedia(size_t bytes, const std::string& id) const;
  /// A publish request for `media` with options.youtube = `options`.
  json::object post(const std::string& content, json::array media, json::object options = {}) const;
  static std::string consent(const std::string& authorizeUrl);
  std::string logs() const;

 private:
  marketsage::test::LoadedPlugin plugin_;  // after `youtube`: its settings name the emulator
};

}  // namespace youtube_test
