// Insights mapping, and the error kinds: expired token, missing permission, throttling,
// LinkedIn 5xx, inactive API version, and bad input refused without a network call.
#include "LinkedInFixture.h"

#include <catch2/catch.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <atomic>
#include <thread>

using namespace linkedin_test;

namespace {

long long metric(const json::value& metrics, const char* name) { return metrics.at(name).as_int64(); }

json::object textPost(const LinkedInFixture& f, const std::string& author) {
  return {{"accessToken", f.token}, {"account", f.account(author)}, {"content", "Hello"}};
}

}  // namespace

TEST_CASE("account_insights sums daily share statistics and adds followers", "[linkedin][insights]") {
  LinkedInFixture f;
  f.linkedin.setDailyStatistics(kOrganization, {100, 80, 7, 5, 2, 1});
  f.linkedin.setFollowers(kOrganization, 1234);
  auto r = f.call(Operation::AccountInsights, {{"accessToken", f.token},
                                               {"account", f.account(kOrganization)},
                                               {"start", "2026-01-01"},
                                               {"end", "2026-01-03"}});
  REQUIRE(r.ok());
  const auto& m = r.json.at("metrics");
  CHECK(metric(m, "impressions") == 300);
  CHECK(metric(m, "reach") == 240);
  CHECK(metric(m, "clicks") == 21);
  CHECK(metric(m, "likes") == 15);
  CHECK(metric(m, "comments") == 6);
  CHECK(metric(m, "shares") == 3);
  CHECK(metric(m, "engagement") == 45);
  CHECK(metric(m, "followers") == 1234);
  const auto& daily = r.json.at("daily").as_array();
  REQUIRE(daily.size() == 3);
  CHECK(daily[0].at("date") == "2026-01-01");
  CHECK(daily[2].at("date") == "2026-01-03");
  CHECK(metric(daily[1].at("metrics"), "impressions") == 100);
  CHECK(r.json.at("extra").at("shareStatistics").as_array().size() == 3);
  const auto requests = f.linkedin.requests();
  CHECK(std::any_of(requests.begin(), requests.end(), [](const std::string& line) {
    return line.find("timeIntervals=(timeRange:(start:1767225600000,end:1767484800000),timeGranularityType:DAY)") !=
           std::string::npos;
  }));

  SECTION("only the metrics asked for") {
    auto some = f.call(Operation::AccountInsights, {{"accessToken", f.token},
                                                    {"account", f.account(kOrganization)},
                                                    {"start", "2026-01-01"},
                                                    {"end", "2026-01-01"},
                                                    {"metrics", {"reach"}}});
    REQUIRE(some.ok());
    CHECK(some.json.at("metrics").as_object().size() == 1);
    CHECK(metric(some.json.at("metrics"), "reach") == 80);
  }
  SECTION("a follower count the token may not read is listed as unavailable; the rest still counts") {
    f.linkedin.denyFollowerCounts(true);
    auto partial = f.call(Operation::AccountInsights, {{"accessToken", f.token},
                                                       {"account", f.account(kOrganization)},
                                                       {"start", "2026-01-01"},
                                                       {"end", "2026-01-03"}});
    REQUIRE(partial.ok());
    CHECK(metric(partial.json.at("metrics"), "reach") == 240);
    CHECK_FALSE(partial.json.at("metrics").as_object().contains("followers"));
    const auto& unavailable = partial.json.at("unavailable").as_array();
    REQUIRE(unavailable.size() == 1);
    CHECK(unavailable[0].at("name") == "followers");
    CHECK(std::string(unavailable[0].at("reason").as_string()).find("networkSizes") != std::string::npos);
  }
  SECTION("members have no page statistics") {
    auto member = f.call(
        Operation::AccountInsights,
        {{"accessToken", f.token}, {"account", f.account(kMember)}, {"start", "2026-01-01"}, {"end", "2026-01-02"}});
    CHECK(member.kind == ErrorKind::NotSupported);
  }
}

TEST_CASE("post_insights reads lifetime statistics per share and ugcPost", "[linkedin][insights]") {
  LinkedInFixture f;
  f.linkedin.setPostStatistics("urn:li:share:1", {50, 40, 3, 4, 1, 0});
  f.linkedin.setPostStatistics("urn:li:ugcPost:2", {10, 9, 0, 2, 0, 1});
  auto r = f.call(Operation::PostInsights, {{"accessToken", f.token},
                                            {"account", f.account(kOrganization)},
                                            {"postIds", {"urn:li:share:1", "urn:li:ugcPost:2"}},
                                            {"start", "2026-01-01"},
                                            {"end", "2026-01-31"}});
  REQUIRE(r.ok());
  const auto& posts = r.json.at("posts").as_array();
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].at("postId") == "urn:li:share:1");
  CHECK(metric(posts[0].at("metrics"), "impressions") == 50);
  CHECK(metric(posts[0].at("metrics"), "likes") == 4);
  CHECK(metric(posts[1].at("metrics"), "shares") == 1);
  CHECK(metric(posts[1].at("metrics"), "engagement") == 3);
}

TEST_CASE("LinkedIn's failures map to the ABI's error kinds", "[linkedin][errors]") {
  LinkedInFixture f;
  SECTION("expired token") {
    f.linkedin.expireAllTokens();
    auto r = f.call(Operation::Publish, textPost(f, kMember));
    CHECK(r.kind == ErrorKind::AuthExpired);
    CHECK(r.message.find(f.token) == std::string::npos);
  }
  SECTION("a missing permission names it") {
    f.token = f.linkedin.issueToken("openid profile w_member_social");
    auto r = f.call(Operation::Publish, textPost(f, kOrganization));
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.message.find("w_organization_social") != std::string::npos);
    CHECK(r.platformCode == "100");
  }
  SECTION("a page the member does not administer is refused") {
    CHECK(f.call(Operation::Publish, textPost(f, "urn:li:organization:1000")).kind == ErrorKind::AuthInvalid);
  }
  SECTION("throttling without Retry-After waits until the daily quota resets; then the retry succeeds") {
    f.linkedin.throttleNext(1);
    auto r = f.call(Operation::Publish, textPost(f, kMember));
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds > 0);
    CHECK(r.retryAfterSeconds <= 86400);
    CHECK(f.linkedin.posts().empty());
    CHECK(f.call(Operation::Publish, textPost(f, kMember)).ok());
    CHECK(f.linkedin.posts().size() == 1);
  }
  SECTION("Retry-After is honoured when LinkedIn sends it") {
    f.linkedin.throttleNext(1, 17);
    CHECK(f.call(Operation::Publish, textPost(f, kMember)).retryAfterSeconds == 17);
  }
  SECTION(
      "a gateway's 503 on the create may hide a post: OUTCOME_UNKNOWN; a 5xx in the middle of an upload is transient") {
    f.linkedin.failNext(1, 503);
    CHECK(f.call(Operation::Publish, textPost(f, kMember)).kind == ErrorKind::OutcomeUnknown);
    f.linkedin.failNext(1, 500);
    CHECK(f.call(Operation::Publish, textPost(f, kMember)).kind == ErrorKind::Transient);
    f.linkedin.failNext(1, 503);
    CHECK(f.call(Operation::Publish, {{"accessToken", f.token},
                                      {"account", f.account(kMember)},
                                      {"content", "x"},
                                      {"media", {f.media("image", "image/png", 10, "p.png")}}})
              .kind == ErrorKind::Transient);
  }
  SECTION("a failing finalizeUpload fails the video post as transient, nothing is posted") {
    f.linkedin.setVideoPartSize(100 * 1024);
    f.linkedin.failNext(1, 500, 1);  // initializeUpload passes, finalizeUpload fails
    auto r = f.call(Operation::Publish, {{"accessToken", f.token},
                                         {"account", f.account(kMember)},
                                         {"content", "x"},
                                         {"media", {f.media("video", "video/mp4", 200 * 1024, "v.mp4")}}});
    CHECK(r.kind == ErrorKind::Transient);
    CHECK(f.linkedin.videoPartsUploaded() == 2);
    CHECK(f.linkedin.posts().empty());
  }
  SECTION("an inactive LinkedIn-Version is a configuration error naming the setting") {
    f.linkedin.setActiveVersions(emulators::LinkedInApi::versionMonthsAgo(-1),
                                 emulators::LinkedInApi::versionMonthsAgo(-12));
    auto r = f.call(Operation::Publish, textPost(f, kMember));
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.platformCode == "NONEXISTENT_VERSION");
    CHECK(r.message.find("api_version") != std::string::npos);
  }
  SECTION("a rejected post body is permanent with LinkedIn's message") {
    auto r = f.call(
        Operation::Publish,
        {{"accessToken", f.token},
         {"account", f.account(kMember)},
         {"content", "x"},
         {"media", {{{"kind", "image"}, {"path", "/x"}, {"size", 1}, {"platformMediaId", "urn:li:image:nope"}}}}});
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.message.find("urn:li:image:nope") != std::string::npos);
  }
  CHECK(f.logs().find(f.token) == std::string::npos);
}

TEST_CASE("every function refuses bad input without a network call", "[linkedin][input]") {
  LinkedInFixture f;
  const std::vector<std::string> bad = {"", "null", "[1]", "{", "{\"accessToken\":5}", "{}"};
  for (const auto op : marketsage::plugins::allOperations())
    for (const auto& text : bad) {
      if (op == Operation::ApiVersion && !text.empty() && text.front() == '{' && text.back() == '}')
        continue;  // it takes {}
      CAPTURE(marketsage::plugins::toString(op), text);
      const auto kind = f.callText(op, text).kind;
      if (kind == ErrorKind::NotSupported) continue;  // a function this plugin does not have
      CHECK(kind == ErrorKind::InvalidInput);
    }
  CHECK(f.call(Operation::Publish, {{"accessToken", f.token}, {"account", {{"id", "12345"}}}, {"content", "x"}}).kind ==
        ErrorKind::InvalidInput);
  CHECK(f.call(Operation::AccountInsights, {{"accessToken", f.token},
                                            {"account", f.account(kOrganization)},
                                            {"start", "2026-13-01"},
                                            {"end", "2026-01-02"}})
            .kind == ErrorKind::InvalidInput);
  CHECK(f.linkedin.requests().empty());
}

TEST_CASE("the emulator enforces LinkedIn's mandatory headers", "[linkedin][emulator]") {
  LinkedInFixture f;
  const auto status = [&](std::vector<std::pair<std::string, std::string>> headers) {
    const Poco::URI uri(f.linkedin.url());
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/rest/organizationAcls?q=roleAssignee");
    request.set("Authorization", "Bearer " + f.token);
    for (const auto& [name, value] : headers) request.set(name, value);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response);
    return static_cast<int>(response.getStatus());
  };
  CHECK(status({{"LinkedIn-Version", kApiVersion}, {"X-Restli-Protocol-Version", "2.0.0"}}) == 200);
  CHECK(status({{"X-Restli-Protocol-Version", "2.0.0"}}) == 400);                                  // VERSION_MISSING
  CHECK(status({{"LinkedIn-Version", "202001"}, {"X-Restli-Protocol-Version", "2.0.0"}}) == 426);  // sunset
  CHECK(status({{"LinkedIn-Version", kApiVersion}}) == 400);  // Rest.li 2.0 required
}

TEST_CASE("concurrent publishes are independent", "[linkedin][threads]") {
  LinkedInFixture f;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      // callText: Catch2's message macros (used by call) are not thread-safe
      const json::object request{{"accessToken", f.token},
                                 {"account", f.account(kMember)},
                                 {"content", "post " + std::to_string(i)},
                                 {"media", {f.media("image", "image/png", 100, "c" + std::to_string(i) + ".png")}}};
      if (f.publishSettled(request).ok()) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 4);
  CHECK(f.linkedin.posts().size() == 4);
}
