#pragma once
/// The OAuth test platform (tests/oauth-plugin + OAuthEmulator) as tests use it: the host's
/// environment pointing both test plugins at one emulator, and the consent round trip.

#include "integration/OAuthEmulator.h"
#include "integration/World.h"

#include <Poco/URI.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace harness {

inline const std::string& devKey = testKey;  // hex, 32 bytes

inline std::map<std::string, std::string> oauthEnv(const OAuthEmulator& emulator, const std::string& key = devKey) {
  std::map<std::string, std::string> env{{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_TEST_PLUGIN_DIR},
                                         {"FIELD_ENCRYPTION_KEY", key}};
  for (const std::string id : {"OAUTHTEST", "OAUTHTEST2"}) {
    env[id + "_AUTH_BASE"] = emulator.baseUrl();
    env[id + "_API_BASE"] = emulator.baseUrl();
    env[id + "_CLIENT_ID"] = OAuthEmulator::clientId;
    env[id + "_CLIENT_SECRET"] = OAuthEmulator::clientSecret;
  }
  return env;
}

/// The host's environment for the bundled plugins (each then pointed at its emulator with emulated()).
inline std::map<std::string, std::string> bundledPluginsEnv(const std::string& key = devKey) {
  return {{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_BUNDLED_PLUGIN_DIR}, {"FIELD_ENCRYPTION_KEY", key}};
}

/// Points the plugin `id` ("TWITTER", "FACEBOOK" …) at an emulator serving both its API and its
/// consent page at `url`, with the emulator's app credentials.
inline void emulated(std::map<std::string, std::string>& env, const std::string& id, const std::string& url,
                     const std::string& clientId, const std::string& clientSecret) {
  env[id + "_API_BASE"] = url;
  env[id + "_AUTH_BASE"] = url;
  env[id + "_CLIENT_ID"] = clientId;
  env[id + "_CLIENT_SECRET"] = clientSecret;
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

inline std::string readAll(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Every stored byte of the database we can reach: the SQLite files (WAL included), or every
/// column of the PostgreSQL tables that could hold a secret, as text.
inline std::string rawDatabase(World& w) {
  if (backend() == "sqlite") {
    std::string all;
    for (const auto& entry : std::filesystem::directory_iterator(w.host.dir())) {
      if (entry.path().filename().string().rfind("marketsage.db", 0) == 0) all += readAll(entry.path());
    }
    return all;
  }
  std::string all;
  for (const char* table : {"connections", "oauth_states", "audit_log", "api_keys", "users", "platform_apps", "posts",
                            "post_targets", "post_events"}) {
    for (const auto& row : sql(w.host.databaseUrl(), std::string("SELECT t::text FROM ") + table + " t")) all += row[0];
  }
  return all;
}

inline std::string pathOf(const std::string& url) { return Poco::URI(url).getPathAndQuery(); }

/// The connections of the key's organization on `platform`.
inline std::vector<boost::json::value> connectionsOf(World& w, const std::string& key, const std::string& platform) {
  auto list = w.host.get("/api/social-media/connections", key);
  REQUIRE(list.status == 200);
  std::vector<boost::json::value> out;
  const auto all = list.json();
  for (const auto& c : all.as_array())
    if (str(c, "platform") == platform) out.push_back(c);
  return out;
}

/// The whole browser round trip; returns the key's organization's connections on `platform`.
inline std::vector<boost::json::value> connect(World& w, const std::string& key, const std::string& platform,
                                               std::size_t expected) {
  const auto back = consent(w, key, platform);
  REQUIRE(back.find("code=") != std::string::npos);
  const auto done = w.host.get(pathOf(back), "");
  REQUIRE(done.status == 302);
  CHECK(done.header("location").find("connected=" + std::to_string(expected)) != std::string::npos);
  auto out = connectionsOf(w, key, platform);
  REQUIRE(out.size() == expected);
  return out;
}

/// A second host process on `w`'s database and data dir (so the same keys), started.
inline std::unique_ptr<Host> secondHost(World& w, std::map<std::string, std::string> env,
                                        const std::string& config = "{}") {
  env["MARKETSAGE_DATA_DIR"] = w.host.dir().string();
  auto second = std::make_unique<Host>(w.host.databaseUrl(), env);
  second->start(config);
  return second;
}

}  // namespace harness
