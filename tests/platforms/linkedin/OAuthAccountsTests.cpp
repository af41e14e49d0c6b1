// OAuth (authorize URL, consent, code exchange, refresh, revoke), accounts and the token check.
#include "../common/UrlQuery.h"
#include "LinkedInFixture.h"

#include <catch2/catch.hpp>

#include <Poco/URI.h>

#include <map>

using namespace linkedin_test;

namespace {

using marketsage::test::queryOf;

std::string text(const json::value& v, const char* key) { return json::value_to<std::string>(v.at(key)); }

}  // namespace

TEST_CASE("authorize_url, consent and exchange_code give a member token with refresh token", "[linkedin][oauth]") {
  LinkedInFixture f;
  const auto redirect = "https://host.example/api/auth/callback/linkedin";
  auto url =
      f.call(Operation::AuthorizeUrl,
             {{"redirectUri", redirect}, {"state", "st-42"}, {"codeChallenge", "x"}, {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const auto authorize = text(url.json, "url");
  CHECK(authorize.rfind(f.linkedin.url() + "/oauth/v2/authorization?", 0) == 0);
  CHECK(authorize.find("scope=openid%20profile%20w_member_social%20r_organization_social%20w_organization_social%20rw_"
                       "organization_admin") != std::string::npos);
  CHECK(authorize.find("code_challenge") == std::string::npos);  // confidential web app: no PKCE
  const auto q = queryOf(authorize);
  CHECK(q.at("state") == "st-42");
  CHECK(q.at("redirect_uri") == redirect);
  CHECK(q.at("response_type") == "code");

  const auto back = queryOf(LinkedInFixture::consent(authorize));
  CHECK(back.at("state") == "st-42");
  auto token =
      f.call(Operation::ExchangeCode, {{"code", back.at("code")}, {"redirectUri", redirect}, {"codeVerifier", "v"}});
  REQUIRE(token.ok());
  CHECK(token.json.at("expiresIn") == 5184000);
  CHECK(token.json.at("extra").at("refreshTokenExpiresIn").as_int64() > 31000000);
  CHECK(text(token.json.at("account"), "id") == kMember);
  CHECK(text(token.json.at("account"), "name") == "Ada Lovelace");
  const auto& scopes = token.json.at("scopes").as_array();
  CHECK(std::find(scopes.begin(), scopes.end(), json::value("w_organization_social")) != scopes.end());

  SECTION("the code is single use") {
    auto again =
        f.call(Operation::ExchangeCode, {{"code", back.at("code")}, {"redirectUri", redirect}, {"codeVerifier", "v"}});
    CHECK(again.kind == ErrorKind::AuthInvalid);
  }
  SECTION("refresh keeps the refresh token and mints a working access token") {
    const auto refreshToken = text(token.json, "refreshToken");
    auto refreshed = f.call(Operation::RefreshToken, {{"refreshToken", refreshToken}});
    REQUIRE(refreshed.ok());
    CHECK(f.linkedin.refreshGrants() == 1);
    CHECK(text(refreshed.json, "refreshToken") == refreshToken);
    CHECK(text(refreshed.json, "accessToken") != text(token.json, "accessToken"));
    CHECK(f.call(Operation::CheckToken, {{"accessToken", text(refreshed.json, "accessToken")}}).ok());
  }
  SECTION("revoke makes LinkedIn refuse the token") {
    const auto access = text(token.json, "accessToken");
    REQUIRE(f.call(Operation::RevokeToken, {{"accessToken", access}}).ok());
    CHECK(f.linkedin.revocations() == 1);
    auto check = f.call(Operation::CheckToken, {{"accessToken", access}});
    CHECK(check.kind == ErrorKind::AuthInvalid);
    CHECK(check.platformCode == "65601");
  }
  CHECK(f.logs().find(text(token.json, "accessToken")) == std::string::npos);
}

TEST_CASE("token endpoint refusals map to the ABI kinds", "[linkedin][oauth]") {
  SECTION("an unknown refresh token must reconnect") {
    LinkedInFixture f;
    auto r = f.call(Operation::RefreshToken, {{"refreshToken", "not-a-token"}});
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.platformCode == "invalid_grant");
  }
  SECTION("an app without programmatic refresh tokens cannot refresh") {
    LinkedInFixture f;
    f.linkedin.setRefreshTokensEnabled(false);
    CHECK(f.call(Operation::RefreshToken, {{"refreshToken", "anything"}}).kind == ErrorKind::NotSupported);
  }
  SECTION("wrong app credentials are the operator's problem, not the member's") {
    LinkedInFixture f({{"client_secret", "wrong"}});
    auto r = f.call(Operation::ExchangeCode, {{"code", "c"}, {"redirectUri", "https://h/cb"}, {"codeVerifier", "v"}});
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.message.find("wrong") == std::string::npos);
  }
  SECTION("missing credentials are reported without a network call") {
    LinkedInFixture f({{"client_id", ""}});
    auto r = f.call(Operation::AuthorizeUrl, {{"redirectUri", "https://h/cb"}, {"state", "s"}, {"codeChallenge", "c"}});
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.message.find("client_id") != std::string::npos);
  }
}

TEST_CASE("list_accounts gives the member and the pages the member administers", "[linkedin][accounts]") {
  LinkedInFixture f;
  auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
  REQUIRE(r.ok());
  const auto& accounts = r.json.at("accounts").as_array();
  REQUIRE(accounts.size() == 2);
  CHECK(text(accounts[0], "id") == kMember);
  CHECK(text(accounts[0], "type") == "user");
  CHECK(text(accounts[0], "name") == "Ada Lovelace");
  CHECK(text(accounts[1], "id") == kOrganization);
  CHECK(text(accounts[1], "type") == "organization");
  CHECK(text(accounts[1], "name") == "Acme Corp");  // not "Someone Else's Page": no admin role there

  SECTION("without an organization scope LinkedIn denies the ACLs and the permission is named") {
    const auto memberOnly = f.linkedin.issueToken("openid profile w_member_social");
    auto denied = f.call(Operation::ListAccounts, {{"accessToken", memberOnly}});
    CHECK(denied.kind == ErrorKind::AuthInvalid);
    CHECK(denied.message.find("rw_organization_admin") != std::string::npos);
  }
}

TEST_CASE("check_token answers healthy with the member URN, expired and throttled otherwise", "[linkedin][health]") {
  LinkedInFixture f;
  auto ok = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  REQUIRE(ok.ok());
  CHECK(ok.json.at("healthy") == true);
  CHECK(text(ok.json, "accountId") == kMember);

  f.linkedin.throttleNext(1, 30);
  auto throttled = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  CHECK(throttled.kind == ErrorKind::RateLimited);
  CHECK(throttled.retryAfterSeconds == 30);

  f.linkedin.expireAllTokens();
  auto expired = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  CHECK(expired.kind == ErrorKind::AuthExpired);
  CHECK(expired.platformCode == "65602");
}
