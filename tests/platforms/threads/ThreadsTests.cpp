// The threads plugin (.so) driven directly against the Threads emulator: OAuth (short- then
// long-lived token, refresh), the account, offline validation, text / image / video / carousel
// posts with reply control and quotes, processing without a held worker (pending/resume),
// failures (download, processing, quota, throttling, expired token), delete and insights.
#include <catch2/catch.hpp>

#include "ThreadsFixture.h"

#include <Poco/URI.h>

using namespace threadstest;

namespace {

std::string queryValue(const std::string& url, const std::string& name) {
  for (const auto& [key, value] : Poco::URI(url).getQueryParameters())
    if (key == name) return value;
  return "";
}

}  // namespace

TEST_CASE("threads oauth: authorization window, short-lived then long-lived token, refresh", "[threads][oauth]") {
  Threads t;
  const std::string redirect = "https://host/api/auth/callback/threads";
  const auto url = t.plugin.call(
      Operation::AuthorizeUrl,
      json::object{
          {"redirectUri", redirect}, {"state", "st4te"}, {"codeChallenge", "abc"}, {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const std::string window = text(url.json, "/url");
  CHECK(window.rfind(t.api.url() + "/oauth/authorize?", 0) == 0);
  CHECK(queryValue(window, "client_id") == ThreadsApi::appId);
  CHECK(queryValue(window, "scope").find("threads_content_publish") != std::string::npos);
  const auto back = marketsage::test::LoadedPlugin::consent(window);
  CHECK(queryValue(back, "state") == "st4te");
  const std::string code = queryValue(back, "code");
  REQUIRE_FALSE(code.empty());

  CHECK(t.plugin.call(Operation::ExchangeCode, json::object{{"code", code}, {"redirectUri", redirect + "/x"}}).kind ==
        ErrorKind::AuthInvalid);
  const auto token = t.plugin.call(Operation::ExchangeCode,
                                   json::object{{"code", code}, {"redirectUri", redirect}, {"codeVerifier", "v"}});
  REQUIRE(token.ok());
  const auto access = text(token.json, "/accessToken");
  CHECK(access.rfind("THAA", 0) == 0);  // the long-lived one, not the one-hour token
  CHECK(text(token.json, "/refreshToken") == access);
  CHECK(number(token.json, "/expiresIn") > 5000000);
  CHECK(text(token.json, "/account/id") == t.api.userId());
  CHECK(text(token.json, "/account/name") == t.api.username());
  // A code is used once.
  CHECK(t.plugin.call(Operation::ExchangeCode, json::object{{"code", code}, {"redirectUri", redirect}}).kind ==
        ErrorKind::AuthInvalid);

  const auto refreshed =
      t.plugin.call(Operation::RefreshToken, json::object{{"refreshToken", access}, {"accessToken", access}});
  REQUIRE(refreshed.ok());
  CHECK(text(refreshed.json, "/accessToken") != access);
  CHECK(text(refreshed.json, "/refreshToken") == text(refreshed.json, "/accessToken"));
  t.api.expire(access);
  CHECK(t.plugin.call(Operation::RefreshToken, json::object{{"refreshToken", access}, {"accessToken", access}}).kind ==
        ErrorKind::AuthInvalid);
}

TEST_CASE("threads list_accounts, health and api_version", "[threads][accounts]") {
  Threads t;
  const auto accounts = t.plugin.call(Operation::ListAccounts, json::object{{"accessToken", t.token}});
  REQUIRE(accounts.ok());
  REQUIRE(accounts.json.at("accounts").as_array().size() == 1);
  CHECK(text(accounts.json, "/accounts/0/id") == t.api.userId());
  CHECK(text(accounts.json, "/accounts/0/name") == t.api.username());
  const json::object health{{"accessToken", t.token}, {"account", {{"id", t.api.userId()}}}};
  REQUIRE(t.plugin.call(Operation::CheckToken, health).ok());
  t.api.expire(t.token);
  CHECK(t.plugin.call(Operation::CheckToken, health).kind == ErrorKind::AuthExpired);
  CHECK(t.plugin.call(Operation::CheckToken, json::object{{"accessToken", "nope"}}).kind == ErrorKind::AuthInvalid);
}

TEST_CASE("threads validate refuses what Threads cannot publish, offline", "[threads][validate]") {
  Threads t;
  const int before = t.api.apiCalls();
  CHECK(t.plugin.call(Operation::Validate, t.post("hello")).ok());
  CHECK(t.plugin.call(Operation::Validate, t.post("")).kind == ErrorKind::InvalidInput);
  std::string longest;
  for (int i = 0; i < 500; ++i) longest += "é";
  CHECK(t.plugin.call(Operation::Validate, t.post(longest)).ok());
  CHECK(t.plugin.call(Operation::Validate, t.post(longest + "!")).kind == ErrorKind::InvalidInput);
  json::array many;
  for (int i = 0; i < 21; ++i) many.push_back(t.image("i" + std::to_string(i) + ".jpg"));
  CHECK(t.plugin.call(Operation::Validate, t.post("too many", many)).kind == ErrorKind::InvalidInput);
  CHECK(t.plugin.call(Operation::Validate, t.post("no url", {t.files.media("n.jpg", jpeg(100), "image", "image/jpeg")}))
            .kind == ErrorKind::InvalidInput);
  CHECK(t.plugin
            .call(Operation::Validate,
                  t.post("gif", {t.files.media("g.gif", "GIF89a", "image", "image/gif", "http://x/g.gif")}))
            .kind == ErrorKind::InvalidInput);
  auto control = t.post("who replies");
  control["options"] = {{"replyControl", "nobody"}};
  CHECK(t.plugin.call(Operation::Validate, control).kind == ErrorKind::InvalidInput);
  auto scheduled = t.post("later");
  scheduled["scheduledTime"] = inSeconds(3600);
  CHECK(t.plugin.call(Operation::Validate, scheduled).kind == ErrorKind::InvalidInput);
  CHECK(t.api.apiCalls() == before);
}

TEST_CASE("threads publishes text, images, videos and carousels", "[threads][publish]") {
  Threads t;
  SECTION("a text post with reply control") {
    auto request = t.post("Fresh bread at 7", {});
    request["link"] = "https://acme.example/bread";
    request["options"] = {{"replyControl", "accounts_you_follow"}};
    const auto result = t.publish(request);
    REQUIRE(result.ok());
    const auto media = t.media(result);
    CHECK(media.mediaType == "TEXT");
    CHECK(media.text == "Fresh bread at 7\nhttps://acme.example/bread");
    CHECK(media.replyControl == "accounts_you_follow");
    CHECK(text(result.json, "/url").rfind("https://www.threads.net/@acme.bakery/post/", 0) == 0);
    CHECK(t.api.item(text(result.json, "/extra/containerId")).status == "PUBLISHED");
  }
  SECTION("an image Threads downloads from the host's URL") {
    const auto result = t.publish(t.post("Sourdough", {t.image("bread.jpg")}));
    REQUIRE(result.ok());
    CHECK(t.media(result).mediaType == "IMAGE");
    CHECK(t.media(result).bytes == 2009);
    CHECK(t.server.hits("bread.jpg") == 1);
  }
  SECTION("a video, published once processing is FINISHED") {
    t.api.pollsUntilReady = 3;
    const auto done = t.publishResuming(t.post("Kneading", {t.video("k.mp4")}));
    REQUIRE(done.result.ok());
    CHECK(done.pendingRounds == 1 + 3);  // made, then IN_PROGRESS three times
    CHECK(t.media(done.result).mediaType == "VIDEO");
  }
  SECTION("a carousel of two images and a video") {
    const auto result = t.publish(t.post("Carousel", {t.image("c1.jpg"), t.image("c2.png"), t.video("c3.mp4")}));
    REQUIRE(result.ok());
    const auto media = t.media(result);
    CHECK(media.mediaType == "CAROUSEL");
    REQUIRE(media.children.size() == 3);
    for (const auto& child : media.children) CHECK(t.api.item(child).carouselItem);
    CHECK(t.api.item(media.children[2]).mediaType == "VIDEO");
  }
  SECTION("a quote post") {
    const auto quoted = t.publish(t.post("Original"));
    REQUIRE(quoted.ok());
    auto request = t.post("Quoting myself");
    request["options"] = {{"quotePostId", text(quoted.json, "/postId")}};
    const auto result = t.publish(request);
    REQUIRE(result.ok());
    CHECK(t.media(result).quotePostId == text(quoted.json, "/postId"));
  }
  CHECK(t.requests("GET " + t.path("/threads_publishing_limit")) == static_cast<int>(t.api.livePosts().size()));
}

TEST_CASE("threads publish failures: download, processing, quota, throttling, token", "[threads][publish][errors]") {
  Threads t;
  SECTION("a video URL Threads cannot fetch -> PERMANENT FAILED_DOWNLOADING_VIDEO") {
    auto broken = t.video("gone.mp4");
    broken["url"] = json::string(text(broken, "/url") + "-missing");
    const auto r = t.publish(t.post("x", {broken}));
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.platformCode == "FAILED_DOWNLOADING_VIDEO");
    CHECK(t.api.livePosts().empty());
  }
  SECTION("a container that ends in ERROR -> PERMANENT with Threads' error_message") {
    t.api.nextContainerEnds("ERROR", "INVALID_DURATION");
    const auto r = t.publish(t.post("x", {t.video("e.mp4")}));
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.message.find("INVALID_DURATION") != std::string::npos);
    CHECK(t.api.livePosts().empty());
  }
  SECTION("a container that EXPIRED is made again, and the post goes live once") {
    t.api.nextContainerEnds("EXPIRED");
    const auto r = t.publishResuming(t.post("x", {t.image("x.jpg")}));
    REQUIRE(r.result.ok());
    CHECK(t.api.livePosts().size() == 1);
    CHECK(number(json::value(r.request), "/resume/threads/remade") == 1);
  }
  SECTION("the 250 posts of 24 hours are used up -> RATE_LIMITED before anything is made") {
    t.api.publishingQuota = 1;
    REQUIRE(t.publish(t.post("the last one")).ok());
    const auto r = t.publish(t.post("x"));
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds == 86400);
    CHECK(r.platformCode == "threads_publishing_limit");
    CHECK(t.requests("POST " + t.path("/threads")) == 1);
  }
  SECTION("throttled (code 4) -> RATE_LIMITED with a wait") {
    t.api.throttleNext = 1;
    const auto r = t.publish(t.post("x"));
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds > 0);
    CHECK(r.platformCode == "4");
  }
  SECTION("an expired token -> AUTH_EXPIRED") {
    t.api.expire(t.token);
    CHECK(t.publish(t.post("x")).kind == ErrorKind::AuthExpired);
  }
}

TEST_CASE("threads delete and insights", "[threads][delete][insights]") {
  Threads t;
  const auto first = t.publish(t.post("one"));
  const auto second = t.publish(t.post("two", {t.image("2.jpg")}));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  t.api.setStats(text(first.json, "/postId"), {200, 20, 5, 3, 2, 1});
  t.api.setStats(text(second.json, "/postId"), {100, 10, 1, 1, 1, 0});
  const json::object account{{"id", t.api.userId()}};

  const auto insights = t.plugin.call(
      Operation::AccountInsights,
      json::object{
          {"accessToken", t.token}, {"account", account}, {"start", dateFromToday(-4)}, {"end", dateFromToday(-2)}});
  REQUIRE(insights.ok());
  CHECK(number(insights.json, "/metrics/impressions") == 3 * 300);
  CHECK(number(insights.json, "/metrics/likes") == 3 * 30);
  CHECK(number(insights.json, "/metrics/followers") == 321);
  CHECK(number(insights.json, "/metrics/engagement") == 3 * (30 + 6 + 4 + 3));
  CHECK(insights.json.at("daily").as_array().size() == 3);

  const auto posts =
      t.plugin.call(Operation::PostInsights, json::object{{"accessToken", t.token},
                                                          {"account", account},
                                                          {"postIds", json::array{first.json.at("postId")}},
                                                          {"start", dateFromToday(-4)},
                                                          {"end", dateFromToday(0)}});
  REQUIRE(posts.ok());
  CHECK(number(posts.json, "/posts/0/metrics/impressions") == 200);
  CHECK(number(posts.json, "/posts/0/metrics/likes") == 20);
  CHECK(number(posts.json, "/posts/0/metrics/comments") == 5);
  CHECK(number(posts.json, "/posts/0/extra/quotes") == 2);
  CHECK(number(posts.json, "/posts/0/metrics/engagement") == 20 + 5 + 3 + 2 + 1);

  const json::object remove{{"accessToken", t.token}, {"account", account}, {"postId", first.json.at("postId")}};
  REQUIRE(t.plugin.call(Operation::DeletePost, remove).ok());
  CHECK(t.media(first).deleted);
  CHECK(t.plugin.call(Operation::DeletePost, remove).kind == ErrorKind::Permanent);
}
