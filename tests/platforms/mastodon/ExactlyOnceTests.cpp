// Idempotency-Key: a retried create whose answer was lost posts nothing twice; reconcile finds a
// status of unknown outcome.
#include "MastodonFixture.h"

using marketsage::test::CreateFault;

TEST_CASE("a create whose answer is lost is OUTCOME_UNKNOWN; the retry with the same key posts nothing twice",
          "[mastodon][exactly-once]") {
  MastodonFixture f;
  const auto fault = GENERATE(CreateFault::DropAfterCreate, CreateFault::GatewayTimeout, CreateFault::ResetMidAnswer,
                              CreateFault::SlowAnswer);
  INFO(marketsage::test::nameOf(fault));
  f.m.setSlowAnswerMs(1500);  // past the plugin's 1 s timeout
  f.m.faultNextCreates({fault});
  const auto post = f.post("Exactly once");
  auto first = f.call(Operation::Publish, post);
  CHECK(first.kind == ErrorKind::OutcomeUnknown);
  CHECK(f.m.statusesCreated() == 1);

  auto retry = f.call(Operation::Publish, post);
  REQUIRE(retry.ok());
  CHECK(f.m.statusesCreated() == 1);
  CHECK(f.m.idempotentReplays() == 1);
  CHECK(f.liveStatuses() == 1);
  CHECK(retry.json.at("postId").as_string() == f.m.statuses().back().id);
}

TEST_CASE("reconcile finds the status by its reply target and source text, part by part", "[mastodon][exactly-once]") {
  MastodonFixture f;
  auto post = f.post("Reconcile me");
  post["thread"] = {{{"content", "second part"}}};
  post["attemptedAt"] = "2020-01-01T00:00:00Z";

  auto none = f.call(Operation::Reconcile, post);
  REQUIRE(none.ok());
  CHECK(none.json.at("outcome").as_string() == "not_found");

  f.m.faultNextCreates({CreateFault::DropAfterCreate});
  auto lost = f.call(Operation::Publish, post);
  REQUIRE(lost.kind == ErrorKind::OutcomeUnknown);
  auto found = f.call(Operation::Reconcile, post);
  REQUIRE(found.ok());
  CHECK(found.json.at("outcome").as_string() == "found");
  CHECK(found.json.at("postIds").as_array().size() == 1);  // the second part never went out

  post["resume"] = {{"postIds", found.json.at("postIds")}};
  auto rest = f.call(Operation::Publish, post);
  REQUIRE(rest.ok());
  CHECK(rest.json.at("postIds").as_array().size() == 2);
  CHECK(f.m.statusesCreated() == 2);
}
