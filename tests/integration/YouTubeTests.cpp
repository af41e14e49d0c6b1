// YouTube through the host over real HTTP, with the real `youtube` plugin and the YouTube
// emulator: connecting with offline access and PKCE, a video from the media library uploaded in
// several chunks through one resumable session despite a 503 on a middle chunk (one video, its
// SHA-256 intact), options applied (title, privacy, tags, thumbnail), the hour of the access
// token running out (refreshed, the refresh token kept), the day's quota spent (the target waits
// until midnight Pacific, it does not fail), a lost final answer settled by reconcile, delete,
// and the quota in the live health.
#if defined(MARKETSAGE_WITH_YOUTUBE)

#include "../../plugins/youtube/PacificTime.h"
#include "Tokens.h"
#include "YouTubeEmulator.h"
#include "integration/ExactlyOnce.h"
#include "integration/PlatformTests.h"

#include <Poco/URI.h>

#include <chrono>
#include <ctime>
#include <thread>

using namespace harness;
namespace json = boost::json;
using emulators::YouTubeApi;

namespace {

constexpr long long kUnit = 256 * 1024;

std::map<std::string, std::string> youtubeEnv(const YouTubeApi& yt) {
  return {{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_BUNDLED_PLUGIN_DIR},
          {"FIELD_ENCRYPTION_KEY", devKey},
          {"YOUTUBE_API_BASE", yt.url()},
          {"YOUTUBE_AUTH_BASE", yt.url()},
          {"YOUTUBE_CLIENT_ID", YouTubeApi::clientId},
          {"YOUTUBE_CLIENT_SECRET", YouTubeApi::clientSecret}};
}

/// Chunks of 512 KiB; a 2 s timeout, so a lost answer does not hold a worker long.
std::string youtubeConfig(int graceSeconds = 2) {
  return exactlyOnceConfig({{"youtube", {{"chunk_bytes", 2 * kUnit}, {"http_timeout_ms", 2000}}}}, 4, graceSeconds);
}

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The youtube connection's entry of the live health.
json::value liveHealth(World& w, const std::string& key) {
  auto r = w.host.get("/api/social-media/health/youtube?live=true", key);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto all = r.json();
  REQUIRE(all.as_array().size() == 1);
  return all.as_array()[0];
}

}  // namespace

TEST_CASE(
    "YouTube: connect with offline access and PKCE; a video in chunks survives a 503 mid-upload; options; delete; "
    "quota in live health",
    "[youtube]") {
  YouTubeApi yt;
  World w(youtubeEnv(yt), youtubeConfig());
  const auto admin = w.a.byRole["ADMIN"].key;

  // The consent URL the host had the plugin build.
  auto start = w.host.request("GET", "/api/social-media/connect/youtube", admin);
  REQUIRE(start.status == 302);
  const auto authorize = start.header("location");
  CHECK(authorize.rfind(yt.url() + "/o/oauth2/v2/auth?", 0) == 0);
  auto q = query(authorize);
  CHECK(q["access_type"] == "offline");
  CHECK(q["prompt"] == "consent");
  CHECK(q["include_granted_scopes"] == "true");
  CHECK(q["code_challenge_method"] == "S256");
  CHECK(q["code_challenge"].size() == 43);
  CHECK(q["scope"] == "https://www.googleapis.com/auth/youtube");
  CHECK(q["redirect_uri"] == "http://127.0.0.1:" + std::to_string(w.host.port()) + "/api/auth/callback/youtube");
  // The emulator checks the verifier against that challenge at /token.
  const auto back = fetch(authorize);
  REQUIRE(back.status == 302);
  const auto done = w.host.get(pathOf(back.header("location")), "");
  REQUIRE(done.status == 302);
  CHECK(done.header("location").find("connected=1") != std::string::npos);
  const auto connections = w.host.get("/api/social-media/connections", admin).json();
  REQUIRE(connections.as_array().size() == 1);
  const auto& connection = connections.as_array()[0];
  CHECK(str(connection, "accountId") == YouTubeApi::channelId);
  CHECK(str(connection, "accountName") == YouTubeApi::channelTitle);
  const auto conn = str(connection, "id");
  const auto tokens = yt.issuedTokens();
  CHECK(std::count_if(tokens.begin(), tokens.end(), [](const std::string& t) { return t.rfind("1//", 0) == 0; }) ==
        1);  // offline: a refresh token
  for (const auto& t : tokens)
    CHECK(w.host.get("/api/social-media/connections", admin).body.find(t) == std::string::npos);

  // A video of 7 chunks and its thumbnail from the media library; the third chunk meets a 503.
  const auto mp4 = mp4Bytes(3 * 1024 * 1024 + 4321);
  const auto png = pngBytes(1280, 720, 3000);
  const auto video = uploadMedia(w, admin, mp4);
  CHECK(str(video, "kind") == "video");
  const auto image = uploadMedia(w, admin, png);
  yt.faultChunk(3, YouTubeApi::ChunkFault::Unavailable);
  const auto post = publish(w, admin,
                            {{"content", "Birdhouse build, part 1\nAll the cuts, in order."},
                             {"targets", {conn}},
                             {"media", {str(video, "id"), str(image, "id")}},
                             {"options",
                              {{"youtube",
                                {{"title", "Birdhouse build (1/3)"},
                                 {"privacyStatus", "unlisted"},
                                 {"tags", {"woodwork", "diy"}},
                                 {"thumbnail", str(image, "id")}}}}}});
  INFO(json::serialize(post));
  const auto& result = post.at("results").as_array()[0];
  REQUIRE(str(result, "status") == "published");
  CHECK(hasEvent(post, "processing"));  // the session went to the host's progress first
  const auto videos = yt.videos();
  REQUIRE(videos.size() == 1);
  const auto& v = videos[0];
  CHECK(str(result, "postId") == v.id);
  CHECK(str(result, "url") == "https://www.youtube.com/watch?v=" + v.id);
  CHECK(v.size == static_cast<long long>(mp4.size()));
  CHECK(v.sha256 == marketsage::test::sha256Hex(mp4));
  CHECK(yt.sessionsOpened() == 1);
  CHECK(yt.chunkPuts() == 8);  // 7 chunks, the third twice
  CHECK(yt.statusQueries() >= 2);
  CHECK(v.title == "Birdhouse build (1/3)");
  CHECK(v.description == "Birdhouse build, part 1\nAll the cuts, in order.");
  CHECK(v.privacyStatus == "unlisted");
  CHECK(v.tags == std::vector<std::string>{"woodwork", "diy"});
  CHECK(v.mimeType == "video/mp4");
  CHECK(v.thumbnailBytes == static_cast<long long>(png.size()));
  CHECK(v.thumbnailType == "image/png");

  // The live health shows the project's quota as the plugin counts it.
  const auto health = liveHealth(w, admin);
  CHECK(str(health, "status") == "healthy");
  REQUIRE(health.as_object().contains("quota"));
  const auto& quota = health.at("quota");
  CHECK(quota.at("dailyLimit") == 10000);
  CHECK(quota.at("usedUnits").to_number<long long>() >= 50 + 1);                // thumbnails.set, this check
  CHECK(quota.at("videosInsert").at("usedCalls").to_number<long long>() >= 1);  // videos.insert: its own bucket
  CHECK(quota.at("videosInsert").at("dailyLimit") == 100);
  const auto resetsAt = epochOf(str(quota, "resetsAt"));
  CHECK(resetsAt * 1000 == youtube::nextPacificMidnightMs(nowMs()));

  // Deleting the post deletes the video.
  const auto removed = w.host.request("DELETE", "/api/social-media/posts/" + str(post, "id"), admin);
  INFO(removed.body);
  CHECK(removed.status < 300);
  CHECK(yt.video(v.id)->deleted);
}

TEST_CASE("YouTube: when the hour is up the host refreshes the token, and the refresh token Google kept still works",
          "[youtube]") {
  YouTubeApi yt;
  World w(youtubeEnv(yt), youtubeConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectAccount(w, admin, "youtube", YouTubeApi::channelId);
  for (int round = 1; round <= 2; ++round) {
    yt.expireAllTokens();  // Google answers 401 from now on
    const auto video = uploadMedia(w, admin, mp4Bytes(700 * 1024 + round));
    const auto post = publish(w, admin,
                              {{"content", "After the hour, round " + std::to_string(round)},
                               {"targets", {conn}},
                               {"media", {str(video, "id")}}});
    INFO(json::serialize(post));
    CHECK(str(post.at("results").at(0), "status") == "published");
    CHECK(yt.refreshGrants() == round);  // refreshed once, with the same refresh token each time
  }
  CHECK(yt.videos().size() == 2);
  CHECK(yt.sessionsOpened() == 2);
  CHECK(str(liveHealth(w, admin), "status") == "healthy");
}

TEST_CASE("YouTube: the day's quota spent, the target waits until midnight Pacific instead of failing", "[youtube]") {
  YouTubeApi yt;
  World w(youtubeEnv(yt), youtubeConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectAccount(w, admin, "youtube", YouTubeApi::channelId);
  yt.setVideosInsertUsed(100);  // the project's other uses made today's 100 videos.insert calls
  const auto video = uploadMedia(w, admin, mp4Bytes(300 * 1024));
  auto created = postJson(w, admin, {{"content", "Over quota"}, {"targets", {conn}}, {"media", {str(video, "id")}}});
  REQUIRE((created.status == 201 || created.status == 202));
  const auto id = str(created.json(), "id");
  json::value post;
  for (int i = 0; i < 200 && !(post.is_object() && hasEvent(post, "rate_limited")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    post = getPost(w, admin, id);
  }
  INFO(json::serialize(post));
  REQUIRE(hasEvent(post, "rate_limited"));
  const auto& result = post.at("results").as_array()[0];
  CHECK(str(result, "status") == "queued");  // a later retry, not a failure
  std::string retryAt;
  for (const auto& e : post.at("history").as_array())
    if (str(e, "event") == "rate_limited") retryAt = str(e.at("detail"), "retryAt");
  const auto midnight = youtube::nextPacificMidnightMs(nowMs()) / 1000;
  CHECK(std::llabs(epochOf(retryAt) - midnight) <= 5);
  CHECK(yt.videos().empty());
  CHECK(yt.sessionsOpened() == 0);
  // The connection's health says so too, until the reset.
  auto health = w.host.get("/api/social-media/health/youtube", admin);
  REQUIRE(health.status == 200);
  const auto entry = health.json().as_array().at(0);
  CHECK(str(entry, "status") == "rate_limited");
  CHECK(std::llabs(epochOf(str(entry, "rateLimitedUntil")) - midnight) <= 5);
}

TEST_CASE("YouTube: the final chunk's answer lost and the session silent: reconcile finds the one video",
          "[youtube][exactly-once]") {
  YouTubeApi yt;
  World w(youtubeEnv(yt), youtubeConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectAccount(w, admin, "youtube", YouTubeApi::channelId);
  const auto mp4 = mp4Bytes(kUnit * 3 + 999);  // two chunks
  const auto video = uploadMedia(w, admin, mp4);
  yt.faultNextCreates({Fault::DropAfterCreate});
  yt.failStatusQueries(1, 1);  // the query after the lost answer fails: the outcome is unknown
  const auto post = publish(w, admin, {{"content", "Lost answer"}, {"targets", {conn}}, {"media", {str(video, "id")}}});
  INFO(json::serialize(post));
  const auto& result = post.at("results").as_array()[0];
  CHECK(str(result, "status") == "published");
  CHECK(hasEvent(post, "outcome_unknown"));
  CHECK(foundByReconcile(post));
  CHECK_FALSE(hasEvent(post, "retry"));
  REQUIRE(yt.videos().size() == 1);
  CHECK(str(result, "postId") == yt.videos()[0].id);
  CHECK(yt.videos()[0].sha256 == marketsage::test::sha256Hex(mp4));
  CHECK(yt.sessionsOpened() == 1);
}

#endif  // MARKETSAGE_WITH_YOUTUBE
