// POST /api/v2/media with alt text; 202 and the wait for processing as "pending"; a failed
// processing; the instance's media limits.
#include "MastodonFixture.h"

TEST_CASE("an image is uploaded with its alt text and attached", "[mastodon][media]") {
  MastodonFixture f;
  auto media = f.loaded.media("image", "image/png", 2048, "photo.png");
  json::object upload = {{"accessToken", f.token}, {"altText", "A red square"}, {"idempotencyKey", "k-1"}};
  for (const auto& [key, value] : media) upload[key] = value;
  auto up = f.call(Operation::UploadMedia, upload);
  REQUIRE(up.ok());
  CHECK_FALSE(up.json.as_object().contains("pending"));
  const std::string id(up.json.at("platformMediaId").as_string());
  const auto stored = f.m.media(id);
  REQUIRE(stored);
  CHECK(stored->description == "A red square");
  CHECK(stored->size == 2048);
  CHECK(stored->mimeType == "image/png");

  media["platformMediaId"] = id;
  auto post = f.post("With a picture");
  post["media"] = json::array{media};
  auto r = f.call(Operation::Publish, post);
  REQUIRE(r.ok());
  CHECK(f.m.status(std::string(r.json.at("postId").as_string()))->mediaIds == std::vector<std::string>{id});
}

TEST_CASE("a video is processed in the background: upload and publish answer pending until it is ready",
          "[mastodon][media]") {
  MastodonFixture f;
  f.m.setProcessingPolls(2);
  auto media = f.loaded.media("video", "video/mp4", 4096, "clip.mp4");
  json::object upload = {{"accessToken", f.token}};
  for (const auto& [key, value] : media) upload[key] = value;
  auto up = f.call(Operation::UploadMedia, upload);
  REQUIRE(up.ok());
  REQUIRE(up.json.as_object().contains("pending"));
  media["platformMediaId"] = up.json.at("platformMediaId");
  auto post = f.post("With a video");
  post["media"] = json::array{media};
  int pendings = 0;
  auto r = f.publishSettled(post, &pendings);
  REQUIRE(r.ok());
  CHECK(pendings == 2);
  CHECK(f.m.statusesCreated() == 1);

  SECTION("a processing failure is PERMANENT") {
    f.m.failProcessing(true);
    auto again = f.call(Operation::UploadMedia, upload);
    REQUIRE(again.ok());
    media["platformMediaId"] = again.json.at("platformMediaId");
    auto failing = f.post("Broken video");
    failing["media"] = json::array{media};
    auto refused = f.call(Operation::Publish, failing);
    CHECK(refused.kind == ErrorKind::Permanent);
    CHECK(refused.message.find("Error processing") != std::string::npos);
    CHECK(f.m.statusesCreated() == 1);
  }
}

TEST_CASE("the instance's media limits are checked before the upload", "[mastodon][media]") {
  MastodonFixture f;
  auto limits = emulators::MastodonInstance::Limits{};
  limits.imageSizeLimit = 1024;
  f.m.setLimits(limits);
  auto media = f.loaded.media("image", "image/png", 2048, "big.png");
  json::object upload = {{"accessToken", f.token}};
  for (const auto& [key, value] : media) upload[key] = value;
  auto r = f.call(Operation::UploadMedia, upload);
  CHECK(r.kind == ErrorKind::InvalidInput);
  for (const auto& line : f.m.requests()) CHECK(line != "POST /api/v2/media");
}
