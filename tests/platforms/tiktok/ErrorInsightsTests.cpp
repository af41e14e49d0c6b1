// Error paths (rate limits per user token, expired tokens, processing failures, a failed chunk,
// lost answers of the init that makes the post) and insights.
#include "TikTokFixture.h"

#include <catch2/catch.hpp>

using namespace tiktok_test;
using marketsage::test::CreateFault;

namespace {
std::string text(const json::value& v, const char* key) { return json::value_to<std::string>(v.at(key)); }

/// The request of the next publish call, with a pending reply's resume merged as the host does.
json::object resumed(json::object request, const CallResult& pending) {
  json::object resume = request.contains("resume") ? request["resume"].as_object() : json::object{};
  for (const auto& [k, v] : pending.json.at("pending").at("resume").as_object()) resume[k] = v;
  request["resume"] = resume;
  return request;
}
}  // namespace

TEST_CASE("rate limits per user token are rate_limited with a wait", "[tiktok][errors]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 1000, "r.mp4");
  f.tiktok.setRateLimit("video/init", 0);
  auto r = f.publishSettled(f.post("x", {video}));
  CHECK(r.kind == ErrorKind::RateLimited);
  CHECK(r.platformCode == "rate_limit_exceeded");
  CHECK(r.retryAfterSeconds == 60);
  CHECK(f.tiktok.inits() == 0);

  SECTION("another user's token is not throttled") {
    f.tiktok.setRateLimit("video/init", 1);
    auto other = f.post("x", {video});
    other["accessToken"] = f.tiktok.issueToken();
    CHECK(f.publishSettled(other).ok());
  }
}

TEST_CASE("TikTok's errors map to the ABI's kinds", "[tiktok][errors]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 1000, "e.mp4");
  SECTION("the daily post cap") {
    f.tiktok.setPostsLeftToday(0);
    auto r = f.publishSettled(f.post("x", {video}));
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.platformCode == "spam_risk_too_many_posts");
  }
  SECTION("an expired token") {
    f.tiktok.expireAllTokens();
    auto r = f.publishSettled(f.post("x", {video}));
    CHECK(r.kind == ErrorKind::AuthExpired);
    CHECK(r.platformCode == "access_token_invalid");
  }
  SECTION("a token without video.publish") {
    auto request = f.post("x", {video});
    request["accessToken"] = f.tiktok.issueToken("user.info.basic");
    auto r = f.publishSettled(request);
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.platformCode == "scope_not_authorized");
  }
  SECTION("scope_permission_missed is a missing grant, not an expired token, whatever its status") {
    for (const int status : {400, 401}) {
      f.tiktok.failNext(1, status, "scope_permission_missed");
      auto r = f.call(Operation::CheckToken, {{"accessToken", f.token}});
      CHECK(r.kind == ErrorKind::AuthInvalid);
      CHECK(r.platformCode == "scope_permission_missed");
    }
  }
  SECTION("a processing failure carries TikTok's fail_reason") {
    f.tiktok.failNextPublish("frame_rate_check_failed");
    auto r = f.publishSettled(f.post("x", {video}));
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.platformCode == "frame_rate_check_failed");
    CHECK(r.message.find("frame_rate_check_failed") != std::string::npos);
  }
  SECTION("a server error") {
    f.tiktok.failNext(1, 500, "internal_error");
    CHECK(f.publishSettled(f.post("x", {video})).kind == ErrorKind::Transient);
  }
}

TEST_CASE("a failed chunk ends the attempt; the next one sends the file again to the same upload", "[tiktok][errors]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 11 * kMiB, "retry.mp4");
  auto request = f.post("x", {video});
  auto opened = f.call(Operation::Publish, request);
  REQUIRE(opened.ok());
  request = resumed(request, opened);
  f.tiktok.failNextChunks(1);
  auto broken = f.call(Operation::Publish, request);
  CHECK(broken.kind == ErrorKind::Transient);
  auto done = f.publishSettled(request);
  REQUIRE(done.ok());
  CHECK(f.tiktok.inits() == 1);
  CHECK(f.tiktok.posts().at(0).sha256 == TikTokFixture::sha256OfFile(json::value_to<std::string>(video.at("path"))));
}

TEST_CASE("a lost answer of a URL pull's init is outcome_unknown, never a second post", "[tiktok][exactly-once]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 1000, "once.mp4");
  auto photo = f.media("image", "image/jpeg", 1000, "once.jpg");
  f.tiktok.setSlowAnswerMs(2500);
  for (const auto fault : {CreateFault::DropAfterCreate, CreateFault::GatewayTimeout, CreateFault::SlowAnswer,
                           CreateFault::ResetMidAnswer, CreateFault::LateCreate, CreateFault::RefuseWithoutCreate}) {
    INFO(marketsage::test::nameOf(fault));
    f.tiktok.faultNextInits({fault, fault});
    CHECK(f.publishSettled(f.post("x", {video}, {{"source", "PULL_FROM_URL"}})).kind == ErrorKind::OutcomeUnknown);
    CHECK(f.publishSettled(f.post("x", {photo})).kind == ErrorKind::OutcomeUnknown);
  }
}

TEST_CASE("a lost init answer of a FILE_UPLOAD post is an ordinary failure: nothing is live without the upload",
          "[tiktok][exactly-once]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 1000, "upload.mp4");
  for (const auto fault : {CreateFault::DropAfterCreate, CreateFault::GatewayTimeout, CreateFault::ResetMidAnswer}) {
    INFO(marketsage::test::nameOf(fault));
    f.tiktok.faultNextInits({fault});
    CHECK(f.publishSettled(f.post("x", {video})).kind == ErrorKind::Transient);
  }
  REQUIRE(f.publishSettled(f.post("x", {video})).ok());
  int complete = 0;
  for (const auto& p : f.tiktok.posts()) complete += p.status == "PUBLISH_COMPLETE";
  CHECK(complete == 1);  // the inits whose answers were lost never got a byte: never published
}

TEST_CASE("a retried upload asks first: every byte already there is not sent again", "[tiktok][exactly-once]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 2000, "asked.mp4");
  auto request = f.post("x", {video});
  auto opened = f.call(Operation::Publish, request);
  REQUIRE(opened.ok());
  request = resumed(request, opened);
  REQUIRE(f.call(Operation::Publish, request).ok());  // the upload, whose pending reply the host then lost
  const auto puts = f.tiktok.chunkPuts();
  auto done = f.publishSettled(request);
  REQUIRE(done.ok());
  CHECK(f.tiktok.chunkPuts() == puts);
  CHECK(f.tiktok.posts().size() == 1);
}

TEST_CASE("insights: video/query per post, user/info stats for the account", "[tiktok][insights]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 1000, "i.mp4");
  auto published = f.publishSettled(f.post("x", {video}));
  REQUIRE(published.ok());
  const auto id = text(published.json, "postId");
  f.tiktok.setVideoStats(id, 1000, 50, 7, 3);
  auto posts = f.call(Operation::PostInsights, {{"accessToken", f.token},
                                                {"account", json::object{{"id", emulators::TikTokApi::openId}}},
                                                {"postIds", json::array{id, "7000000000000000001"}},
                                                {"start", "2026-01-01"},
                                                {"end", "2026-12-31"}});
  REQUIRE(posts.ok());
  REQUIRE(posts.json.at("posts").as_array().size() == 1);
  const auto& metrics = posts.json.at("posts").at(0).at("metrics");
  CHECK(metrics.at("videoViews").as_int64() == 1000);
  CHECK(metrics.at("likes").as_int64() == 50);
  CHECK(metrics.at("comments").as_int64() == 7);
  CHECK(metrics.at("shares").as_int64() == 3);

  f.tiktok.setUserStats(777, 9000, 14);
  auto account = f.call(Operation::AccountInsights,
                        {{"accessToken", f.token}, {"account", json::object{{"id", emulators::TikTokApi::openId}}}});
  REQUIRE(account.ok());
  CHECK(account.json.at("metrics").at("followers").as_int64() == 777);
  CHECK(account.json.at("extra").at("videoCount").as_int64() == 14);

  SECTION("without user.info.stats the followers are unavailable, not an error") {
    auto basic = f.call(Operation::AccountInsights, {{"accessToken", f.tiktok.issueToken("user.info.basic,video.list")},
                                                     {"account", json::object{{"id", emulators::TikTokApi::openId}}}});
    REQUIRE(basic.ok());
    CHECK(basic.json.at("unavailable").at(0).at("name") == "followers");
  }
}
