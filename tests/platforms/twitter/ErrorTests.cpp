// X's failures mapped to the ABI's error kinds.
#include "TwitterFixture.h"

TEST_CASE("an expired token is AUTH_EXPIRED, and works again after a refresh", "[errors]") {
  TwitterFixture f;
  const auto token = f.connect();
  f.token = std::string(token.at("accessToken").as_string());
  f.x.expireAllTokens();
  auto r = f.call(Operation::Publish, f.post("too late"));
  CHECK(r.kind == ErrorKind::AuthExpired);
  CHECK(r.message.find(f.token) == std::string::npos);  // never a token in a message
  CHECK(f.x.tweetsCreated() == 0);
  // What the host does next: refresh, then retry once with the new token.
  auto refreshed = f.call(Operation::RefreshToken, {{"refreshToken", token.at("refreshToken")}});
  REQUIRE(refreshed.ok());
  f.token = std::string(refreshed.json.at("accessToken").as_string());
  CHECK(f.call(Operation::Publish, f.post("too late")).ok());
  CHECK(f.x.tweetsCreated() == 1);
}

TEST_CASE("a revoked grant ends as AUTH_INVALID at the refresh", "[errors]") {
  TwitterFixture f;
  f.x.revokeAllTokens();
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.token}}).kind == ErrorKind::AuthExpired);
  CHECK(f.call(Operation::RefreshToken, {{"refreshToken", "xrt-anything"}}).kind == ErrorKind::AuthInvalid);
}

TEST_CASE("429 is RATE_LIMITED with the wait until x-rate-limit-reset", "[errors]") {
  TwitterFixture f;
  f.x.throttleNext(1, 120);
  auto r = f.call(Operation::Publish, f.post("slow down"));
  REQUIRE(r.kind == ErrorKind::RateLimited);
  CHECK(r.retryAfterSeconds >= 110);
  CHECK(r.retryAfterSeconds <= 120);
  CHECK(f.call(Operation::Publish, f.post("slow down")).ok());  // the window reopened
}

TEST_CASE("5xx is TRANSIENT", "[errors]") {
  TwitterFixture f;
  f.x.failNext(1, 503);
  const auto unavailable = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  CHECK(unavailable.kind == ErrorKind::Transient);
  // x-rate-limit-reset (on every answer) ends the 15-minute window; it is no retry time for a 503.
  CHECK(unavailable.retryAfterSeconds == 0);
  f.x.failNext(1, 500);
  CHECK(f.call(Operation::ListAccounts, {{"accessToken", f.token}}).kind == ErrorKind::Transient);
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.token}}).ok());
}

TEST_CASE("a token without tweet.write is AUTH_INVALID naming the missing scope", "[errors]") {
  TwitterFixture f;
  auto post = f.post("no permission");
  post["accessToken"] = f.x.issueToken({"tweet.read", "users.read"});
  auto r = f.call(Operation::Publish, post);
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("tweet.write") != std::string::npos);
}

TEST_CASE("X unreachable is TRANSIENT", "[errors]") {
  auto settings = json::object{{"api_base", "http://127.0.0.1:1"}, {"client_id", "id"}};
  marketsage::plugins::PluginRegistry registry(
      [settings](const std::string&) {
        return marketsage::plugins::PluginSettings{true, settings};
      },
      nullptr);
  REQUIRE(registry.loadFile(TWITTER_PLUGIN));
  auto r = registry.get("twitter")->call(Operation::CheckToken, json::object{{"accessToken", "t"}});
  CHECK(r.kind == ErrorKind::Transient);
}
