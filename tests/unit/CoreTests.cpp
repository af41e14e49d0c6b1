#include "config/Config.h"
#include "config/Layout.h"
#include "config/PluginSettings.h"
#include "core/Encoding.h"
#include "core/PeriodicTask.h"
#include "core/Problem.h"
#include "core/Time.h"
#include "http/Fields.h"
#include "http/Router.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace marketsage;

TEST_CASE("UTF-8 validation rejects malformed, overlong, surrogate and control input", "[encoding]") {
  CHECK(encoding::isCleanUtf8("plain text"));
  CHECK(encoding::isCleanUtf8("名前 émoji 🎉\ttab\nline"));
  CHECK_FALSE(encoding::isCleanUtf8(std::string("nul\0byte", 8)));
  CHECK_FALSE(encoding::isCleanUtf8("bell\x07"));
  CHECK_FALSE(encoding::isCleanUtf8("\xff"));
  CHECK_FALSE(encoding::isCleanUtf8("\xc0\xaf"));      // overlong '/'
  CHECK_FALSE(encoding::isCleanUtf8("\xed\xa0\x80"));  // surrogate
  CHECK_FALSE(encoding::isCleanUtf8("\xe2\x82"));      // truncated
  CHECK(encoding::sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(encoding::base64Url({0xfb, 0xff}) == "-_8");
}

TEST_CASE("RFC 3339 times parse with a zone and format as UTC", "[time]") {
  CHECK(time::parseIso8601("2026-12-25T10:00:00Z") == 1798192800000);
  CHECK(time::parseIso8601("2026-12-25T11:00:00+01:00") == 1798192800000);
  CHECK(time::parseIso8601("2026-12-25T10:00:00.250Z") == 1798192800250);
  CHECK_FALSE(time::parseIso8601("2026-12-25T10:00:00"));
  CHECK_FALSE(time::parseIso8601("tomorrow"));
  CHECK(time::formatIso8601(1798192800250) == "2026-12-25T10:00:00.250Z");
}

TEST_CASE("router matches parameters, reports other methods, ignores near misses", "[http]") {
  http::Router router;
  int hit = 0;
  router.add("GET", "/api/orgs/{id}/users", http::Access::Authenticated, [&](http::Exchange&) { hit = 1; });
  router.add("POST", "/api/orgs/{id}/users", http::Access::Authenticated, [&](http::Exchange&) { hit = 2; });
  auto m = router.match("GET", "/api/orgs/abc/users");
  REQUIRE(m.route != nullptr);
  CHECK(m.params.at("id") == "abc");
  auto wrong = router.match("DELETE", "/api/orgs/abc/users");
  CHECK(wrong.route == nullptr);
  CHECK(wrong.allowedMethods.size() == 2);
  CHECK(router.match("GET", "/api/orgs//users").route == nullptr);
  CHECK(router.match("GET", "/api/orgs/abc/users/x").route == nullptr);
  CHECK(router.match("GET", "api/orgs/abc/users").route == nullptr);
}

TEST_CASE("strict fields: unknown, wrong type, too long, control characters", "[http]") {
  auto body = boost::json::parse(R"({"name":"Acme","n":3,"ctl":"a\u0001b"})").as_object();
  CHECK_THROWS_AS(http::Fields(body, {"name"}), Problem);
  const http::Fields fields(body, {"name", "n", "ctl"});
  CHECK(fields.requiredText("name", 4) == "Acme");
  CHECK_THROWS_AS(fields.requiredText("name", 3), Problem);
  CHECK_THROWS_AS(fields.requiredText("n", 10), Problem);
  CHECK_THROWS_AS(fields.requiredText("ctl", 10), Problem);
  CHECK_THROWS_AS(fields.requiredText("missing", 10), Problem);
  CHECK_FALSE(fields.optionalText("missing", 10));
  CHECK(http::isEmailAddress("a.b+c@example.co.uk"));
  CHECK_FALSE(http::isEmailAddress("a@b"));
  CHECK_FALSE(http::isEmailAddress("a'b@example.com"));
  CHECK_FALSE(http::isEmailAddress("a@@example.com"));
}

TEST_CASE("configuration: file, then environment; bad values are one clear error", "[config]") {
  const auto dir = std::filesystem::temp_directory_path() / "marketsage-config-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "c.json";
  std::ofstream(file) << R"({"server":{"port":9001,"maxBodyBytes":2048},"database":{"url":"sqlite:/tmp/x.db"},
                          "plugins":{"facebook":{"enabled":false,"api_base":"http://127.0.0.1:1"}}})";
  unsetenv("MARKETSAGE_PORT");
  unsetenv("DATABASE_URL");
  auto config = config::load(file);
  CHECK(config.server.port == 9001);
  CHECK(config.server.maxBodyBytes == 2048);
  CHECK(config.database.url == "sqlite:/tmp/x.db");
  CHECK(config.plugins.at("facebook").at("enabled").as_bool() == false);

  setenv("MARKETSAGE_PORT", "9002", 1);
  setenv("DATABASE_URL", "postgresql://u@127.0.0.1/db", 1);
  setenv("MARKETSAGE_PLUGIN_PATH", "/a:/b", 1);
  config = config::load(file);
  CHECK(config.server.port == 9002);
  CHECK(config.database.url == "postgresql://u@127.0.0.1/db");
  REQUIRE(config.pluginPath.size() == 2);
  CHECK(config.pluginPath[1] == "/b");

  setenv("MARKETSAGE_PORT", "80x", 1);
  CHECK_THROWS_AS(config::load(file), config::ConfigError);
  unsetenv("MARKETSAGE_PORT");
  unsetenv("DATABASE_URL");
  unsetenv("MARKETSAGE_PLUGIN_PATH");

  std::ofstream(file) << R"({"server":{"port":"eighty"}})";
  CHECK_THROWS_AS(config::load(file), config::ConfigError);
  std::ofstream(file) << R"({"server":)";
  CHECK_THROWS_AS(config::load(file), config::ConfigError);
  CHECK_THROWS_AS(config::load(dir / "missing.json"), config::ConfigError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("layout: a build tree finds its files beside the checkout, never the installed places", "[config]") {
  const auto& layout = config::layout();
  CHECK_FALSE(layout.installed);
  CHECK(layout.configFile == "config/marketsage.json");
  CHECK(layout.dataDir == "var");
  CHECK(layout.environmentFile.empty());
  // build/bin/<test> -> build/plugins, where the build puts the bundled plugins
  CHECK(layout.pluginFolder == (config::executableDir() / ".." / "plugins").lexically_normal());
  CHECK(layout.pluginFolder.is_absolute());
}

TEST_CASE("environment file: KEY=VALUE lines, comments skipped, quotes removed, the environment wins", "[config]") {
  const auto file = std::filesystem::temp_directory_path() / "marketsage-env-test.env";
  std::ofstream(file) << "# secrets\n\nMS_ENV_TEST_A=plain value\n  MS_ENV_TEST_B = \"quoted=x\" \n"
                         "MS_ENV_TEST_C='single'\r\nMS_ENV_TEST_SET=from-file\nnot a pair\n";
  setenv("MS_ENV_TEST_SET", "from-environment", 1);
  REQUIRE(config::loadEnvironmentFile(file));
  CHECK(std::string(std::getenv("MS_ENV_TEST_A")) == "plain value");
  CHECK(std::string(std::getenv("MS_ENV_TEST_B")) == "quoted=x");
  CHECK(std::string(std::getenv("MS_ENV_TEST_C")) == "single");
  CHECK(std::string(std::getenv("MS_ENV_TEST_SET")) == "from-environment");
  for (const char* name : {"MS_ENV_TEST_A", "MS_ENV_TEST_B", "MS_ENV_TEST_C", "MS_ENV_TEST_SET"}) unsetenv(name);
  std::filesystem::remove(file);
  CHECK_FALSE(config::loadEnvironmentFile(file));
}

TEST_CASE("plugin settings: file section, environment over it, and credentials shared from another plugin",
          "[config]") {
  config::Config config;
  config.plugins = boost::json::parse(R"({"facebook": {"client_id": "meta-app", "api_version": "v24.0"},
                                          "instagram": {"credentials_from": "facebook", "api_version": "v24.0"},
                                          "threads": {"credentials_from": "facebook", "client_id": "own-app"}})")
                       .as_object();
  ::setenv("FACEBOOK_CLIENT_SECRET", "meta-secret", 1);
  const auto instagram = config::pluginSettings(config, "instagram");
  CHECK(instagram.values.at("client_id").as_string() == "meta-app");
  CHECK(instagram.values.at("client_secret").as_string() == "meta-secret");  // from the environment of the source
  CHECK(instagram.values.at("api_version").as_string() == "v24.0");
  const auto threads = config::pluginSettings(config, "threads");
  CHECK(threads.values.at("client_id").as_string() == "own-app");  // its own app wins
  CHECK_FALSE(threads.values.contains("client_secret"));
  ::unsetenv("FACEBOOK_CLIENT_SECRET");
}

TEST_CASE("periodic task: passes run on their interval, one that throws does not end the loop, stop ends it",
          "[core]") {
  std::atomic<int> passes{0};
  PeriodicTask task;
  task.start(std::chrono::milliseconds(5), "test pass", [&] {
    if (++passes == 1) throw std::runtime_error("first pass fails");
  });
  for (int i = 0; i < 2000 && passes < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(passes >= 3);  // the loop went on after the failing pass
  CHECK_FALSE(task.stopping());
  task.stop();
  CHECK(task.stopping());
  const int stoppedAt = passes;
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK(passes == stoppedAt);
  task.stop();  // idempotent

  PeriodicTask off;
  off.start(std::chrono::milliseconds(0), "never", [&] { passes = -100; });
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(passes == stoppedAt);
}
