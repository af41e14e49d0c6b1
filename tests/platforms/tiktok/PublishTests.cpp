// Direct posts: creator_info first, videos by FILE_UPLOAD in TikTok's chunks or PULL_FROM_URL,
// photo posts, status polling through "pending" replies, and the checks against the creator.
#include "TikTokFixture.h"

#include <catch2/catch.hpp>

using namespace tiktok_test;

namespace {
std::string text(const json::value& v, const char* key) { return json::value_to<std::string>(v.at(key)); }
}  // namespace

TEST_CASE("a small video is one chunk; the post completes through pending replies", "[tiktok][publish]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", kMiB + 123, "clip.mp4");
  int pendings = 0;
  auto r = f.publishSettled(f.post("Hello #tiktok", {video}), &pendings);
  REQUIRE(r.ok());
  CHECK(pendings == 3);  // init, upload, one status still processing
  const auto posts = f.tiktok.posts();
  REQUIRE(posts.size() == 1);
  const auto& p = posts[0];
  CHECK(text(r.json, "postId") == p.postId);
  CHECK(text(r.json, "url") == "https://www.tiktok.com/@ada.lovelace/video/" + p.postId);
  CHECK(p.mediaType == "VIDEO");
  CHECK(p.source == "FILE_UPLOAD");
  CHECK(p.chunkCount == 1);
  CHECK(p.chunkSize == static_cast<long long>(kMiB + 123));
  CHECK(p.sha256 == TikTokFixture::sha256OfFile(json::value_to<std::string>(video.at("path"))));
  CHECK(p.title == "Hello #tiktok");
  CHECK(p.privacyLevel == "PUBLIC_TO_EVERYONE");
  // TikTok's UX rules: interactions stay off unless the user turns them on.
  CHECK(p.disableComment);
  CHECK(p.disableDuet);
  CHECK(p.disableStitch);
  CHECK(f.tiktok.inits() == 1);
}

TEST_CASE("a 12 MiB video goes in floor(size / chunk) chunks, the trailing bytes in the last", "[tiktok][publish]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 12 * kMiB + 5, "long.mp4");
  auto r =
      f.publishSettled(f.post("Long one", {video}, {{"disable_comment", false}, {"video_cover_timestamp_ms", 1500}}));
  REQUIRE(r.ok());
  const auto p = f.tiktok.posts().at(0);
  CHECK(p.chunkSize == static_cast<long long>(5 * kMiB));
  CHECK(p.chunkCount == 2);
  CHECK(f.tiktok.chunkPuts() == 2);
  CHECK(p.sha256 == TikTokFixture::sha256OfFile(json::value_to<std::string>(video.at("path"))));
  CHECK_FALSE(p.disableComment);
  CHECK(p.videoCoverTimestampMs == 1500);
}

TEST_CASE("PULL_FROM_URL: TikTok fetches the video from the signed URL", "[tiktok][publish]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 300000, "pulled.mp4");
  auto r = f.publishSettled(f.post("Pulled", {video}, {{"source", "PULL_FROM_URL"}}));
  REQUIRE(r.ok());
  const auto p = f.tiktok.posts().at(0);
  CHECK(p.source == "PULL_FROM_URL");
  CHECK(p.urls.at(0) == json::value_to<std::string>(video.at("url")));
  CHECK(p.sha256 == TikTokFixture::sha256OfFile(json::value_to<std::string>(video.at("path"))));
  CHECK(f.tiktok.chunkPuts() == 0);

  SECTION("a URL TikTok cannot fetch ends FAILED video_pull_failed") {
    auto broken = video;
    broken["url"] = f.tiktok.url() + "/nothing-here.mp4";
    auto failed = f.publishSettled(f.post("Pulled", {broken}, {{"source", "PULL_FROM_URL"}}));
    CHECK(failed.kind == ErrorKind::Permanent);
    CHECK(failed.platformCode == "video_pull_failed");
  }
}

TEST_CASE("a photo post: content/init with the photo URLs, the cover, title and description", "[tiktok][publish]") {
  TikTokFixture f;
  auto one = f.media("image", "image/jpeg", 2000, "one.jpg");
  auto two = f.media("image", "image/webp", 3000, "two.webp");
  auto r = f.publishSettled(
      f.post("A long description #photos", {one, two}, {{"title", "Two photos"}, {"photo_cover_index", 1}}));
  REQUIRE(r.ok());
  const auto p = f.tiktok.posts().at(0);
  CHECK(p.mediaType == "PHOTO");
  CHECK(p.title == "Two photos");
  CHECK(p.description == "A long description #photos");
  CHECK(p.photoCoverIndex == 1);
  CHECK(p.fetchedBytes == std::vector<long long>{2000, 3000});
  CHECK(p.disableComment);
}

TEST_CASE("the user's choices are checked against creator_info before anything is posted", "[tiktok][publish]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 1000, "c.mp4");
  emulators::TikTokApi::Creator creator;
  creator.privacyLevels = {"FOLLOWER_OF_CREATOR", "SELF_ONLY"};
  creator.commentDisabled = true;
  f.tiktok.setCreator(creator);

  SECTION("a privacy level the creator does not have") {
    auto r = f.publishSettled(f.post("x", {video}));
    CHECK(r.kind == ErrorKind::InvalidInput);
    CHECK(r.message.find("FOLLOWER_OF_CREATOR, SELF_ONLY") != std::string::npos);
  }
  SECTION("comments the creator turned off") {
    auto r = f.publishSettled(f.post("x", {video}, {{"privacy_level", "SELF_ONLY"}, {"disable_comment", false}}));
    CHECK(r.kind == ErrorKind::InvalidInput);
  }
  SECTION("a private post completes without a public id: the publish_id stands for it") {
    auto r = f.publishSettled(f.post("x", {video}, {{"privacy_level", "SELF_ONLY"}}));
    REQUIRE(r.ok());
    CHECK(text(r.json, "postId") == f.tiktok.posts().at(0).publishId);
    return;
  }
  CHECK(f.tiktok.inits() == 0);
}

TEST_CASE("validate: privacy_level is required, limits are TikTok's, length in UTF-16", "[tiktok][validate]") {
  TikTokFixture f;
  auto video = f.media("video", "video/mp4", 1000, "v.mp4");
  auto request = f.post("caption", {video});
  request.erase("accessToken");
  CHECK(f.call(Operation::Validate, request).ok());
  CHECK(f.call(Operation::Validate, request).json.at("length").at("limit").as_int64() == 2200);

  auto noPrivacy = request;
  noPrivacy["options"] = json::object{};
  auto r = f.call(Operation::Validate, noPrivacy);
  CHECK(r.kind == ErrorKind::InvalidInput);
  CHECK(json::serialize(r.json).find("/options/privacy_level") != std::string::npos);

  auto tooLong = request;
  tooLong["content"] = std::string(2201, 'a');
  r = f.call(Operation::Validate, tooLong);
  CHECK(r.kind == ErrorKind::InvalidInput);
  CHECK(r.json.at("length").at("used").as_int64() == 2201);

  auto textOnly = request;
  textOnly["media"] = json::array{};
  CHECK(f.call(Operation::Validate, textOnly).kind == ErrorKind::InvalidInput);

  auto gif = request;
  gif["media"] = json::array{f.media("gif", "image/gif", 100, "a.gif")};
  CHECK(f.call(Operation::Validate, gif).kind == ErrorKind::InvalidInput);

  auto branded = request;
  branded["options"] = json::object{{"privacy_level", "SELF_ONLY"}, {"brand_content_toggle", true}};
  CHECK(f.call(Operation::Validate, branded).kind == ErrorKind::InvalidInput);
  CHECK(f.tiktok.requests().empty());
}

// https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status: "If the post was
// created for public viewership, it must undergo TikTok's moderation process ... developers are not
// provided with the post_id until this process is complete."
TEST_CASE("a public post waits out TikTok's moderation for its post id", "[tiktok][publish]") {
  TikTokFixture f;
  f.tiktok.setModerationPolls(3);
  auto video = f.media("video", "video/mp4", 4000, "moderated.mp4");
  int pendings = 0;
  auto r = f.publishSettled(f.post("In moderation", {video}), &pendings);
  REQUIRE(r.ok());
  const auto p = f.tiktok.posts().at(0);
  CHECK(p.status == "PUBLISH_COMPLETE");
  CHECK(text(r.json, "postId") == p.postId);
  CHECK(text(r.json, "url") == "https://www.tiktok.com/@ada.lovelace/video/" + p.postId);
  CHECK(pendings == 3 + 3);  // init, upload, processing, then three answers still in moderation

  SECTION("a private post has no public id to wait for") {
    int more = 0;
    auto mine = f.publishSettled(f.post("Only me", {video}, {{"privacy_level", "SELF_ONLY"}}), &more);
    REQUIRE(mine.ok());
    CHECK(more == 3);
    CHECK(text(mine.json, "postId") == f.tiktok.posts().back().publishId);
    CHECK(mine.json.at("extra").at("public") == false);
  }
}

TEST_CASE("moderation_wait_seconds bounds the wait; then the publish_id stands for the post", "[tiktok][publish]") {
  TikTokFixture f({{"moderation_wait_seconds", 60}});
  f.tiktok.setModerationPolls(10);
  auto video = f.media("video", "video/mp4", 4000, "slow.mp4");
  int pendings = 0;
  auto r = f.publishSettled(f.post("Slow moderation", {video}), &pendings);
  REQUIRE(r.ok());
  CHECK(pendings == 3 + 2);  // 60 s at one status fetch every 30 s
  CHECK(text(r.json, "postId") == f.tiktok.posts().at(0).publishId);
  CHECK(r.json.at("extra").at("public") == false);
}
