// The instagram plugin (.so) driven directly against the Graph emulator: accounts, validation,
// every content kind (image, reel by URL or resumable upload, story, carousel), container polling,
// quota, delete, insights and the error mappings of plugin.h.
#include <catch2/catch.hpp>

#include "MetaTestSupport.h"

#include <Poco/Base64Encoder.h>
#include <Poco/URI.h>

#include <sstream>

using emulators::GraphApi;
using namespace metatest;

namespace {

struct Instagram {
  GraphApi graph;
  LoadedPlugin plugin{INSTAGRAM_PLUGIN, "instagram", graph};
  MediaFolder files;
  MediaServer server;  // the host's public media URLs
  GraphApi::Page page = graph.pages()[0];
  std::string token = graph.pageToken(page.id, graph.userToken());

  Instagram() {
    graph.pollsUntilReady = 2;
    graph.requireAppsecretProof = true;  // the plugin signs every call carrying a token
  }

  json::object post(const std::string& caption, json::array media) const {
    return {{"accessToken", token}, {"account", {{"id", page.igUserId}, {"type", "user"}}}, {"content", caption}, {"media", media}};
  }
  json::object image(const std::string& name) {
    const std::string bytes = jpeg(2000 + name.size());
    return files.media(name, bytes, "image", "image/jpeg", server.put(name, bytes, "image/jpeg"));
  }
  json::object video(const std::string& name, bool withUrl) {
    const std::string bytes = mp4(5000);
    return files.media(name, bytes, "video", "video/mp4", withUrl ? server.put(name, bytes, "video/mp4") : "");
  }
  CallResult publish(const json::object& request) const { return plugin.call(Operation::Publish, request); }
  GraphApi::Item media(const CallResult& result) const { return graph.item(text(result.json, "/postId")); }
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
  CHECK(ig.plugin.call(Operation::Validate, ig.post("png", {ig.files.media("b.png", png(100), "image", "image/png", "http://x/b.png")}))
            .kind == ErrorKind::InvalidInput);
  CHECK(ig.plugin.call(Operation::Validate, ig.post("no url", {ig.files.media("c.jpg", jpeg(100), "image", "image/jpeg")})).kind ==
        ErrorKind::InvalidInput);
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
    const auto result = ig.publish(ig.post("Carousel", {ig.image("c1.jpg"), ig.image("c2.jpg"), ig.video("c3.mp4", true)}));
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
  SECTION("a container that EXPIRED -> PERMANENT") {
    ig.graph.nextContainerEnds("EXPIRED");
    const auto r = ig.publish(ig.post("x", {ig.video("x.mp4", false)}));
    CHECK(r.kind == ErrorKind::Permanent);
    CHECK(r.message.find("EXPIRED") != std::string::npos);
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

  const auto insights = ig.plugin.call(Operation::AccountInsights, json::object{{"accessToken", ig.token}, {"account", account},
                                                                                {"start", dateFromToday(-4)}, {"end", dateFromToday(-2)}});
  REQUIRE(insights.ok());
  CHECK(number(insights.json, "/metrics/reach") == 3 * (150 + 50));
  CHECK(number(insights.json, "/metrics/likes") == 3 * (20 + 10));
  CHECK(number(insights.json, "/metrics/followers") == ig.graph.followers);

  const auto longRange = ig.plugin.call(Operation::AccountInsights, json::object{{"accessToken", ig.token}, {"account", account},
                                                                                {"start", dateFromToday(-75)}, {"end", dateFromToday(-1)}});
  REQUIRE(longRange.ok());  // Graph allows 30 days per call: the plugin asks in windows and adds them up
  CHECK(number(longRange.json, "/metrics/reach") == 75 * (150 + 50));

  const auto posts = ig.plugin.call(Operation::PostInsights,
                                    json::object{{"accessToken", ig.token}, {"account", account},
                                                 {"postIds", json::array{first.json.at("postId")}}, {"start", dateFromToday(-4)}, {"end", dateFromToday(0)}});
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
  SECTION("5xx while polling the container -> TRANSIENT") {
    ig.graph.failCall(3);  // publishing limit, container creation, then the first status poll
    CHECK(ig.publish(ig.post("x", {ig.video("v.mp4", true)})).kind == ErrorKind::Transient);
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

TEST_CASE("instagram oauth: always an S256 code_challenge in the dialog URL, always the verifier in the exchange", "[instagram][oauth][strict]") {
  Instagram ig;
  const std::string redirect = "https://host/api/auth/callback/instagram", verifier = "v-0123456789-0123456789-0123456789-ig";
  CHECK(ig.plugin.call(Operation::AuthorizeUrl, json::object{{"redirectUri", redirect}, {"state", "s"}}).kind == ErrorKind::InvalidInput);
  const auto url = ig.plugin.call(Operation::AuthorizeUrl, json::object{{"redirectUri", redirect}, {"state", "s"}, {"codeChallenge", s256(verifier)},
                                                                         {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const std::string dialog = text(url.json, "/url");
  CHECK(queryValue(dialog, "code_challenge") == s256(verifier));
  CHECK(queryValue(dialog, "code_challenge_method") == "S256");
  const std::string code = queryValue(ig.graph.consent(dialog), "code");
  REQUIRE_FALSE(code.empty());
  CHECK(ig.plugin.call(Operation::ExchangeCode, json::object{{"code", code}, {"redirectUri", redirect}}).kind == ErrorKind::InvalidInput);
  CHECK_FALSE(ig.plugin.call(Operation::ExchangeCode, json::object{{"code", code}, {"redirectUri", redirect + "/"}, {"codeVerifier", verifier}}).ok());
  CHECK(ig.plugin.call(Operation::ExchangeCode, json::object{{"code", code}, {"redirectUri", redirect}, {"codeVerifier", verifier}}).ok());
}

TEST_CASE("instagram counts hashtags and @ tags as Instagram does, so Graph never refuses its captions", "[instagram][validate][strict]") {
  Instagram ig;
  const auto validate = [&](const std::string& caption) { return ig.plugin.call(Operation::Validate, ig.post(caption, {ig.image("v.jpg")})); };
  CHECK(validate(marks("#", 30, " ")).ok());
  CHECK(validate(marks("#", 31, " ")).kind == ErrorKind::InvalidInput);
  CHECK(validate(marks("#", 31, ",")).kind == ErrorKind::InvalidInput);            // Graph counts tags without spaces too
  CHECK(validate("(" + marks("#", 31, ")(") + ")").kind == ErrorKind::InvalidInput);
  CHECK(validate(marks("@", 21, ",")).kind == ErrorKind::InvalidInput);
  CHECK(validate(marks("a@", 25, " ") + " # ##").ok());                            // addresses and bare marks are no tags
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
