// Chunked media upload (initialize / append / finalize / STATUS polling) and alt text.
#include "TwitterFixture.h"

TEST_CASE("an image uploads in one segment, gets its alt text and is usable at once", "[media]") {
  TwitterFixture f;
  auto request = TwitterFixture::media("image", "image/png", f.file("a.png", 300 * 1024), 300 * 1024);
  request["accessToken"] = f.token;
  request["account"] = {{"id", emulators::XApi::userId}};
  request["altText"] = "A chart going up";
  auto r = f.call(Operation::UploadMedia, request);
  REQUIRE(r.ok());
  const std::string id(r.json.at("platformMediaId").as_string());
  CHECK(r.json.at("expiresAt").as_string().size() == 20);
  const auto upload = f.x.upload(id);
  REQUIRE(upload);
  CHECK(upload->category == "tweet_image");
  CHECK(upload->segments == 1);
  CHECK(upload->receivedBytes == 300 * 1024);
  CHECK(upload->state == "succeeded");
  CHECK(upload->altText == "A chart going up");

  auto post = f.post("With a picture");
  auto item = TwitterFixture::media("image", "image/png", "/unused", 300 * 1024);
  item["platformMediaId"] = id;
  post["media"] = {item};
  auto published = f.call(Operation::Publish, post);
  REQUIRE(published.ok());
  CHECK(f.x.tweet(std::string(published.json.at("postId").as_string()))->mediaIds == std::vector<std::string>{id});
}

TEST_CASE("a video uploads in contiguous chunks and is polled until X has processed it", "[media]") {
  TwitterFixture f;
  f.x.setProcessing(3, 1);
  const size_t size = 2 * 1024 * 1024 + 512 * 1024;  // 2.5 MiB in 1 MiB chunks: 3 segments
  auto request = TwitterFixture::media("video", "video/mp4", f.file("v.mp4", size), size);
  request["accessToken"] = f.token;
  request["account"] = {{"id", emulators::XApi::userId}};
  auto r = f.call(Operation::UploadMedia, request);
  REQUIRE(r.ok());
  const auto upload = f.x.upload(std::string(r.json.at("platformMediaId").as_string()));
  REQUIRE(upload);
  CHECK(upload->category == "tweet_video");
  CHECK(upload->segments == 3);
  CHECK(upload->receivedBytes == static_cast<long long>(size));
  CHECK(upload->statusPolls == 3);
  CHECK(upload->state == "succeeded");
}

TEST_CASE("publish uploads media inline when they have no platformMediaId", "[media][publish]") {
  TwitterFixture f;
  f.x.setProcessing(1, 1);
  auto post = f.post("A GIF");
  post["media"] = {TwitterFixture::media("gif", "image/gif", f.file("a.gif", 4096), 4096)};
  auto r = f.call(Operation::Publish, post);
  REQUIRE(r.ok());
  const auto tweet = f.x.tweet(std::string(r.json.at("postId").as_string()));
  REQUIRE(tweet);
  REQUIRE(tweet->mediaIds.size() == 1);
  CHECK(f.x.upload(tweet->mediaIds[0])->category == "tweet_gif");
}

TEST_CASE("failed processing is PERMANENT with X's message", "[media]") {
  TwitterFixture f;
  f.x.setProcessing(2, 1);
  f.x.failProcessing(true);
  auto request = TwitterFixture::media("video", "video/mp4", f.file("bad.mp4", 2048), 2048);
  request["accessToken"] = f.token;
  request["account"] = {{"id", emulators::XApi::userId}};
  auto r = f.call(Operation::UploadMedia, request);
  CHECK(r.kind == ErrorKind::Permanent);
  CHECK(r.message.find("Unsupported video format") != std::string::npos);
  CHECK(r.platformCode == "InvalidMedia");
}

TEST_CASE("an upload without the media.write scope is AUTH_INVALID naming the scope", "[media][errors]") {
  TwitterFixture f;
  auto request = TwitterFixture::media("image", "image/png", f.file("a.png", 100), 100);
  request["accessToken"] = f.x.issueToken({"tweet.read", "tweet.write", "users.read"});
  request["account"] = {{"id", emulators::XApi::userId}};
  auto r = f.call(Operation::UploadMedia, request);
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("media.write") != std::string::npos);
}
