// validate (300 graphemes, images, what Bluesky cannot carry), publish of text with facets, images,
// link cards and threads, delete and post insights.
#include "BlueskyFixture.h"

#include <catch2/catch.hpp>

namespace bluesky_test {
namespace {

json::object recordOf(const emulators::BlueskyApi::Record& r) { return json::parse(r.json).as_object(); }

std::string repeat(const std::string& piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("validate counts graphemes: emoji sequences, flags and combining marks count once", "[bluesky][validate]") {
  BlueskyFixture f;
  const auto length = [&](const std::string& text) {
    const auto r = f.call(Operation::Validate, {{"content", text}, {"media", json::array{}}, {"options", {}}});
    return std::make_pair(r.kind, r.json.at("length").at("used").to_number<long long>());
  };
  CHECK(length("hello") == std::make_pair(ErrorKind::Ok, 5LL));
  CHECK(length("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7").second ==
        1);                                                                                       // 👨‍👩‍👧
  CHECK(length("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA").second == 2);  // 🇫🇷🇩🇪
  CHECK(length("e\xCC\x81").second == 1);                                                         // e + U+0301
  CHECK(length("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD").second == 1);                                  // 👍🏽
  CHECK(length("\xE2\x9D\xA4\xEF\xB8\x8F").second == 1);                                          // ❤️
  CHECK(length("a\r\nb").second == 3);
  // 300 family emoji are 300 graphemes (5,400 bytes would break the 3000-byte limit, though).
  CHECK(length(repeat("\xC3\xA9", 300)) == std::make_pair(ErrorKind::Ok, 300LL));
  const auto over = f.call(Operation::Validate, {{"content", repeat("x", 301)}, {"media", json::array{}}});
  CHECK(over.kind == ErrorKind::InvalidInput);
  CHECK(over.json.at("length").at("used").to_number<long long>() == 301);
  CHECK(str(over.json.at("length").at("unit")) == "graphemes");
  CHECK(str(over.json.at("issues").at(0).at("message")).find("300 graphemes") != std::string::npos);
}

TEST_CASE("validate refuses what Bluesky cannot carry", "[bluesky][validate]") {
  BlueskyFixture f;
  json::array five;
  for (int i = 0; i < 5; ++i) five.push_back(f.image("i" + std::to_string(i) + ".png", 100));
  CHECK(f.call(Operation::Validate, {{"content", "x"}, {"media", five}}).kind == ErrorKind::InvalidInput);
  CHECK(f.call(Operation::Validate, {{"content", "x"}, {"media", {f.image("big.png", 1000001)}}}).kind ==
        ErrorKind::InvalidInput);
  json::object video{{"id", "v"}, {"kind", "video"}, {"mimeType", "video/mp4"}, {"size", 1000}, {"path", "/x"}};
  const auto v = f.call(Operation::Validate, {{"content", "x"}, {"media", {video}}});
  CHECK(v.kind == ErrorKind::InvalidInput);
  CHECK(json::serialize(v.json).find("videos are not supported") != std::string::npos);
  CHECK(f.call(Operation::Validate, {{"content", ""}, {"media", json::array{}}}).kind == ErrorKind::InvalidInput);
  const auto thread =
      f.call(Operation::Validate, {{"content", "one"},
                                   {"media", json::array{}},
                                   {"thread", {{{"content", "two"}}, {{"content", repeat("y", 301)}}}}});
  CHECK(thread.kind == ErrorKind::InvalidInput);
  CHECK(str(thread.json.at("issues").at(0).at("field")) == "/thread/1/content");
  CHECK(f.bluesky.calls().empty());
}

TEST_CASE("validate refuses langs that are not BCP-47 tags, as the PDS's lexicon check would", "[bluesky][validate]") {
  BlueskyFixture f;
  const auto bad = f.call(Operation::Validate, f.post("hello", {}, {{"langs", {"en", "en_US"}}}));
  CHECK(bad.kind == ErrorKind::InvalidInput);
  CHECK(str(bad.json.at("issues").at(0).at("field")) == "/options/langs/1");
  CHECK(f.call(Operation::Publish, f.post("hello", {}, {{"langs", {"english"}}})).kind == ErrorKind::InvalidInput);
  CHECK(f.bluesky.calls().empty());
  CHECK(f.call(Operation::Validate, f.post("hello", {}, {{"langs", {"pt-BR", "zh-Hant", "ja"}}})).ok());
}

TEST_CASE("a text post carries link, mention and hashtag facets at UTF-8 byte offsets", "[bluesky][publish]") {
  BlueskyFixture f;
  f.connectAlice();
  const std::string text = "H\xC3\xA9llo @bob.example.com, see https://example.com/a?b=1. #MarketSage \xF0\x9F\x8E\x89";
  const auto r = f.call(Operation::Publish, f.post(text, {}, {{"langs", {"en"}}}));
  REQUIRE(r.ok());
  const auto live = f.live();
  REQUIRE(live.size() == 1);
  CHECK(str(r.json.at("postId")) == live[0].uri);
  CHECK(str(r.json.at("url")) == "https://bsky.app/profile/alice.bsky.social/post/" + live[0].rkey);
  CHECK(live[0].rkey.substr(0, 11) == "3n3lyfibu22");  // the TID of submittedAt
  const auto record = recordOf(live[0]);
  CHECK(str(record.at("text")) == text);
  CHECK(str(record.at("langs").at(0)) == "en");
  const auto& facets = record.at("facets").as_array();
  REQUIRE(facets.size() == 3);
  const auto range = [&](size_t i) {
    const auto& index = facets[i].at("index");
    return std::make_pair(index.at("byteStart").to_number<size_t>(), index.at("byteEnd").to_number<size_t>());
  };
  const auto mention = text.find("@bob");
  CHECK(range(0) == std::make_pair(mention, mention + std::string("@bob.example.com").size()));
  CHECK(str(facets[0].at("features").at(0).at("$type")) == "app.bsky.richtext.facet#mention");
  CHECK(str(facets[0].at("features").at(0).at("did")) == f.bob);
  const auto link = text.find("https://");
  CHECK(range(1) == std::make_pair(link, link + std::string("https://example.com/a?b=1").size()));
  CHECK(str(facets[1].at("features").at(0).at("uri")) == "https://example.com/a?b=1");
  const auto tag = text.find("#Market");
  CHECK(range(2) == std::make_pair(tag, tag + std::string("#MarketSage").size()));
  CHECK(str(facets[2].at("features").at(0).at("tag")) == "MarketSage");
}

TEST_CASE("images are uploaded as blobs and embedded with alt text and aspect ratio", "[bluesky][publish]") {
  BlueskyFixture f;
  f.connectAlice();
  const auto r = f.call(Operation::Publish,
                        f.post("two pictures", {f.image("a.png", 2000, "A cat", 640, 480), f.image("b.png", 3000)}));
  REQUIRE(r.ok());
  const auto blobs = f.bluesky.blobs();
  REQUIRE(blobs.size() == 2);
  CHECK(blobs[0].mimeType == "image/png");
  CHECK(blobs[0].size == 2000);
  const auto record = recordOf(f.live().at(0));
  const auto& embed = record.at("embed");
  CHECK(str(embed.at("$type")) == "app.bsky.embed.images");
  const auto& images = embed.at("images").as_array();
  REQUIRE(images.size() == 2);
  CHECK(str(images[0].at("alt")) == "A cat");
  CHECK(images[0].at("aspectRatio").at("width").to_number<int>() == 640);
  CHECK(str(images[1].at("alt")).empty());
  CHECK(!images[1].as_object().contains("aspectRatio"));
  CHECK(str(images[0].at("image").at("ref").at("$link")).rfind("bafkrei", 0) == 0);
}

TEST_CASE("a link without images becomes an external card; with images it joins the text", "[bluesky][publish]") {
  BlueskyFixture f;
  f.connectAlice();
  auto request = f.post("Read this", {}, {{"linkTitle", "Our launch"}, {"linkDescription", "All about it"}});
  request["link"] = "https://example.com/launch";
  REQUIRE(f.call(Operation::Publish, request).ok());
  auto record = recordOf(f.live().at(0));
  CHECK(str(record.at("text")) == "Read this");
  CHECK(str(record.at("embed").at("$type")) == "app.bsky.embed.external");
  CHECK(str(record.at("embed").at("external").at("uri")) == "https://example.com/launch");
  CHECK(str(record.at("embed").at("external").at("title")) == "Our launch");

  auto withImage = f.post("Picture", {f.image("c.png", 500)}, {}, "ms-target-2");
  withImage["link"] = "https://example.com/launch";
  REQUIRE(f.call(Operation::Publish, withImage).ok());
  record = recordOf(f.live().at(1));
  CHECK(str(record.at("text")) == "Picture\nhttps://example.com/launch");
  CHECK(str(record.at("facets").at(0).at("features").at(0).at("$type")) == "app.bsky.richtext.facet#link");
}

TEST_CASE("a thread: each part replies to the previous one, with the first as root", "[bluesky][publish]") {
  BlueskyFixture f;
  f.connectAlice();
  auto request = f.post("1/3", {}, {});
  request["thread"] = json::array{{{"content", "2/3"}}, {{"content", "3/3"}}};
  const auto r = f.call(Operation::Publish, request);
  REQUIRE(r.ok());
  const auto live = f.live();
  REQUIRE(live.size() == 3);
  const auto& ids = r.json.at("postIds").as_array();
  REQUIRE(ids.size() == 3);
  CHECK(str(ids[2]) == live[2].uri);
  const auto second = recordOf(live[1]);
  CHECK(str(second.at("reply").at("root").at("uri")) == live[0].uri);
  CHECK(str(second.at("reply").at("parent").at("uri")) == live[0].uri);
  const auto third = recordOf(live[2]);
  CHECK(str(third.at("reply").at("root").at("uri")) == live[0].uri);
  CHECK(str(third.at("reply").at("parent").at("uri")) == live[1].uri);
  CHECK(str(third.at("reply").at("parent").at("cid")) == live[1].cid);
  CHECK(live[1].rkey.substr(0, 11) == "3n3lyfibu23");  // part n: submittedAt + n µs
}

TEST_CASE("a thread whose third part fails reports the live parts and resumes after them", "[bluesky][publish]") {
  BlueskyFixture f;
  f.connectAlice();
  auto request = f.post("1/3", {}, {});
  request["thread"] = json::array{{{"content", "2/3"}}, {{"content", "3/3"}}};
  f.bluesky.setHourlyPoints(6);  // two creates of 3 points
  const auto first = f.call(Operation::Publish, request);
  CHECK(first.kind == ErrorKind::RateLimited);
  CHECK(first.retryAfterSeconds > 3500);
  REQUIRE(first.json.at("postIds").as_array().size() == 2);
  CHECK(first.json.at("failedPart").to_number<int>() == 2);
  f.bluesky.setHourlyPoints(5000);
  request["resume"] = {{"postIds", first.json.at("postIds")}};
  const auto second = f.call(Operation::Publish, request);
  REQUIRE(second.ok());
  CHECK(second.json.at("postIds").as_array().size() == 3);
  const auto live = f.live();
  REQUIRE(live.size() == 3);
  CHECK(str(recordOf(live[2]).at("reply").at("parent").at("uri")) == live[1].uri);
}

TEST_CASE("delete removes the record, and deleting it again is fine", "[bluesky][delete]") {
  BlueskyFixture f;
  f.connectAlice();
  const auto r = f.call(Operation::Publish, f.post("to delete"));
  REQUIRE(r.ok());
  const json::object request{{"accessToken", f.accessToken}, {"account", f.account()}, {"postId", r.json.at("postId")}};
  REQUIRE(f.call(Operation::DeletePost, request).ok());
  CHECK(f.live().empty());
  CHECK(f.call(Operation::DeletePost, request).ok());
  auto foreign = request;
  foreign["postId"] = "at://" + f.bob + "/app.bsky.feed.post/3n3lyfibu22aa";
  CHECK(f.call(Operation::DeletePost, foreign).kind == ErrorKind::InvalidInput);
}

TEST_CASE("post insights: likes, replies, reposts and quotes from getPosts", "[bluesky][insights]") {
  BlueskyFixture f;
  f.connectAlice();
  const auto a = str(f.call(Operation::Publish, f.post("one")).json.at("postId"));
  const auto b = str(f.call(Operation::Publish, f.post("two", {}, {}, "ms-target-2")).json.at("postId"));
  f.bluesky.setCounts(a, 10, 3, 2, 1);
  const auto r = f.call(Operation::PostInsights, {{"accessToken", f.accessToken},
                                                  {"account", f.account()},
                                                  {"postIds", {a, b}},
                                                  {"start", "2026-11-01"},
                                                  {"end", "2026-12-31"}});
  REQUIRE(r.ok());
  const auto& posts = r.json.at("posts").as_array();
  REQUIRE(posts.size() == 2);
  CHECK(str(posts[0].at("postId")) == a);
  const auto& m = posts[0].at("metrics");
  CHECK(m.at("likes").to_number<int>() == 10);
  CHECK(m.at("comments").to_number<int>() == 2);
  CHECK(m.at("reposts").to_number<int>() == 3);
  CHECK(m.at("quotes").to_number<int>() == 1);
  CHECK(m.at("shares").to_number<int>() == 4);
}

}  // namespace bluesky_test
