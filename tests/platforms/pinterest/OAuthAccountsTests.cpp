// OAuth (consent URL, code exchange with HTTP Basic, refresh), boards as accounts, the token check
// and the api_version announcement, against the Pinterest emulator.
#include "../common/UrlQuery.h"
#include "PinterestFixture.h"

#include <Poco/URI.h>

using namespace pinterest_test;

namespace {

using marketsage::test::queryOf;

json::object authorizeRequest() {
  return {{"redirectUri", "https://host.example/api/auth/callback/pinterest"},
          {"state", "st&ate=1"},
          {"codeChallenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
          {"codeChallengeMethod", "S256"}};
}

}  // namespace

TEST_CASE("Pinterest: the consent URL, the code exchange with HTTP Basic, refresh", "[pinterest]") {
  PinterestFixture f;
  const auto url = f.call(Operation::AuthorizeUrl, authorizeRequest());
  REQUIRE(url.ok());
  const std::string consentUrl(url.json.at("url").as_string());
  CHECK(consentUrl.rfind(f.pinterest.url() + "/oauth/?", 0) == 0);
  auto q = queryOf(consentUrl);
  CHECK(q["client_id"] == PinterestApi::clientId);
  CHECK(q["response_type"] == "code");
  CHECK(q["scope"] == "boards:read,boards:write,pins:read,pins:write,user_accounts:read");
  CHECK(q["state"] == "st&ate=1");
  CHECK(q["redirect_uri"] == "https://host.example/api/auth/callback/pinterest");
  CHECK(q.count("code_challenge") == 0);  // Pinterest documents no PKCE

  const auto denied = queryOf(marketsage::test::LoadedPlugin::consent(consentUrl + "&consent=deny"));
  CHECK(denied.at("error") == "access_denied");
  CHECK(denied.at("state") == "st&ate=1");
  const auto back = marketsage::test::LoadedPlugin::consent(consentUrl);
  auto answer = queryOf(back);
  CHECK(answer["state"] == "st&ate=1");
  const auto exchanged = f.call(Operation::ExchangeCode,
                                {{"code", answer["code"]}, {"redirectUri", q["redirect_uri"]}, {"codeVerifier", "v"}});
  REQUIRE(exchanged.ok());
  const auto& token = exchanged.json.as_object();
  CHECK(token.at("expiresIn").as_int64() == 2592000);
  CHECK(token.at("scopes").as_array().size() == 5);
  CHECK(f.pinterest.lastTokenAuthorization().rfind("Basic ", 0) == 0);
  CHECK(f.pinterest.lastTokenAuthorization().find(PinterestApi::clientSecret) == std::string::npos);

  SECTION("a code is used once") {
    const auto again = f.call(Operation::ExchangeCode,
                              {{"code", answer["code"]}, {"redirectUri", q["redirect_uri"]}, {"codeVerifier", "v"}});
    CHECK(again.kind == ErrorKind::AuthInvalid);
  }
  SECTION("refresh answers a new access token and keeps the refresh token") {
    const auto refreshed =
        f.call(Operation::RefreshToken, {{"refreshToken", token.at("refreshToken")}, {"accessToken", "old"}});
    REQUIRE(refreshed.ok());
    CHECK(refreshed.json.as_object().at("accessToken") != token.at("accessToken"));
    CHECK_FALSE(refreshed.json.as_object().contains("refreshToken"));
    CHECK(f.pinterest.refreshGrants() == 1);
    f.pinterest.revokeRefreshTokens();
    CHECK(f.call(Operation::RefreshToken, {{"refreshToken", token.at("refreshToken")}}).kind == ErrorKind::AuthInvalid);
  }
}

TEST_CASE("Pinterest: wrong app credentials are the operator's problem, not the user's", "[pinterest]") {
  PinterestFixture f({{"client_secret", "wrong"}});
  const auto r = f.call(Operation::RefreshToken, {{"refreshToken", "x"}});
  CHECK(r.kind == ErrorKind::Permanent);
  CHECK(r.message.find("app credentials") != std::string::npos);
  PinterestFixture unconfigured({{"client_id", nullptr}});
  CHECK(unconfigured.call(Operation::AuthorizeUrl, authorizeRequest()).kind == ErrorKind::Permanent);
}

TEST_CASE("Pinterest: every board is an account, read page by page with bookmarks", "[pinterest]") {
  PinterestFixture f;
  std::vector<PinterestApi::Board> boards;
  for (int i = 0; i < 300; ++i)
    boards.push_back({"9000" + std::to_string(i), "Board " + std::to_string(i), i % 2 ? "SECRET" : "PUBLIC"});
  f.pinterest.setBoards(boards);
  const auto r = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
  REQUIRE(r.ok());
  const auto& accounts = r.json.at("accounts").as_array();
  REQUIRE(accounts.size() == 300);
  CHECK(accounts[299].at("id") == "9000299");
  CHECK(accounts[1].at("name") == "Board 1");
  CHECK(accounts[1].at("type") == "other");
  CHECK(accounts[1].at("metadata").at("owner") == PinterestApi::username);
  CHECK(accounts[1].at("metadata").at("privacy") == "SECRET");
  int pages = 0;
  for (const auto& line : f.pinterest.requests()) pages += line.rfind("GET /v5/boards?page_size=250", 0) == 0;
  CHECK(pages == 2);
}

TEST_CASE("Pinterest: check_token, an expired token, a missing scope, api_version", "[pinterest]") {
  PinterestFixture f;
  const json::object account{{"id", PinterestApi::boardId}};
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", account}}).ok());
  const auto narrow = f.pinterest.issueToken("boards:read,pins:read");
  const auto refused = f.call(Operation::CheckToken, {{"accessToken", narrow}, {"account", account}});
  CHECK(refused.kind == ErrorKind::AuthInvalid);  // 401 code 3: a refresh would not add the scope
  CHECK(refused.platformCode == "3");
  f.pinterest.expireAllTokens();
  const auto expired = f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", account}});
  CHECK(expired.kind == ErrorKind::AuthExpired);
  CHECK(expired.platformCode == "2");
  const auto version = f.call(Operation::ApiVersion, json::object{});
  REQUIRE(version.ok());
  CHECK(version.json.at("version") == "v5");
}
