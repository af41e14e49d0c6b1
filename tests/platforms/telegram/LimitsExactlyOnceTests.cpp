// Rate limits (Telegram's 429 and the plugin's own pacing) and exactly-once publishing: a send
// whose answer is lost is outcome_unknown, never transient; the parts of a post already in the
// chat are never sent again.
#include "TelegramFixture.h"

#include <Poco/Net/ServerSocket.h>

#include <catch2/catch.hpp>

namespace telegram_test {

using marketsage::test::CreateFault;

TEST_CASE("429 with retry_after is rate_limited with exactly that wait, and nothing is posted", "[telegram][limits]") {
  TelegramFixture f;
  f.telegram.throttleNextSends(1, 37);
  const auto r = f.call(Operation::Publish, f.post(kChannel, "throttled"));
  CHECK(r.kind == ErrorKind::RateLimited);
  CHECK(r.retryAfterSeconds == 37);
  CHECK(f.telegram.messages(kChannel).empty());
  // The host's later attempt posts it once.
  REQUIRE(f.call(Operation::Publish, f.post(kChannel, "throttled")).ok());
  CHECK(f.telegram.messages(kChannel).size() == 1);
}

TEST_CASE("a 429 without parameters still waits the seconds its description names", "[telegram][limits]") {
  TelegramFixture f;
  f.telegram.throttleNextSends(1, 41, 0, false);  // "Too Many Requests: retry after 41", no parameters
  const auto r = f.call(Operation::Publish, f.post(kChannel, "throttled"));
  CHECK(r.kind == ErrorKind::RateLimited);
  CHECK(r.retryAfterSeconds == 41);
  CHECK(f.telegram.messages(kChannel).empty());
}

TEST_CASE("pacing: a group gets at most per_chat_per_minute messages; beyond, rate_limited with the wait",
          "[telegram][limits][pacing]") {
  TelegramFixture f({{"per_chat_per_minute", 2}});
  REQUIRE(f.call(Operation::Publish, f.post(kSupergroup, "one")).ok());
  REQUIRE(f.call(Operation::Publish, f.post(kSupergroup, "two")).ok());
  const auto third = f.call(Operation::Publish, f.post(kSupergroup, "three"));
  CHECK(third.kind == ErrorKind::RateLimited);
  CHECK(third.retryAfterSeconds >= 55);
  CHECK(third.retryAfterSeconds <= 60);
  CHECK(f.telegram.messages(kSupergroup).size() == 2);
  // Channels are not held to the group pace.
  for (int i = 0; i < 3; ++i)
    REQUIRE(f.call(Operation::Publish, f.post(kChannel, "channel " + std::to_string(i))).ok());
}

TEST_CASE("pacing: per_bot_per_second spreads a burst with short waits instead of refusing it",
          "[telegram][limits][pacing]") {
  TelegramFixture f({{"per_bot_per_second", 1}});
  for (int i = 0; i < 3; ++i) REQUIRE(f.call(Operation::Publish, f.post(kChannel, "burst " + std::to_string(i))).ok());
  const auto messages = f.telegram.messages(kChannel);
  REQUIRE(messages.size() == 3);
  CHECK(messages[1].receivedAtMs - messages[0].receivedAtMs >= 900);
  CHECK(messages[2].receivedAtMs - messages[1].receivedAtMs >= 900);
}

TEST_CASE("pacing: at most one message a second inside a chat, so a split post meets no 429",
          "[telegram][limits][pacing]") {
  TelegramFixture f;
  f.telegram.setFloodLimits(20, 30, 1);  // Bots FAQ: "avoid sending more than one message per second" in a chat
  std::string text;
  for (int i = 0; text.size() < 9000; ++i)
    text += "Paragraph " + std::to_string(i) + " and some more words to fill it\n";
  const auto r = f.call(Operation::Publish, f.post(kChannel, text, {}, {{"split", true}}));
  REQUIRE(r.ok());
  const auto messages = f.telegram.messages(kChannel);
  REQUIRE(messages.size() == 3);
  CHECK(messages[1].receivedAtMs - messages[0].receivedAtMs >= 900);
  CHECK(messages[2].receivedAtMs - messages[1].receivedAtMs >= 900);
  // A second post right after waits its turn too, instead of meeting Telegram's 429.
  REQUIRE(f.call(Operation::Publish, f.post(kChannel, "right after")).ok());
  CHECK(f.telegram.messages(kChannel).size() == 4);
}

TEST_CASE("without the plugin's pacing Telegram's flood limit answers 429, which the plugin reports with its wait",
          "[telegram][limits][pacing]") {
  TelegramFixture f({{"per_chat_per_minute", 1000}});
  f.telegram.setFloodLimits(2, 0);
  REQUIRE(f.call(Operation::Publish, f.post(kSupergroup, "a")).ok());
  REQUIRE(f.call(Operation::Publish, f.post(kSupergroup, "b")).ok());
  const auto r = f.call(Operation::Publish, f.post(kSupergroup, "c"));
  CHECK(r.kind == ErrorKind::RateLimited);
  CHECK(r.retryAfterSeconds >= 55);
}

TEST_CASE("a send whose answer is lost is outcome_unknown, never transient", "[telegram][exactly-once]") {
  for (const auto fault : {CreateFault::DropAfterCreate, CreateFault::GatewayTimeout, CreateFault::SlowAnswer,
                           CreateFault::ResetMidAnswer, CreateFault::RefuseWithoutCreate, CreateFault::LateCreate}) {
    DYNAMIC_SECTION(marketsage::test::nameOf(fault)) {
      TelegramFixture f;
      f.telegram.setSlowAnswerMs(2500);  // past http_timeout_ms (1000)
      f.telegram.faultNextSends({fault});
      const auto r = f.call(Operation::Publish, f.post(kChannel, "maybe"));
      CHECK(r.kind == ErrorKind::OutcomeUnknown);
      CHECK(r.message.find(f.token.substr(f.token.find(':') + 1)) == std::string::npos);
    }
  }
}

TEST_CASE("nothing reached Telegram (connection refused): transient", "[telegram][exactly-once]") {
  unsigned short port = 0;
  {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = socket.address().port();
  }  // closed: connections are refused
  TelegramFixture f({{"api_base", "http://127.0.0.1:" + std::to_string(port)}});
  const auto r = f.call(Operation::Publish, f.post(kChannel, "unsent"));
  CHECK(r.kind == ErrorKind::Transient);
  CHECK(r.message.find(f.token) == std::string::npos);
  CHECK(r.message.find(f.token.substr(f.token.find(':') + 1)) == std::string::npos);
}

TEST_CASE("a split post throttled half way keeps the parts sent; the retry sends only the rest",
          "[telegram][exactly-once][split]") {
  TelegramFixture f;
  std::string text;
  for (int i = 0; text.size() < 9000; ++i)
    text += "Line " + std::to_string(i) + " of a long announcement that goes on and on\n";
  f.telegram.throttleNextSends(1, 5, 1);  // the second message meets a 429
  auto request = f.post(kChannel, text, {}, {{"split", true}});
  const auto first = f.call(Operation::Publish, request);
  REQUIRE(first.kind == ErrorKind::RateLimited);
  CHECK(first.retryAfterSeconds == 5);
  const json::array live = first.json.at("postIds").as_array();
  REQUIRE(live.size() == 1);
  CHECK(f.telegram.messages(kChannel).size() == 1);

  request["resume"] = json::object{{"postIds", live}};
  const auto second = f.call(Operation::Publish, request);
  REQUIRE(second.ok());
  const auto messages = f.telegram.messages(kChannel);
  REQUIRE(messages.size() == 3);  // one message each: the first was not sent again
  const json::array all = second.json.at("postIds").as_array();
  REQUIRE(all.size() == 3);
  CHECK(all[0] == live[0]);
  CHECK(messages[0].text.rfind("Line 0 ", 0) == 0);
}

TEST_CASE("an album whose answer is lost after earlier parts landed reports those parts with outcome_unknown",
          "[telegram][exactly-once][album]") {
  TelegramFixture f;
  const auto caption = std::string(1500, 'x').replace(700, 1, " ");
  f.telegram.faultNextSends({CreateFault::None, CreateFault::DropAfterCreate});
  const auto r =
      f.call(Operation::Publish,
             f.post(kChannel, caption,
                    {f.media("image", "image/jpeg", 10, "a.jpg"), f.media("image", "image/jpeg", 10, "b.jpg")},
                    {{"split", true}}));
  CHECK(r.kind == ErrorKind::OutcomeUnknown);
  REQUIRE(r.json.is_object());
  CHECK(r.json.at("postIds").as_array().size() == 2);  // the album's two messages
}

TEST_CASE("a resumed post whose every part is live sends nothing", "[telegram][exactly-once]") {
  TelegramFixture f;
  auto request = f.post(kChannel, "once");
  request["resume"] = json::object{{"postIds", json::array{std::to_string(kChannel) + ":41"}}};
  const auto r = f.call(Operation::Publish, request);
  REQUIRE(r.ok());
  CHECK(str(r.json.at("postId")) == std::to_string(kChannel) + ":41");
  CHECK(f.telegram.messages().empty());
}

}  // namespace telegram_test
