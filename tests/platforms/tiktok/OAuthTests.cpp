// Login Kit OAuth v2: the authorize URL (client_key, comma-separated scopes, TikTok's hex PKCE
// challenge), consent, code exchange with the verifier, refresh, revoke, the token check.
#include "../common/UrlQuery.h"
#include "TikTokFixture.h"
#include "Tokens.h"

#include <catch2/catch.hpp>

#include <Poco/URI.h>

#include <map>
#include <sstream>

using namespace tiktok_test;

namespace {

using marketsage::test::queryOf;

std::string text(const json::value& v, const char* key) { return json::value_to<std::string>(v.at(key)); }

const std::string kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXkdBjftJeZ4CVP";
const std::string kRedirect = "https://host.example/api/auth/callback/tiktok";

json::object authorizeRequest() {
  return {{"redirectUri", kRedirect},
          {"state", "st 42/+"},
          {"codeChallenge", marketsage::test::pkceS256(kVerifier)},
          {"codeChallengeMethod", "S256"}};
}

}  // namespace

TEST_CASE("authorize_url names the client_key, comma-separated scopes and TikTok's hex PKCE challenge",
          "[tiktok][oauth]") {
  TikTokFixture f;
  auto url = f.call(Operation::AuthorizeUrl, authorizeRequest());
  REQUIRE(url.ok());
  const auto authorize = text(url.json, "url");
  CHECK(authorize.rfind(f.tiktok.url() + "/v2/auth/authorize/?", 0) == 0);
  const auto q = queryOf(authorize);
  CHECK(q.at("client_key") == emulators::TikTokApi::clientKey);
  CHECK(q.count("client_id") == 0);
  CHECK(q.at("scope") == "user.info.basic,user.info.stats,video.publish,video.list");
  CHECK(q.at("response_type") == "code");
  CHECK(q.at("redirect_uri") == kRedirect);
  CHECK(q.at("state") == "st 42/+");
  CHECK(q.at("code_challenge") == marketsage::test::sha256Hex(kVerifier));
  CHECK(q.at("code_challenge_method") == "S256");

  SECTION("without a client_id the plugin is not configured") {
    TikTokFixture bare({{"client_id", nullptr}});
    CHECK(bare.call(Operation::AuthorizeUrl, authorizeRequest()).kind == ErrorKind::Permanent);
  }
  SECTION("a challenge that is not base64url of a digest is refused offline") {
    auto request = authorizeRequest();
    request["codeChallenge"] = "not a challenge";
    CHECK(f.call(Operation::AuthorizeUrl, request).kind == ErrorKind::InvalidInput);
  }
}

TEST_CASE("consent, exchange with the verifier, refresh, revoke", "[tiktok][oauth]") {
  TikTokFixture f;
  auto url = f.call(Operation::AuthorizeUrl, authorizeRequest());
  REQUIRE(url.ok());
  const auto back = queryOf(marketsage::test::LoadedPlugin::consent(text(url.json, "url")));
  REQUIRE(back.count("code"));
  CHECK(back.at("state") == "st 42/+");

  SECTION("a wrong verifier is refused as TikTok refuses it") {
    auto r = f.call(Operation::ExchangeCode,
                    {{"code", back.at("code")}, {"redirectUri", kRedirect}, {"codeVerifier", kVerifier + "x"}});
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.platformCode == "invalid_request");
  }

  SECTION("the right one gives a token, a refresh token and the account") {
    auto token = f.call(Operation::ExchangeCode,
                        {{"code", back.at("code")}, {"redirectUri", kRedirect}, {"codeVerifier", kVerifier}});
    REQUIRE(token.ok());
    const auto access = text(token.json, "accessToken");
    const auto refresh = text(token.json, "refreshToken");
    CHECK(token.json.at("expiresIn").as_int64() == 7200);  // 2 hours
    CHECK(token.json.at("scopes").as_array().size() == 4);
    CHECK(text(token.json.at("account"), "id") == emulators::TikTokApi::openId);
    CHECK(text(token.json.at("account"), "name") == emulators::TikTokApi::displayName);

    SECTION("a code is single use") {
      auto again = f.call(Operation::ExchangeCode,
                          {{"code", back.at("code")}, {"redirectUri", kRedirect}, {"codeVerifier", kVerifier}});
      CHECK(again.kind == ErrorKind::AuthInvalid);
      CHECK(again.platformCode == "invalid_grant");
    }
    SECTION("refresh gives a new access token") {
      auto renewed = f.call(Operation::RefreshToken, {{"refreshToken", refresh}, {"accessToken", access}});
      REQUIRE(renewed.ok());
      CHECK(text(renewed.json, "accessToken") != access);
      CHECK(f.tiktok.refreshGrants() == 1);
      CHECK(f.call(Operation::CheckToken, {{"accessToken", text(renewed.json, "accessToken")}}).ok());
      // TikTok rotates refresh tokens: the reply carries the new one, and the old one stops working.
      const auto rotated = text(renewed.json, "refreshToken");
      CHECK(rotated != refresh);
      auto stale = f.call(Operation::RefreshToken, {{"refreshToken", refresh}});
      CHECK(stale.kind == ErrorKind::AuthInvalid);
      CHECK(stale.platformCode == "invalid_grant");
      CHECK(f.call(Operation::RefreshToken, {{"refreshToken", rotated}}).ok());
    }
    SECTION("revoke ends the grant: the token and the refresh token stop working") {
      REQUIRE(f.call(Operation::RevokeToken, {{"accessToken", access}, {"refreshToken", refresh}}).ok());
      CHECK(f.tiktok.revocations() == 1);
      auto check = f.call(Operation::CheckToken, {{"accessToken", access}});
      CHECK(check.kind == ErrorKind::AuthExpired);
      CHECK(check.platformCode == "access_token_invalid");
      CHECK(f.call(Operation::RefreshToken, {{"refreshToken", refresh}}).kind == ErrorKind::AuthInvalid);
    }
  }
  CHECK(f.logs().find(kVerifier) == std::string::npos);
}

TEST_CASE("check_token answers the account; an expired token is auth_expired", "[tiktok][health]") {
  TikTokFixture f;
  auto ok = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  REQUIRE(ok.ok());
  CHECK(text(ok.json, "accountId") == emulators::TikTokApi::openId);
  f.tiktok.expireAllTokens();
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.token}}).kind == ErrorKind::AuthExpired);
}

TEST_CASE("every function refuses bad input before any network call", "[tiktok]") {
  TikTokFixture f;
  for (const auto op : {Operation::AuthorizeUrl, Operation::ExchangeCode, Operation::RefreshToken,
                        Operation::RevokeToken, Operation::Validate, Operation::Publish, Operation::AccountInsights,
                        Operation::PostInsights, Operation::CheckToken}) {
    for (const std::string_view bad : {std::string_view(""), std::string_view("[]"), std::string_view("{"),
                                       std::string_view("{\"accessToken\": 5}")}) {
      INFO(toString(op) << " " << bad);
      CHECK(f.callText(op, bad).kind == ErrorKind::InvalidInput);
    }
  }
  CHECK(f.tiktok.requests().empty());
}
