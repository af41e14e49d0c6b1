// POST /2/tweets: text, link, options (reply, quote, poll, reply settings), threads with resume.
#include "TwitterFixture.h"

TEST_CASE("publish posts the text and answers the id and the post's URL", "[publish]") {
  TwitterFixture f;
  auto post = f.post("Hello from MarketSage");
  post["link"] = "https://example.com/launch";
  auto r = f.call(Operation::Publish, post);
  REQUIRE(r.ok());
  const std::string id(r.json.at("postId").as_string());
  CHECK(r.json.at("url").as_string() == "https://x.com/XDevelopers/status/" + id);
  CHECK(r.json.at("postIds").as_array().size() == 1);
  const auto tweet = f.x.tweet(id);
  REQUIRE(tweet);
  CHECK(tweet->text == "Hello from MarketSage https://example.com/launch");
  CHECK(tweet->authorId == emulators::XApi::userId);

  SECTION("the same text again is refused by X as a duplicate: OUTCOME_UNKNOWN, a cue to reconcile, never a failure") {
    auto again = f.call(Operation::Publish, post);
    CHECK(again.kind == ErrorKind::OutcomeUnknown);
    CHECK(again.message.find("duplicate content") != std::string::npos);
    CHECK(again.platformCode == "403");
    CHECK(f.x.tweetsCreated() == 1);
  }
}

TEST_CASE("without a username the URL is X's id-only form", "[publish]") {
  TwitterFixture f;
  auto r = f.call(Operation::Publish,
                  {{"accessToken", f.token}, {"account", {{"id", emulators::XApi::userId}}}, {"content", "hi"}});
  REQUIRE(r.ok());
  CHECK(r.json.at("url").as_string() == "https://x.com/i/web/status/" + std::string(r.json.at("postId").as_string()));
}

TEST_CASE("options: poll, quote, reply and reply settings reach POST /2/tweets", "[publish]") {
  TwitterFixture f;
  const auto foreign = f.x.seedForeignTweet("someone else's post");

  auto poll = f.post("Tabs or spaces?");
  poll["options"] = {{"poll", {{"options", {"Tabs", "Spaces"}}, {"durationMinutes", 1440}}},
                     {"replySettings", "following"}};
  auto polled = f.call(Operation::Publish, poll);
  REQUIRE(polled.ok());
  const auto pollTweet = f.x.tweet(std::string(polled.json.at("postId").as_string()));
  REQUIRE(pollTweet);
  CHECK(pollTweet->pollOptions == std::vector<std::string>{"Tabs", "Spaces"});
  CHECK(pollTweet->pollMinutes == 1440);
  CHECK(pollTweet->replySettings == "following");

  auto quote = f.post("Worth reading");
  quote["options"] = {{"quoteTweetId", foreign}};
  auto quoted = f.call(Operation::Publish, quote);
  REQUIRE(quoted.ok());
  CHECK(f.x.tweet(std::string(quoted.json.at("postId").as_string()))->quoteOf == foreign);

  auto reply = f.post("Agreed");
  reply["options"] = {{"replyTo", foreign}};
  auto replied = f.call(Operation::Publish, reply);
  REQUIRE(replied.ok());
  CHECK(f.x.tweet(std::string(replied.json.at("postId").as_string()))->replyTo == foreign);

  SECTION("a reply to a post that does not exist is refused: PERMANENT") {
    auto missing = f.post("Into the void");
    missing["options"] = {{"replyTo", "123"}};
    auto r = f.call(Operation::Publish, missing);
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.message.find("deleted or not visible") != std::string::npos);
  }
}

TEST_CASE("a thread is a chain of replies; a failed part is reported and resumed without reposting",
          "[publish][thread]") {
  TwitterFixture f;
  auto post = f.post("1/5 A thread");
  post["thread"] = {{{"content", "2/5"}}, {{"content", "3/5"}}, {{"content", "4/5"}}, {{"content", "5/5"}}};
  f.x.failTweetAttempt(3, 503);  // a gateway's 503: part 3 may or may not exist

  auto failed = f.call(Operation::Publish, post);
  REQUIRE(failed.kind == ErrorKind::OutcomeUnknown);
  CHECK(failed.message.find("part 3 of the thread") != std::string::npos);
  const auto& posted = failed.json.at("postIds").as_array();
  REQUIRE(posted.size() == 2);
  CHECK(failed.json.at("failedPart").as_int64() == 2);
  CHECK(f.x.tweetsCreated() == 2);

  // Reconcile found parts 1 and 2 only (part 3 was never created): the host sends the rest.
  post["resume"] = {{"postIds", posted}};
  auto resumed = f.call(Operation::Publish, post);
  REQUIRE(resumed.ok());
  CHECK(f.x.tweetsCreated() == 5);  // parts 3-5 only
  const auto& ids = resumed.json.at("postIds").as_array();
  REQUIRE(ids.size() == 5);
  CHECK(ids[0] == posted[0]);
  CHECK(ids[1] == posted[1]);
  CHECK(resumed.json.at("postId") == posted[0]);
  const auto tweets = f.x.tweets();
  REQUIRE(tweets.size() == 5);
  CHECK(tweets[0].replyTo.empty());
  for (size_t i = 1; i < tweets.size(); ++i) {
    CHECK(tweets[i].replyTo == tweets[i - 1].id);
    CHECK(tweets[i].text == std::to_string(i + 1) + "/5");
  }
}
