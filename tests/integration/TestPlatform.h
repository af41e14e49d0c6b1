#pragma once
/// The OAuth test platform (tests/oauth-plugin + OAuthEmulator) as tests use it: the host's
/// environment pointing both test plugins at one emulator, and the consent round trip.

#include "integration/OAuthEmulator.h"
#include "integration/World.h"

#include <Poco/URI.h>

#include <map>
#include <memory>
#include <string>

namespace harness {

inline const std::string devKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";  // hex, 32 bytes

inline std::map<std::string, std::string> oauthEnv(const OAuthEmulator& emulator, const std::string& key = devKey) {
  std::map<std::string, std::string> env{{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_TEST_PLUGIN_DIR}, {"FIELD_ENCRYPTION_KEY", key}};
  for (const std::string id : {"OAUTHTEST", "OAUTHTEST2"}) {
    env[id + "_AUTH_BASE"] = emulator.baseUrl();
    env[id + "_API_BASE"] = emulator.baseUrl();
    env[id + "_CLIENT_ID"] = OAuthEmulator::clientId;
    env[id + "_CLIENT_SECRET"] = OAuthEmulator::clientSecret;
  }
  return env;
}

inline std::map<std::string, std::string> query(const std::string& url) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : Poco::URI(url).getQueryParameters()) out[k] = v;
  return out;
}

/// Asks the host for the consent URL as `key`, then lets the emulator's user consent; returns the
/// callback URL the browser would be sent back to.
inline std::string consent(World& w, const std::string& key, const std::string& platform = "oauthtest") {
  auto start = w.host.request("GET", "/api/social-media/connect/" + platform, key);
  REQUIRE(start.status == 302);
  auto back = fetch(start.header("location"));
  REQUIRE(back.status == 302);
  return back.header("location");
}

inline std::string pathOf(const std::string& url) { return Poco::URI(url).getPathAndQuery(); }

/// A second host process on `w`'s database and data dir (so the same keys), started.
inline std::unique_ptr<Host> secondHost(World& w, std::map<std::string, std::string> env, const std::string& config = "{}") {
  env["MARKETSAGE_DATA_DIR"] = w.host.dir().string();
  auto second = std::make_unique<Host>(w.host.databaseUrl(), env);
  second->start(config);
  return second;
}

}  // namespace harness
