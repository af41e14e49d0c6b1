// POST /api/v2/media with alt text; 202 and the wait for processing as "pending"; a failed
// processing; the instance's media limits.
#include "MastodonFixture.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace {

/// POST /api/v1/statuses straight to the emulator, past the plugin's own checks: status and body.
std::pair<int, std::string> postStatus(const MastodonFixture& f, const json::object& body) {
  const Poco::URI uri(f.m.url());
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/api/v1/statuses",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  const auto text = json::serialize(body);
  request.set("Authorization", "Bearer " + f.token);
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(text.size()));
  session.sendRequest(request) << text;
  Poco::Net::HTTPResponse response;
  std::string answer;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
  return {static_cast<int>(response.getStatus()), answer};
}

/// Uploads `media` (as LoadedPlugin::media makes it) and records its platformMediaId in it.
void uploadInto(const MastodonFixture& f, json::object& media) {
  json::object request = {{"accessToken", f.token}};
  for (const auto& [key, value] : media) request[key] = value;
  const auto up = f.call(Operation::UploadMedia, request);
  REQUIRE(up.ok());
  media["platformMediaId"] = up.json.at("platformMediaId");
}

}  // namespace

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

TEST_CASE("a video status whose answer was lost is retried: the attached video is no longer found, the key answers",
          "[mastodon][media][exactly-once]") {
  // GET /api/v1/media/:id finds only unattached media (MediaController: where(status_id: nil)).
  MastodonFixture f;
  f.m.setProcessingPolls(0);
  auto media = f.loaded.media("video", "video/mp4", 4096, "clip.mp4");
  uploadInto(f, media);
  auto post = f.post("Video, exactly once");
  post["media"] = json::array{media};
  f.m.faultNextCreates({marketsage::test::CreateFault::DropAfterCreate});
  REQUIRE(f.call(Operation::Publish, post).kind == ErrorKind::OutcomeUnknown);
  // the retry: GET /api/v1/media/:id answers 404 now, the create's key answers the status
  const auto retry = f.call(Operation::Publish, post);
  REQUIRE(retry.ok());
  CHECK((f.m.statusesCreated() == 1 && f.m.idempotentReplays() == 1));
  CHECK(retry.json.at("postId").as_string() == f.m.statuses().back().id);
}

TEST_CASE("a video or audio file is a status's only attachment", "[mastodon][media][validate]") {
  // PostStatusService#validate_media!: images_and_video when more than one and any audio_or_video.
  MastodonFixture f;
  auto image = f.loaded.media("image", "image/png", 2048, "photo.png");
  auto video = f.loaded.media("video", "video/mp4", 4096, "clip.mp4");
  auto gif = f.loaded.media("gif", "image/gif", 2048, "loop.gif");
  auto mixed = f.call(Operation::Validate, {{"content", "x"}, {"media", json::array{image, video}}});
  CHECK(mixed.kind == ErrorKind::InvalidInput);
  CHECK(f.call(Operation::Validate, {{"content", "x"}, {"media", json::array{video}}}).ok());
  CHECK(f.call(Operation::Validate, {{"content", "x"}, {"media", json::array{image, gif}}}).ok());
  auto silentLoop = f.loaded.media("gif", "video/mp4", 2048, "loop.mp4");  // a GIF as video: gifv too
  CHECK(f.call(Operation::Validate, {{"content", "x"}, {"media", json::array{image, silentLoop}}}).ok());
  auto audio = f.loaded.media("document", "audio/mpeg", 2048, "talk.mp3");
  CHECK(f.call(Operation::Validate, {{"content", "x"}, {"media", json::array{image, audio}}}).kind ==
        ErrorKind::InvalidInput);

  SECTION("the instance refuses it too") {
    json::array ids;
    for (auto m : {image, video}) {
      uploadInto(f, m);
      ids.emplace_back(m.at("platformMediaId"));
    }
    f.m.setProcessingPolls(0);
    const auto r = postStatus(f, {{"status", "x"}, {"media_ids", ids}});
    CHECK(r.first == 422);
    CHECK(r.second.find("Cannot attach a video to a post that already contains images") != std::string::npos);
  }
}

TEST_CASE("the instance refuses a status whose text is blank unless it carries media (a poll is not enough)",
          "[mastodon][validate]") {
  MastodonFixture f;
  const json::object poll = {{"options", {"Yes", "No"}}, {"expires_in", 3600}};
  const auto r = postStatus(f, {{"status", "  "}, {"poll", poll}});
  CHECK(r.first == 422);
  CHECK(r.second.find("Text can't be blank") != std::string::npos);
  CHECK(postStatus(f, {{"status", "Yes or no?"}, {"poll", poll}}).first == 200);
}

TEST_CASE("the instance counts a URL as 23 characters and the punctuation after it as itself", "[mastodon][validate]") {
  MastodonFixture f;
  auto limits = emulators::MastodonInstance::Limits{};
  limits.maxCharacters = 24;
  f.m.setLimits(limits);
  CHECK(postStatus(f, {{"status", "https://example.com/a/long/launch/path."}}).first == 200);
  const auto over = postStatus(f, {{"status", "https://example.com/a/long/launch/path.."}});
  CHECK(over.first == 422);
  CHECK(over.second.find("character limit of 24") != std::string::npos);
}
