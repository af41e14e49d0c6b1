// Exactly once on Threads: containers are kept by the host (pending) before threads_publish, the
// one call that makes a post live; a threads_publish whose answer is lost is of unknown outcome,
// and reconcile tells from the kept container (PUBLISHED or not) and the user's threads listing.
#include <catch2/catch.hpp>

#include "ThreadsFixture.h"

#include <chrono>
#include <thread>

using namespace threadstest;
using marketsage::test::CreateFault;

TEST_CASE("threads holds no worker: pending with the container ids, threads_publish only once they are kept",
          "[threads][publish][exactly-once]") {
  Threads t;
  const auto request = t.post("Pending first", {t.image("p.jpg")});
  const auto first = t.plugin.call(Operation::Publish, request);
  REQUIRE(first.ok());
  const auto container = text(first.json, "/pending/resume/threads/container");
  REQUIRE_FALSE(container.empty());
  CHECK(number(first.json, "/pending/retryAfterSeconds") >= 1);
  CHECK(t.requests("POST " + t.path("/threads_publish")) == 0);
  auto resumed = request;
  resumed["resume"] = first.json.at("pending").at("resume");
  const auto done = t.publishResuming(resumed);
  REQUIRE(done.result.ok());
  CHECK(text(done.result.json, "/extra/containerId") == container);
  CHECK(t.requests("POST " + t.path("/threads_publish")) == 1);
  CHECK(t.requests("POST " + t.path("/threads")) == 1);
}

TEST_CASE("threads: a threads_publish whose answer is lost is of unknown outcome; reconcile reads the container",
          "[threads][exactly-once]") {
  Threads t;
  ThreadsPlugin quick(t.api, json::object{{"http_timeout_ms", 400}, {"status_poll_interval_ms", 10}});
  t.api.publishFaults().slowAnswerMs = 1200;
  t.api.publishFaults().lateCreateMs = 800;
  const CreateFault fault =
      GENERATE(CreateFault::DropAfterCreate, CreateFault::GatewayTimeout, CreateFault::SlowAnswer,
               CreateFault::ResetMidAnswer, CreateFault::RefuseWithoutCreate, CreateFault::LateCreate);
  const std::string kind = GENERATE("text", "carousel");
  INFO(marketsage::test::nameOf(fault) << " on threads_publish of a " << kind);
  const auto request = kind == "carousel" ? t.post("lost answer, carousel", {t.image("k1.jpg"), t.image("k2.jpg")})
                                          : t.post("lost answer, text");
  const auto attemptedAt = inSeconds(0);
  const auto publish = [&](json::object r) {
    return marketsage::test::publishResuming(
        [&](const json::object& one) { return quick.call(Operation::Publish, one); }, std::move(r));
  };

  t.api.publishFaults().push({fault});
  const auto attempt = publish(request);
  CHECK(attempt.result.kind == ErrorKind::OutcomeUnknown);
  const auto container = text(json::value(attempt.request), "/resume/threads/container");
  REQUIRE_FALSE(container.empty());
  const auto reconcile = [&] {
    return quick.call(Operation::Reconcile, reconcileRequest(attempt.request, attemptedAt));
  };
  const bool created = fault != CreateFault::RefuseWithoutCreate;
  if (fault == CreateFault::LateCreate) {
    const auto early = reconcile();
    REQUIRE(early.ok());
    CHECK(outcomeOf(early) == "not_found");
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  }
  const auto live = t.api.livePosts();
  REQUIRE(live.size() == (created ? 1u : 0u));
  CHECK(t.api.item(container).status == (created ? "PUBLISHED" : "FINISHED"));

  const auto answer = reconcile();
  REQUIRE(answer.ok());
  if (created) {
    CHECK(outcomeOf(answer) == "found");
    CHECK(text(answer.json, "/postId") == live.front().id);
    CHECK(text(answer.json, "/url").rfind("https://www.threads.net/", 0) == 0);
    CHECK(publish(attempt.request).result.kind == ErrorKind::OutcomeUnknown);
  } else {
    CHECK(outcomeOf(answer) == "not_found");
    const auto resent = publish(attempt.request);
    REQUIRE(resent.result.ok());
    CHECK(text(resent.result.json, "/extra/containerId") == container);
  }
  CHECK(t.api.livePosts().size() == 1);
}

TEST_CASE("threads reconcile without a kept container: the listing answers by text and type",
          "[threads][exactly-once]") {
  Threads t;
  const auto attemptedAt = inSeconds(0);
  const auto published = t.publish(t.post("Listed"));
  REQUIRE(published.ok());
  for (int i = 0; i < 3; ++i) REQUIRE(t.publish(t.post("other " + std::to_string(i))).ok());
  const auto reconcile = [&](const json::object& request) {
    return t.plugin.call(Operation::Reconcile, reconcileRequest(request, attemptedAt));
  };
  const auto found = reconcile(t.post("Listed"));
  REQUIRE(found.ok());
  CHECK(outcomeOf(found) == "found");
  CHECK(text(found.json, "/postId") == text(published.json, "/postId"));
  CHECK(outcomeOf(reconcile(t.post("Listed", {t.image("l.jpg")}))) == "not_found");  // an image is another post
  CHECK(outcomeOf(reconcile(t.post("Never posted"))) == "not_found");
  REQUIRE(t.publish(t.post("Listed")).ok());
  CHECK(outcomeOf(reconcile(t.post("Listed"))) == "unknown");
}
