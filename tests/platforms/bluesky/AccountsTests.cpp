// Connecting with a handle and an app password (handle → DID → DID document → PDS →
// createSession), refreshing and ending sessions, check_token and account insights.
#include "BlueskyFixture.h"

#include <catch2/catch.hpp>

namespace bluesky_test {

TEST_CASE("list_accounts signs in each named handle on its PDS and refuses the others with a reason",
          "[bluesky][accounts]") {
  BlueskyFixture f;
  const auto r = f.call(Operation::ListAccounts,
                        {{"accessToken", kAlicePassword},
                         {"accounts", {"@Alice.bsky.social", kBob, "nobody.bsky.social", "not a handle"}}});
  REQUIRE(r.ok());
  const auto& accounts = r.json.at("accounts").as_array();
  REQUIRE(accounts.size() == 1);
  const auto& alice = accounts[0].as_object();
  CHECK(str(alice.at("id")) == f.alice);
  CHECK(str(alice.at("name")) == kAlice);
  CHECK(str(alice.at("type")) == "user");
  CHECK(str(alice.at("metadata").at("pds")) == f.bluesky.url());
  CHECK(str(alice.at("metadata").at("handle")) == kAlice);
  CHECK(!str(alice.at("accessToken")).empty());
  CHECK(!str(alice.at("refreshToken")).empty());
  const auto expiresIn = alice.at("expiresIn").to_number<long long>();
  CHECK(expiresIn > 7100);  // from the access JWT's exp
  CHECK(expiresIn <= 7200);
  const auto& refused = r.json.at("refused").as_array();
  REQUIRE(refused.size() == 3);
  CHECK(str(refused[0].at("account")) == kBob);
  CHECK(str(refused[0].at("reason")).find("refused the app password") != std::string::npos);
  CHECK(str(refused[1].at("reason")).find("does not resolve") != std::string::npos);
  CHECK(str(refused[2].at("reason")).find("not a Bluesky handle") != std::string::npos);
  // The calls a client makes, in order, and the password nowhere in the logs.
  const auto calls = f.bluesky.calls();
  CHECK(std::count(calls.begin(), calls.end(), "com.atproto.identity.resolveHandle") == 3);
  CHECK(std::count(calls.begin(), calls.end(), "com.atproto.server.createSession") == 2);
  CHECK(f.logs().find(kAlicePassword) == std::string::npos);
}

TEST_CASE("list_accounts refuses a deactivated account (active: false) and names a takedown", "[bluesky][accounts]") {
  BlueskyFixture f;
  f.bluesky.setAccountStatus(f.alice, "deactivated");
  f.bluesky.setAccountStatus(f.bob, "takendown");
  const auto r = f.call(Operation::ListAccounts, {{"accessToken", kAlicePassword}, {"accounts", {kAlice}}});
  REQUIRE(r.ok());
  CHECK(r.json.at("accounts").as_array().empty());
  REQUIRE(r.json.at("refused").as_array().size() == 1);
  CHECK(str(r.json.at("refused").at(0).at("reason")).find("deactivated") != std::string::npos);
  const auto b = f.call(Operation::ListAccounts, {{"accessToken", kBobPassword}, {"accounts", {kBob}}});
  REQUIRE(b.ok());
  CHECK(b.json.at("accounts").as_array().empty());
  CHECK(str(b.json.at("refused").at(0).at("reason")).find("AccountTakedown") != std::string::npos);
}

TEST_CASE("an account deactivated after connecting: check_token and publish are auth_invalid", "[bluesky][accounts]") {
  BlueskyFixture f;
  f.connectAlice();
  f.bluesky.setAccountStatus(f.alice, "deactivated");
  const auto check = f.call(Operation::CheckToken, {{"accessToken", f.accessToken}, {"account", f.account()}});
  CHECK(check.kind == ErrorKind::AuthInvalid);
  CHECK(check.message.find("deactivated") != std::string::npos);
  CHECK(f.call(Operation::Publish, f.post("hello")).kind == ErrorKind::AuthInvalid);  // 401 AccountDeactivated
  CHECK(f.live().empty());
}

TEST_CASE("list_accounts refuses bad input before any network call", "[bluesky][accounts]") {
  BlueskyFixture f;
  for (const auto* text : {"", "[]", "{}", R"({"accessToken":"x"})", R"({"accessToken":"x","accounts":[]})",
                           R"({"accessToken":"x","accounts":[42]})", R"({"accessToken":5,"accounts":["a.b"]})"})
    CHECK(f.callText(Operation::ListAccounts, text).kind == ErrorKind::InvalidInput);
  CHECK(f.bluesky.calls().empty());
}

TEST_CASE("refresh rotates the session with refreshSession; an expired refresh JWT needs a new sign-in",
          "[bluesky][accounts]") {
  BlueskyFixture f;
  f.connectAlice();
  const auto r = f.call(Operation::RefreshToken,
                        {{"refreshToken", f.refreshToken}, {"accessToken", f.accessToken}, {"account", f.account()}});
  REQUIRE(r.ok());
  CHECK(str(r.json.at("accessToken")) != f.accessToken);
  CHECK(str(r.json.at("refreshToken")) != f.refreshToken);
  CHECK(r.json.at("expiresIn").to_number<long long>() > 7000);
  CHECK(str(r.json.at("account").at("id")) == f.alice);
  // The old refresh JWT was rotated away: using it again is refused for good.
  const auto again = f.call(Operation::RefreshToken, {{"refreshToken", f.refreshToken}, {"account", f.account()}});
  CHECK(again.kind == ErrorKind::AuthInvalid);
  CHECK(again.platformCode == "InvalidToken");

  f.bluesky.expireRefreshTokens();
  const auto expired =
      f.call(Operation::RefreshToken, {{"refreshToken", str(r.json.at("refreshToken"))}, {"account", f.account()}});
  CHECK(expired.kind == ErrorKind::AuthInvalid);
  CHECK(expired.platformCode == "ExpiredToken");
}

TEST_CASE("check_token answers healthy with the session's expiry, expired after the access JWT expires",
          "[bluesky][accounts]") {
  BlueskyFixture f;
  f.connectAlice();
  const auto r = f.call(Operation::CheckToken, {{"accessToken", f.accessToken}, {"account", f.account()}});
  REQUIRE(r.ok());
  CHECK(r.json.at("healthy").as_bool());
  CHECK(str(r.json.at("accountId")) == f.alice);
  CHECK(r.json.as_object().contains("expiresAt"));
  f.bluesky.expireAccessTokens();
  const auto expired = f.call(Operation::CheckToken, {{"accessToken", f.accessToken}, {"account", f.account()}});
  CHECK(expired.kind == ErrorKind::AuthExpired);
  const auto bogus = f.call(Operation::CheckToken, {{"accessToken", "a.b.c"}, {"account", f.account()}});
  CHECK(bogus.kind == ErrorKind::AuthInvalid);
}

TEST_CASE("revoke ends the session at the PDS (deleteSession)", "[bluesky][accounts]") {
  BlueskyFixture f;
  f.connectAlice();
  REQUIRE(f.call(Operation::RevokeToken,
                 {{"accessToken", f.accessToken}, {"refreshToken", f.refreshToken}, {"account", f.account()}})
              .ok());
  const auto after = f.call(Operation::RefreshToken, {{"refreshToken", f.refreshToken}, {"account", f.account()}});
  CHECK(after.kind == ErrorKind::AuthInvalid);
}

TEST_CASE("account insights: followers from getProfile, follows and posts as extras", "[bluesky][insights]") {
  BlueskyFixture f;
  f.connectAlice();
  f.bluesky.setProfile(f.alice, 1234, 56);
  const auto r = f.call(
      Operation::AccountInsights,
      {{"accessToken", f.accessToken}, {"account", f.account()}, {"start", "2026-11-01"}, {"end", "2026-12-01"}});
  REQUIRE(r.ok());
  CHECK(r.json.at("metrics").at("followers").to_number<long long>() == 1234);
  CHECK(r.json.at("extra").at("follows").to_number<long long>() == 56);
}

TEST_CASE("authorize_url and exchange_code say that Bluesky connects with an app password", "[bluesky][accounts]") {
  BlueskyFixture f;
  CHECK(f.call(Operation::AuthorizeUrl, {}).kind == ErrorKind::InvalidInput);
  const auto r = f.call(
      Operation::AuthorizeUrl,
      {{"redirectUri", "https://h/cb"}, {"state", "s"}, {"codeChallenge", "c"}, {"codeChallengeMethod", "S256"}});
  CHECK(r.kind == ErrorKind::NotSupported);
  CHECK(r.message.find("app password") != std::string::npos);
  const auto version = f.call(Operation::ApiVersion, {});
  REQUIRE(version.ok());
  CHECK(version.json.as_object().contains("version"));
}

}  // namespace bluesky_test
