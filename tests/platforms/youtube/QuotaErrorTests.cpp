// The quota (Google's quotaExceeded and the plugin's own count) and Google's other errors.
#include "YouTubeFixture.h"

#include "PacificTime.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>

using namespace youtube_test;

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Seconds from now to the next midnight in Los Angeles.
int secondsToPacificMidnight() { return static_cast<int>((youtube::nextPacificMidnightMs(nowMs()) - nowMs()) / 1000); }

}  // namespace

TEST_CASE("quotaExceeded is a rate limit that lasts until midnight Pacific time", "[youtube][quota]") {
  YouTubeFixture f;
  f.youtube.setVideosInsertUsed(100);  // another server of the same project made today's 100 uploads
  const auto r = f.call(Operation::Publish, f.post("Over quota", {f.videoMedia(1000)}));
  REQUIRE(r.kind == ErrorKind::RateLimited);
  CHECK(r.platformCode == "quotaExceeded");
  CHECK(r.message.find("midnight Pacific") != std::string::npos);
  CHECK(std::abs(r.retryAfterSeconds - secondsToPacificMidnight()) <= 5);
  CHECK(f.youtube.sessionsOpened() == 0);
  // The plugin now knows the day's uploads are spent: no upload is sent until the reset...
  const auto sent = f.youtube.requests().size();
  const auto again = f.call(Operation::Publish, f.post("Still over quota", {f.videoMedia(1000)}));
  CHECK(again.kind == ErrorKind::RateLimited);
  CHECK(std::abs(again.retryAfterSeconds - secondsToPacificMidnight()) <= 5);
  CHECK(f.youtube.requests().size() == sent);
  // ...but videos.insert has its own bucket: the 10,000 units of the other methods are untouched.
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.token}}).ok());
  // Google's quotaExceeded on any other call spends the units: nothing more is sent.
  f.youtube.setQuotaUsed(10000);
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.token}}).kind == ErrorKind::RateLimited);
  const auto after = f.youtube.requests().size();
  const auto check = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  CHECK(check.kind == ErrorKind::RateLimited);
  CHECK(std::abs(check.retryAfterSeconds - secondsToPacificMidnight()) <= 5);
  CHECK(f.youtube.requests().size() == after);
}

TEST_CASE("videos.insert has its own daily bucket of 100 calls, not 1600 of the 10,000 units", "[youtube][quota]") {
  // https://developers.google.com/youtube/v3/determine_quota_cost: "a default quota allocation
  // of 100 search.list calls, 100 videos.insert calls, and 10,000 units per day combined for all
  // other endpoints"; videos.insert costs 1 per call in its own bucket.
  YouTubeFixture f;
  for (int i = 1; i <= 8; ++i) {
    INFO("upload " << i);
    REQUIRE(f.publishSettled(f.post("Video " + std::to_string(i), {f.videoMedia(1000)})).ok());
  }
  CHECK(f.youtube.videos().size() == 8);
  CHECK(f.youtube.videosInsertUsed() == 8);
  const auto check = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  REQUIRE(check.ok());
  CHECK(check.json.at("quota").at("usedUnits") == 1);
  CHECK(check.json.at("quota").at("videosInsert").at("usedCalls") == 8);
  CHECK(check.json.at("quota").at("videosInsert").at("dailyLimit") == 100);
  SECTION("the bucket's size is videos_insert_daily; past it nothing is sent") {
    YouTubeFixture small({{"videos_insert_daily", 1}});
    REQUIRE(small.publishSettled(small.post("Only one", {small.videoMedia(1000)})).ok());
    const auto sent = small.youtube.requests().size();
    const auto second = small.call(Operation::Publish, small.post("Second", {small.videoMedia(1000)}));
    CHECK(second.kind == ErrorKind::RateLimited);
    CHECK(second.platformCode == "quotaExceeded");
    CHECK(small.youtube.requests().size() == sent);
  }
}

TEST_CASE("a project on the older allocation (videos_insert_cost) pays videos.insert from daily_quota",
          "[youtube][quota]") {
  YouTubeFixture f({{"daily_quota", 2000}, {"videos_insert_cost", 1600}});
  auto check = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  REQUIRE(check.ok());
  CHECK(check.json.at("quota").at("usedUnits") == 1);
  CHECK(check.json.at("quota").at("dailyLimit") == 2000);
  CHECK_FALSE(check.json.at("quota").as_object().contains("videosInsert"));
  REQUIRE(f.publishSettled(f.post("First video", {f.videoMedia(1000)})).ok());  // 1600 units: 1601 used
  check = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  REQUIRE(check.ok());
  CHECK(check.json.at("quota").at("usedUnits") == 1602);
  const auto sent = f.youtube.requests().size();
  const auto second = f.call(Operation::Publish, f.post("Second video", {f.videoMedia(1000)}));
  CHECK(second.kind == ErrorKind::RateLimited);
  CHECK(second.platformCode == "quotaExceeded");
  CHECK(std::abs(second.retryAfterSeconds - secondsToPacificMidnight()) <= 5);
  CHECK(f.youtube.requests().size() == sent);
  CHECK(f.youtube.sessionsOpened() == 1);
  // Cheaper calls still fit.
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.token}}).ok());
}

TEST_CASE("Google's errors map to the ABI kinds", "[youtube][errors]") {
  YouTubeFixture f;
  SECTION("rateLimitExceeded is a short rate limit") {
    f.youtube.failNext(1, 403, "rateLimitExceeded");
    const auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.platformCode == "rateLimitExceeded");
    CHECK(r.retryAfterSeconds == 60);
  }
  SECTION("Retry-After as delta-seconds or as an HTTP-date (RFC 9110 10.2.3)") {
    f.youtube.setFailureRetryAfter("120");
    f.youtube.failNext(1, 429, "rateLimitExceeded");
    auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds == 120);
    // An HTTP-date 10 minutes from now.
    const std::time_t at = static_cast<std::time_t>(nowMs() / 1000 + 600);
    std::tm tm{};
    gmtime_r(&at, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    f.youtube.setFailureRetryAfter(date);
    f.youtube.failNext(1, 403, "userRateLimitExceeded");
    r = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(std::abs(r.retryAfterSeconds - 600) <= 3);
    // A 503's Retry-After is passed on with the transient error.
    f.youtube.setFailureRetryAfter("30");
    f.youtube.failNext(1, 503, "backendError");
    r = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
    CHECK(r.kind == ErrorKind::Transient);
    CHECK(r.retryAfterSeconds == 30);
  }
  SECTION("backendError is transient") {
    f.youtube.failNext(1, 500, "backendError");
    const auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
    CHECK(r.kind == ErrorKind::Transient);
    CHECK(r.platformCode == "backendError");
  }
  SECTION("a 503 opening the session is transient: no video can exist without the bytes") {
    f.youtube.failNext(1, 503, "backendError");
    const auto r = f.call(Operation::Publish, f.post("503", {f.videoMedia(1000)}));
    CHECK(r.kind == ErrorKind::Transient);
  }
  SECTION("401 is an expired token") {
    const auto r = f.call(Operation::CheckToken, {{"accessToken", "ya29.unknown"}});
    CHECK(r.kind == ErrorKind::AuthExpired);
    CHECK(r.platformCode == "authError");
  }
  SECTION("no answer at all is transient") {
    YouTubeFixture nowhere({{"api_base", "http://127.0.0.1:1"}});
    const auto r = nowhere.call(Operation::CheckToken, {{"accessToken", "t"}});
    CHECK(r.kind == ErrorKind::Transient);
  }
}
