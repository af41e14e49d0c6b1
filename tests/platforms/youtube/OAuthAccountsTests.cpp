// OAuth with Google (authorize URL, consent with PKCE, code exchange, refresh, revoke), the
// channels as accounts, and the token check with the quota.
#include "../common/UrlQuery.h"
#include "Tokens.h"
#include "YouTubeFixture.h"

#include <catch2/catch.hpp>

#include <Poco/URI.h>

#include <map>

using namespace youtube_test;

namespace {

using marketsage::test::queryOf;

std::string text(const json::value& v, const char* key) { return json::value_to<std::string>(v.at(key)); }

const std::string kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXkdBjftJeZ4CVP";
const std::string kRedirect = "https://host.example/api/auth/callback/youtube";

}  // namespace

TEST_CASE("authorize_url asks Google for offline access with PKCE S256 and the youtube scope", "[youtube][oauth]") {
  YouTubeFixture f;
  auto url = f.call(Operation::AuthorizeUrl, {{"redirectUri", kRedirect},
                                              {"state", "st 42/+"},
                                              {"codeChallenge", marketsage::test::pkceS256(kVerifier)},
                                              {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const auto authorize = text(url.json, "url");
  CHECK(authorize.rfind(f.youtube.url() + "/o/oauth2/v2/auth?", 0) == 0);
  const auto q = queryOf(authorize);
  CHECK(q.at("client_id") == emulators::YouTubeApi::clientId);
  CHECK(q.at("redirect_uri") == kRedirect);
  CHECK(q.at("response_type") == "code");
  CHECK(q.at("scope") == "https://www.googleapis.com/auth/youtube");
  CHECK(q.at("access_type") == "offline");
  CHECK(q.at("prompt") == "consent");
  CHECK(q.at("include_granted_scopes") == "true");
  CHECK(q.at("state") == "st 42/+");
  CHECK(q.at("code_challenge") == marketsage::test::pkceS256(kVerifier));
  CHECK(q.at("code_challenge_method") == "S256");

  SECTION("without a client_id the plugin is not configured") {
    YouTubeFixture bare({{"client_id", nullptr}});
    auto r = bare.call(Operation::AuthorizeUrl, {{"redirectUri", kRedirect}, {"state", "s"}, {"codeChallenge", "c"}});
    CHECK(r.kind == ErrorKind::Permanent);
  }
}

TEST_CASE("consent, exchange with the verifier, refresh keeping the refresh token, revoke", "[youtube][oauth]") {
  YouTubeFixture f;
  f.youtube.setRedirectUris({kRedirect});
  auto url = f.call(Operation::AuthorizeUrl, {{"redirectUri", kRedirect},
                                              {"state", "st-1"},
                                              {"codeChallenge", marketsage::test::pkceS256(kVerifier)},
                                              {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const auto back = queryOf(YouTubeFixture::consent(text(url.json, "url")));
  REQUIRE(back.count("code"));
  CHECK(back.at("state") == "st-1");

  SECTION("a wrong verifier is refused as invalid_grant") {
    auto r = f.call(Operation::ExchangeCode,
                    {{"code", back.at("code")}, {"redirectUri", kRedirect}, {"codeVerifier", kVerifier + "x"}});
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.platformCode == "invalid_grant");
  }
  SECTION("another redirect URI is refused") {
    auto r = f.call(Operation::ExchangeCode,
                    {{"code", back.at("code")}, {"redirectUri", kRedirect + "/"}, {"codeVerifier", kVerifier}});
    CHECK_FALSE(r.ok());
    CHECK(r.platformCode == "redirect_uri_mismatch");
  }
  SECTION("the right verifier gives an hour's token and a refresh token") {
    auto token = f.call(Operation::ExchangeCode,
                        {{"code", back.at("code")}, {"redirectUri", kRedirect}, {"codeVerifier", kVerifier}});
    REQUIRE(token.ok());
    CHECK(token.json.at("expiresIn") == 3599);
    const auto refresh = text(token.json, "refreshToken");
    const auto access = text(token.json, "accessToken");
    CHECK(refresh.rfind("1//", 0) == 0);
    CHECK(token.json.at("scopes").as_array().size() == 1);
    CHECK(f.call(Operation::CheckToken, {{"accessToken", access}}).ok());
    // The code is single use.
    auto again = f.call(Operation::ExchangeCode,
                        {{"code", back.at("code")}, {"redirectUri", kRedirect}, {"codeVerifier", kVerifier}});
    CHECK(again.kind == ErrorKind::AuthInvalid);

    // The hour is up: Google answers 401, the plugin says expired, a refresh mends it.
    f.youtube.expireAllTokens();
    auto expired = f.call(Operation::CheckToken, {{"accessToken", access}});
    CHECK(expired.kind == ErrorKind::AuthExpired);
    auto refreshed = f.call(Operation::RefreshToken, {{"refreshToken", refresh}, {"accessToken", access}});
    REQUIRE(refreshed.ok());
    CHECK(f.youtube.refreshGrants() == 1);
    CHECK_FALSE(refreshed.json.as_object().contains("refreshToken"));  // the host keeps the old one
    CHECK(refreshed.json.at("expiresIn") == 3599);
    const auto fresh = text(refreshed.json, "accessToken");
    CHECK(fresh != access);
    CHECK(f.call(Operation::CheckToken, {{"accessToken", fresh}}).ok());
    // The old refresh token still works.
    CHECK(f.call(Operation::RefreshToken, {{"refreshToken", refresh}}).ok());

    // Disconnect revokes the grant: the refresh token and its access tokens are dead.
    REQUIRE(f.call(Operation::RevokeToken, {{"accessToken", fresh}, {"refreshToken", refresh}}).ok());
    CHECK(f.youtube.revocations() == 1);
    auto afterRevoke = f.call(Operation::RefreshToken, {{"refreshToken", refresh}});
    CHECK(afterRevoke.kind == ErrorKind::AuthInvalid);
    CHECK(afterRevoke.platformCode == "invalid_grant");
    CHECK_FALSE(f.call(Operation::CheckToken, {{"accessToken", fresh}}).ok());
    // Revoking again is not an error: the token is gone either way.
    CHECK(f.call(Operation::RevokeToken, {{"accessToken", fresh}, {"refreshToken", refresh}}).ok());
    for (const auto& secret : {refresh, access, fresh}) CHECK(f.logs().find(secret) == std::string::npos);
  }
}

TEST_CASE("an unknown refresh token must reconnect; bad app credentials are the operator's", "[youtube][oauth]") {
  YouTubeFixture f;
  auto r = f.call(Operation::RefreshToken, {{"refreshToken", "1//not-a-token"}});
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.platformCode == "invalid_grant");
  // A deleted (or disabled) OAuth client is the operator's too: reconnecting cannot mend it.
  f.youtube.setClientDeleted(true);
  auto deleted = f.call(Operation::RefreshToken, {{"refreshToken", f.youtube.issueRefreshToken()}});
  CHECK(deleted.kind == ErrorKind::Permanent);
  CHECK(deleted.platformCode == "deleted_client");
  YouTubeFixture wrong({{"client_secret", "nope"}});
  auto bad = wrong.call(Operation::RefreshToken, {{"refreshToken", wrong.youtube.issueRefreshToken()}});
  CHECK(bad.kind == ErrorKind::Permanent);
  CHECK(bad.platformCode == "invalid_client");
}

TEST_CASE("list_accounts answers the channel, check_token the channel and the quota", "[youtube][accounts]") {
  YouTubeFixture f;
  auto accounts = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
  REQUIRE(accounts.ok());
  const auto& list = accounts.json.at("accounts").as_array();
  REQUIRE(list.size() == 1);
  CHECK(text(list[0], "id") == emulators::YouTubeApi::channelId);
  CHECK(text(list[0], "name") == emulators::YouTubeApi::channelTitle);
  CHECK(text(list[0], "type") == "channel");
  CHECK(text(list[0], "pictureUrl").find("yt3.ggpht.com") != std::string::npos);
  CHECK(text(list[0].at("metadata"), "handle") == "@adasworkshop");
  CHECK(list[0].at("metadata").at("subscriberCount") == 1234);

  auto check = f.call(Operation::CheckToken,
                      {{"accessToken", f.token}, {"account", {{"id", emulators::YouTubeApi::channelId}}}});
  REQUIRE(check.ok());
  CHECK(check.json.at("healthy") == true);
  CHECK(text(check.json, "accountId") == emulators::YouTubeApi::channelId);
  const auto& quota = check.json.at("quota");
  CHECK(quota.at("usedUnits") == 2);  // channels.list twice, one unit each
  CHECK(quota.at("dailyLimit") == 10000);
  CHECK(f.youtube.quotaUsed() == 2);
  const auto resets = text(quota, "resetsAt");
  CHECK((resets.find("T07:00:00Z") != std::string::npos || resets.find("T08:00:00Z") != std::string::npos));
  // The cheapest call: part=id.
  const auto requests = f.youtube.requests();
  CHECK(requests.back() == "GET /youtube/v3/channels?part=id&mine=true");

  SECTION("a Google account without a channel cannot be connected") {
    f.youtube.setChannels({});
    auto none = f.call(Operation::ListAccounts, {{"accessToken", f.token}});
    CHECK(none.kind == ErrorKind::Permanent);
    CHECK(none.message.find("no YouTube channel") != std::string::npos);
  }
  SECTION("401 youtubeSignupRequired (an unlinked Google account) is not an expired token") {
    // https://developers.google.com/youtube/v3/docs/errors: unauthorized (401) youtubeSignupRequired;
    // refreshing the token cannot mend it, so it must not be AUTH_EXPIRED.
    f.youtube.setChannels({});
    auto r = f.call(Operation::Publish, f.post("No channel", {f.videoMedia(1000)}));
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.platformCode == "youtubeSignupRequired");
    CHECK(r.message.find("YouTube channel") != std::string::npos);
  }
  SECTION("a token without a YouTube scope is refused for good") {
    const auto other = f.youtube.issueToken("openid email");
    auto denied = f.call(Operation::ListAccounts, {{"accessToken", other}});
    CHECK(denied.kind == ErrorKind::AuthInvalid);
    CHECK(denied.platformCode == "insufficientPermissions");
  }
}
