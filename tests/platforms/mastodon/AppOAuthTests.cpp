// register_app (POST /api/v1/apps), the OAuth flow with and without PKCE, the account, revoke,
// and the errors of the connection's calls.
#include "MastodonFixture.h"
#include "Tokens.h"

TEST_CASE("register_app registers the app once on the named instance and remembers whether it takes PKCE",
          "[mastodon][oauth]") {
  MastodonFixture f;
  CHECK(f.app.at("client_id").as_string().size() > 10);
  CHECK(f.app.at("client_secret").as_string().size() > 10);
  CHECK(f.app.at("api_base").as_string() == f.m.url());  // the trailing slash is gone
  CHECK(f.app.at("auth_base").as_string() == f.m.url());
  CHECK(f.app.at("pkce").as_string() == "true");
  const auto apps = f.m.apps();
  REQUIRE(apps.size() == 1);
  CHECK(apps.front().name == "MarketSage Test");
  CHECK(apps.front().redirectUris == std::vector<std::string>{redirectUri});
  CHECK(apps.front().scopes == "write:statuses write:media read:accounts read:statuses");

  SECTION("an instance URL with a path, or not http(s), is refused before any call") {
    for (const char* bad : {"ftp://mastodon.social", "https://mastodon.social/@someone", "mastodon.social",
                            "https://user@mastodon.social"}) {
      auto r = f.loaded.call(Operation::RegisterApp, {{"instance", bad}, {"redirectUri", redirectUri}});
      CHECK(r.kind == ErrorKind::InvalidInput);
    }
    CHECK(f.m.apps().size() == 1);
  }
  SECTION("a refused registration is PERMANENT with Mastodon's words") {
    auto r = f.loaded.call(Operation::RegisterApp, {{"instance", f.m.url()}, {"redirectUri", "not-a-uri"}});
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.message.find("Redirect URI must be an absolute URI") != std::string::npos);
  }
}

TEST_CASE("without an app there is no instance: every call says so", "[mastodon][oauth]") {
  MastodonFixture f;
  auto r = f.loaded.call(Operation::Publish, f.post("Hello"));
  CHECK(r.kind == ErrorKind::Permanent);
  CHECK(r.message.find("no instance") != std::string::npos);
  auto url =
      f.loaded.call(Operation::AuthorizeUrl, {{"redirectUri", redirectUri}, {"state", "s"}, {"codeChallenge", "c"}});
  CHECK_FALSE(url.ok());
}

TEST_CASE("the OAuth flow: consent with PKCE, code for a token, the account as @user@instance, revoke",
          "[mastodon][oauth]") {
  MastodonFixture f;
  const std::string verifier = "verifier-0123456789abcdef0123456789abcdef0123456789";
  auto url = f.call(Operation::AuthorizeUrl, {{"redirectUri", redirectUri},
                                              {"state", "st&te 1"},
                                              {"codeChallenge", marketsage::test::pkceS256(verifier)},
                                              {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const std::string authorize(url.json.at("url").as_string());
  CHECK(authorize.rfind(f.m.url() + "/oauth/authorize?", 0) == 0);
  const auto query = queryOf(authorize);
  CHECK(query.at("scope") == "write:statuses write:media read:accounts read:statuses");
  CHECK(query.at("code_challenge_method") == "S256");
  const auto callback = queryOf(f.m.approve(authorize));
  REQUIRE(callback.count("code"));
  CHECK(callback.at("state") == "st&te 1");

  SECTION("the right verifier gets a token that does not expire and the account") {
    auto token = f.call(Operation::ExchangeCode,
                        {{"code", callback.at("code")}, {"redirectUri", redirectUri}, {"codeVerifier", verifier}});
    REQUIRE(token.ok());
    const auto& t = token.json.as_object();
    CHECK_FALSE(t.contains("expiresIn"));
    CHECK_FALSE(t.contains("refreshToken"));
    CHECK(t.at("account").at("id").as_string() == emulators::MastodonInstance::accountId);
    CHECK(t.at("account").at("name").as_string() ==
          "@marketsage@127.0.0.1:" + std::to_string(Poco::URI(f.m.url()).getPort()));
    CHECK(t.at("scopes").as_array().size() == 4);
    const std::string access(t.at("accessToken").as_string());

    auto accounts = f.call(Operation::ListAccounts, {{"accessToken", access}});
    REQUIRE(accounts.ok());
    CHECK(accounts.json.at("accounts").as_array().size() == 1);
    auto health = f.call(Operation::CheckToken, {{"accessToken", access}});
    CHECK(health.ok());

    auto revoked = f.call(Operation::RevokeToken, {{"accessToken", access}});
    REQUIRE(revoked.ok());
    CHECK(f.m.revocations() == 1);
    auto after = f.call(Operation::CheckToken, {{"accessToken", access}});
    CHECK(after.kind == ErrorKind::AuthInvalid);
    CHECK(after.message.find("The access token is invalid") != std::string::npos);
  }
  SECTION("a wrong verifier is invalid_grant: AUTH_INVALID") {
    auto token =
        f.call(Operation::ExchangeCode,
               {{"code", callback.at("code")}, {"redirectUri", redirectUri}, {"codeVerifier", verifier + "x"}});
    CHECK(token.kind == ErrorKind::AuthInvalid);
    CHECK(token.platformCode == "invalid_grant");
  }
}

TEST_CASE("an instance older than 4.3 gets no PKCE", "[mastodon][oauth]") {
  MastodonFixture f;
  f.m.setPkceSupported(false);
  auto registered = f.loaded.call(Operation::RegisterApp, {{"instance", f.m.url()}, {"redirectUri", redirectUri}});
  REQUIRE(registered.ok());
  CHECK(registered.json.at("pkce").as_string() == "false");
  json::object request = {{"redirectUri", redirectUri}, {"state", "s"}, {"codeChallenge", "abc"}};
  request["app"] = registered.json;
  auto url = f.loaded.call(Operation::AuthorizeUrl, request);
  REQUIRE(url.ok());
  CHECK_FALSE(queryOf(std::string(url.json.at("url").as_string())).count("code_challenge"));
}

TEST_CASE("errors: rate limit with X-RateLimit-Reset, missing scope, outage", "[mastodon][errors]") {
  MastodonFixture f;
  SECTION("429 is RATE_LIMITED until the reset") {
    f.m.throttleNext(1, 120);
    auto r = f.call(Operation::CheckToken, {{"accessToken", f.token}});
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds >= 118);
    CHECK(r.retryAfterSeconds <= 121);
    CHECK(r.message.find("Too many requests") != std::string::npos);
  }
  SECTION("a thread stops when X-RateLimit-Remaining reaches 0, and says what is live") {
    REQUIRE(f.call(Operation::Publish, f.post("warm-up: reads the instance's limits")).ok());
    f.m.setWindowLimit(2);  // the warm-up used one: the thread's first status uses the last
    auto thread = f.post("1/2 rate limited");
    thread["thread"] = {{{"content", "2/2"}}};
    auto r = f.call(Operation::Publish, thread);
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds >= 1);
    REQUIRE(r.json.at("postIds").as_array().size() == 1);
    CHECK(f.m.statusesCreated() == 2);
  }
  SECTION("a token without the scope is AUTH_INVALID") {
    const auto narrow = f.m.issueToken(f.m.apps().front(), "write:statuses");
    auto r = f.call(Operation::CheckToken, {{"accessToken", narrow}});
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.message.find("outside the authorized scopes") != std::string::npos);
  }
  SECTION("503 is TRANSIENT") {
    f.m.failNext(1, 503);
    auto r = f.call(Operation::CheckToken, {{"accessToken", f.token}});
    CHECK(r.kind == ErrorKind::Transient);
  }
  SECTION("bad input never reaches the network") {
    const auto before = f.m.requests().size();
    CHECK(f.loaded.callText(Operation::Publish, "").kind == ErrorKind::InvalidInput);
    CHECK(f.loaded.callText(Operation::Publish, "[1]").kind == ErrorKind::InvalidInput);
    CHECK(f.call(Operation::Publish, {{"content", "no token"}}).kind == ErrorKind::InvalidInput);
    CHECK(f.m.requests().size() == before);
  }
}
