// Exactly once under every fault, over real HTTP: answers lost after the platform created the
// post, gateways giving up, slow and reset answers, posts that land late, duplicates refused,
// hosts killed mid-batch. A post of unknown outcome is looked up at the platform (reconcile),
// never sent again blindly; where the platform cannot tell, a person decides.
#include "integration/ExactlyOnce.h"

#include <sys/wait.h>
#include <csignal>
#include <iostream>
#include <random>
#include <set>
#include <thread>

using namespace harness;
namespace json = boost::json;

namespace {

/// Quick retries, a short grace (a cut-off request lands within lateCreateMs < grace) and a 1 s
/// plugin timeout (a slow answer is a lost one).
std::string testPlatformConfig(int workers = 4, int graceSeconds = 2, int waitSeconds = 0) {
  return exactlyOnceConfig({{"oauthtest", {{"http_timeout_ms", 1000}}}, {"oauthtest2", {{"http_timeout_ms", 1000}}}},
                           workers, graceSeconds, waitSeconds);
}

/// The connection of `platform` acting for the user (u-1) in the key's organization.
std::string userConnection(World& w, const std::string& key, const std::string& platform) {
  return connectAccount(w, key, platform, "u-1");
}

std::map<std::string, int> postsByText(const OAuthEmulator& emulator) {
  std::map<std::string, int> count;
  for (const auto& p : emulator.published()) ++count[p.text];
  return count;
}

}  // namespace

TEST_CASE("every kind of lost answer: each post goes out exactly once and says so truthfully", "[exactly-once]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), testPlatformConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto connection = userConnection(w, admin, "oauthtest");

  // Every fault twice, shuffled.
  const auto faults = shuffledCreateFaults(2, 7);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    emulator.faultNextPosts({faults[i]});
    const auto r = postJson(w, admin, {{"content", "once " + std::to_string(i)}, {"targets", {connection}}});
    REQUIRE((r.status == 201 || r.status == 202));
    ids.push_back(str(r.json(), "id"));
    const auto post = waitSettled(w, admin, ids.back());  // one at a time: each fault meets its own post
    const auto target = post.at("results").at(0);
    INFO("fault " << static_cast<int>(faults[i]) << ": " << json::serialize(post));
    CHECK(str(target, "status") == "published");
    // Truthful: the post it names is the one the platform has.
    bool named = false;
    for (const auto& p : emulator.published())
      named |= p.id == str(target, "postId") && p.text == "once " + std::to_string(i);
    CHECK(named);
    if (faults[i] != Fault::RefuseWithoutCreate) CHECK(hasEvent(post, "outcome_unknown"));
  }
  for (const auto& [text, times] : postsByText(emulator)) {
    INFO(text);
    CHECK(times == 1);  // never twice
  }
  CHECK(postsByText(emulator).size() == faults.size());  // never lost
  CHECK(emulator.wrongAccountRefusals() == 0);
}

TEST_CASE("a late-landing post is not sent again: a 'no' is trusted only after the grace period", "[exactly-once]") {
  OAuthEmulator emulator;
  emulator.lateCreateMs = 1500;
  World w(oauthEnv(emulator), testPlatformConfig(4, 3));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto connection = userConnection(w, admin, "oauthtest");
  emulator.faultNextPosts({Fault::LateCreate});
  const auto r = postJson(w, admin, {{"content", "landing late"}, {"targets", {connection}}});
  const auto post = waitSettled(w, admin, str(r.json(), "id"));
  CHECK(str(post.at("results").at(0), "status") == "published");
  CHECK(postsByText(emulator)["landing late"] == 1);
  CHECK(!hasEvent(post, "reconciled_not_found"));
}

TEST_CASE("a duplicate refusal of a re-send is a cue to look again, never a failure", "[exactly-once]") {
  OAuthEmulator emulator;
  emulator.refuseDuplicates = true;
  emulator.lateCreateMs = 2500;  // lands after a too-short grace: the re-send meets the duplicate
  World w(oauthEnv(emulator), testPlatformConfig(4, 1));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto connection = userConnection(w, admin, "oauthtest");
  emulator.faultNextPosts({Fault::LateCreate});
  const auto r = postJson(w, admin, {{"content", "said once"}, {"targets", {connection}}});
  const auto post = waitSettled(w, admin, str(r.json(), "id"));
  INFO(json::serialize(post));
  CHECK(str(post.at("results").at(0), "status") == "published");
  CHECK(postsByText(emulator)["said once"] == 1);
}

TEST_CASE("unknown again at every re-send, never found: a person looks after maxAttempts, no endless loop",
          "[exactly-once]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), testPlatformConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto connection = userConnection(w, admin, "oauthtest");
  emulator.faultNextPosts(std::vector<Fault>(8, Fault::RefuseWithoutCreate));  // a gateway that never lets one through
  const auto r = postJson(w, admin, {{"content", "never through"}, {"targets", {connection}}});
  const auto post = waitSettled(w, admin, str(r.json(), "id"));
  INFO(json::serialize(post));
  const auto target = post.at("results").at(0);
  CHECK(str(target, "status") == "needs_review");
  CHECK(target.at("attempts").to_number<int>() == 5);  // the default maxAttempts
  CHECK(str(target, "error").find("sent 5 times") != std::string::npos);
  CHECK(emulator.postAttempts() == 5);
  CHECK(postsByText(emulator).count("never through") == 0);
}

TEST_CASE("a thread cut off half way is reconciled part by part and finished once", "[exactly-once]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), testPlatformConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto connection = userConnection(w, admin, "oauthtest");
  // Part 1 goes through; part 2 is created but its answer is lost; part 3 is still to send.
  emulator.faultNextPosts({Fault::None, Fault::DropAfterCreate});
  const json::array thread{{{"content", "part 2"}}, {{"content", "part 3"}}};
  const auto posted = postJson(
      w, admin, {{"content", "part 1"}, {"targets", {connection}}, {"options", {{"oauthtest", {{"thread", thread}}}}}});
  const auto post = waitSettled(w, admin, str(posted.json(), "id"));
  INFO(json::serialize(post));
  const auto target = post.at("results").at(0);
  CHECK(str(target, "status") == "published");
  CHECK(hasEvent(post, "outcome_unknown"));
  const auto live = emulator.published();
  REQUIRE(live.size() == 3);
  CHECK(live[0].text == "part 1");
  CHECK(live[1].text == "part 2");
  CHECK(live[1].replyTo == live[0].id);
  CHECK(live[2].text == "part 3");
  CHECK(live[2].replyTo == live[1].id);
  const auto ids = target.at("progress").at("postIds").as_array();
  REQUIRE(ids.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(std::string(ids[i].as_string()) == live[i].id);
}

TEST_CASE("a platform that cannot tell: needs_review, never a second post; a person resolves it", "[exactly-once]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), testPlatformConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto user = w.a.byRole["USER"].key;
  const auto connection = userConnection(w, admin, "oauthtest2");  // no reconcile
  emulator.faultNextPosts({Fault::DropAfterCreate, Fault::RefuseWithoutCreate});
  const auto first = postJson(w, admin, {{"content", "maybe posted"}, {"targets", {connection}}});
  auto a = waitSettled(w, admin, str(first.json(), "id"));  // one at a time: each meets its own fault
  const auto second = postJson(w, admin, {{"content", "maybe not"}, {"targets", {connection}}});
  auto b = waitSettled(w, admin, str(second.json(), "id"));
  CHECK(str(a.at("results").at(0), "status") == "needs_review");
  CHECK(str(b.at("results").at(0), "status") == "needs_review");
  CHECK(str(a.at("results").at(0), "error").find("cannot look it up") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(postsByText(emulator)["maybe posted"] == 1);  // created once, never again
  CHECK(postsByText(emulator).count("maybe not") == 0);

  // The person checks the account: the first is there, the second is not.
  const auto path = [](const json::value& post) {
    return "/api/social-media/posts/" + str(post, "id") + "/targets/" + str(post.at("results").at(0), "targetId") +
           "/resolve";
  };
  const auto live = emulator.published().front().id;
  auto resolved = w.host.post(path(a), user, {{"outcome", "published"}, {"postId", live}});
  INFO(resolved.body);
  REQUIRE(resolved.status == 200);
  CHECK(str(resolved.json().at("results").at(0), "status") == "published");
  CHECK(str(resolved.json().at("results").at(0), "postId") == live);
  CHECK(w.host.post(path(a), user, {{"outcome", "retry"}}).status == 409);  // only needs_review
  CHECK(w.host.post(path(b), user, {{"outcome", "later"}}).status == 400);
  CHECK(w.host.post(path(b), w.b.byRole["ADMIN"].key, {{"outcome", "retry"}}).status == 404);
  CHECK(w.host.post(path(b), w.a.byRole["GUEST"].key, {{"outcome", "retry"}}).status == 403);
  REQUIRE(w.host.post(path(b), user, {{"outcome", "retry"}}).status == 200);
  b = waitSettled(w, admin, str(b, "id"));
  CHECK(str(b.at("results").at(0), "status") == "published");
  CHECK(postsByText(emulator)["maybe not"] == 1);
  const auto audit = w.host.get("/api/audit?limit=50", admin).body;
  CHECK(audit.find("post.target_resolved") != std::string::npos);
}

TEST_CASE("media the platform is still processing hold no worker", "[exactly-once][processing]") {
  OAuthEmulator emulator;
  emulator.mediaProcessingPolls = 3;
  World w(oauthEnv(emulator), testPlatformConfig(1));  // a single worker
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto connection = userConnection(w, admin, "oauthtest");
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x08\0\0\0\x08\x08\x06\0\0\0", 29);
  png += std::string(100, 'x');
  const auto slowPost = publishWhileProcessing(w, admin, connection, "with a video", png, "image/png");
  INFO(json::serialize(slowPost));
  CHECK(str(slowPost.at("results").at(0), "status") == "published");
  CHECK(emulator.mediaStatusReads() >= 3);
  CHECK(slowPost.at("results").at(0).at("attempts").as_int64() == 1);  // waiting is not a failed attempt
  CHECK(postsByText(emulator)["with a video"] == 1);
}

TEST_CASE("SIGKILL with 64 targets in flight: after the restart each is published once, re-sent once, or needs review",
          "[exactly-once][crash]") {
  OAuthEmulator emulator;
  emulator.postLatencyMs = 1500;
  World w(oauthEnv(emulator), testPlatformConfig(64, 3, 0));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto connection = userConnection(w, admin, "oauthtest");
  std::vector<std::string> ids;
  for (int i = 0; i < 64; ++i) {
    const auto r = postJson(w, admin, {{"content", "crash " + std::to_string(i)}, {"targets", {connection}}});
    REQUIRE((r.status == 201 || r.status == 202));
    ids.push_back(str(r.json(), "id"));
  }
  // Kill while most are in flight at the platform.
  int inFlight = 0;
  for (int i = 0; i < 200 && inFlight < 48; ++i) {
    inFlight = std::stoi(
        sql(w.host.databaseUrl(), "SELECT COUNT(*) FROM post_targets WHERE status = 'publishing'").at(0).at(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(inFlight >= 48);
  REQUIRE(::kill(w.host.pid(), SIGKILL) == 0);
  ::waitpid(w.host.pid(), nullptr, 0);
  const auto restarted = std::chrono::steady_clock::now();
  w.host.start(testPlatformConfig(64, 3, 0));

  int published = 0, review = 0, reconciledFound = 0, resent = 0;
  for (const auto& id : ids) {
    const auto post = waitSettled(w, admin, id);
    const auto status = str(post.at("results").at(0), "status");
    published += status == "published";
    review += status == "needs_review";
    bool found = false;
    for (const auto& e : post.at("history").as_array()) {
      if (str(e, "event") == "published" && e.at("detail").as_object().contains("reconciled")) found = true;
      resent += str(e, "event") == "reconciled_not_found";
    }
    reconciledFound += found;
  }
  const auto took =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - restarted).count();
  std::cout << "SIGKILL with " << inFlight << " in flight: " << published << " published (" << reconciledFound
            << " found at the platform by reconciliation, " << resent << " re-sent after not_found), " << review
            << " needs_review; settled " << took << " s after the restart\n";
  CHECK(took <= 30);
  CHECK(published + review == 64);
  CHECK(review == 0);  // the test platform can always tell
  for (const auto& [text, times] : postsByText(emulator)) {
    INFO(text);
    CHECK(times == 1);
  }
  CHECK(postsByText(emulator).size() == 64);
  CHECK(reconciledFound > 0);
}

TEST_CASE("two hosts on PostgreSQL, one killed: the other reconciles its attempts within 30 s",
          "[exactly-once][crash][postgresql]") {
  REQUIRE(backend() == "postgresql");
  OAuthEmulator emulator;
  emulator.postLatencyMs = 1500;
  World w(oauthEnv(emulator), testPlatformConfig(16, 3, 0));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto connection = userConnection(w, admin, "oauthtest");
  const auto survivorHost = secondHost(w, oauthEnv(emulator), testPlatformConfig(16, 3, 0));
  auto& survivor = *survivorHost;
  std::vector<std::string> ids;
  for (int i = 0; i < 24; ++i) {
    const auto r = postJson(w, admin, {{"content", "shared " + std::to_string(i)}, {"targets", {connection}}});
    ids.push_back(str(r.json(), "id"));
  }
  // Kill the first host while it holds attempts in flight.
  const auto firstHostHolds = [&] {
    return std::stoi(sql(w.host.databaseUrl(),
                         "SELECT COUNT(*) FROM post_targets WHERE status = 'publishing' AND lease_owner IN"
                         " (SELECT id FROM hosts ORDER BY started_at LIMIT 1)")
                         .at(0)
                         .at(0));
  };
  int held = 0;
  for (int i = 0; i < 200 && held == 0; ++i) {
    held = firstHostHolds();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(held > 0);
  REQUIRE(::kill(w.host.pid(), SIGKILL) == 0);
  ::waitpid(w.host.pid(), nullptr, 0);
  const auto killed = std::chrono::steady_clock::now();
  for (const auto& id : ids) {
    const auto r = survivor.get("/api/social-media/posts/" + id, admin);
    REQUIRE(r.status == 200);
  }
  // The survivor settles everything, the dead host's attempts by reconciliation.
  bool settled = false;
  while (!settled && std::chrono::steady_clock::now() - killed < std::chrono::seconds(40)) {
    const auto left =
        sql(w.host.databaseUrl(), "SELECT COUNT(*) FROM post_targets WHERE status IN ('queued', 'publishing')");
    settled = left.at(0).at(0) == "0";
    if (!settled) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - killed).count();
  CHECK(settled);
  CHECK(took <= 30);
  for (const auto& [text, times] : postsByText(emulator)) {
    INFO(text);
    CHECK(times == 1);
  }
  CHECK(postsByText(emulator).size() == 24);
}

TEST_CASE("a second serve on the same SQLite file is refused", "[exactly-once]") {
  Host first{std::string()};  // an SQLite file whatever the run's backend
  REQUIRE(first.databaseUrl().rfind("sqlite:", 0) == 0);
  first.start();
  Host second(first.databaseUrl());
  const auto refused = second.command({"serve"});
  CHECK(refused.exitCode == 1);
  CHECK(refused.err.find("another marketsage serve is using") != std::string::npos);
  REQUIRE(first.stop() == 0);
  CHECK_NOTHROW(second.start());  // free again once the first has stopped
}
