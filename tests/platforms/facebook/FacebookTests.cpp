// The facebook plugin (.so) driven directly against the Graph emulator: every capability of
// plugins/facebook/README.md and the error mappings of plugin.h.
#include <catch2/catch.hpp>

#include "MetaTestSupport.h"

#include <Poco/Base64Encoder.h>
#include <Poco/URI.h>
#include <openssl/sha.h>

#include <sstream>
#include <thread>

using emulators::GraphApi;
using namespace metatest;

namespace {

/// The S256 PKCE challenge of `verifier` (RFC 7636), as the host computes it.
std::string challengeOf(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder.write(reinterpret_cast<const char*>(digest), sizeof digest);
  encoder.close();
  return out.str();
}

std::map<std::string, std::string> queryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : Poco::URI(url).getQueryParameters()) out[k] = v;
  return out;
}

struct Facebook {
  explicit Facebook(json::object settings = {}) : plugin(FACEBOOK_PLUGIN, "facebook", graph, std::move(settings)) {
    graph.requireAppsecretProof = true;  // the plugin signs every call carrying a token
  }
  GraphApi graph;
  GraphPlugin plugin;
  MediaFolder files;
  std::string userToken = graph.userToken();
  GraphApi::Page page = graph.pages()[0];
  std::string pageToken = graph.pageToken(page.id, userToken);

  json::object post(const std::string& content) const {
    return {{"accessToken", pageToken}, {"account", {{"id", page.id}, {"type", "page"}}}, {"content", content}};
  }
  CallResult publish(const json::object& request) const { return plugin.call(Operation::Publish, request); }
  GraphApi::Item published(const CallResult& result) const { return graph.item(text(result.json, "/postId")); }
  int requestsTo(const std::string& suffix) const {
    int n = 0;
    for (const auto& r : graph.requests())
      n += r.size() >= suffix.size() && r.compare(r.size() - suffix.size(), suffix.size(), suffix) == 0;
    return n;
  }
};

}  // namespace

TEST_CASE("facebook oauth: dialog URL, code exchange to a long-lived token, refresh, revoke", "[facebook][oauth]") {
  Facebook fb;
  const std::string verifier = "verifier-0123456789-0123456789-0123456789-abc";
  const auto url =
      fb.plugin.call(Operation::AuthorizeUrl, json::object{{"redirectUri", "https://host/api/auth/callback/facebook"},
                                                           {"state", "st-42"},
                                                           {"codeChallenge", challengeOf(verifier)},
                                                           {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const auto back = queryOf(fb.graph.consent(text(url.json, "/url")));
  REQUIRE(back.count("code"));
  CHECK(back.at("state") == "st-42");
  const auto scopes = fb.graph.lastConsentScopes();
  CHECK(std::find(scopes.begin(), scopes.end(), "pages_manage_posts") != scopes.end());

  const json::object exchange{{"code", back.at("code")},
                              {"redirectUri", "https://host/api/auth/callback/facebook"},
                              {"codeVerifier", verifier}};
  const auto token = fb.plugin.call(Operation::ExchangeCode, exchange);
  REQUIRE(token.ok());
  const std::string access = text(token.json, "/accessToken");
  CHECK(number(token.json, "/expiresIn") == fb.graph.longLivedExpiresIn);
  CHECK_FALSE(token.json.as_object().contains("refreshToken"));
  SECTION("a code works once") {
    CHECK(fb.plugin.call(Operation::ExchangeCode, exchange).kind == ErrorKind::AuthInvalid);
  }
  SECTION("refresh re-exchanges a valid token, and an expired one means reconnecting") {
    const auto refreshed =
        fb.plugin.call(Operation::RefreshToken, json::object{{"refreshToken", access}, {"accessToken", access}});
    REQUIRE(refreshed.ok());
    CHECK(text(refreshed.json, "/accessToken") != access);
    fb.graph.expireAllTokens();
    CHECK(fb.plugin.call(Operation::RefreshToken, json::object{{"refreshToken", access}}).kind ==
          ErrorKind::AuthInvalid);
  }
  SECTION("revoke removes the app; the token stops working") {
    REQUIRE(fb.plugin.call(Operation::RevokeToken, json::object{{"accessToken", access}}).ok());
    CHECK(fb.plugin.call(Operation::CheckToken, json::object{{"accessToken", access}}).kind == ErrorKind::AuthInvalid);
  }
}

// Graph's documented GET calls carry `code` and `fb_exchange_token` in the query: the host's log
// redaction must hide them like access_token.
TEST_CASE("facebook oauth: no token or code reaches the logs", "[facebook][oauth]") {
  Facebook fb;
  const auto url = fb.plugin.call(
      Operation::AuthorizeUrl, json::object{{"redirectUri", "https://host/cb"},
                                            {"state", "s"},
                                            {"codeChallenge", challengeOf("v-0123456789-0123456789-0123456789-0123")},
                                            {"codeChallengeMethod", "S256"}});
  const auto back = queryOf(fb.graph.consent(text(url.json, "/url")));
  REQUIRE(fb.plugin
              .call(Operation::ExchangeCode, json::object{{"code", back.at("code")},
                                                          {"redirectUri", "https://host/cb"},
                                                          {"codeVerifier", "v-0123456789-0123456789-0123456789-0123"}})
              .ok());
  const std::string logs = fb.plugin.logs();
  CAPTURE(logs);
  for (const auto& issued : fb.graph.issuedTokens()) CHECK(logs.find(issued) == std::string::npos);
}

TEST_CASE("facebook list_accounts follows paging and returns each Page with its Page token", "[facebook][accounts]") {
  Facebook fb;
  fb.graph.accountsPageSize = 1;
  const auto result = fb.plugin.call(Operation::ListAccounts, json::object{{"accessToken", fb.userToken}});
  REQUIRE(result.ok());
  const auto& accounts = result.json.at("accounts").as_array();
  REQUIRE(accounts.size() == fb.graph.pages().size());
  for (size_t i = 0; i < accounts.size(); ++i) {
    CHECK(text(accounts[i], "/id") == fb.graph.pages()[i].id);
    CHECK(text(accounts[i], "/type") == "page");
    CHECK(text(accounts[i], "/accessToken") == fb.graph.pageToken(fb.graph.pages()[i].id, fb.userToken));
  }
  CHECK(fb.requestsTo("/me/accounts") == 3);
  CHECK(fb.graph.versions() == std::set<std::string>{apiVersion});
}

TEST_CASE("facebook validate enforces the Page limits offline", "[facebook][validate]") {
  Facebook fb;
  const int before = fb.graph.apiCalls();
  CHECK(fb.plugin.call(Operation::Validate, fb.post("fine")).ok());
  CHECK(fb.plugin.call(Operation::Validate, fb.post(std::string(63207, 'x'))).kind == ErrorKind::InvalidInput);
  CHECK(fb.plugin.call(Operation::Validate, fb.post("")).kind == ErrorKind::InvalidInput);
  auto linkAndPhoto = fb.post("x");
  linkAndPhoto["link"] = "https://example.com";
  linkAndPhoto["media"] = json::array{fb.files.media("a.jpg", jpeg(500), "image", "image/jpeg")};
  CHECK(fb.plugin.call(Operation::Validate, linkAndPhoto).kind == ErrorKind::InvalidInput);
  auto tooSoon = fb.post("x");
  tooSoon["scheduledTime"] = inSeconds(60);
  CHECK(fb.plugin.call(Operation::Validate, tooSoon).kind == ErrorKind::InvalidInput);
  for (const char* bad : {"", "{", "[]", R"({"content":5})"}) {
    CAPTURE(bad);
    CHECK(fb.plugin.call(Operation::Publish, std::string_view(bad)).kind == ErrorKind::InvalidInput);
  }
  CHECK(fb.graph.apiCalls() == before);  // nothing reached the network
}

TEST_CASE("facebook publishes text, links, photos, albums and chunked videos", "[facebook][publish]") {
  Facebook fb;
  SECTION("text with a link") {
    auto request = fb.post("Hello Page");
    request["link"] = "https://example.com/a";
    const auto result = fb.publish(request);
    REQUIRE(result.ok());
    const auto item = fb.published(result);
    CHECK(item.kind == "post");
    CHECK(item.ownerId == fb.page.id);
    CHECK(item.message == "Hello Page");
    CHECK(item.link == "https://example.com/a");
    CHECK(text(result.json, "/url").rfind("https://www.facebook.com/" + fb.page.id + "/posts/", 0) == 0);
  }
  SECTION("one photo, uploaded from its file") {
    const std::string bytes = jpeg(3000);
    auto request = fb.post("A photo");
    request["media"] = json::array{fb.files.media("p.jpg", bytes, "image", "image/jpeg")};
    const auto result = fb.publish(request);
    REQUIRE(result.ok());
    const auto post = fb.published(result);
    REQUIRE(post.children.size() == 1);
    const auto photo = fb.graph.item(post.children[0]);
    CHECK(photo.bytes == bytes.size());
    CHECK(photo.sha256 == sha256Hex(bytes));
    CHECK(photo.message == "A photo");
  }
  SECTION("three photos become one post with attached_media") {
    auto request = fb.post("Album");
    json::array media;
    for (int i = 0; i < 3; ++i)
      media.push_back(fb.files.media("p" + std::to_string(i) + ".png", png(1000 + i), "image", "image/png"));
    request["media"] = media;
    const auto result = fb.publish(request);
    REQUIRE(result.ok());
    const auto post = fb.published(result);
    REQUIRE(post.children.size() == 3);
    for (int i = 0; i < 3; ++i) CHECK(fb.graph.item(post.children[i]).sha256 == sha256Hex(png(1000 + i)));
    CHECK(fb.graph.livePosts(fb.page.id).size() == 1);
  }
  SECTION("a video goes up in the chunks Graph announces") {
    fb.graph.videoChunkBytes = 1000;
    const std::string bytes = mp4(3500);
    auto request = fb.post("Clip");
    request["media"] = json::array{fb.files.media("v.mp4", bytes, "video", "video/mp4")};
    request["options"] = {{"title", "My clip"}};
    const auto result = fb.publish(request);
    REQUIRE(result.ok());
    const auto video = fb.published(result);
    CHECK(video.kind == "video");
    CHECK(video.bytes == bytes.size());
    CHECK(video.sha256 == sha256Hex(bytes));
    CHECK(video.message == "Clip");
    CHECK(video.published);
    CHECK(fb.requestsTo("/videos") >= 6);  // start, 4 transfers, finish
    CHECK(text(result.json, "/url") == "https://www.facebook.com/" + fb.page.id + "/videos/" + video.id + "/");
  }
  SECTION("a video through the Resumable Upload API (video_upload: upload_api)") {
    Facebook uploadApi(json::object{{"video_upload", "upload_api"}});
    const std::string bytes = mp4(2200);
    auto request = uploadApi.post("Handle");
    request["media"] = json::array{uploadApi.files.media("h.mp4", bytes, "video", "video/mp4")};
    const auto result = uploadApi.publish(request);
    REQUIRE(result.ok());
    CHECK(uploadApi.published(result).sha256 == sha256Hex(bytes));
    CHECK(uploadApi.requestsTo(std::string("/") + GraphApi::appId + "/uploads") == 1);
  }
  SECTION("native scheduling: published=false with the scheduled time") {
    auto request = fb.post("Later");
    request["scheduledTime"] = inSeconds(3600);
    const auto result = fb.publish(request);
    REQUIRE(result.ok());
    const auto item = fb.published(result);
    CHECK_FALSE(item.published);
    CHECK(std::abs(item.scheduledPublishTime - (std::time(nullptr) + 3600)) < 120);
  }
}

TEST_CASE("facebook publishes from many threads at once", "[facebook][publish][threads]") {
  Facebook fb;
  std::vector<std::thread> threads;
  std::vector<CallResult> results(8);
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = fb.publish(fb.post("Concurrent " + std::to_string(i))); });
  for (auto& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& r : results) {
    CHECK(r.ok());
    ids.insert(text(r.json, "/postId"));
  }
  CHECK(ids.size() == results.size());
  CHECK(fb.graph.livePosts(fb.page.id).size() == results.size());
}

TEST_CASE("facebook delete removes the post; a second delete is refused cleanly", "[facebook][delete]") {
  Facebook fb;
  const auto post = fb.publish(fb.post("Short-lived"));
  REQUIRE(post.ok());
  const json::object request{
      {"accessToken", fb.pageToken}, {"account", {{"id", fb.page.id}}}, {"postId", text(post.json, "/postId")}};
  REQUIRE(fb.plugin.call(Operation::DeletePost, request).ok());
  CHECK(fb.published(post).deleted);
  const auto again = fb.plugin.call(Operation::DeletePost, request);
  CHECK((again.kind == ErrorKind::Ok || again.kind == ErrorKind::Permanent));
}

TEST_CASE("facebook insights: Page metrics over the days asked, post counters", "[facebook][insights]") {
  Facebook fb;
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    const auto result = fb.publish(fb.post("Post " + std::to_string(i)));
    REQUIRE(result.ok());
    ids.push_back(text(result.json, "/postId"));
    fb.graph.setStats(ids.back(), {100 + i, 80 + i, 10 + i, 4, 2 + i, 0, 6});
  }
  const auto account = fb.plugin.call(Operation::AccountInsights, json::object{{"accessToken", fb.pageToken},
                                                                               {"account", {{"id", fb.page.id}}},
                                                                               {"start", dateFromToday(-3)},
                                                                               {"end", dateFromToday(-2)}});
  REQUIRE(account.ok());
  const long long days = 2;
  CHECK(number(account.json, "/metrics/reach") == days * (80 + 81));
  CHECK(number(account.json, "/metrics/impressions") == days * (100 + 101));
  CHECK(number(account.json, "/metrics/followers") == fb.graph.followers);

  const auto longRange = fb.plugin.call(Operation::AccountInsights, json::object{{"accessToken", fb.pageToken},
                                                                                 {"account", {{"id", fb.page.id}}},
                                                                                 {"start", dateFromToday(-150)},
                                                                                 {"end", dateFromToday(-1)}});
  REQUIRE(longRange.ok());  // Graph allows 93 days per call: the plugin asks in windows and adds them up
  CHECK(number(longRange.json, "/metrics/reach") == 150 * (80 + 81));

  const auto posts =
      fb.plugin.call(Operation::PostInsights, json::object{{"accessToken", fb.pageToken},
                                                           {"account", {{"id", fb.page.id}}},
                                                           {"postIds", json::array{json::string(ids[1])}},
                                                           {"start", dateFromToday(-3)},
                                                           {"end", dateFromToday(0)}});
  REQUIRE(posts.ok());
  CHECK(text(posts.json, "/posts/0/postId") == ids[1]);
  CHECK(number(posts.json, "/posts/0/metrics/likes") == 11);
  CHECK(number(posts.json, "/posts/0/metrics/comments") == 4);
  CHECK(number(posts.json, "/posts/0/metrics/shares") == 3);
  CHECK(number(posts.json, "/posts/0/metrics/reach") == 81);
}

TEST_CASE("facebook maps Graph errors to the ABI kinds", "[facebook][errors]") {
  Facebook fb;
  const json::object health{{"accessToken", fb.pageToken}, {"account", {{"id", fb.page.id}}}};
  const auto healthy = fb.plugin.call(Operation::CheckToken, health);
  REQUIRE(healthy.ok());
  CHECK(healthy.json.at("healthy") == true);
  CHECK(text(healthy.json, "/accountId") == fb.page.id);

  SECTION("expired token -> AUTH_EXPIRED") {
    fb.graph.expireAllTokens();
    const auto r = fb.plugin.call(Operation::CheckToken, health);
    CHECK(r.kind == ErrorKind::AuthExpired);
    CHECK(r.platformCode == "190/463");
  }
  SECTION("revoked session -> AUTH_INVALID") {
    fb.graph.revokeAllTokens();
    CHECK(fb.plugin.call(Operation::CheckToken, health).kind == ErrorKind::AuthInvalid);
  }
  SECTION("missing permission -> AUTH_INVALID naming it") {
    fb.graph.removePermission("pages_manage_posts");
    const auto r = fb.publish(fb.post("x"));
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.message.find("pages_manage_posts") != std::string::npos);
  }
  SECTION("Page throttling -> RATE_LIMITED with the wait Graph announces; the retry succeeds") {
    fb.graph.rateLimitNext(1, 80001);
    const auto r = fb.publish(fb.post("x"));
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds == fb.graph.regainAccessMinutes * 60);
    CHECK(fb.publish(fb.post("x")).ok());
  }
  SECTION("application throttling (code 4) -> RATE_LIMITED") {
    fb.graph.rateLimitNext(1, 4);
    const auto r = fb.plugin.call(Operation::CheckToken, health);
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds > 0);
  }
  SECTION(
      "a 5xx on the create is of unknown outcome (Graph may have made it); in the middle of a video upload TRANSIENT") {
    fb.graph.failNext(1);
    const auto failed = fb.publish(fb.post("x"));
    CHECK(failed.kind == ErrorKind::OutcomeUnknown);
    CHECK(failed.platformCode == "2");
    fb.graph.videoChunkBytes = 1000;
    auto video = fb.post("clip");
    video["media"] = json::array{fb.files.media("v.mp4", mp4(2500), "video", "video/mp4")};
    fb.graph.failCall(3);  // the second transfer
    CHECK(fb.publish(video).kind == ErrorKind::Transient);
  }
  SECTION("a Page token used on another Page -> AUTH_INVALID") {
    auto other = fb.post("x");
    other["account"] = {{"id", fb.graph.pages()[1].id}};
    CHECK(fb.publish(other).kind == ErrorKind::AuthInvalid);
  }
}

TEST_CASE("facebook oauth: always an S256 code_challenge in the dialog URL, always the verifier in the exchange",
          "[facebook][oauth][strict]") {
  Facebook fb;
  const std::string redirect = "https://host/api/auth/callback/facebook",
                    verifier = "v-0123456789-0123456789-0123456789-pkce";
  CHECK(fb.plugin.call(Operation::AuthorizeUrl, json::object{{"redirectUri", redirect}, {"state", "s"}}).kind ==
        ErrorKind::InvalidInput);
  const auto url = fb.plugin.call(Operation::AuthorizeUrl, json::object{{"redirectUri", redirect},
                                                                        {"state", "s"},
                                                                        {"codeChallenge", challengeOf(verifier)},
                                                                        {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const auto query = queryOf(text(url.json, "/url"));
  CHECK(query.at("code_challenge") == challengeOf(verifier));
  CHECK(query.at("code_challenge_method") == "S256");
  CHECK(query.at("redirect_uri") == redirect);

  const auto code = queryOf(fb.graph.consent(text(url.json, "/url"))).at("code");
  CHECK(fb.plugin.call(Operation::ExchangeCode, json::object{{"code", code}, {"redirectUri", redirect}}).kind ==
        ErrorKind::InvalidInput);
  const auto tampered =
      fb.plugin.call(Operation::ExchangeCode,
                     json::object{{"code", code}, {"redirectUri", redirect}, {"codeVerifier", verifier + "x"}});
  CHECK_FALSE(tampered.ok());
  CHECK(tampered.message.find("code_verifier") != std::string::npos);
  // The emulator refuses a code without its verifier, so this success proves the plugin sent it.
  CHECK(fb.plugin
            .call(Operation::ExchangeCode,
                  json::object{{"code", code}, {"redirectUri", redirect}, {"codeVerifier", verifier}})
            .ok());
}

namespace {

using Fault = GraphApi::CreateFault;

/// What the Page holds with this message: live or scheduled posts and videos.
std::vector<GraphApi::Item> madeWith(const GraphApi& graph, const std::string& page, const std::string& message) {
  std::vector<GraphApi::Item> out;
  for (const auto& item : graph.items())
    if (item.ownerId == page && item.message == message && !item.deleted &&
        (item.kind == "post" || item.kind == "video") && (item.published || item.scheduledPublishTime > 0))
      out.push_back(item);
  return out;
}

}  // namespace

TEST_CASE("facebook: a create whose answer is lost is of unknown outcome, and reconcile finds what the Page has",
          "[facebook][exactly-once]") {
  Facebook fb(json::object{{"http_timeout_ms", 400}});
  fb.graph.slowAnswerMs = 1200;  // past the plugin's timeout
  fb.graph.lateCreateMs = 300;
  fb.graph.videoChunkBytes = 1000;
  const Fault fault = GENERATE(Fault::DropAfterCreate, Fault::GatewayTimeout, Fault::SlowAnswer, Fault::ResetMidAnswer,
                               Fault::RefuseWithoutCreate, Fault::LateCreate);
  const std::string kind = GENERATE("text", "link", "photo", "album", "video", "scheduled");
  INFO(marketsage::test::nameOf(fault) << " on the create of a " << kind << " post");
  const std::string message = "lost answer, " + kind;
  auto request = fb.post(message);
  if (kind == "link") request["link"] = "https://example.com/lost";
  if (kind == "photo") request["media"] = json::array{fb.files.media("p.jpg", jpeg(1500), "image", "image/jpeg")};
  if (kind == "album")
    request["media"] = json::array{fb.files.media("a.png", png(900), "image", "image/png"),
                                   fb.files.media("b.png", png(901), "image", "image/png")};
  if (kind == "video") request["media"] = json::array{fb.files.media("v.mp4", mp4(2500), "video", "video/mp4")};
  if (kind == "scheduled") request["scheduledTime"] = inSeconds(3600);
  const auto attemptedAt = inSeconds(0);

  fb.graph.faultNextCreates({fault});
  const auto attempt = fb.publish(request);
  CHECK(attempt.kind == ErrorKind::OutcomeUnknown);
  const bool created = fault != Fault::RefuseWithoutCreate;
  if (fault == Fault::LateCreate) std::this_thread::sleep_for(std::chrono::milliseconds(600));  // it lands meanwhile
  const auto made = madeWith(fb.graph, fb.page.id, message);
  REQUIRE(made.size() == (created ? 1u : 0u));

  const auto answer = fb.plugin.call(Operation::Reconcile, reconcileRequest(request, attemptedAt));
  CAPTURE(answer.message, answer.json);
  REQUIRE(answer.ok());
  if (created) {
    CHECK(outcomeOf(answer) == "found");
    CHECK(text(answer.json, "/postId") == made.front().id);
    CHECK(text(answer.json, "/url").rfind("https://www.facebook.com/", 0) == 0);
  } else {
    CHECK(outcomeOf(answer) == "not_found");
    REQUIRE(fb.publish(request).ok());  // the host sends it again: once
    CHECK(madeWith(fb.graph, fb.page.id, message).size() == 1);
  }
}

TEST_CASE("facebook: a create that never left is TRANSIENT; Graph's refusals keep their kinds",
          "[facebook][exactly-once]") {
  SECTION("nothing listens: the request was not sent") {
    Facebook nowhere(json::object{{"api_base", "http://127.0.0.1:1"}});
    CHECK(nowhere.publish(nowhere.post("nowhere")).kind == ErrorKind::Transient);
  }
  SECTION("throttled, a refused token or refused content: nothing was made") {
    Facebook fb;
    fb.graph.rateLimitNext(1, 32);
    CHECK(fb.publish(fb.post("throttled")).kind == ErrorKind::RateLimited);
    fb.graph.removePermission("pages_manage_posts");
    CHECK(fb.publish(fb.post("no permission")).kind == ErrorKind::AuthInvalid);
    CHECK(fb.graph.items().empty());
  }
}

TEST_CASE("facebook: Graph's duplicate refusal (#506) is a cue to look, never a failure", "[facebook][exactly-once]") {
  Facebook fb;
  const auto attemptedAt = inSeconds(0);
  const auto first = fb.publish(fb.post("Same words"));
  REQUIRE(first.ok());
  const auto again = fb.publish(fb.post("Same words"));
  CHECK(again.kind == ErrorKind::OutcomeUnknown);
  CHECK(again.platformCode == "506");
  CHECK(fb.graph.livePosts(fb.page.id).size() == 1);
  const auto reconcile = [&] {
    return fb.plugin.call(Operation::Reconcile, reconcileRequest(fb.post("Same words"), attemptedAt));
  };

  SECTION("the earlier post is the attempt's: found") {
    const auto answer = reconcile();
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "found");
    CHECK(text(answer.json, "/postId") == text(first.json, "/postId"));
  }
  SECTION("an identical post from before the attempt: the Page cannot tell, a person decides") {
    fb.graph.backdate(text(first.json, "/postId"), 2 * 3600);
    const auto answer = reconcile();
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "unknown");
    CHECK(text(answer.json, "/reason").find("#506") != std::string::npos);
    CHECK(text(answer.json, "/reason").find(text(first.json, "/postId")) != std::string::npos);
  }
  SECTION("photos meet no duplicate refusal: an older photo with that caption is another post") {
    auto photo = fb.post("Same caption");
    photo["media"] = json::array{fb.files.media("s.jpg", jpeg(1200), "image", "image/jpeg")};
    const auto older = fb.publish(photo);
    REQUIRE(older.ok());
    fb.graph.backdate(text(older.json, "/postId"), 2 * 3600);
    const auto answer = fb.plugin.call(Operation::Reconcile, reconcileRequest(photo, inSeconds(0)));
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "not_found");
  }
}

TEST_CASE("facebook reconcile: pages through the Page's posts, boundedly; ambiguity and throttling are said",
          "[facebook][exactly-once]") {
  Facebook fb;
  fb.graph.listLimit = 2;
  const auto attemptedAt = inSeconds(0);
  const auto target = fb.publish(fb.post("the one"));
  REQUIRE(target.ok());
  for (int i = 0; i < 5; ++i) REQUIRE(fb.publish(fb.post("later " + std::to_string(i))).ok());
  const auto reconcile = [&](const json::object& request) {
    return fb.plugin.call(Operation::Reconcile, reconcileRequest(request, attemptedAt));
  };

  SECTION("found on the third page") {
    const int before = fb.requestsTo("/published_posts");
    const auto answer = reconcile(fb.post("the one"));
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "found");
    CHECK(text(answer.json, "/postId") == text(target.json, "/postId"));
    CHECK(fb.requestsTo("/published_posts") - before == 3);
  }
  SECTION("more posts since the attempt than the pages read: unknown, never not_found") {
    fb.graph.listLimit = 1;
    const auto answer = reconcile(fb.post("the one"));
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "unknown");
    CHECK(fb.requestsTo("/published_posts") == 5);
  }
  SECTION("two posts alike since the attempt cannot be told apart") {
    auto album = fb.post("Twins");
    album["media"] = json::array{fb.files.media("t1.png", png(700), "image", "image/png"),
                                 fb.files.media("t2.png", png(701), "image", "image/png")};
    REQUIRE(fb.publish(album).ok());
    REQUIRE(fb.publish(album).ok());
    const auto answer = reconcile(album);
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "unknown");
    CHECK(text(answer.json, "/reason").find("2 posts") != std::string::npos);
  }
  SECTION("the same text as a photo is another kind of post: not_found") {
    auto photo = fb.post("later 4");
    photo["media"] = json::array{fb.files.media("l.jpg", jpeg(800), "image", "image/jpeg")};
    const auto answer = reconcile(photo);
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "not_found");
  }
  SECTION("throttling while looking -> RATE_LIMITED with Graph's wait") {
    fb.graph.rateLimitNext(1, 32);
    const auto answer = reconcile(fb.post("the one"));
    CHECK(answer.kind == ErrorKind::RateLimited);
    CHECK(answer.retryAfterSeconds > 0);
  }
}

TEST_CASE("facebook validate reports the message's length in characters against 63206",
          "[facebook][validate][length]") {
  Facebook fb;
  const auto lengthOf = [](const CallResult& r) {
    const auto& length = r.json.at("length");
    return std::tuple{length.at("used").as_int64(), length.at("limit").as_int64(),
                      std::string(length.at("unit").as_string())};
  };
  const auto fine =
      fb.plugin.call(Operation::Validate, fb.post("h\xc3\xa9llo \xF0\x9F\x98\x80"));  // é and 😀: one character each
  REQUIRE(fine.ok());
  CHECK(lengthOf(fine) == std::tuple{7, 63206, std::string("characters")});
  const auto over = fb.plugin.call(Operation::Validate, fb.post(std::string(63207, 'x')));
  REQUIRE(over.kind == ErrorKind::InvalidInput);
  CHECK(lengthOf(over) == std::tuple{63207, 63206, std::string("characters")});
}
