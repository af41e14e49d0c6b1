// OAuth 2.0 with PKCE against the emulator: consent, code exchange, rotating refresh, revoke.
#include "TwitterFixture.h"

TEST_CASE("authorize_url points at X's consent page with PKCE, state and the default scopes", "[oauth]") {
  TwitterFixture f;
  auto r = f.call(Operation::AuthorizeUrl, {{"redirectUri", "https://host/api/auth/callback/twitter"},
                                            {"state", "abc"},
                                            {"codeChallenge", "challenge-1"},
                                            {"codeChallengeMethod", "S256"}});
  REQUIRE(r.ok());
  const std::string url(r.json.at("url").as_string());
  CHECK(url.rfind(f.x.url() + "/i/oauth2/authorize?", 0) == 0);
  const auto q = queryOf(url);
  CHECK(q.at("response_type") == "code");
  CHECK(q.at("client_id") == emulators::XApi::clientId);
  CHECK(q.at("redirect_uri") == "https://host/api/auth/callback/twitter");
  CHECK(q.at("state") == "abc");
  CHECK(q.at("code_challenge") == "challenge-1");
  CHECK(q.at("code_challenge_method") == "S256");
  CHECK(q.at("scope") == "tweet.read tweet.write users.read offline.access media.write");
}

TEST_CASE("the code is exchanged with the PKCE verifier for a token and a refresh token", "[oauth]") {
  TwitterFixture f;
  const Pkce pkce;
  const std::string redirect = "https://host/cb";
  const auto code = f.consent(pkce, redirect);
  auto token =
      f.call(Operation::ExchangeCode, {{"code", code}, {"redirectUri", redirect}, {"codeVerifier", pkce.verifier}});
  REQUIRE(token.ok());
  CHECK(token.json.at("expiresIn").as_int64() == 7200);
  CHECK(token.json.at("scopes").as_array().size() == 5);
  const std::string access(token.json.at("accessToken").as_string());
  auto health = f.call(Operation::CheckToken, {{"accessToken", access}});
  REQUIRE(health.ok());
  CHECK(health.json.at("accountId").as_string() == emulators::XApi::userId);

  SECTION("a code is single use") {
    auto again =
        f.call(Operation::ExchangeCode, {{"code", code}, {"redirectUri", redirect}, {"codeVerifier", pkce.verifier}});
    CHECK(again.kind == ErrorKind::AuthInvalid);
    CHECK(again.platformCode == "invalid_request");
  }
}

TEST_CASE("a wrong PKCE verifier is refused by X: AUTH_INVALID", "[oauth]") {
  TwitterFixture f;
  const Pkce pkce, other;
  const auto code = f.consent(pkce, "https://host/cb");
  auto r = f.call(Operation::ExchangeCode,
                  {{"code", code}, {"redirectUri", "https://host/cb"}, {"codeVerifier", other.verifier}});
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("code verifier did not match") != std::string::npos);
}

TEST_CASE("refresh rotates the refresh token; the old one is refused afterwards", "[oauth]") {
  TwitterFixture f;
  const auto first = f.connect();
  const std::string oldRefresh(first.at("refreshToken").as_string());
  auto second = f.call(Operation::RefreshToken, {{"refreshToken", oldRefresh}});
  REQUIRE(second.ok());
  const std::string newRefresh(second.json.at("refreshToken").as_string());
  CHECK(newRefresh != oldRefresh);
  CHECK(second.json.at("accessToken") != first.at("accessToken"));
  CHECK(f.x.refreshGrants() == 1);
  CHECK(f.call(Operation::RefreshToken, {{"refreshToken", oldRefresh}}).kind == ErrorKind::AuthInvalid);
  CHECK(f.call(Operation::RefreshToken, {{"refreshToken", newRefresh}}).ok());
}

TEST_CASE("revoke revokes the access and the refresh token at X", "[oauth]") {
  TwitterFixture f;
  const auto token = f.connect();
  const auto access = token.at("accessToken"), refresh = token.at("refreshToken");
  REQUIRE(f.call(Operation::RevokeToken, {{"accessToken", access}, {"refreshToken", refresh}}).ok());
  CHECK(f.x.revocations() == 2);
  // X answers a revoked token like an expired one (401); the refresh that follows settles it.
  CHECK(f.call(Operation::CheckToken, {{"accessToken", access}}).kind == ErrorKind::AuthExpired);
  CHECK(f.call(Operation::RefreshToken, {{"refreshToken", refresh}}).kind == ErrorKind::AuthInvalid);
}

TEST_CASE("list_accounts answers the authenticated user", "[accounts]") {
  TwitterFixture f;
  auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
  REQUIRE(r.ok());
  const auto& accounts = r.json.at("accounts").as_array();
  REQUIRE(accounts.size() == 1);
  CHECK(accounts[0].at("id").as_string() == emulators::XApi::userId);
  CHECK(accounts[0].at("name").as_string() == emulators::XApi::displayName);
  CHECK(accounts[0].at("type").as_string() == "user");
  CHECK(accounts[0].at("metadata").at("username").as_string() == emulators::XApi::username);
  CHECK(accounts[0].at("pictureUrl").as_string().starts_with("https://"));
}
