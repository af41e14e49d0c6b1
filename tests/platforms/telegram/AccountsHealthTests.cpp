// list_accounts (named chats, each checked), check_token and account_insights.
#include "TelegramFixture.h"

#include <catch2/catch.hpp>

namespace telegram_test {
namespace {

std::string reasonFor(const json::value& reply, const std::string& account) {
  const auto& refused = reply.at("refused").as_array();
  for (const auto& entry : refused)
    if (entry.at("account").as_string() == account) return std::string(entry.at("reason").as_string());
  return "<not refused>";
}

}  // namespace

TEST_CASE("list_accounts keeps the named chats the bot can post to and refuses the others with a reason",
          "[telegram][accounts]") {
  TelegramFixture f;
  const json::array named{"@acmenews",
                          std::to_string(kSupergroup),
                          "https://t.me/acmechat",
                          "@readonlychan",
                          std::to_string(kLeftGroup),
                          "@kickedgroup",
                          "@mutedgroup",
                          "@nosuchchannel",
                          "not a name!",
                          std::to_string(kChannel)};
  const auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}, {"accounts", named}});
  REQUIRE(r.ok());
  const json::array accounts = r.json.at("accounts").as_array();
  REQUIRE(accounts.size() == 3);  // @acmenews named twice (by id too) is one account
  CHECK(str(accounts[0].at("id")) == std::to_string(kChannel));
  CHECK(accounts[0].at("name") == "Acme News");
  CHECK(accounts[0].at("type") == "channel");
  CHECK(accounts[0].at("metadata").at("username") == "acmenews");
  CHECK(accounts[0].at("metadata").at("chatType") == "channel");
  CHECK(str(accounts[1].at("id")) == std::to_string(kSupergroup));
  CHECK(accounts[1].at("type") == "group");
  CHECK(accounts[1].at("metadata").at("chatType") == "supergroup");
  CHECK_FALSE(accounts[1].at("metadata").as_object().contains("username"));
  // An administrator of a supergroup posts without can_post_messages (a channel-only right).
  CHECK(str(accounts[2].at("id")) == std::to_string(kPublicGroup));

  CHECK(r.json.at("refused").as_array().size() == 6);
  CHECK(reasonFor(r.json, "@readonlychan").find("without the right to post messages") != std::string::npos);
  CHECK(reasonFor(r.json, std::to_string(kLeftGroup)).find("not found") != std::string::npos);
  CHECK(reasonFor(r.json, "@kickedgroup").find("kicked") != std::string::npos);
  CHECK(reasonFor(r.json, "@mutedgroup").find("restricted") != std::string::npos);
  CHECK(reasonFor(r.json, "@nosuchchannel").find("not found") != std::string::npos);
  CHECK(reasonFor(r.json, "not a name!").find("not a chat id") != std::string::npos);
}

TEST_CASE("list_accounts: a member of a channel that is not an administrator is refused", "[telegram][accounts]") {
  TelegramFixture f;
  f.telegram.setMember(kChannel, kBotId, emulators::TelegramApi::member());
  const auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}, {"accounts", json::array{"@acmenews"}}});
  REQUIRE(r.ok());
  CHECK(r.json.at("accounts").as_array().empty());
  CHECK(reasonFor(r.json, "@acmenews").find("not an administrator") != std::string::npos);
}

TEST_CASE("a plain member of a group whose members may not send messages cannot post: refused, and unhealthy",
          "[telegram][accounts][health]") {
  TelegramFixture f;
  constexpr long long kQuiet = -1001000000008;
  emulators::TelegramApi::Chat quiet{kQuiet, "supergroup", "Quiet Group", "quietgroup", 12};
  quiet.membersCanSendMessages = false;  // getChat permissions.can_send_messages = false
  f.telegram.addChat(quiet);
  f.telegram.setMember(kQuiet, kBotId, emulators::TelegramApi::member());
  const auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}, {"accounts", json::array{"@quietgroup"}}});
  REQUIRE(r.ok());
  CHECK(r.json.at("accounts").as_array().empty());
  CHECK(reasonFor(r.json, "@quietgroup").find("may not send messages") != std::string::npos);

  json::object account{{"id", std::to_string(kQuiet)},
                       {"metadata", json::object{{"chatType", "supergroup"}, {"username", "quietgroup"}}}};
  const auto health = f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", account}});
  CHECK(health.kind == ErrorKind::AuthInvalid);
  // Telegram refuses the send the same way: the bot lost the right to post.
  auto post = f.post(kSupergroup, "hello");
  post["account"] = account;
  CHECK(f.call(Operation::Publish, post).kind == ErrorKind::AuthInvalid);
  CHECK(f.telegram.messages(kQuiet).empty());
  // As an administrator it may post.
  f.telegram.setMember(kQuiet, kBotId, emulators::TelegramApi::administrator(false));
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", account}}).ok());
}

TEST_CASE("list_accounts: a group that became a supergroup is refused naming the supergroup's id (migrate_to_chat_id)",
          "[telegram][accounts]") {
  TelegramFixture f;
  f.telegram.addChat({-555000222, "group", "Small Group", "", 3});
  f.telegram.setMember(-555000222, kBotId, emulators::TelegramApi::member());
  f.telegram.migrateGroup(-555000222, -1009990002223);
  const auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}, {"accounts", json::array{"-555000222"}}});
  REQUIRE(r.ok());
  CHECK(r.json.at("accounts").as_array().empty());
  CHECK(reasonFor(r.json, "-555000222").find("became the supergroup -1009990002223") != std::string::npos);
}

TEST_CASE("list_accounts without names refuses the bot itself: a bot cannot list its chats", "[telegram][accounts]") {
  TelegramFixture f;
  const auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
  REQUIRE(r.ok());
  CHECK(r.json.at("accounts").as_array().empty());
  CHECK(reasonFor(r.json, "@acme_poster_bot").find("name the channels") != std::string::npos);
}

TEST_CASE("a revoked or wrong bot token is auth_invalid, and the token appears nowhere",
          "[telegram][accounts][health]") {
  TelegramFixture f;
  f.telegram.revokeToken(f.token);
  for (const auto op : {Operation::ListAccounts, Operation::CheckToken}) {
    const auto r = f.call(
        op, {{"accessToken", f.token}, {"accounts", json::array{"@acmenews"}}, {"account", f.account(kChannel)}});
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.message.find("the bot token was revoked or is wrong") != std::string::npos);
    CHECK(r.message.find(f.token.substr(f.token.find(':') + 1)) == std::string::npos);
  }
  const auto wrong =
      f.call(Operation::CheckToken, {{"accessToken", "12345:AAnotARealTokenAtAll"}, {"account", f.account(kChannel)}});
  CHECK(wrong.kind == ErrorKind::AuthInvalid);
  CHECK(f.logs().find(f.token.substr(f.token.find(':') + 1)) == std::string::npos);
}

TEST_CASE("a malformed bot token is bad input, refused before any call", "[telegram][accounts]") {
  TelegramFixture f;
  // Also what the Bot API server itself refuses as "invalid token specified": a bot id starting
  // with 0, or not below 2^54.
  for (const auto* bad :
       {"nocolon", "12:", "abc:def", "123:has/slash", "123:has?query", "0123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        "18014398509481984:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"}) {
    CHECK(f.call(Operation::ListAccounts, {{"accessToken", bad}, {"accounts", json::array{"@acmenews"}}}).kind ==
          ErrorKind::InvalidInput);
  }
  CHECK(f.telegram.requests().empty());
}

TEST_CASE("check_token: healthy while the bot may post; kicked, demoted or restricted is auth_invalid with the reason",
          "[telegram][health]") {
  TelegramFixture f;
  const auto healthy = f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", f.account(kChannel)}});
  REQUIRE(healthy.ok());
  CHECK(healthy.json.at("healthy") == true);
  CHECK(str(healthy.json.at("accountId")) == std::to_string(kChannel));

  f.telegram.setMember(kChannel, kBotId, emulators::TelegramApi::administrator(false));
  auto r = f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", f.account(kChannel)}});
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("without the right to post messages") != std::string::npos);

  f.telegram.kickBot(kChannel, kBotId);
  r = f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", f.account(kChannel)}});
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("bot was kicked from the channel chat") != std::string::npos);

  // A private supergroup the bot left: Telegram no longer shows it ("chat not found").
  f.telegram.setMember(kSupergroup, kBotId, emulators::TelegramApi::Member{"left"});
  r = f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", f.account(kSupergroup)}});
  CHECK(r.kind == ErrorKind::AuthInvalid);

  f.telegram.setMember(kPublicGroup, kBotId, emulators::TelegramApi::restricted(false));
  r = f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", f.account(kPublicGroup)}});
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("restricted") != std::string::npos);
}

TEST_CASE("check_token: a throttled check is rate_limited with Telegram's wait, not invalid", "[telegram][health]") {
  TelegramFixture f;
  f.telegram.failNextCalls(1, 502);
  auto r = f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", f.account(kChannel)}});
  CHECK(r.kind == ErrorKind::Transient);
}

TEST_CASE("account_insights: the chat's member count as followers; views are not available to bots",
          "[telegram][insights]") {
  TelegramFixture f;
  const auto r = f.call(
      Operation::AccountInsights,
      {{"accessToken", f.token}, {"account", f.account(kChannel)}, {"start", "2026-01-01"}, {"end", "2026-01-31"}});
  REQUIRE(r.ok());
  CHECK(r.json.at("metrics").at("followers") == 1234);
  CHECK(r.json.at("extra").at("members") == 1234);
  bool views = false;
  const json::array unavailable = r.json.at("unavailable").as_array();
  for (const auto& u : unavailable) views = views || u.at("name") == "impressions";
  CHECK(views);
}

}  // namespace telegram_test
