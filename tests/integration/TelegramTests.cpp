// End to end through the host's REST API with the real `telegram` plugin against the Telegram Bot
// API emulator (issue 15): a bot token and named chats connected (the refused ones with their
// reasons), text that arrives verbatim, a photo with its caption, a 3-photo album, a 429 the host
// honours, a bot removed from its chat marking the connection invalid, the token nowhere in the
// database or the logs, and deletion of every message of an album.
#ifdef MARKETSAGE_WITH_TELEGRAM

#include "TelegramEmulator.h"
#include "integration/PlatformTests.h"
#include "integration/TestPlatform.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

using namespace harness;
namespace json = boost::json;

namespace {

using emulators::TelegramApi;

constexpr long long kBot = 7000000042;
constexpr long long kChannel = -1002000000001;   // @acmenews: the bot posts as an administrator
constexpr long long kGroup = -1002000000002;     // a private supergroup: the bot is a member
constexpr long long kReadOnly = -1002000000003;  // @readonlychan: administrator without "Post messages"
constexpr long long kKicked = -1002000000004;    // @kickedgroup: the bot was banned

struct Telegram {
  TelegramApi api;
  std::string token;
  Telegram() {
    token = api.addBot(kBot, "acme_marketsage_bot");
    api.addChat({kChannel, "channel", "Acme News", "acmenews", 1500});
    api.addChat({kGroup, "supergroup", "Acme Team", "", 12});
    api.addChat({kReadOnly, "channel", "Read Only", "readonlychan", 3});
    api.addChat({kKicked, "supergroup", "Kicked", "kickedgroup", 4});
    api.setMember(kChannel, kBot, TelegramApi::administrator(true));
    api.setMember(kGroup, kBot, TelegramApi::member());
    api.setMember(kReadOnly, kBot, TelegramApi::administrator(false));
    api.kickBot(kKicked, kBot);
  }
  std::map<std::string, std::string> env() const {
    return {{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_BUNDLED_PLUGIN_DIR},
            {"FIELD_ENCRYPTION_KEY", devKey},
            {"TELEGRAM_API_BASE", api.url()}};
  }
  std::string secret() const { return token.substr(token.find(':') + 1); }
};

std::string hostConfig(int waitSeconds = 20) {
  return R"({"publishing": {"waitSeconds": )" + std::to_string(waitSeconds) +
         R"(, "retryBaseMillis": 200, "pollMillis": 100, "workers": 4, "leaseSeconds": 30, "reconcileGraceSeconds": 2},
            "plugins": {"telegram": {"http_timeout_ms": 5000}}})";
}

/// Connects the channel and the group; answers their connection ids (channel first).
std::pair<std::string, std::string> connectBoth(World& w, const Telegram& t, const std::string& key) {
  auto r = w.host.post("/api/social-media/connect/telegram", key,
                       {{"credential", t.token}, {"accounts", {"@acmenews", std::to_string(kGroup)}}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  std::string channel, group;
  const auto all = w.host.get("/api/social-media/connections", key).json();
  for (const auto& c : all.as_array()) {
    if (str(c, "accountId") == std::to_string(kChannel)) channel = str(c, "id");
    if (str(c, "accountId") == std::to_string(kGroup)) group = str(c, "id");
  }
  REQUIRE(!channel.empty());
  REQUIRE(!group.empty());
  return {channel, group};
}

/// The n-th photo of the tests: a 640x480 PNG of its own size and bytes.
std::string photoBytes(int n) { return pngBytes(640, 480, 1000 + n, static_cast<char>('a' + n)); }

std::string uploadPng(World& w, const std::string& key, int n) { return str(uploadMedia(w, key, photoBytes(n)), "id"); }

std::vector<TelegramApi::Message> live(const TelegramApi& api, long long chat) {
  std::vector<TelegramApi::Message> out;
  for (const auto& m : api.messages(chat))
    if (!m.deleted) out.push_back(m);
  return out;
}

}  // namespace

TEST_CASE("telegram connect: a bot token and four named chats, two postable; naming only unpostable ones is 422",
          "[telegram]") {
  Telegram t;
  World w(t.env(), hostConfig());
  const auto& admin = w.a.byRole["ADMIN"].key;
  auto r = w.host.post(
      "/api/social-media/connect/telegram", admin,
      {{"credential", t.token}, {"accounts", {"@acmenews", std::to_string(kGroup), "@readonlychan", "@kickedgroup"}}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto answer = r.json();
  CHECK(answer.at("connected").as_int64() == 2);
  const json::array connections = answer.at("connections").as_array();
  REQUIRE(connections.size() == 2);
  CHECK(str(connections[0], "accountId") == std::to_string(kChannel));
  CHECK(str(connections[1], "accountId") == std::to_string(kGroup));
  const json::array refused = answer.at("refused").as_array();
  REQUIRE(refused.size() == 2);
  CHECK(str(refused[0], "account") == "@readonlychan");
  CHECK(str(refused[0], "reason").find("without the right to post messages") != std::string::npos);
  CHECK(str(refused[1], "account") == "@kickedgroup");
  CHECK(str(refused[1], "reason").find("kicked") != std::string::npos);
  CHECK(r.body.find(t.secret()) == std::string::npos);

  auto none = w.host.post("/api/social-media/connect/telegram", admin,
                          {{"credential", t.token}, {"accounts", {"@readonlychan", "@nosuchchat"}}});
  INFO(none.body);
  CHECK(none.status == 422);
  CHECK(str(none.json(), "type").find("accounts-refused") != std::string::npos);
  CHECK(none.json().at("refused").as_array().size() == 2);

  // A revoked token is refused by Telegram: nothing stored.
  const auto other = t.api.addBot(7000000099, "other_bot");
  t.api.revokeToken(other);
  auto revoked =
      w.host.post("/api/social-media/connect/telegram", admin, {{"credential", other}, {"accounts", {"@acmenews"}}});
  CHECK(revoked.status == 422);
  CHECK(revoked.body.find(other.substr(other.find(':') + 1)) == std::string::npos);
  // No credential and no TELEGRAM_BOT_TOKEN on this instance.
  CHECK(w.host.post("/api/social-media/connect/telegram", admin, {{"accounts", {"@acmenews"}}}).status == 400);
  CHECK(w.host.get("/api/social-media/connections", admin).json().as_array().size() == 2);
}

TEST_CASE("telegram publishing: text verbatim, a photo with its caption, a 3-photo album, deleted message by message",
          "[telegram]") {
  Telegram t;
  World w(t.env(), hostConfig());
  const auto& admin = w.a.byRole["ADMIN"].key;
  const auto [channel, group] = connectBoth(w, t, admin);

  // Text: no parse_mode, so nothing is eaten.
  const std::string text = "<b>&amp; *bold* _x_ </b>";
  auto post = publish(w, admin, {{"content", text}, {"targets", {channel, group}}});
  for (const auto& result : post.at("results").as_array()) CHECK(str(result, "status") == "published");
  auto inChannel = t.api.messages(kChannel);
  REQUIRE(inChannel.size() == 1);
  CHECK(inChannel[0].text == text);
  CHECK(inChannel[0].parseMode.empty());
  REQUIRE(t.api.messages(kGroup).size() == 1);
  CHECK(t.api.messages(kGroup)[0].text == text);
  for (const auto& result : post.at("results").as_array()) {
    if (str(result, "connectionId") != channel) continue;
    CHECK(str(result, "postId") == std::to_string(kChannel) + ":" + std::to_string(inChannel[0].messageId));
    CHECK(str(result, "url") == "https://t.me/acmenews/" + std::to_string(inChannel[0].messageId));
  }

  // A photo with its caption.
  const auto photo = uploadPng(w, admin, 0);
  post = publish(w, admin, {{"content", "Our new office"}, {"targets", {channel}}, {"media", {photo}}});
  CHECK(str(post.at("results").at(0), "status") == "published");
  inChannel = t.api.messages(kChannel);
  REQUIRE(inChannel.size() == 2);
  CHECK(inChannel[1].method == "sendPhoto");
  CHECK(inChannel[1].text == "Our new office");
  CHECK(inChannel[1].fileSize == photoBytes(0).size());

  // A 3-photo album: one media group, the caption on its first item.
  const auto a = uploadPng(w, admin, 1), b = uploadPng(w, admin, 2), c = uploadPng(w, admin, 3);
  auto album = publish(w, admin, {{"content", "Three views"}, {"targets", {channel}}, {"media", {a, b, c}}});
  const auto albumId = str(album, "id");
  CHECK(str(album.at("results").at(0), "status") == "published");
  inChannel = t.api.messages(kChannel);
  REQUIRE(inChannel.size() == 5);
  for (int i = 2; i < 5; ++i) {
    CHECK(inChannel[i].method == "sendMediaGroup");
    CHECK(inChannel[i].mediaGroupId == inChannel[2].mediaGroupId);
    CHECK(inChannel[i].fileSize == photoBytes(i - 1).size());
  }
  CHECK_FALSE(inChannel[2].mediaGroupId.empty());
  CHECK(inChannel[2].text == "Three views");
  CHECK(inChannel[3].text.empty());
  CHECK(inChannel[4].text.empty());

  // Deleting the album deletes each of its messages, and nothing else.
  const auto deleted = w.host.request("DELETE", "/api/social-media/posts/" + albumId, admin);
  INFO(deleted.body);
  REQUIRE(deleted.status == 200);
  const auto after = t.api.messages(kChannel);
  for (int i = 2; i < 5; ++i) CHECK(after[i].deleted);
  CHECK_FALSE(after[0].deleted);
  CHECK_FALSE(after[1].deleted);
  CHECK(live(t.api, kChannel).size() == 2);

  // Over 4096 UTF-16 units: refused at submission without split; with split, two messages.
  const std::string emoji = "\xF0\x9F\x93\xA3";  // two UTF-16 units each
  std::string longText;
  for (int i = 0; i < 1100; ++i) longText += emoji + " ";  // 3300 units
  longText += std::string(1000, 'x');                      // 4300 units
  auto refused = postJson(w, admin, {{"content", longText}, {"targets", {channel}}});
  INFO(refused.body);
  const auto refusedTarget = refused.json().at("results").at(0);
  CHECK(str(refusedTarget, "status") == "failed");
  CHECK(str(refusedTarget, "errorKind") == "invalid_input");
  CHECK(str(refusedTarget, "error").find("longer than 4096 characters (4300 UTF-16 units)") != std::string::npos);
  CHECK(t.api.messages(kChannel).size() == 5);
  auto split = publish(w, admin,
                       {{"content", longText}, {"targets", {channel}}, {"options", {{"telegram", {{"split", true}}}}}});
  CHECK(str(split.at("results").at(0), "status") == "published");
  inChannel = t.api.messages(kChannel);
  REQUIRE(inChannel.size() == 7);
  CHECK(inChannel[5].text + " " + inChannel[6].text == longText);
}

TEST_CASE("telegram 429: the host waits retry_after, then the message goes out exactly once", "[telegram]") {
  Telegram t;
  World w(t.env(), hostConfig(1));
  const auto& admin = w.a.byRole["ADMIN"].key;
  const auto [channel, group] = connectBoth(w, t, admin);
  const int retryAfter = 4;
  t.api.throttleNextSends(1, retryAfter);
  const auto before =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto r = postJson(w, admin, {{"content", "Patience"}, {"targets", {group}}});
  INFO(r.body);
  REQUIRE(r.status == 202);
  CHECK(str(r.json().at("results").at(0), "errorKind") == "rate_limited");
  const auto post = waitSettled(w, admin, str(r.json(), "id"));
  const auto target = post.at("results").at(0);
  CHECK(str(target, "status") == "published");
  CHECK(target.at("attempts").as_int64() == 2);
  const auto messages = t.api.messages(kGroup);
  REQUIRE(messages.size() == 1);  // exactly one message in the chat
  CHECK(messages[0].text == "Patience");
  CHECK(messages[0].receivedAtMs - before >= retryAfter * 1000);
  int sends = 0;
  for (const auto& m : t.api.requests()) sends += m == "sendmessage";
  CHECK(sends == 2);  // the refused one and the one that landed
}

TEST_CASE("telegram: a bot removed from its chat marks that connection invalid; the token is in no file or log",
          "[telegram]") {
  Telegram t;
  World w(t.env(), hostConfig());
  const auto& admin = w.a.byRole["ADMIN"].key;
  const auto [channel, group] = connectBoth(w, t, admin);
  publish(w, admin, {{"content", "Before the removal"}, {"targets", {channel, group}}});

  auto health = w.host.get("/api/social-media/health?live=true", admin);
  REQUIRE(health.status == 200);
  const auto before = health.json();
  REQUIRE(before.as_array().size() == 2);
  for (const auto& c : before.as_array()) CHECK(str(c, "status") == "healthy");

  t.api.kickBot(kChannel, kBot);
  health = w.host.get("/api/social-media/health?live=true", admin);
  INFO(health.body);
  REQUIRE(health.status == 200);
  const auto after = health.json();
  for (const auto& c : after.as_array()) {
    if (str(c, "connectionId") == channel) {
      CHECK(str(c, "status") == "invalid");
      CHECK(str(c, "lastError").find("kicked") != std::string::npos);
    } else {
      CHECK(str(c, "status") == "healthy");
    }
  }
  CHECK(str(w.host.get("/api/social-media/connections/" + channel, admin).json(), "status") == "invalid");

  // The group's bot loses its right to send: a refresh (a live check for a token-only platform) says reconnect.
  t.api.setMember(kGroup, kBot, TelegramApi::restricted(false));
  const auto refresh = w.host.request("POST", "/api/social-media/connections/" + group + "/refresh", admin, "{}");
  INFO(refresh.body);
  CHECK(refresh.status == 409);
  CHECK(str(w.host.get("/api/social-media/connections/" + group, admin).json(), "status") == "invalid");

  // The bot token: nowhere in the database files (with -wal) or the host's log.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto raw = rawDatabase(w);
  const auto logs = w.host.logText();
  CHECK_FALSE(raw.empty());
  CHECK(raw.find(t.secret()) == std::string::npos);
  CHECK(logs.find(t.secret()) == std::string::npos);
  CHECK(health.body.find(t.secret()) == std::string::npos);
}

#endif  // MARKETSAGE_WITH_TELEGRAM
