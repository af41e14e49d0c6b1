// Exactly-once publishing: the record key comes from the target (submittedAt + idempotencyKey), so
// a retry after a lost answer finds the first record instead of writing a second; rate limits,
// expired sessions and reconcile.
#include "BlueskyFixture.h"

#include <catch2/catch.hpp>

#include <thread>

namespace bluesky_test {

using marketsage::test::CreateFault;

TEST_CASE("every create fault, then retries until success: exactly one record per target", "[bluesky][exactly-once]") {
  BlueskyFixture f;
  f.connectAlice();
  f.bluesky.setSlowAnswerMs(1500);  // past the plugin's 1 s timeout
  const auto faults = marketsage::test::shuffledCreateFaults(1, 7);
  for (size_t i = 0; i < faults.size(); ++i) {
    INFO(marketsage::test::nameOf(faults[i]));
    const auto key = "ms-fault-" + std::to_string(i);
    const auto before = f.live().size();
    f.bluesky.faultNextCreates({faults[i]});
    auto r = f.call(Operation::Publish, f.post("fault " + std::to_string(i), {}, {}, key));
    for (int attempt = 0; !r.ok() && attempt < 10; ++attempt) {
      CHECK((r.kind == ErrorKind::Transient || r.kind == ErrorKind::OutcomeUnknown));
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      r = f.call(Operation::Publish, f.post("fault " + std::to_string(i), {}, {}, key));
    }
    REQUIRE(r.ok());
    // A late create may still land: wait for it, then count.
    std::this_thread::sleep_for(std::chrono::milliseconds(1700));
    const auto live = f.live();
    REQUIRE(live.size() == before + 1);
    CHECK(str(r.json.at("postId")) == live.back().uri);
  }
}

TEST_CASE("a retry after an answer lost past the create returns the first record", "[bluesky][exactly-once]") {
  BlueskyFixture f;
  f.connectAlice();
  f.bluesky.faultNextCreates({CreateFault::DropAfterCreate});
  const auto first = f.call(Operation::Publish, f.post("once"));
  REQUIRE(first.ok());  // the plugin looked the record up under its key
  const auto again = f.call(Operation::Publish, f.post("once"));
  REQUIRE(again.ok());
  CHECK(again.json.at("postId") == first.json.at("postId"));
  CHECK(f.live().size() == 1);
  const auto calls = f.bluesky.calls();
  CHECK(std::count(calls.begin(), calls.end(), "com.atproto.repo.createRecord") == 2);
  CHECK(std::count(calls.begin(), calls.end(), "com.atproto.repo.getRecord") == 2);
  // Another target (another key) is another record.
  REQUIRE(f.call(Operation::Publish, f.post("once", {}, {}, "ms-target-other")).ok());
  CHECK(f.live().size() == 2);
}

TEST_CASE("429 RateLimitExceeded is rate_limited with the wait from ratelimit-reset", "[bluesky][limits]") {
  BlueskyFixture f;
  f.connectAlice();
  f.bluesky.throttleNextCreates(1, 120);
  const auto r = f.call(Operation::Publish, f.post("throttled"));
  CHECK(r.kind == ErrorKind::RateLimited);
  CHECK(r.retryAfterSeconds >= 118);
  CHECK(r.retryAfterSeconds <= 121);
  CHECK(r.platformCode == "RateLimitExceeded");
  CHECK(f.live().empty());
  REQUIRE(f.call(Operation::Publish, f.post("throttled")).ok());
  CHECK(f.live().size() == 1);
}

TEST_CASE("an expired access JWT is auth_expired; after refresh the publish goes through", "[bluesky][limits]") {
  BlueskyFixture f;
  f.connectAlice();
  f.bluesky.expireAccessTokens();
  const auto r = f.call(Operation::Publish, f.post("after refresh"));
  CHECK(r.kind == ErrorKind::AuthExpired);
  CHECK(r.platformCode == "ExpiredToken");
  const auto refreshed = f.call(Operation::RefreshToken, {{"refreshToken", f.refreshToken}, {"account", f.account()}});
  REQUIRE(refreshed.ok());
  f.accessToken = str(refreshed.json.at("accessToken"));
  REQUIRE(f.call(Operation::Publish, f.post("after refresh")).ok());
  CHECK(f.live().size() == 1);
  // A 5xx that wrote nothing is transient.
  f.bluesky.failNextCalls(1, 502);
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.accessToken}, {"account", f.account()}}).kind ==
        ErrorKind::Transient);
}

TEST_CASE("reconcile looks up the target's record keys: found, partly found, not found", "[bluesky][exactly-once]") {
  BlueskyFixture f;
  f.connectAlice();
  auto request = f.post("1/2", {}, {});
  request["thread"] = json::array{{{"content", "2/2"}}};
  request["attemptedAt"] = kSubmittedAt;
  auto r = f.call(Operation::Reconcile, request);
  REQUIRE(r.ok());
  CHECK(str(r.json.at("outcome")) == "not_found");

  f.bluesky.setHourlyPoints(3);  // the first part only
  CHECK(f.call(Operation::Publish, request).kind == ErrorKind::RateLimited);
  r = f.call(Operation::Reconcile, request);
  REQUIRE(r.ok());
  CHECK(str(r.json.at("outcome")) == "found");
  CHECK(r.json.at("postIds").as_array().size() == 1);

  f.bluesky.setHourlyPoints(5000);
  request["resume"] = {{"postIds", r.json.at("postIds")}};
  REQUIRE(f.call(Operation::Publish, request).ok());
  r = f.call(Operation::Reconcile, request);
  CHECK(r.json.at("postIds").as_array().size() == 2);
  CHECK(str(r.json.at("postId")) == f.live().at(0).uri);
}

TEST_CASE("bad input is refused before any network call, also from many threads", "[bluesky][check]") {
  BlueskyFixture f;
  for (const auto op : {Operation::Publish, Operation::DeletePost, Operation::PostInsights, Operation::Reconcile,
                        Operation::CheckToken, Operation::RefreshToken, Operation::Validate})
    for (const auto* text : {"", "[]", "{}", "{\"accessToken\":[]}", "nul", "{\"content\":42}"})
      CHECK(f.callText(op, text).kind == ErrorKind::InvalidInput);
  CHECK(f.bluesky.calls().empty());
}

}  // namespace bluesky_test
