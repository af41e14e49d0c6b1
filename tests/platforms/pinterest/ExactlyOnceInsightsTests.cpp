// Exactly once (a Pin request whose answer is lost is never re-sent blindly; reconcile finds the
// Pin on the board) and analytics, against the Pinterest emulator.
#include "PinterestFixture.h"

#include <chrono>
#include <thread>

using namespace pinterest_test;
using marketsage::test::CreateFault;

namespace {

std::string isoNow(int offsetSeconds = 0) {
  const auto now = std::chrono::system_clock::now() + std::chrono::seconds(offsetSeconds);
  const auto t = std::chrono::system_clock::to_time_t(now);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return out;
}

std::string today(int offsetDays = 0) { return isoNow(offsetDays * 86400).substr(0, 10); }

}  // namespace

TEST_CASE("Pinterest: a lost answer to the Pin request is an unknown outcome that reconcile settles", "[pinterest]") {
  PinterestFixture f;
  const auto fault = GENERATE(CreateFault::DropAfterCreate, CreateFault::GatewayTimeout, CreateFault::ResetMidAnswer,
                              CreateFault::SlowAnswer, CreateFault::RefuseWithoutCreate);
  INFO(marketsage::test::nameOf(fault));
  f.pinterest.setSlowAnswerMs(2500);  // past the plugin's 1 s timeout
  f.pinterest.faultNextCreates({fault});
  const auto attemptedAt = isoNow(-1);
  auto request = f.post("Maple board", {f.image("m1")}, {{"title", "Maple"}});
  const auto r = f.call(Operation::Publish, request);
  CHECK(r.kind == ErrorKind::OutcomeUnknown);
  CHECK(f.pinterest.pinCreates() == 1);
  if (fault == CreateFault::SlowAnswer) std::this_thread::sleep_for(std::chrono::milliseconds(1800));
  request["attemptedAt"] = attemptedAt;
  const auto settled = f.call(Operation::Reconcile, request);
  REQUIRE(settled.ok());
  if (fault == CreateFault::RefuseWithoutCreate) {
    CHECK(settled.json.at("outcome") == "not_found");
    CHECK(f.pinterest.pins().empty());
  } else {
    CHECK(settled.json.at("outcome") == "found");
    REQUIRE(f.pinterest.pins().size() == 1);
    CHECK(str(settled.json.at("postId")) == f.pinterest.pins()[0].id);
  }
}

TEST_CASE("Pinterest: reconcile matches title, description and link, and only Pins made since the attempt",
          "[pinterest]") {
  PinterestFixture f;
  const auto old = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch() - std::chrono::hours(2))
                       .count();
  f.pinterest.addPin(PinterestApi::boardId, "Maple", "Maple board", "", old);  // an older twin
  f.pinterest.addPin(PinterestApi::boardId, "Maple", "Another text");
  auto request = f.post("Maple board", {f.image("m1")}, {{"title", "Maple"}});
  request["attemptedAt"] = isoNow();
  auto r = f.call(Operation::Reconcile, request);
  REQUIRE(r.ok());
  CHECK(r.json.at("outcome") == "not_found");
  const auto id = f.pinterest.addPin(PinterestApi::boardId, "Maple", "Maple board");
  r = f.call(Operation::Reconcile, request);
  REQUIRE(r.ok());
  CHECK(r.json.at("outcome") == "found");
  CHECK(str(r.json.at("postId")) == id);
}

TEST_CASE("Pinterest: Pin analytics, the board's followers and the user's totals", "[pinterest]") {
  PinterestFixture f;
  const auto a = f.pinterest.addPin(PinterestApi::boardId, "A", "a");
  const auto b = f.pinterest.addPin(PinterestApi::boardId, "B", "b");
  f.pinterest.setPinAnalytics(a, 1200, 30, 12, 40);
  f.pinterest.setPinAnalytics(b, 800, 5, 2, 10);
  f.pinterest.setUserAnalytics(9000, 100, 50, 300);
  const json::object account{{"id", PinterestApi::boardId}};
  // 200 days back: Pinterest keeps 90, the plugin asks for what it keeps.
  const auto posts = f.call(Operation::PostInsights, {{"accessToken", f.token},
                                                      {"account", account},
                                                      {"postIds", json::array{a, b, "404404"}},
                                                      {"start", today(-200)},
                                                      {"end", today()}});
  REQUIRE(posts.ok());
  const auto& list = posts.json.at("posts").as_array();
  REQUIRE(list.size() == 2);
  CHECK(str(list[0].at("postId")) == a);
  CHECK(list[0].at("metrics").at("impressions") == 1200);
  CHECK(list[0].at("metrics").at("saves") == 30);
  CHECK(list[0].at("metrics").at("clicks") == 52);
  CHECK(list[0].at("metrics").at("outboundClicks") == 12);
  CHECK(list[1].at("metrics").at("impressions") == 800);

  const auto acct = f.call(Operation::AccountInsights,
                           {{"accessToken", f.token}, {"account", account}, {"start", today(-30)}, {"end", today()}});
  REQUIRE(acct.ok());
  CHECK(acct.json.at("metrics").at("followers") == 321);
  CHECK(acct.json.at("extra").at("userAccount").at("impressions") == 9000);

  f.pinterest.rateLimitNext(1, 7);
  const auto limited = f.call(Operation::PostInsights, {{"accessToken", f.token},
                                                        {"account", account},
                                                        {"postIds", json::array{a}},
                                                        {"start", today(-1)},
                                                        {"end", today()}});
  CHECK(limited.kind == ErrorKind::RateLimited);
  CHECK(limited.retryAfterSeconds == 7);
}
