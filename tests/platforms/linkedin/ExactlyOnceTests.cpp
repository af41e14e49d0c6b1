// Exactly once at LinkedIn (ABI 1.2): POST /rest/posts classified by what LinkedIn may have done,
// and reconcile reading the author's posts (q=author) to tell whether a post of unknown outcome is
// live.
#include "LinkedInFixture.h"

#include <catch2/catch.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <chrono>
#include <iterator>
#include <thread>

using namespace linkedin_test;
using Fault = marketsage::test::CreateFault;

namespace {

std::string text(const json::value& v, const char* key) { return json::value_to<std::string>(v.at(key)); }

json::object postRequest(const LinkedInFixture& f, const std::string& author, const std::string& content) {
  return {{"accessToken", f.token}, {"account", f.account(author)}, {"content", content}};
}

/// `post` as the host asks reconcile about it: the publish request plus attemptedAt, 2 s ago.
json::object reconcileRequest(json::object post) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - std::chrono::seconds(2));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char at[32];
  std::strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  post["attemptedAt"] = at;
  return post;
}

std::string outcome(const LinkedInFixture& f, const json::object& post) {
  const auto r = f.call(Operation::Reconcile, reconcileRequest(post));
  REQUIRE(r.ok());
  return text(r.json, "outcome");
}

}  // namespace

TEST_CASE("POST /rest/posts: each lost answer is OUTCOME_UNKNOWN; reconcile then finds what LinkedIn has",
          "[linkedin][exactly-once]") {
  LinkedInFixture f;
  f.linkedin.setSlowAnswerMs(2500);  // past the plugin's 1 s http_timeout_ms
  f.linkedin.setLateCreateMs(200);
  const auto fault = GENERATE(Fault::DropAfterCreate, Fault::GatewayTimeout, Fault::SlowAnswer, Fault::ResetMidAnswer,
                              Fault::RefuseWithoutCreate, Fault::LateCreate);
  CAPTURE(static_cast<int>(fault));
  const auto post = postRequest(f, kOrganization, "Quarterly results (Q3) are out #news");
  f.linkedin.faultNextCreates({fault});
  const auto r = f.call(Operation::Publish, post);
  CHECK(r.kind == ErrorKind::OutcomeUnknown);
  CHECK(r.message.find("may be live on LinkedIn") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(fault == Fault::LateCreate ? 400 : 0));
  const bool created = fault != Fault::RefuseWithoutCreate;
  REQUIRE(f.linkedin.posts().size() == (created ? 1u : 0u));

  const auto look = f.call(Operation::Reconcile, reconcileRequest(post));
  REQUIRE(look.ok());
  if (!created) {
    CHECK(text(look.json, "outcome") == "not_found");
    return;
  }
  const auto urn = f.linkedin.posts().front().urn;
  CHECK(text(look.json, "outcome") == "found");
  CHECK(text(look.json, "postId") == urn);
  CHECK(text(look.json, "url") == "https://www.linkedin.com/feed/update/" + urn + "/");
  // A blind re-send meets LinkedIn's duplicate refusal, which names the live post: unknown, never a failure.
  const auto again = f.call(Operation::Publish, post);
  CHECK(again.kind == ErrorKind::OutcomeUnknown);
  CHECK(again.message.find("duplicate of " + urn) != std::string::npos);
  CHECK(again.platformCode == "422");
  CHECK(f.linkedin.posts().size() == 1);
}

TEST_CASE("POST /rest/posts: LinkedIn's refusals keep their kinds; nothing sent is TRANSIENT",
          "[linkedin][exactly-once]") {
  LinkedInFixture f;
  const auto post = postRequest(f, kOrganization, "Refused");
  SECTION("500 is TRANSIENT") {
    f.linkedin.failNext(1, 500);
    CHECK(f.call(Operation::Publish, post).kind == ErrorKind::Transient);
  }
  SECTION("429 is RATE_LIMITED") {
    f.linkedin.throttleNext(1, 5);
    CHECK(f.call(Operation::Publish, post).kind == ErrorKind::RateLimited);
  }
  SECTION("no connection (the request never left) is TRANSIENT") {
    LinkedInFixture unreachable({{"api_base", "http://127.0.0.1:1"}});
    CHECK(unreachable.call(Operation::Publish, postRequest(unreachable, kOrganization, "x")).kind ==
          ErrorKind::Transient);
  }
  CHECK(f.linkedin.posts().empty());
}

TEST_CASE("reconcile matches the commentary as written and the post's content", "[linkedin][exactly-once][reconcile]") {
  LinkedInFixture f;
  SECTION("reserved characters, escaped on the wire") {
    const auto post = postRequest(f, kOrganization, "Launch (beta) #1 @team [link] {x} <y> a_b*c~d|e\\f");
    f.linkedin.faultNextCreates({Fault::DropAfterCreate});
    REQUIRE(f.call(Operation::Publish, post).kind == ErrorKind::OutcomeUnknown);
    CHECK(outcome(f, post) == "found");
    CHECK(outcome(f, postRequest(f, kOrganization, "Launch (beta) #1")) == "not_found");
  }
  SECTION("an article: the same link") {
    auto post = postRequest(f, kOrganization, "Read this");
    post["link"] = "https://blog.example/post";
    f.linkedin.faultNextCreates({Fault::GatewayTimeout});
    REQUIRE(f.call(Operation::Publish, post).kind == ErrorKind::OutcomeUnknown);
    CHECK(outcome(f, post) == "found");
    post["link"] = "https://blog.example/other";
    CHECK(outcome(f, post) == "not_found");
    CHECK(outcome(f, postRequest(f, kOrganization, "Read this")) == "not_found");  // text only is another post
  }
  SECTION("an image: its URN when known (the host uploaded it), else the count") {
    auto post = postRequest(f, kOrganization, "Our new office");
    post["media"] = {f.media("image", "image/png", 100, "office.png")};
    f.linkedin.faultNextCreates({Fault::ResetMidAnswer});
    int pendings = 0;
    REQUIRE(f.publishSettled(post, &pendings).kind == ErrorKind::OutcomeUnknown);
    CHECK(pendings == 1);
    const auto urn = text(json::parse(f.lastPostBody()).at("content").at("media"), "id");
    CHECK(outcome(f, post) == "found");  // no URN known: one image, same text
    post["media"].as_array()[0].as_object()["platformMediaId"] = urn;
    CHECK(outcome(f, post) == "found");
    post["media"].as_array()[0].as_object()["platformMediaId"] = "urn:li:image:other";
    CHECK(outcome(f, post) == "not_found");
    CHECK(outcome(f, postRequest(f, kOrganization, "Our new office")) == "not_found");
  }
  SECTION("media only, their URNs unknown: LinkedIn cannot tell it from the author's other posts") {
    auto post = postRequest(f, kOrganization, "");
    post["media"] = {f.media("image", "image/png", 100, "alone.png")};
    const auto r = f.call(Operation::Reconcile, reconcileRequest(post));
    CHECK(text(r.json, "outcome") == "unknown");
    CHECK(f.linkedin.requests().empty());
  }
}

TEST_CASE("reconcile of a member's post: unknown without r_member_social, found with it",
          "[linkedin][exactly-once][reconcile]") {
  LinkedInFixture f;
  const auto post = postRequest(f, kMember, "From me");
  f.linkedin.faultNextCreates({Fault::DropAfterCreate});
  REQUIRE(f.call(Operation::Publish, post).kind == ErrorKind::OutcomeUnknown);
  const auto r = f.call(Operation::Reconcile, reconcileRequest(post));
  REQUIRE(r.ok());  // LinkedIn's 403 is an answer, not an error
  CHECK(text(r.json, "outcome") == "unknown");
  CHECK(text(r.json, "reason").find("r_member_social") != std::string::npos);

  f.token = f.linkedin.issueToken(std::string(emulators::LinkedInApi::defaultScopes) + " r_member_social");
  auto withPermission = post;
  withPermission["accessToken"] = f.token;
  const auto found = f.call(Operation::Reconcile, reconcileRequest(withPermission));
  CHECK(text(found.json, "outcome") == "found");
  CHECK(text(found.json, "postId") == f.linkedin.posts().front().urn);
}

TEST_CASE("reconcile reads page after page of newer posts, within bounds", "[linkedin][exactly-once][reconcile]") {
  LinkedInFixture f;
  const auto post = postRequest(f, kOrganization, "Buried");
  f.linkedin.faultNextCreates({Fault::GatewayTimeout});
  REQUIRE(f.call(Operation::Publish, post).kind == ErrorKind::OutcomeUnknown);
  const auto ours = f.linkedin.posts().front().urn;
  for (int i = 0; i < 120; ++i)
    REQUIRE(f.call(Operation::Publish, postRequest(f, kOrganization, "newer " + std::to_string(i))).ok());
  const auto r = f.call(Operation::Reconcile, reconcileRequest(post));
  CHECK(text(r.json, "outcome") == "found");  // on the third page of 50
  CHECK(text(r.json, "postId") == ours);
  int finds = 0;
  for (const auto& line : f.linkedin.requests()) finds += line.rfind("GET /rest/posts?", 0) == 0;
  CHECK(finds == 3);

  for (int i = 120; i < 220; ++i)
    REQUIRE(f.call(Operation::Publish, postRequest(f, kOrganization, "newer " + std::to_string(i))).ok());
  const auto tooMany = f.call(Operation::Reconcile, reconcileRequest(post));
  CHECK(text(tooMany.json, "outcome") == "unknown");
  CHECK(text(tooMany.json, "reason").find("more posts since the attempt") != std::string::npos);
}

TEST_CASE(
    "an identical post from before the attempt: LinkedIn refuses the post as its duplicate, reconcile says unknown",
    "[linkedin][exactly-once][reconcile]") {
  LinkedInFixture f;
  const auto post = postRequest(f, kOrganization, "Weekly update");
  REQUIRE(f.call(Operation::Publish, post).ok());
  const auto older = f.linkedin.posts().front().urn;
  f.linkedin.backdatePost(older, 3600 * 1000);
  const auto refused = f.call(Operation::Publish, post);
  CHECK(refused.kind == ErrorKind::OutcomeUnknown);
  CHECK(refused.message.find("duplicate of " + older) != std::string::npos);
  const auto r = f.call(Operation::Reconcile, reconcileRequest(post));
  CHECK(text(r.json, "outcome") == "unknown");
  CHECK(text(r.json, "reason").find(older) != std::string::npos);
  CHECK(f.linkedin.posts().size() == 1);
}

TEST_CASE("reconcile: throttling is RATE_LIMITED; bad input never reaches LinkedIn",
          "[linkedin][exactly-once][reconcile]") {
  LinkedInFixture f;
  f.linkedin.throttleNext(1, 17);
  const auto throttled = f.call(Operation::Reconcile, reconcileRequest(postRequest(f, kOrganization, "x")));
  CHECK(throttled.kind == ErrorKind::RateLimited);
  CHECK(throttled.retryAfterSeconds == 17);
  CHECK(outcome(f, postRequest(f, kOrganization, "x")) == "not_found");
  const auto asked = f.linkedin.requests().size();
  CHECK(f.call(Operation::Reconcile, postRequest(f, kOrganization, "x")).kind ==
        ErrorKind::InvalidInput);  // no attemptedAt
  auto late = postRequest(f, kOrganization, "x");
  late["attemptedAt"] = "tomorrow";
  CHECK(f.call(Operation::Reconcile, late).kind == ErrorKind::InvalidInput);
  CHECK(f.linkedin.requests().size() == asked);
}

TEST_CASE("the emulator's q=author finder follows the Posts API", "[linkedin][exactly-once][emulator]") {
  LinkedInFixture f;
  for (const auto* content : {"first", "second", "third"})
    REQUIRE(f.call(Operation::Publish, postRequest(f, kOrganization, content)).ok());
  const auto get = [&](const std::string& query, const std::string& token) {
    Poco::Net::HTTPClientSession session("127.0.0.1", Poco::URI(f.linkedin.url()).getPort());
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/rest/posts" + query);
    request.set("Authorization", "Bearer " + token);
    request.set("LinkedIn-Version", kApiVersion);
    request.set("X-Restli-Protocol-Version", "2.0.0");
    request.set("X-RestLi-Method", "FINDER");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return std::pair{static_cast<int>(response.getStatus()), json::parse(body)};
  };
  const auto [status, page] = get("?author=urn%3Ali%3Aorganization%3A2414183&q=author&count=2&sortBy=CREATED", f.token);
  REQUIRE(status == 200);
  const auto& elements = page.at("elements").as_array();
  REQUIRE(elements.size() == 2);
  CHECK(text(elements[0], "commentary") == "third");  // newest first
  CHECK(text(elements[0], "id") == f.linkedin.posts().back().urn);
  CHECK(elements[0].at("createdAt").is_int64());
  CHECK(text(elements[0], "lifecycleState") == "PUBLISHED");
  CHECK(text(page.at("paging").at("links").at(0), "rel") == "next");
  CHECK(get("?author=urn%3Ali%3Aorganization%3A2414183&q=author&count=101", f.token).first == 400);
  CHECK(get("?author=urn%3Ali%3Aperson%3AabcXYZ&q=author", f.token).first == 403);      // r_member_social
  CHECK(get("?author=urn%3Ali%3Aorganization%3A1000&q=author", f.token).first == 403);  // not the member's page
}
