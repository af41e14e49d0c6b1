// The quota (Google's quotaExceeded and the plugin's own count) and Google's other errors.
#include "YouTubeFixture.h"

#include "PacificTime.h"

#include <catch2/catch.hpp>

#include <chrono>

using namespace youtube_test;

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// Seconds from now to the next midnight in Los Angeles.
int secondsToPacificMidnight() { return static_cast<int>((youtube::nextPacificMidnightMs(nowMs()) - nowMs()) / 1000); }

}  // namespace

TEST_CASE("quotaExceeded is a rate limit that lasts until midnight Pacific time", "[youtube][quota]") {
  YouTubeFixture f;
  f.youtube.setQuotaUsed(9000);  // another server of the same project spent most of it
  const auto r = f.call(Operation::Publish, f.post("Over quota", {f.videoMedia(1000)}));
  REQUIRE(r.kind == ErrorKind::RateLimited);
  CHECK(r.platformCode == "quotaExceeded");
  CHECK(r.message.find("midnight Pacific") != std::string::npos);
  CHECK(std::abs(r.retryAfterSeconds - secondsToPacificMidnight()) <= 5);
  CHECK(f.youtube.sessionsOpened() == 0);
  // The plugin now knows the day's quota is spent: nothing more is sent until the reset.
  const auto sent = f.youtube.requests().size();
  const auto again = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  CHECK(again.kind == ErrorKind::RateLimited);
  CHECK(std::abs(again.retryAfterSeconds - secondsToPacificMidnight()) <= 5);
  CHECK(f.youtube.requests().size() == sent);
}

TEST_CASE("the plugin counts units per project and refuses, unsent, what daily_quota cannot pay", "[youtube][quota]") {
  YouTubeFixture f({{"daily_quota", 2000}});
  auto check = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  REQUIRE(check.ok());
  CHECK(check.json.at("quota").at("usedUnits") == 1);
  CHECK(check.json.at("quota").at("dailyLimit") == 2000);
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
