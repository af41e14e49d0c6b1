// Mastodon through the host over real HTTP, with the real `mastodon` plugin and the instance
// emulator: the organization names its instance, the host registers the app there once and
// uses it for every call; statuses with options, a thread and an image; delete; insights in
// analytics; a rate limit waited out; a lost answer settled with exactly one status; a revoked
// token; no token or client secret in the database files or the logs.
#if defined(MARKETSAGE_WITH_MASTODON)

#include "MastodonEmulator.h"
#include "integration/ExactlyOnce.h"
#include "integration/PlatformTests.h"

#include <chrono>
#include <ctime>

using namespace harness;
namespace json = boost::json;
using emulators::MastodonInstance;

namespace {

std::string mastodonConfig(int workers = 4) {
  auto config = json::parse(exactlyOnceConfig({{"mastodon", {{"http_timeout_ms", 1500}}}}, workers, 2)).as_object();
  config["media"] = {{"fetchAllowHosts", {"127.0.0.1"}}};  // the emulated instance is http://127.0.0.1:<port>
  config["analytics"] = {{"backfillDays", 0}, {"paceMillis", 0}};
  return json::serialize(config);
}

/// Connects the key's organization to the emulated instance; the connection's id.
std::string connectInstance(World& w, const MastodonInstance& m, const std::string& key) {
  auto start = w.host.request("GET", "/api/social-media/connect/mastodon?instance=" + m.url(), key);
  INFO(start.body);
  REQUIRE(start.status == 302);
  const auto authorize = start.header("location");
  CHECK(authorize.rfind(m.url() + "/oauth/authorize?", 0) == 0);
  auto q = query(authorize);
  CHECK(q["code_challenge_method"] == "S256");
  CHECK(q["scope"] == "write:statuses write:media read:accounts read:statuses");
  CHECK(q["redirect_uri"] == "http://127.0.0.1:" + std::to_string(w.host.port()) + "/api/auth/callback/mastodon");
  const auto back = fetch(authorize);
  REQUIRE(back.status == 302);
  const auto done = w.host.get(pathOf(back.header("location")), "");
  REQUIRE(done.status == 302);
  CHECK(done.header("location").find("connected=1") != std::string::npos);
  const auto all = connectionsOf(w, key, "mastodon");
  REQUIRE(all.size() == 1);
  return str(all.front(), "id");
}

}  // namespace

TEST_CASE("Mastodon: connect names the instance; statuses, a thread, an image, delete, insights; no secret stored",
          "[mastodon]") {
  MastodonInstance m;
  World w(bundledPluginsEnv(), mastodonConfig());
  const auto admin = w.a.byRole["ADMIN"].key;

  const auto conn = connectInstance(w, m, admin);
  REQUIRE(m.apps().size() == 1);
  CHECK(m.apps().front().redirectUris.front() ==
        "http://127.0.0.1:" + std::to_string(w.host.port()) + "/api/auth/callback/mastodon");
  const auto connection = w.host.get("/api/social-media/connections/" + conn, admin).json();
  CHECK(str(connection, "accountId") == MastodonInstance::accountId);
  CHECK(str(connection, "accountName") == "@marketsage@127.0.0.1:" + std::to_string(Poco::URI(m.url()).getPort()));

  SECTION("a second connect on the same instance reuses the app registered there") {
    REQUIRE(w.host.request("GET", "/api/social-media/connect/mastodon?instance=" + m.url() + "/", admin).status == 302);
    CHECK(m.apps().size() == 1);
  }

  // Text with options and a thread.
  const auto post = publish(w, admin,
                            {{"content", "Hello, fediverse"},
                             {"targets", {conn}},
                             {"options",
                              {{"mastodon",
                                {{"visibility", "unlisted"},
                                 {"spoilerText", "launch"},
                                 {"language", "en"},
                                 {"thread", {{{"content", "and a reply"}}}}}}}}});
  INFO(json::serialize(post));
  const auto& result = post.at("results").at(0);
  REQUIRE(str(result, "status") == "published");
  const auto statusId = str(result, "postId");
  CHECK(str(result, "url") == m.url() + "/@marketsage/" + statusId);
  const auto first = m.status(statusId);
  REQUIRE(first);
  CHECK(first->text == "Hello, fediverse");
  CHECK(first->visibility == "unlisted");
  CHECK(first->spoilerText == "launch");
  CHECK(first->language == "en");
  CHECK_FALSE(first->idempotencyKey.empty());
  const auto all = m.statuses();
  REQUIRE(all.size() == 2);
  CHECK(all.back().inReplyToId == statusId);
  CHECK(all.back().idempotencyKey == first->idempotencyKey + "-1");

  // An image from the media library.
  const auto media = uploadMedia(w, admin, pngBytes(16, 16));
  const auto withImage =
      publish(w, admin, {{"content", "A picture"}, {"targets", {conn}}, {"media", {str(media, "id")}}});
  REQUIRE(str(withImage.at("results").at(0), "status") == "published");
  const auto pictured = m.status(str(withImage.at("results").at(0), "postId"));
  REQUIRE(pictured);
  REQUIRE(pictured->mediaIds.size() == 1);
  CHECK(m.media(pictured->mediaIds.front())->mimeType == "image/png");

  // Insights: favourites, reblogs and replies of the status; followers of the account.
  m.setCounts(statusId, 7, 3, 2);
  m.setFollowers(42);
  REQUIRE(w.host.request("POST", "/api/social-media/analytics/refresh", admin, std::string("{}")).status == 200);
  const auto analytics =
      w.host.get("/api/social-media/analytics?platforms=mastodon&start=" + today() + "&end=" + today(), admin);
  INFO(analytics.body);
  REQUIRE(analytics.status == 200);
  const auto figures = analytics.json();
  const auto& numbers = figures.at("mastodon");
  CHECK(numbers.at("metrics").at("followers").to_number<double>() == 42);
  CHECK(numbers.at("totalEngagement").to_number<double>() >= 12);

  // Delete: every status of the thread.
  const auto deleted = w.host.request("DELETE", "/api/social-media/posts/" + str(post, "id"), admin);
  INFO(deleted.body);
  CHECK(deleted.status < 300);
  for (const auto& s : m.statuses())
    if (s.id == statusId || s.inReplyToId == statusId) CHECK(s.deleted);

  // No access token or client secret in the database files or the logs.
  const auto raw = rawDatabase(w);
  const auto logs = w.host.logText();
  for (const auto& secret : m.issuedTokens()) {
    CHECK(raw.find(secret) == std::string::npos);
    CHECK(logs.find(secret) == std::string::npos);
  }
}

TEST_CASE("Mastodon: a rate limit is waited out, a lost answer leaves exactly one status, a revoked token fails",
          "[mastodon]") {
  MastodonInstance m;
  World w(bundledPluginsEnv(), mastodonConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectInstance(w, m, admin);

  m.throttleNext(1, 1);
  const auto limited = publish(w, admin, {{"content", "After the limit"}, {"targets", {conn}}});
  CHECK(str(limited.at("results").at(0), "status") == "published");
  CHECK(m.statusesCreated() == 1);

  // The answer of the create is lost: the host reconciles, or retries with the same
  // Idempotency-Key; either way the instance holds one status.
  m.faultNextCreates({Fault::DropAfterCreate});
  const auto lost = publish(w, admin, {{"content", "Exactly once, please"}, {"targets", {conn}}});
  INFO(json::serialize(lost));
  CHECK(str(lost.at("results").at(0), "status") == "published");
  CHECK(m.statusesCreated() == 2);
  size_t copies = 0;
  for (const auto& s : m.statuses()) copies += s.text == "Exactly once, please" && !s.deleted ? 1 : 0;
  CHECK(copies == 1);

  m.revokeAllTokens();
  const auto refused = publish(w, admin, {{"content", "Nobody home"}, {"targets", {conn}}});
  const auto& target = refused.at("results").at(0);
  CHECK(str(target, "status") == "failed");
  CHECK(json::serialize(target).find("The access token is invalid") != std::string::npos);
  CHECK(m.statusesCreated() == 2);
}

TEST_CASE("Mastodon: a video the instance processes holds no worker; its status goes out once it is ready",
          "[mastodon]") {
  MastodonInstance m;
  m.setProcessingPolls(1);
  World w(bundledPluginsEnv(), mastodonConfig(1));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectInstance(w, m, admin);
  std::string mp4(
      "\0\0\0\x20"
      "ftypisom\0\0\x02\0"
      "isomiso2avc1mp41",
      32);
  mp4 += std::string(4096, 'v');
  const auto post = publishWhileProcessing(w, admin, conn, "A clip", mp4, "application/octet-stream");
  INFO(json::serialize(post));
  REQUIRE(str(post.at("results").at(0), "status") == "published");
  const auto status = m.status(str(post.at("results").at(0), "postId"));
  REQUIRE(status);
  REQUIRE(status->mediaIds.size() == 1);
  const auto video = m.media(status->mediaIds.front());
  CHECK(video->type == "video");
  CHECK(video->pollsLeft == 0);
}

#endif
