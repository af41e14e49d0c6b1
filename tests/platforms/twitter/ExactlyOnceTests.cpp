// Exactly once at X (ABI 1.2): the create call classified by what X may have done, and reconcile
// reading the account's posts (GET /2/users/:id/tweets) to tell whether a post of unknown outcome
// is live.
#include "TwitterFixture.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <chrono>
#include <iterator>
#include <thread>

using Fault = marketsage::test::CreateFault;

namespace {

/// An RFC 3339 time `secondsAgo` before now.
std::string timeAgo(int secondsAgo) {
  const auto t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - std::chrono::seconds(secondsAgo));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

/// `post` as the host asks reconcile about it: the publish request plus attemptedAt.
json::object reconcileRequest(json::object post, int attemptedSecondsAgo = 2) {
  post["attemptedAt"] = timeAgo(attemptedSecondsAgo);
  return post;
}

std::string str(const json::value& v, const char* key) { return std::string(v.at(key).as_string()); }

std::vector<std::string> ids(const json::value& list) {
  std::vector<std::string> out;
  for (const auto& id : list.as_array()) out.emplace_back(id.as_string());
  return out;
}

}  // namespace

TEST_CASE("the create call: each lost answer is OUTCOME_UNKNOWN, a refusal or an unsent request is not",
          "[exactly-once]") {
  TwitterFixture f;
  f.x.setSlowAnswerMs(2500);  // past the plugin's 1 s http_timeout_ms
  f.x.setLateCreateMs(200);
  const auto fault = GENERATE(Fault::DropAfterCreate, Fault::GatewayTimeout, Fault::SlowAnswer, Fault::ResetMidAnswer,
                              Fault::RefuseWithoutCreate, Fault::LateCreate);
  CAPTURE(static_cast<int>(fault));
  f.x.faultNextCreates({fault});
  const auto r = f.call(Operation::Publish, f.post("Maybe posted"));
  CHECK(r.kind == ErrorKind::OutcomeUnknown);
  CHECK(r.message.find("may be live on X") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(fault == Fault::LateCreate ? 400 : 0));
  const bool created = fault != Fault::RefuseWithoutCreate;
  CHECK(f.x.tweetsCreated() == (created ? 1 : 0));

  // What reconcile then says, and that a blind re-send would have met X's duplicate refusal.
  const auto look = f.call(Operation::Reconcile, reconcileRequest(f.post("Maybe posted")));
  REQUIRE(look.ok());
  if (created) {
    CHECK(str(look.json, "outcome") == "found");
    CHECK(str(look.json, "postId") == f.x.tweets().front().id);
    CHECK(str(look.json, "url") == "https://x.com/XDevelopers/status/" + f.x.tweets().front().id);
    const auto again = f.call(Operation::Publish, f.post("Maybe posted"));
    CHECK(again.kind == ErrorKind::OutcomeUnknown);
    CHECK(again.message.find("duplicate content") != std::string::npos);
  } else {
    CHECK(str(look.json, "outcome") == "not_found");
  }
  CHECK(f.x.tweetsCreated() == (created ? 1 : 0));
}

TEST_CASE("the create call: X's refusals keep their kinds; nothing sent is TRANSIENT", "[exactly-once]") {
  TwitterFixture f;
  SECTION("500 (X answered, nothing documented as created) is TRANSIENT") {
    f.x.failTweetAttempt(1, 500);
    CHECK(f.call(Operation::Publish, f.post("a")).kind == ErrorKind::Transient);
  }
  SECTION("429 is RATE_LIMITED") {
    f.x.throttleNext(1, 30);
    CHECK(f.call(Operation::Publish, f.post("b")).kind == ErrorKind::RateLimited);
  }
  SECTION("400 is PERMANENT") {
    f.x.failTweetAttempt(1, 400);
    CHECK(f.call(Operation::Publish, f.post("c")).kind == ErrorKind::Permanent);
  }
  SECTION("no connection (the request never left) is TRANSIENT") {
    const json::object settings{{"api_base", "http://127.0.0.1:1"}, {"client_id", "id"}};
    marketsage::plugins::PluginRegistry registry(
        [settings](const std::string&) {
          return marketsage::plugins::PluginSettings{true, settings};
        },
        nullptr);
    REQUIRE(registry.loadFile(TWITTER_PLUGIN));
    CHECK(registry.get("twitter")->call(Operation::Publish, f.post("d")).kind == ErrorKind::Transient);
  }
  CHECK(f.x.tweetsCreated() == 0);
}

TEST_CASE("reconcile matches X's text: t.co links, URLs written without a scheme, escaped characters, media links",
          "[exactly-once][reconcile]") {
  TwitterFixture f;
  const std::string text = "Ship it: https://example.com/launch?a=1&b=2 & see example.org/docs <today>";
  f.x.faultNextCreates({Fault::DropAfterCreate});
  auto post = f.post(text);
  post["media"] = {TwitterFixture::media("image", "image/png", f.file("p.png", 1000), 1000)};
  REQUIRE(f.call(Operation::Publish, post).kind == ErrorKind::OutcomeUnknown);
  REQUIRE(f.x.tweets().size() == 1);
  const auto live = f.x.tweets().front();

  SECTION("the media id is unknown (the upload was inline and its id lost): found by text and media count") {
    const auto r = f.call(Operation::Reconcile, reconcileRequest(post));
    REQUIRE(r.ok());
    CHECK(str(r.json, "outcome") == "found");
    CHECK(str(r.json, "postId") == live.id);
  }
  SECTION("the media id is known: it must be the post's") {
    post["media"].as_array()[0].as_object()["platformMediaId"] = live.mediaIds.front();
    CHECK(str(f.call(Operation::Reconcile, reconcileRequest(post)).json, "outcome") == "found");
    post["media"].as_array()[0].as_object()["platformMediaId"] = "1234";
    CHECK(str(f.call(Operation::Reconcile, reconcileRequest(post)).json, "outcome") == "not_found");
  }
  SECTION("another text, or no media, is another post") {
    CHECK(str(f.call(Operation::Reconcile, reconcileRequest(f.post(text))).json, "outcome") == "not_found");
    post["content"] = text + "!";
    CHECK(str(f.call(Operation::Reconcile, reconcileRequest(post)).json, "outcome") == "not_found");
  }
}

TEST_CASE("reconcile: a post that lands late is not_found first, found once it has landed",
          "[exactly-once][reconcile]") {
  TwitterFixture f;
  f.x.setLateCreateMs(500);
  f.x.faultNextCreates({Fault::LateCreate});
  REQUIRE(f.call(Operation::Publish, f.post("Landing late")).kind == ErrorKind::OutcomeUnknown);
  CHECK(str(f.call(Operation::Reconcile, reconcileRequest(f.post("Landing late"))).json, "outcome") == "not_found");
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  const auto r = f.call(Operation::Reconcile, reconcileRequest(f.post("Landing late")));
  CHECK(str(r.json, "outcome") == "found");
  REQUIRE(f.x.tweets().size() == 1);
  CHECK(str(r.json, "postId") == f.x.tweets().front().id);
}

TEST_CASE("reconcile of a thread cut off half way: the parts found in order, then publish sends only the rest",
          "[exactly-once][reconcile][thread]") {
  TwitterFixture f;
  auto post = f.post("1/4 Exactly once");
  post["thread"] = {{{"content", "2/4"}}, {{"content", "3/4"}}, {{"content", "4/4"}}};
  f.x.faultNextCreates({Fault::None, Fault::None, Fault::ResetMidAnswer});  // part 3 is created, its answer lost
  const auto failed = f.call(Operation::Publish, post);
  REQUIRE(failed.kind == ErrorKind::OutcomeUnknown);
  CHECK(failed.message.find("part 3 of the thread") != std::string::npos);
  const auto known = ids(failed.json.at("postIds"));
  REQUIRE(known.size() == 2);
  REQUIRE(f.x.tweetsCreated() == 3);

  // The host passes what it knows is live; reconcile finds part 3 after it.
  post["resume"] = {{"postIds", failed.json.at("postIds")}};
  const auto r = f.call(Operation::Reconcile, reconcileRequest(post));
  REQUIRE(r.ok());
  CHECK(str(r.json, "outcome") == "found");
  const auto found = ids(r.json.at("postIds"));
  REQUIRE(found.size() == 3);
  CHECK(found[0] == known[0]);
  CHECK(found[1] == known[1]);
  CHECK(found[2] == f.x.tweets()[2].id);
  CHECK(str(r.json, "postId") == known[0]);

  post["resume"] = {{"postIds", json::value_from(found)}};
  const auto done = f.call(Operation::Publish, post);
  REQUIRE(done.ok());
  CHECK(f.x.tweetsCreated() == 4);
  const auto tweets = f.x.tweets();
  REQUIRE(tweets.size() == 4);
  CHECK(tweets[3].text == "4/4");
  CHECK(tweets[3].replyTo == found[2]);
  CHECK(ids(done.json.at("postIds")) == std::vector<std::string>{found[0], found[1], found[2], tweets[3].id});
}

TEST_CASE("reconcile reads page after page of newer posts, within bounds", "[exactly-once][reconcile]") {
  TwitterFixture f;
  f.x.faultNextCreates({Fault::GatewayTimeout});
  REQUIRE(f.call(Operation::Publish, f.post("Buried under newer posts")).kind == ErrorKind::OutcomeUnknown);
  const auto ours = f.x.tweets().front().id;
  for (int i = 0; i < 250; ++i) f.x.seedOwnTweet("newer " + std::to_string(i));
  const auto r = f.call(Operation::Reconcile, reconcileRequest(f.post("Buried under newer posts")));
  CHECK(str(r.json, "outcome") == "found");  // on the third page of 100
  CHECK(str(r.json, "postId") == ours);

  for (int i = 250; i < 520; ++i) f.x.seedOwnTweet("newer " + std::to_string(i));
  const auto tooMany = f.call(Operation::Reconcile, reconcileRequest(f.post("Buried under newer posts")));
  CHECK(str(tooMany.json, "outcome") == "unknown");
  CHECK(str(tooMany.json, "reason").find("too many to read") != std::string::npos);
}

TEST_CASE("reconcile answers unknown where X cannot tell", "[exactly-once][reconcile]") {
  TwitterFixture f;
  SECTION("an identical post from before the attempt: X refuses the re-send, and it may be the one") {
    const auto older = f.x.seedOwnTweet("Good morning");
    f.x.backdateTweet(older, 3600);
    const auto refused = f.call(Operation::Publish, f.post("Good morning"));
    CHECK(refused.kind == ErrorKind::OutcomeUnknown);
    const auto r = f.call(Operation::Reconcile, reconcileRequest(f.post("Good morning")));
    CHECK(str(r.json, "outcome") == "unknown");
    CHECK(str(r.json, "reason").find(older) != std::string::npos);
    // Older than the 24 hours reconcile looks back: X's refusal is then the only trace.
    f.x.backdateTweet(older, 2 * 86400);
    CHECK(str(f.call(Operation::Reconcile, reconcileRequest(f.post("Good morning"))).json, "outcome") == "not_found");
  }
  SECTION("a post of media only, the media ids unknown") {
    auto post = f.post("");
    post["media"] = {TwitterFixture::media("image", "image/png", "/unused", 100)};
    const auto r = f.call(Operation::Reconcile, reconcileRequest(post));
    CHECK(str(r.json, "outcome") == "unknown");
    CHECK(str(r.json, "reason").find("media ids are unknown") != std::string::npos);
  }
}

TEST_CASE("reconcile: X's rate limit is RATE_LIMITED until the window resets; bad input never reaches X",
          "[exactly-once][reconcile]") {
  TwitterFixture f;
  f.x.throttleNext(1, 90);
  const auto r = f.call(Operation::Reconcile, reconcileRequest(f.post("x")));
  CHECK(r.kind == ErrorKind::RateLimited);
  CHECK(r.retryAfterSeconds >= 80);
  CHECK(r.retryAfterSeconds <= 90);
  CHECK(str(f.call(Operation::Reconcile, reconcileRequest(f.post("x"))).json, "outcome") == "not_found");

  auto noTime = f.post("x");
  CHECK(f.call(Operation::Reconcile, noTime).kind == ErrorKind::InvalidInput);
  noTime["attemptedAt"] = "yesterday";
  CHECK(f.call(Operation::Reconcile, noTime).kind == ErrorKind::InvalidInput);
  auto badResume = reconcileRequest(f.post("x"));
  badResume["resume"] = {{"postIds", {"not-an-id"}}};
  CHECK(f.call(Operation::Reconcile, badResume).kind == ErrorKind::InvalidInput);
  CHECK(f.call(Operation::Reconcile, {{"accessToken", f.token}}).kind == ErrorKind::InvalidInput);
}

TEST_CASE("the emulator's timeline follows X's documented shape", "[exactly-once][emulator]") {
  TwitterFixture f;
  REQUIRE(f.call(Operation::Publish, f.post("one")).ok());
  REQUIRE(f.call(Operation::Publish, f.post("two")).ok());
  const auto get = [&](const std::string& query) {
    Poco::Net::HTTPClientSession session("127.0.0.1", Poco::URI(f.x.url()).getPort());
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET,
                                   "/2/users/" + std::string(emulators::XApi::userId) + "/tweets" + query);
    request.set("Authorization", "Bearer " + f.token);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return std::pair{static_cast<int>(response.getStatus()), json::parse(body)};
  };
  const auto [status, page] = get("?max_results=5&tweet.fields=created_at");
  REQUIRE(status == 200);
  CHECK(str(page.at("data").at(0), "text") == "two");  // newest first
  CHECK(page.at("data").at(0).at("created_at").as_string().size() == 24);
  CHECK(page.at("meta").at("result_count").as_int64() == 2);
  CHECK(!page.at("meta").as_object().contains("next_token"));
  CHECK(get("?max_results=4").first == 400);  // 5 to 100
  CHECK(get("?pagination_token=nonsense").first == 400);
}
