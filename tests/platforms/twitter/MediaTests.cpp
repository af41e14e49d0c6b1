// Chunked media upload (initialize / append / finalize), alt text, and X's processing of videos and
// GIFs: nothing waits in the plugin; a pending reply says when to look again (STATUS).
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

TEST_CASE(
    "a video uploads in contiguous chunks; while X processes it the upload and publish answer pending, then it posts",
    "[media]") {
  TwitterFixture f;
  f.x.setProcessing(3, 2);
  const size_t size = 2 * 1024 * 1024 + 512 * 1024;  // 2.5 MiB in 1 MiB chunks: 3 segments
  auto request = TwitterFixture::media("video", "video/mp4", f.file("v.mp4", size), size);
  request["accessToken"] = f.token;
  request["account"] = {{"id", emulators::XApi::userId}};
  auto r = f.call(Operation::UploadMedia, request);
  REQUIRE(r.ok());
  const std::string id(r.json.at("platformMediaId").as_string());
  // Not waited for: X said "pending, check after 2 s" at FINALIZE.
  CHECK(r.json.at("pending").at("retryAfterSeconds").as_int64() == 2);
  auto upload = f.x.upload(id);
  REQUIRE(upload);
  CHECK(upload->category == "tweet_video");
  CHECK(upload->segments == 3);
  CHECK(upload->receivedBytes == static_cast<long long>(size));
  CHECK(upload->statusPolls == 0);
  CHECK(upload->state == "pending");

  // The host comes back with the id: publish asks STATUS, and posts once X has processed it.
  auto post = f.post("A video");
  auto item = TwitterFixture::media("video", "video/mp4", "/unused", size);
  item["platformMediaId"] = id;
  post["media"] = {item};
  int pendings = 0;
  auto published = f.publishSettled(post, &pendings);
  REQUIRE(published.ok());
  CHECK(pendings == 2);  // STATUS: in_progress, in_progress, succeeded
  CHECK(f.x.upload(id)->statusPolls == 3);
  CHECK(f.x.upload(id)->state == "succeeded");
  CHECK(f.x.tweet(std::string(published.json.at("postId").as_string()))->mediaIds == std::vector<std::string>{id});
  CHECK(f.x.tweetsCreated() == 1);
}

TEST_CASE("publish uploads media inline once: the pending reply carries its id in resume.media", "[media][publish]") {
  TwitterFixture f;
  f.x.setProcessing(1, 1);
  auto post = f.post("A GIF");
  post["media"] = {TwitterFixture::media("gif", "image/gif", f.file("a.gif", 4096), 4096)};
  auto first = f.call(Operation::Publish, post);
  REQUIRE(first.ok());
  const auto& pending = first.json.at("pending");
  CHECK(pending.at("retryAfterSeconds").as_int64() == 1);
  CHECK(std::string(pending.at("stage").as_string()).find("processing") != std::string::npos);
  const std::string id(pending.at("resume").at("media").at("host-gif").as_string());
  CHECK(pending.at("resume").at("processingSince").is_int64());
  CHECK(f.x.tweetsCreated() == 0);

  post["resume"] = pending.at("resume");
  auto r = f.call(Operation::Publish, post);
  REQUIRE(r.ok());
  const auto tweet = f.x.tweet(std::string(r.json.at("postId").as_string()));
  REQUIRE(tweet);
  CHECK(tweet->mediaIds == std::vector<std::string>{id});  // the upload of the first call, not a second one
  CHECK(f.x.upload(id)->category == "tweet_gif");
  CHECK(f.x.upload(id)->statusPolls == 1);
}

TEST_CASE("the host's own resume.media entries survive a pending reply", "[media][publish]") {
  TwitterFixture f;
  f.x.setProcessing(2, 1);
  auto post = f.post("Two parts, two videos");
  post["media"] = {TwitterFixture::media("video", "video/mp4", f.file("a.mp4", 2048), 2048)};
  post["thread"] = {
      {{"content", "part 2"},
       {"media", {{{"kind", "video"}, {"mimeType", "video/mp4"}, {"path", f.file("b.mp4", 2048)}, {"size", 2048}}}}}};
  post["resume"] = {{"media", {{"host-other", "42"}}}};
  auto r = f.call(Operation::Publish, post);
  REQUIRE(r.ok());
  const auto& media = r.json.at("pending").at("resume").at("media").as_object();
  CHECK(media.size() == 3);
  CHECK(media.at("host-other") == "42");
  CHECK(media.contains("host-video"));
  CHECK(media.contains("/thread/0/media/0"));  // a thread part's media has no host id: its pointer is its key
}

TEST_CASE("failed processing is PERMANENT with X's message, found when publish asks STATUS", "[media]") {
  TwitterFixture f;
  f.x.setProcessing(2, 1);
  f.x.failProcessing(true);
  auto post = f.post("A broken video");
  post["media"] = {TwitterFixture::media("video", "video/mp4", f.file("bad.mp4", 2048), 2048)};
  auto r = f.publishSettled(post);
  CHECK(r.kind == ErrorKind::Permanent);
  CHECK(r.message.find("Unsupported video format") != std::string::npos);
  CHECK(r.platformCode == "InvalidMedia");
  CHECK(f.x.tweetsCreated() == 0);
}

TEST_CASE("media X keeps processing for over 15 minutes: TRANSIENT, no post", "[media]") {
  TwitterFixture f;
  f.x.setProcessing(1000, 5);
  auto post = f.post("Never ready");
  post["media"] = {TwitterFixture::media("video", "video/mp4", f.file("slow.mp4", 2048), 2048)};
  auto first = f.call(Operation::Publish, post);
  REQUIRE(first.ok());
  post["resume"] = first.json.at("pending").at("resume");
  post["resume"].as_object()["processingSince"] =
      first.json.at("pending").at("resume").at("processingSince").as_int64() - 16 * 60 * 1000;
  auto r = f.call(Operation::Publish, post);
  CHECK(r.kind == ErrorKind::Transient);
  CHECK(r.message.find("15 minutes") != std::string::npos);
  CHECK(f.x.tweetsCreated() == 0);
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
