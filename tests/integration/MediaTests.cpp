// Media content on either backend: bytes that round-trip exactly through upload, a plugin's
// upload and the signed public link, in many large-object chunks on PostgreSQL; and stateless
// hosts: on PostgreSQL a file uploaded through one host is published, served and deleted by
// another host with a data dir of its own.
#include "integration/Posting.h"
#include "integration/TestPlatform.h"

#include <filesystem>
#include <random>

using namespace harness;
namespace json = boost::json;

namespace {

std::string mediaConfig() {
  return R"({"publishing": {"waitSeconds": 20, "retryBaseMillis": 200, "pollMillis": 100, "workers": 2},
             "media": {"maxBytes": 8388608}})";
}

/// A PNG header followed by `size` pseudo-random bytes: several large-object chunks (1 MiB each)
/// and a partial last one.
std::string bigPng(std::size_t size) {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x01\0\0\0\0\x80\x08\x06\0\0\0", 29);
  std::mt19937 random(20260);
  png.reserve(png.size() + size);
  for (std::size_t i = 0; i < size; ++i) png += static_cast<char>(random() & 0xFF);
  return png;
}

std::string largeObjects(const Host& host) {
  return sql(host.databaseUrl(), "SELECT COUNT(*) FROM pg_largeobject_metadata").at(0).at(0);
}

void connectOauthtest(World& w, const std::string& admin) {
  REQUIRE(w.host.get(pathOf(consent(w, admin, "oauthtest")), "").status == 302);
}

/// Posts `mediaId` to oauthtest through `host` as `key`; returns the post once settled.
json::value publishThrough(const Host& host, const std::string& key, const std::string& content,
                           const std::string& mediaId) {
  const json::object body{{"content", content}, {"platforms", {"oauthtest"}}, {"media", {mediaId}}};
  auto r = host.request("POST", "/api/social-media/posts", key, json::serialize(body));
  REQUIRE((r.status == 201 || r.status == 202));
  const auto id = str(r.json(), "id");
  for (int i = 0; i < 300; ++i) {
    auto post = host.get("/api/social-media/posts/" + id, key).json();
    if (str(post, "status") != "publishing" && str(post, "status") != "queued") return post;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("the post did not settle");
  return {};
}

/// The emulator's posts with `content`; each must carry the media bytes and the signed link.
std::vector<OAuthEmulator::Published> postsWith(const OAuthEmulator& emulator, const std::string& content) {
  std::vector<OAuthEmulator::Published> out;
  for (const auto& p : emulator.published())
    if (p.text == content) out.push_back(p);
  return out;
}

}  // namespace

TEST_CASE("media round-trips byte-exact in many chunks: the plugin's upload and the signed link", "[media]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), mediaConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  connectOauthtest(w, admin);
  const bool postgres = backend() == "postgresql";
  const auto before = postgres ? largeObjects(w.host) : "";

  const auto bytes = bigPng(5 * 1024 * 1024 + 12345);
  auto uploaded = w.host.request("POST", "/api/social-media/media", admin, bytes, "application/octet-stream");
  REQUIRE(uploaded.status == 201);
  const auto id = str(uploaded.json(), "id");
  CHECK(uploaded.json().at("size").as_int64() == static_cast<std::int64_t>(bytes.size()));
  // Where the bytes are: a file of this host on SQLite, one large object on PostgreSQL.
  const auto file = w.host.dir() / "media" / w.a.id / id;
  CHECK(std::filesystem::exists(file) == !postgres);
  if (postgres) CHECK(std::stoi(largeObjects(w.host)) == std::stoi(before) + 1);

  // Content that turns out unsupported once every chunk was written: nothing of it remains.
  CHECK(w.host.request("POST", "/api/social-media/media", admin, std::string(3 * 1024 * 1024, 't'), "text/plain")
            .status == 415);
  if (postgres) CHECK(std::stoi(largeObjects(w.host)) == std::stoi(before) + 1);
  CHECK(w.host.get("/api/social-media/media", admin).json().as_array().size() == 1);

  const auto post = publishThrough(w.host, admin, "five megabytes", id);
  CHECK(str(post, "status") == "published");
  const auto live = postsWith(emulator, "five megabytes");
  REQUIRE(live.size() == 2);  // the consent connects two accounts
  for (const auto& p : live) {
    REQUIRE(p.media.size() == 1);
    CHECK(emulator.mediaUpload(p.media.front()) == bytes);
    REQUIRE(p.mediaUrls.size() == 1);
    const auto served = fetch(p.mediaUrls.front());
    CHECK(served.status == 200);
    CHECK(served.header("content-type") == "image/png");
    CHECK(served.body == bytes);
  }
  // The plugin's copies (PostgreSQL) went with the attempt.
  const auto spool = w.host.dir() / "spool";
  CHECK((!std::filesystem::exists(spool) || std::filesystem::is_empty(spool)));

  CHECK(w.host.request("DELETE", "/api/social-media/media/" + id, admin).status == 204);
  CHECK(!std::filesystem::exists(file));
  if (postgres) CHECK(largeObjects(w.host) == before);
  CHECK(fetch(live.front().mediaUrls.front()).status == 404);
}

TEST_CASE(
    "two hosts on PostgreSQL with separate data dirs: media uploaded through one is published, served and "
    "deleted by the other",
    "[media][postgresql]") {
  REQUIRE(backend() == "postgresql");
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), mediaConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto user = w.a.byRole["USER"].key;
  connectOauthtest(w, admin);
  Host b(w.host.databaseUrl(), oauthEnv(emulator));
  REQUIRE(b.dir() != w.host.dir());
  b.start(mediaConfig());
  const auto before = largeObjects(b);

  const auto bytes = bigPng(2 * 1024 * 1024 + 7);
  auto uploaded = w.host.request("POST", "/api/social-media/media", user, bytes, "application/octet-stream");
  REQUIRE(uploaded.status == 201);
  const auto id = str(uploaded.json(), "id");
  CHECK(!std::filesystem::exists(w.host.dir() / "media"));  // nothing of it on host A's disk
  CHECK(std::stoi(largeObjects(b)) == std::stoi(before) + 1);

  // Host A goes away; B, which never saw the upload, publishes the post.
  REQUIRE(w.host.stop() == 0);
  CHECK(b.get("/api/social-media/media/" + id, user).status == 200);
  const auto post = publishThrough(b, user, "uploaded through A, published by B", id);
  CHECK(str(post, "status") == "published");
  const auto live = postsWith(emulator, "uploaded through A, published by B");
  REQUIRE(live.size() == 2);
  for (const auto& p : live) {
    REQUIRE(p.media.size() == 1);
    CHECK(emulator.mediaUpload(p.media.front()) == bytes);  // the plugin on B streamed the exact bytes
    REQUIRE(p.mediaUrls.size() == 1);
    // The signed link B made points at B, and B serves the exact bytes.
    CHECK(p.mediaUrls.front().rfind("http://127.0.0.1:" + std::to_string(b.port()) + "/media/" + id + "?", 0) == 0);
    const auto served = fetch(p.mediaUrls.front());
    CHECK(served.status == 200);
    CHECK(served.body == bytes);
  }
  // Another organization cannot delete it through B; its owner can.
  CHECK(b.request("DELETE", "/api/social-media/media/" + id, w.b.byRole["ADMIN"].key).status == 404);
  CHECK(b.request("DELETE", "/api/social-media/media/" + id, user).status == 204);
  CHECK(b.get("/api/social-media/media/" + id, user).status == 404);
  CHECK(largeObjects(b) == before);  // the large object went with the row
  CHECK(fetch(live.front().mediaUrls.front()).status == 404);
}

TEST_CASE("a PostgreSQL host without FIELD_ENCRYPTION_KEY refuses to start, naming it", "[media][postgresql]") {
  REQUIRE(backend() == "postgresql");
  Host host(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", ""}});
  CHECK_THROWS(host.start());
  const auto log = host.logText();
  CHECK(log.find("FIELD_ENCRYPTION_KEY is required with PostgreSQL") != std::string::npos);
  CHECK(!std::filesystem::exists(host.dir() / "dev-encryption.key"));
}
