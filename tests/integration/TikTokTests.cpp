// TikTok through the host over real HTTP, with the real `tiktok` plugin and the TikTok emulator:
// connecting with Login Kit (TikTok's hex PKCE challenge), a video from the media library sent in
// TikTok's chunks and a photo post TikTok pulls from the host's signed URLs, both polled through
// "pending" replies; the creator's privacy levels enforced; a rate limit per user token; a
// processing failure with TikTok's reason; the two-hour token expiry refreshed; a lost init answer
// retried for an upload and left to a person for a URL pull (TikTok cannot be reconciled);
// analytics; and no token in the database files or the logs.
#if defined(MARKETSAGE_WITH_TIKTOK)

#include "TikTokEmulator.h"
#include "Tokens.h"
#include "integration/ExactlyOnce.h"
#include "integration/PlatformTests.h"

#include <chrono>
#include <thread>

using namespace harness;
namespace json = boost::json;
using emulators::TikTokApi;

namespace {

constexpr std::size_t kMiB = 1024 * 1024;

std::map<std::string, std::string> tiktokEnv(const TikTokApi& tt) {
  auto env = bundledPluginsEnv();
  emulated(env, "TIKTOK", tt.url(), TikTokApi::clientKey, TikTokApi::clientSecret);
  return env;
}

/// Chunks of 5 MiB (TikTok's least), a status poll a second, analytics that backfill nothing.
std::string tiktokConfig() {
  auto config = exactlyOnceConfig(
      {{"tiktok", {{"chunk_bytes", 5 * kMiB}, {"status_poll_seconds", 1}, {"http_timeout_ms", 3000}}}}, 4, 2);
  config.insert(1, R"("analytics": {"backfillDays": 0, "paceMillis": 0}, "media": {"maxBytes": 67108864}, )");
  return config;
}

std::string jpegBytes(std::size_t size, char fill) {
  std::string jpeg("\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 20);
  jpeg += std::string(size - jpeg.size() - 2, fill);
  return jpeg + "\xFF\xD9";
}

}  // namespace

TEST_CASE(
    "TikTok: connect with PKCE; a chunked video and a pulled photo post; creator checks; analytics; no token "
    "stored in clear",
    "[tiktok]") {
  TikTokApi tt;
  World w(tiktokEnv(tt), tiktokConfig());
  const auto admin = w.a.byRole["ADMIN"].key;

  auto start = w.host.request("GET", "/api/social-media/connect/tiktok", admin);
  REQUIRE(start.status == 302);
  const auto authorize = start.header("location");
  CHECK(authorize.rfind(tt.url() + "/v2/auth/authorize/?", 0) == 0);
  auto q = query(authorize);
  CHECK(q["client_key"] == TikTokApi::clientKey);
  CHECK(q["scope"] == "user.info.basic,user.info.stats,video.publish,video.list");
  CHECK(q["code_challenge"].size() == 64);  // hex of SHA-256, as TikTok wants it
  CHECK(q["code_challenge_method"] == "S256");
  const auto back = fetch(authorize);
  REQUIRE(back.status == 302);
  REQUIRE(w.host.get(pathOf(back.header("location")), "").status == 302);
  const auto connections = connectionsOf(w, admin, "tiktok");
  REQUIRE(connections.size() == 1);
  CHECK(str(connections[0], "accountId") == TikTokApi::openId);
  CHECK(str(connections[0], "accountName") == TikTokApi::displayName);
  const auto conn = str(connections[0], "id");

  // A video of two chunks (5 MiB and the rest), interactions as the user chose them.
  const auto mp4 = mp4Bytes(11 * kMiB + 77);
  const auto video = str(uploadMedia(w, admin, mp4, "", "video/mp4"), "id");
  auto post =
      publish(w, admin,
              {{"content", "Birdhouse build #diy"},
               {"targets", {conn}},
               {"media", {video}},
               {"options", {{"tiktok", {{"privacy_level", "PUBLIC_TO_EVERYONE"}, {"disable_comment", false}}}}}});
  INFO(json::serialize(post));
  auto result = post.at("results").at(0);
  REQUIRE(str(result, "status") == "published");
  CHECK(hasEvent(post, "processing"));
  REQUIRE(tt.posts().size() == 1);
  const auto made = tt.posts()[0];
  CHECK(str(result, "postId") == made.postId);
  CHECK(str(result, "url") == "https://www.tiktok.com/@ada.lovelace/video/" + made.postId);
  CHECK(made.chunkCount == 2);
  CHECK(made.sha256 == marketsage::test::sha256Hex(mp4));
  CHECK(made.title == "Birdhouse build #diy");
  CHECK_FALSE(made.disableComment);
  CHECK(made.disableDuet);

  // Photos: TikTok pulls them from the host's signed URLs.
  const auto one = jpegBytes(4000, 'a'), two = jpegBytes(5000, 'b');
  const auto photo1 = str(uploadMedia(w, admin, one, "", "image/jpeg"), "id");
  const auto photo2 = str(uploadMedia(w, admin, two, "", "image/jpeg"), "id");
  post = publish(w, admin,
                 {{"content", "Two views of the birdhouse"},
                  {"targets", {conn}},
                  {"media", {photo1, photo2}},
                  {"options", {{"tiktok", {{"privacy_level", "MUTUAL_FOLLOW_FRIENDS"}, {"title", "Birdhouse"}}}}}});
  INFO(json::serialize(post));
  REQUIRE(str(post.at("results").at(0), "status") == "published");
  REQUIRE(tt.posts().size() == 2);
  CHECK(tt.posts()[1].mediaType == "PHOTO");
  CHECK(tt.posts()[1].fetchedBytes == std::vector<long long>{4000, 5000});
  CHECK(tt.posts()[1].description == "Two views of the birdhouse");

  // A privacy level this creator does not have fails before anything is posted.
  post = publish(w, admin,
                 {{"content", "Followers only"},
                  {"targets", {conn}},
                  {"media", {video}},
                  {"options", {{"tiktok", {{"privacy_level", "FOLLOWER_OF_CREATOR"}}}}}});
  result = post.at("results").at(0);
  CHECK(str(result, "status") == "failed");
  CHECK(str(result, "error").find("FOLLOWER_OF_CREATOR") != std::string::npos);
  CHECK(tt.posts().size() == 2);

  // Analytics: the video's counts and the account's followers.
  tt.setVideoStats(made.postId, 2500, 120, 14, 9);
  tt.setUserStats(4321, 10000, 2);
  REQUIRE(w.host.request("POST", "/api/social-media/analytics/refresh", admin, std::string("{}")).status == 200);
  const auto analytics = w.host.get("/api/social-media/analytics?platforms=tiktok", admin);
  INFO(analytics.body);
  REQUIRE(analytics.status == 200);
  const auto all = analytics.json();
  const auto& figures = all.at("tiktok");
  CHECK(figures.at("metrics").at("followers").to_number<double>() == 4321);
  const auto top = figures.at("topPosts").as_array();
  REQUIRE(!top.empty());
  CHECK(str(top[0], "postId") == made.postId);
  CHECK(top[0].at("metrics").at("videoViews").to_number<double>() == 2500);
  CHECK(top[0].at("engagement").to_number<double>() == 143);

  // Tokens: in no answer, database file or log line.
  const auto raw = rawDatabase(w);
  const auto logs = w.host.logText();
  const auto listed = w.host.get("/api/social-media/connections", admin).body;
  for (const auto& token : tt.issuedTokens()) {
    for (const auto& secret : {token, tt.refreshTokenOf(token)}) {
      INFO(secret);
      CHECK(raw.find(secret) == std::string::npos);
      CHECK(logs.find(secret) == std::string::npos);
      CHECK(listed.find(secret) == std::string::npos);
    }
  }
}

TEST_CASE(
    "TikTok: a rate limit per user token waits; TikTok's fail_reason fails the target; an expired token is "
    "refreshed",
    "[tiktok]") {
  TikTokApi tt;
  World w(tiktokEnv(tt), tiktokConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectAccount(w, admin, "tiktok", TikTokApi::openId);
  const auto video = str(uploadMedia(w, admin, mp4Bytes(700 * 1024), "", "video/mp4"), "id");
  const json::object options{{"tiktok", {{"privacy_level", "PUBLIC_TO_EVERYONE"}}}};

  // video/init answers 429 rate_limit_exceeded: the target waits, it does not fail.
  tt.setRateLimit("video/init", 0);
  auto created =
      postJson(w, admin, {{"content", "Throttled"}, {"targets", {conn}}, {"media", {video}}, {"options", options}});
  REQUIRE((created.status == 201 || created.status == 202));
  const auto id = str(created.json(), "id");
  json::value post;
  for (int i = 0; i < 100 && !(post.is_object() && hasEvent(post, "rate_limited")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    post = getPost(w, admin, id);
  }
  INFO(json::serialize(post));
  CHECK(hasEvent(post, "rate_limited"));
  CHECK(str(post.at("results").at(0), "status") == "queued");
  CHECK(tt.inits() == 0);
  auto health = w.host.get("/api/social-media/health/tiktok", admin);
  REQUIRE(health.status == 200);
  CHECK(str(health.json().as_array().at(0), "status") == "rate_limited");
  REQUIRE(w.host.request("DELETE", "/api/social-media/posts/" + id, admin).status < 300);  // cancel it
  tt.setRateLimit("video/init", 6);

  // TikTok's moderation refuses the video after upload: the reason reaches the user.
  tt.failNextPublish("spam_risk_text");
  post = publish(w, admin, {{"content", "Refused"}, {"targets", {conn}}, {"media", {video}}, {"options", options}});
  INFO(json::serialize(post));
  CHECK(str(post.at("results").at(0), "status") == "failed");
  CHECK(str(post.at("results").at(0), "error").find("spam_risk_text") != std::string::npos);

  // The two hours are up: TikTok answers access_token_invalid, the host refreshes once and goes on.
  tt.expireAllTokens();
  post = publish(w, admin, {{"content", "After a day"}, {"targets", {conn}}, {"media", {video}}, {"options", options}});
  INFO(json::serialize(post));
  CHECK(str(post.at("results").at(0), "status") == "published");
  CHECK(tt.refreshGrants() == 1);

  // A lost init answer of an upload: nothing is live without the bytes, so the host simply retries.
  const auto before = tt.inits();
  tt.faultNextInits({Fault::DropAfterCreate});
  post = publish(w, admin, {{"content", "Retried"}, {"targets", {conn}}, {"media", {video}}, {"options", options}});
  INFO(json::serialize(post));
  CHECK(str(post.at("results").at(0), "status") == "published");
  CHECK(tt.inits() == before + 2);

  // A lost init answer of a URL pull: TikTok may be posting it; never sent again, a person decides.
  const auto photo = str(uploadMedia(w, admin, jpegBytes(3000, 'c'), "", "image/jpeg"), "id");
  tt.faultNextInits({Fault::DropAfterCreate});
  post = publish(w, admin, {{"content", "Lost answer"}, {"targets", {conn}}, {"media", {photo}}, {"options", options}});
  INFO(json::serialize(post));
  CHECK(str(post.at("results").at(0), "status") == "needs_review");
  CHECK(hasEvent(post, "outcome_unknown"));
  CHECK(tt.inits() == before + 3);
}

#endif  // MARKETSAGE_WITH_TIKTOK
