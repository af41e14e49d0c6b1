// The instagram plugin (.so) driven directly against the Graph emulator: accounts, validation,
// every content kind (image, reel by URL or resumable upload, story, carousel), processing without
// a held worker (pending/resume), quota, delete, insights, the error mappings of plugin.h, and
// exactly once: media_publish faults, reconcile.
#include <catch2/catch.hpp>

#include "MetaTestSupport.h"

#include <Poco/Base64Encoder.h>
#include <Poco/URI.h>

#include <chrono>
#include <sstream>
#include <thread>

using emulators::GraphApi;
using namespace metatest;

namespace {

struct Instagram {
  GraphApi graph;
  GraphPlugin plugin{INSTAGRAM_PLUGIN, "instagram", graph};
  MediaFolder files;
  MediaServer server;  // the host's public media URLs
  GraphApi::Page page = graph.pages()[0];
  std::string token = graph.pageToken(page.id, graph.userToken());

  Instagram() {
    graph.pollsUntilReady = 2;
    graph.requireAppsecretProof = true;  // the plugin signs every call carrying a token
  }

  json::object post(const std::string& caption, json::array media) const {
    return {{"accessToken", token},
            {"account", {{"id", page.igUserId}, {"type", "user"}}},
            {"content", caption},
            {"media", media}};
  }
  json::object image(const std::string& name) {
    const std::string bytes = jpeg(2000 + name.size());
    return files.media(name, bytes, "image", "image/jpeg", server.put(name, bytes, "image/jpeg"));
  }
  json::object video(const std::string& name, bool withUrl) {
    const std::string bytes = mp4(5000);
    return files.media(name, bytes, "video", "video/mp4", withUrl ? server.put(name, bytes, "video/mp4") : "");
  }
  /// Publishes as the host does: called again with its resume while it answers pending.
  CallResult publish(const json::object& request) const { return publishResuming(plugin, request).result; }
  CallResult publishOnce(const json::object& request) const { return plugin.call(Operation::Publish, request); }
  GraphApi::Item media(const CallResult& result) const { return graph.item(text(result.json, "/postId")); }
  int requests(const std::string& methodAndPath) const {
    const auto all = graph.requests();
    return static_cast<int>(std::count(all.begin(), all.end(), methodAndPath));
  }
};

}  // namespace

TEST_CASE("instagram list_accounts: one account per Page with a linked professional account", "[instagram][accounts]") {
  Instagram ig;
  const std::string user = ig.graph.userToken();
  const auto result = ig.plugin.call(Operation::ListAccounts, json::object{{"accessToken", user}});
  CAPTURE(result.message);
  REQUIRE(result.ok());
  const auto& accounts = result.json.at("accounts").as_array();
  REQUIRE(accounts.size() == 2);  // the second Page has no Instagram account
  CHECK(text(accounts[0], "/id") == ig.graph.pages()[0].igUserId);
  CHECK(text(accounts[0], "/name") == ig.graph.pages()[0].igUsername);
  CHECK(text(accounts[0], "/accessToken") == ig.graph.pageToken(ig.graph.pages()[0].id, user));
  CHECK(text(accounts[1], "/id") == ig.graph.pages()[2].igUserId);
}

TEST_CASE("instagram validate refuses what Instagram cannot publish, offline", "[instagram][validate]") {
  Instagram ig;
  const int before = ig.graph.apiCalls();
  CHECK(ig.plugin.call(Operation::Validate, ig.post("ok", {ig.image("a.jpg")})).ok());
  CHECK(ig.plugin.call(Operation::Validate, ig.post("no media", {})).kind == ErrorKind::InvalidInput);
  CHECK(ig.plugin
            .call(Operation::Validate,
                  ig.post("png", {ig.files.media("b.png", png(100), "image", "image/png", "http://x/b.png")}))
            .kind == ErrorKind::InvalidInput);
  CHECK(ig.plugin
            .call(Operation::Validate, ig.post("no url", {ig.files.media("c.jpg", jpeg(100), "image", "image/jpeg")}))
            .kind == ErrorKind::InvalidInput);
  json::array eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(ig.image("i" + std::to_string(i) + ".jpg"));
  CHECK(ig.plugin.call(Operation::Validate, ig.post("too many", eleven)).kind == ErrorKind::InvalidInput);
  auto scheduled = ig.post("later", {ig.image("d.jpg")});
  scheduled["scheduledTime"] = inSeconds(3600);
  CHECK(ig.plugin.call(Operation::Validate, scheduled).kind == ErrorKind::InvalidInput);
  CHECK(ig.plugin.call(Operation::Publish, std::string_view("{")).kind == ErrorKind::InvalidInput);
  CHECK(ig.graph.apiCalls() == before);
}

TEST_CASE("instagram publishes images, reels, stories and carousels", "[instagram][publish]") {
  Instagram ig;
  SECTION("an image Instagram downloads from the host's URL") {
    const auto result = ig.publish(ig.post("Fresh bread", {ig.image("bread.jpg")}));
    REQUIRE(result.ok());
    const auto media = ig.media(result);
    CHECK(media.kind == "ig_media");
    CHECK(media.ownerId == ig.page.igUserId);
    CHECK(media.message == "Fresh bread");
    CHECK(media.sha256 == sha256Hex(jpeg(2000 + 9)));
    CHECK(ig.server.hits("bread.jpg") == 1);
    CHECK(text(result.json, "/url").rfind("https://www.instagram.com/p/", 0) == 0);
    CHECK(ig.graph.item(text(result.json, "/extra/containerId")).status == "PUBLISHED");
  }
  SECTION("a reel by URL, published once processing is FINISHED") {
    const auto result = ig.publish(ig.post("Reel", {ig.video("r.mp4", true)}));
    REQUIRE(result.ok());
    CHECK(ig.media(result).mediaType == "REELS");
    CHECK(text(result.json, "/url").rfind("https://www.instagram.com/reel/", 0) == 0);
  }
  SECTION("a reel uploaded from its file to rupload") {
    const auto result = ig.publish(ig.post("Uploaded reel", {ig.video("u.mp4", false)}));
    REQUIRE(result.ok());
    const auto media = ig.media(result);
    CHECK(media.bytes == 5000);
    CHECK(media.sha256 == sha256Hex(mp4(5000)));
  }
  SECTION("a story") {
    auto request = ig.post("", {ig.image("s.jpg")});
    request["options"] = {{"mediaType", "STORIES"}};
    const auto result = ig.publish(request);
    REQUIRE(result.ok());
    CHECK(ig.media(result).mediaType == "STORIES");
  }
  SECTION("a carousel of two images and a video") {
    const auto result =
        ig.publish(ig.post("Carousel", {ig.image("c1.jpg"), ig.image("c2.jpg"), ig.video("c3.mp4", true)}));
    REQUIRE(result.ok());
    const auto media = ig.media(result);
    CHECK(media.mediaType == "CAROUSEL");
    REQUIRE(media.children.size() == 3);
    CHECK(ig.graph.item(media.children[2]).mediaType == "VIDEO");
    for (const auto& child : media.children) CHECK(ig.graph.item(child).carouselItem);
  }
}

TEST_CASE("instagram publish failures: download, processing, quota", "[instagram][publish][errors]") {
  Instagram ig;
  SECTION("an image URL Instagram cannot fetch -> PERMANENT 9004/2207052") {
    auto broken = ig.image("gone.jpg");
    broken["url"] = json::string(text(broken, "/url") + "-missing");
    const auto r = ig.publish(ig.post("x", {broken}));
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.platformCode == "9004/2207052");
  }
  SECTION("a container that ends in ERROR -> PERMANENT, nothing published") {
    ig.graph.nextContainerEnds("ERROR");
    CHECK(ig.publish(ig.post("x", {ig.video("e.mp4", true)})).kind == ErrorKind::Permanent);
    CHECK(ig.graph.livePosts(ig.page.igUserId).empty());
  }
  SECTION("a container that EXPIRED (unpublished for 24 hours) is made again, and the post goes live once") {
    ig.graph.nextContainerEnds("EXPIRED");
    const auto r = publishResuming(ig.plugin, ig.post("x", {ig.video("x.mp4", false)}));
    REQUIRE(r.result.ok());
    CHECK(ig.graph.livePosts(ig.page.igUserId).size() == 1);
    CHECK(number(json::value(r.request), "/resume/instagram/remade") == 1);
    int containers = 0;
    for (const auto& item : ig.graph.items()) containers += item.kind == "container";
    CHECK(containers == 2);
  }
  SECTION("the 24-hour publishing quota is used up -> RATE_LIMITED") {
    ig.graph.publishingQuota = 0;
    const auto r = ig.publish(ig.post("x", {ig.image("q.jpg")}));
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds > 0);
  }
}

TEST_CASE("instagram delete and insights", "[instagram][delete][insights]") {
  Instagram ig;
  const auto first = ig.publish(ig.post("one", {ig.image("1.jpg")}));
  const auto second = ig.publish(ig.post("two", {ig.image("2.jpg")}));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  ig.graph.setStats(text(first.json, "/postId"), {200, 150, 20, 5, 3, 2, 0});
  ig.graph.setStats(text(second.json, "/postId"), {100, 50, 10, 1, 1, 1, 0});
  const json::object account{{"id", ig.page.igUserId}};

  const auto insights = ig.plugin.call(
      Operation::AccountInsights,
      json::object{
          {"accessToken", ig.token}, {"account", account}, {"start", dateFromToday(-4)}, {"end", dateFromToday(-2)}});
  REQUIRE(insights.ok());
  CHECK(number(insights.json, "/metrics/reach") == 3 * (150 + 50));
  CHECK(number(insights.json, "/metrics/likes") == 3 * (20 + 10));
  CHECK(number(insights.json, "/metrics/followers") == ig.graph.followers);

  const auto longRange = ig.plugin.call(
      Operation::AccountInsights,
      json::object{
          {"accessToken", ig.token}, {"account", account}, {"start", dateFromToday(-75)}, {"end", dateFromToday(-1)}});
  REQUIRE(longRange.ok());  // Graph allows 30 days per call: the plugin asks in windows and adds them up
  CHECK(number(longRange.json, "/metrics/reach") == 75 * (150 + 50));

  const auto posts =
      ig.plugin.call(Operation::PostInsights, json::object{{"accessToken", ig.token},
                                                           {"account", account},
                                                           {"postIds", json::array{first.json.at("postId")}},
                                                           {"start", dateFromToday(-4)},
                                                           {"end", dateFromToday(0)}});
  REQUIRE(posts.ok());
  CHECK(number(posts.json, "/posts/0/metrics/reach") == 150);
  CHECK(number(posts.json, "/posts/0/metrics/likes") == 20);
  CHECK(number(posts.json, "/posts/0/metrics/comments") == 5);

  const json::object remove{{"accessToken", ig.token}, {"account", account}, {"postId", first.json.at("postId")}};
  REQUIRE(ig.plugin.call(Operation::DeletePost, remove).ok());
  CHECK(ig.media(first).deleted);
  const auto again = ig.plugin.call(Operation::DeletePost, remove);
  CHECK((again.kind == ErrorKind::Ok || again.kind == ErrorKind::Permanent));
}

TEST_CASE("instagram maps Graph errors to the ABI kinds", "[instagram][errors]") {
  Instagram ig;
  const json::object health{{"accessToken", ig.token}, {"account", {{"id", ig.page.igUserId}}}};
  REQUIRE(ig.plugin.call(Operation::CheckToken, health).ok());
  SECTION("expired -> AUTH_EXPIRED") {
    ig.graph.expireAllTokens();
    CHECK(ig.plugin.call(Operation::CheckToken, health).kind == ErrorKind::AuthExpired);
  }
  SECTION("missing instagram_content_publish -> AUTH_INVALID naming it") {
    ig.graph.removePermission("instagram_content_publish");
    const auto r = ig.publish(ig.post("x", {ig.image("p.jpg")}));
    CHECK(r.kind == ErrorKind::AuthInvalid);
    CHECK(r.message.find("instagram_content_publish") != std::string::npos);
  }
  SECTION("Instagram throttling (80002) -> RATE_LIMITED with Graph's wait") {
    ig.graph.rateLimitNext(1, 80002);
    const auto r = ig.publish(ig.post("x", {ig.image("t.jpg")}));
    CHECK(r.kind == ErrorKind::RateLimited);
    CHECK(r.retryAfterSeconds == ig.graph.regainAccessMinutes * 60);
  }
  SECTION("5xx while reading the container's status -> TRANSIENT, and the next call goes on with that container") {
    const auto first = ig.publishOnce(ig.post("x", {ig.video("v.mp4", true)}));
    REQUIRE(first.ok());
    auto request = ig.post("x", {ig.video("v.mp4", true)});
    request["resume"] = first.json.at("pending").at("resume");
    ig.graph.failNext(1);
    CHECK(ig.publishOnce(request).kind == ErrorKind::Transient);
    REQUIRE(ig.publish(request).ok());
    int containers = 0;
    for (const auto& item : ig.graph.items()) containers += item.kind == "container";
    CHECK(containers == 1);
  }
}

namespace {

/// base64url(SHA-256(verifier)) without padding: the S256 challenge the host sends (RFC 7636).
std::string s256(const std::string& verifier) {
  const std::string hex = sha256Hex(verifier);
  std::string digest;
  for (size_t i = 0; i < hex.size(); i += 2) digest += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << digest;
  encoder.close();
  return out.str();
}

std::string queryValue(const std::string& url, const std::string& name) {
  for (const auto& [key, value] : Poco::URI(url).getQueryParameters())
    if (key == name) return value;
  return "";
}

std::string marks(const std::string& mark, int n, const std::string& separator) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? separator : "") + mark + "tag" + std::to_string(i);
  return out;
}

}  // namespace

TEST_CASE("instagram oauth: always an S256 code_challenge in the dialog URL, always the verifier in the exchange",
          "[instagram][oauth][strict]") {
  Instagram ig;
  const std::string redirect = "https://host/api/auth/callback/instagram",
                    verifier = "v-0123456789-0123456789-0123456789-ig";
  CHECK(ig.plugin.call(Operation::AuthorizeUrl, json::object{{"redirectUri", redirect}, {"state", "s"}}).kind ==
        ErrorKind::InvalidInput);
  const auto url = ig.plugin.call(Operation::AuthorizeUrl, json::object{{"redirectUri", redirect},
                                                                        {"state", "s"},
                                                                        {"codeChallenge", s256(verifier)},
                                                                        {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const std::string dialog = text(url.json, "/url");
  CHECK(queryValue(dialog, "code_challenge") == s256(verifier));
  CHECK(queryValue(dialog, "code_challenge_method") == "S256");
  const std::string code = queryValue(ig.graph.consent(dialog), "code");
  REQUIRE_FALSE(code.empty());
  CHECK(ig.plugin.call(Operation::ExchangeCode, json::object{{"code", code}, {"redirectUri", redirect}}).kind ==
        ErrorKind::InvalidInput);
  CHECK_FALSE(ig.plugin
                  .call(Operation::ExchangeCode,
                        json::object{{"code", code}, {"redirectUri", redirect + "/"}, {"codeVerifier", verifier}})
                  .ok());
  CHECK(ig.plugin
            .call(Operation::ExchangeCode,
                  json::object{{"code", code}, {"redirectUri", redirect}, {"codeVerifier", verifier}})
            .ok());
}

TEST_CASE("instagram counts hashtags and @ tags as Instagram does, so Graph never refuses its captions",
          "[instagram][validate][strict]") {
  Instagram ig;
  const auto validate = [&](const std::string& caption) {
    return ig.plugin.call(Operation::Validate, ig.post(caption, {ig.image("v.jpg")}));
  };
  CHECK(validate(marks("#", 30, " ")).ok());
  CHECK(validate(marks("#", 31, " ")).kind == ErrorKind::InvalidInput);
  CHECK(validate(marks("#", 31, ",")).kind == ErrorKind::InvalidInput);  // Graph counts tags without spaces too
  CHECK(validate("(" + marks("#", 31, ")(") + ")").kind == ErrorKind::InvalidInput);
  CHECK(validate(marks("@", 21, ",")).kind == ErrorKind::InvalidInput);
  CHECK(validate(marks("a@", 25, " ") + " # ##").ok());  // addresses and bare marks are no tags
  std::string longest;
  for (int i = 0; i < 2200; ++i) longest += "é";
  CHECK(validate(longest).ok());
  CHECK(validate(longest + "!").kind == ErrorKind::InvalidInput);

  // At the limits, what the plugin lets through Graph accepts.
  for (const std::string& caption : std::vector<std::string>{marks("#", 30, ","), marks("@", 20, ","), longest}) {
    const auto published = ig.publish(ig.post(caption, {ig.image("p" + std::to_string(caption.size()) + ".jpg")}));
    CAPTURE(published.message);
    CHECK(published.ok());
  }
}

using Fault = GraphApi::CreateFault;

TEST_CASE("instagram processing holds no worker: pending with the container ids, media_publish only once they are kept",
          "[instagram][publish][exactly-once]") {
  Instagram ig;
  SECTION("an image: made, handed to the host, then published") {
    const auto request = ig.post("Pending first", {ig.image("p.jpg")});
    const auto first = ig.publishOnce(request);
    REQUIRE(first.ok());
    const auto container = text(first.json, "/pending/resume/instagram/container");
    REQUIRE_FALSE(container.empty());
    CHECK(number(first.json, "/pending/retryAfterSeconds") >= 1);
    CHECK_FALSE(text(first.json, "/pending/stage").empty());
    CHECK(ig.requests("POST /" + std::string(apiVersion) + "/" + ig.page.igUserId + "/media_publish") == 0);
    const auto done = publishResuming(ig.plugin, request);
    REQUIRE(done.result.ok());
    CHECK(text(done.result.json, "/extra/containerId") ==
          text(json::value(done.request), "/resume/instagram/container"));
    CHECK(ig.requests("POST /" + std::string(apiVersion) + "/" + ig.page.igUserId + "/media_publish") == 1);
  }
  SECTION("a reel: one call per status read while Instagram processes it, no container made twice") {
    ig.graph.pollsUntilReady = 3;
    const auto done = publishResuming(ig.plugin, ig.post("Patience", {ig.video("r.mp4", true)}));
    REQUIRE(done.result.ok());
    CHECK(done.pendingRounds == 1 + 3);  // made, then IN_PROGRESS three times
    int containers = 0;
    for (const auto& item : ig.graph.items()) containers += item.kind == "container";
    CHECK(containers == 1);
  }
  SECTION("a carousel: items, then the carousel container, kept before it is published") {
    const auto done = publishResuming(
        ig.plugin, ig.post("Three", {ig.image("c1.jpg"), ig.image("c2.jpg"), ig.video("c3.mp4", true)}));
    REQUIRE(done.result.ok());
    const json::value resume = done.request.at("resume");
    CHECK(resume.at("instagram").at("children").as_array().size() == 3);
    CHECK(ig.media(done.result).mediaType == "CAROUSEL");
    CHECK(ig.graph.item(text(resume, "/instagram/container")).status == "PUBLISHED");
  }
}

TEST_CASE("instagram: a media_publish whose answer is lost is of unknown outcome; reconcile reads the container",
          "[instagram][exactly-once]") {
  Instagram ig;
  GraphPlugin quick(INSTAGRAM_PLUGIN, "instagram", ig.graph, json::object{{"http_timeout_ms", 400}});
  ig.graph.slowAnswerMs = 1200;
  ig.graph.lateCreateMs = 800;
  const Fault fault = GENERATE(Fault::DropAfterCreate, Fault::GatewayTimeout, Fault::SlowAnswer, Fault::ResetMidAnswer,
                               Fault::RefuseWithoutCreate, Fault::LateCreate);
  const std::string kind = GENERATE("image", "carousel", "story");
  INFO(marketsage::test::nameOf(fault) << " on media_publish of a " << kind);
  const std::string caption = kind == "story" ? "" : "lost answer, " + kind;
  auto request = kind == "carousel" ? ig.post(caption, {ig.image("k1.jpg"), ig.image("k2.jpg")})
                                    : ig.post(caption, {ig.image("k.jpg")});
  if (kind == "story") request["options"] = {{"mediaType", "STORIES"}};
  const auto attemptedAt = inSeconds(0);

  ig.graph.faultNextCreates({fault});
  const auto attempt = publishResuming(quick, request);
  CHECK(attempt.result.kind == ErrorKind::OutcomeUnknown);
  const auto container = text(json::value(attempt.request), "/resume/instagram/container");
  REQUIRE_FALSE(container.empty());
  const auto reconcile = [&] {
    return quick.call(Operation::Reconcile, reconcileRequest(attempt.request, attemptedAt));
  };
  const bool created = fault != Fault::RefuseWithoutCreate;
  if (fault == Fault::LateCreate) {
    // Before it lands the container is FINISHED: not (yet) published — the host trusts that only
    // after its grace period.
    const auto early = reconcile();
    REQUIRE(early.ok());
    CHECK(outcomeOf(early) == "not_found");
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  }
  const auto live = ig.graph.livePosts(ig.page.igUserId);
  REQUIRE(live.size() == (created ? 1u : 0u));
  CHECK(ig.graph.item(container).status == (created ? "PUBLISHED" : "FINISHED"));

  const auto answer = reconcile();
  CAPTURE(answer.message, answer.json);
  REQUIRE(answer.ok());
  if (created) {
    CHECK(outcomeOf(answer) == "found");
    CHECK(text(answer.json, "/postId") == live.front().id);
    CHECK(text(answer.json, "/url").rfind("https://www.instagram.com/", 0) == 0);
    // A re-send could only publish the same container again: refused, and said to be unknown.
    CHECK(publishResuming(quick, attempt.request).result.kind == ErrorKind::OutcomeUnknown);
  } else {
    CHECK(outcomeOf(answer) == "not_found");
    const auto resent = publishResuming(quick, attempt.request);
    REQUIRE(resent.result.ok());
    CHECK(text(resent.result.json, "/extra/containerId") == container);  // the same container, no new one
  }
  CHECK(ig.graph.livePosts(ig.page.igUserId).size() == 1);
}

TEST_CASE(
    "instagram reconcile: without a kept container the media list answers; ambiguity, throttling and lag are said",
    "[instagram][exactly-once]") {
  Instagram ig;
  ig.graph.listLimit = 2;
  const auto attemptedAt = inSeconds(0);
  const auto published = ig.publish(ig.post("Listed", {ig.image("l.jpg")}));
  REQUIRE(published.ok());
  for (int i = 0; i < 3; ++i)
    REQUIRE(ig.publish(ig.post("other " + std::to_string(i), {ig.image("o" + std::to_string(i) + ".jpg")})).ok());
  const auto reconcile = [&](const json::object& request) {
    return ig.plugin.call(Operation::Reconcile, reconcileRequest(request, attemptedAt));
  };

  SECTION("an attempt that kept no container (an older plugin's): matched by caption and type, across pages") {
    const auto answer = reconcile(ig.post("Listed", {ig.image("l.jpg")}));
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "found");
    CHECK(text(answer.json, "/postId") == text(published.json, "/postId"));
    CHECK(ig.requests("GET /" + std::string(apiVersion) + "/" + ig.page.igUserId + "/media") == 2);  // two pages of two
  }
  SECTION("nothing with that caption: not_found") {
    const auto answer = reconcile(ig.post("Never posted", {ig.image("n.jpg")}));
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "not_found");
  }
  SECTION("two media alike since the attempt: unknown") {
    REQUIRE(ig.publish(ig.post("Listed", {ig.image("l2.jpg")})).ok());
    const auto answer = reconcile(ig.post("Listed", {ig.image("l.jpg")}));
    REQUIRE(answer.ok());
    CHECK(outcomeOf(answer) == "unknown");
  }
  SECTION("a PUBLISHED container whose media is not listed (yet): TRANSIENT, look again later") {
    auto request = ig.post("Listed", {ig.image("l.jpg")});
    request["resume"] = {{"instagram", {{"container", text(published.json, "/extra/containerId")}}}};
    REQUIRE(ig.plugin
                .call(Operation::DeletePost,
                      json::object{{"accessToken", ig.token}, {"postId", text(published.json, "/postId")}})
                .ok());
    CHECK(reconcile(request).kind == ErrorKind::Transient);
  }
  SECTION("throttled while looking -> RATE_LIMITED") {
    ig.graph.rateLimitNext(1, 80002);
    const auto answer = reconcile(ig.post("Listed", {ig.image("l.jpg")}));
    CHECK(answer.kind == ErrorKind::RateLimited);
    CHECK(answer.retryAfterSeconds == ig.graph.regainAccessMinutes * 60);
  }
}

TEST_CASE("instagram validate reports the caption's length in characters against 2200, the link included",
          "[instagram][validate][length]") {
  Instagram ig;
  const auto lengthOf = [](const CallResult& r) {
    const auto& length = r.json.at("length");
    return std::tuple{length.at("used").as_int64(), length.at("limit").as_int64(),
                      std::string(length.at("unit").as_string())};
  };
  auto request = ig.post("Caption \xF0\x9F\x98\x80", {ig.image("len.jpg")});  // 😀: one character
  const auto plain = ig.plugin.call(Operation::Validate, request);
  REQUIRE(plain.ok());
  CHECK(lengthOf(plain) == std::tuple{9, 2200, std::string("characters")});
  request["link"] = "https://a.example";  // appended on its own line
  const auto linked = ig.plugin.call(Operation::Validate, request);
  REQUIRE(linked.ok());
  CHECK(lengthOf(linked) == std::tuple{9 + 1 + 17, 2200, std::string("characters")});
  const auto over = ig.plugin.call(Operation::Validate, ig.post(std::string(2201, 'x'), {ig.image("len2.jpg")}));
  REQUIRE(over.kind == ErrorKind::InvalidInput);
  CHECK(lengthOf(over) == std::tuple{2201, 2200, std::string("characters")});
}
