// validate, image / carousel / video Pins, delete, and the errors of publishing, against the
// Pinterest emulator.
#include "PinterestFixture.h"
#include "Tokens.h"

#include <fstream>
#include <sstream>

using namespace pinterest_test;

namespace {

std::string fileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return marketsage::test::sha256Hex(bytes.str());
}

std::string issues(const CallResult& r) { return json::serialize(r.json); }

}  // namespace

TEST_CASE("Pinterest: validate counts the description and refuses what Pinterest refuses", "[pinterest]") {
  PinterestFixture f;
  auto ok = f.call(Operation::Validate, f.post("Walnut shelf", {f.image("m1")}, {{"title", "Shelf"}}));
  REQUIRE(ok.ok());
  CHECK(ok.json.at("length").at("used") == 12);
  CHECK(ok.json.at("length").at("limit") == 500);

  const auto tooLong =
      f.call(Operation::Validate, f.post(std::string(501, 'a'), {f.image("m2")}, {{"title", std::string(101, 't')}}));
  CHECK(tooLong.kind == ErrorKind::InvalidInput);
  CHECK(issues(tooLong).find("/options/title") != std::string::npos);
  CHECK(issues(tooLong).find("/content") != std::string::npos);

  CHECK(f.call(Operation::Validate, f.post("no media", {})).kind == ErrorKind::InvalidInput);
  auto two = f.post("two videos", {f.video(1000, "a.mp4"), f.video(1000, "b.mp4")});
  CHECK(f.call(Operation::Validate, two).kind == ErrorKind::InvalidInput);
  auto withThread = f.post("thread", {f.image("m3")});
  withThread["thread"] = json::array{json::object{{"content", "2"}}};
  CHECK(f.call(Operation::Validate, withThread).kind == ErrorKind::InvalidInput);
  auto badLink = f.post("link", {f.image("m4")});
  badLink["link"] = "ftp://example.com/x";
  CHECK(f.call(Operation::Validate, badLink).kind == ErrorKind::InvalidInput);
  auto noUrl = f.image("m5");
  noUrl.erase("url");
  CHECK(f.call(Operation::Validate, f.post("no url", {noUrl})).kind == ErrorKind::InvalidInput);
  CHECK(f.pinterest.requests().empty());  // offline
}

TEST_CASE("Pinterest: board and section ids are numbers, as the API's ^\\d+$ pattern wants them", "[pinterest]") {
  PinterestFixture f;
  const auto board = f.call(Operation::Validate, f.post("Shelf", {f.image("m1")}, {{"board_id", "workshop-ideas"}}));
  CHECK(board.kind == ErrorKind::InvalidInput);
  CHECK(issues(board).find("/options/board_id") != std::string::npos);
  const auto section =
      f.call(Operation::Validate, f.post("Shelf", {f.image("m2")}, {{"board_section_id", "section one"}}));
  CHECK(section.kind == ErrorKind::InvalidInput);
  CHECK(issues(section).find("/options/board_section_id") != std::string::npos);
  CHECK(f.call(Operation::Publish, f.post("Shelf", {f.image("m3")}, {{"board_id", "ideas"}})).kind ==
        ErrorKind::InvalidInput);
  CHECK(f.pinterest.pinCreates() == 0);  // refused before Pinterest would answer 400
  CHECK(f.call(Operation::Validate, f.post("Shelf", {f.image("m4")}, {{"board_section_id", "549755885999"}})).ok());
}

TEST_CASE("Pinterest: an image Pin with title, description, link and alt text; another board; delete", "[pinterest]") {
  PinterestFixture f;
  auto media = f.image("m1", pngBytes(1000, 1500, 5000));
  media["altText"] = "A walnut shelf on a white wall";
  auto request = f.post("Walnut shelf, oiled", {media}, {{"title", "Walnut shelf"}});
  request["link"] = "https://ada.example/shelf";
  const auto r = f.call(Operation::Publish, request);
  REQUIRE(r.ok());
  const std::string id(r.json.at("postId").as_string());
  CHECK(str(r.json.at("url")) == "https://www.pinterest.com/pin/" + id + "/");
  const auto pin = f.pinterest.pin(id);
  REQUIRE(pin);
  CHECK(pin->boardId == PinterestApi::boardId);
  CHECK(pin->title == "Walnut shelf");
  CHECK(pin->description == "Walnut shelf, oiled");
  CHECK(pin->link == "https://ada.example/shelf");
  CHECK(pin->altText == "A walnut shelf on a white wall");
  CHECK(pin->sourceType == "image_url");
  REQUIRE(pin->imageBytes.size() == 1);
  CHECK(pin->imageBytes[0] == static_cast<long long>(pngBytes(1000, 1500, 5000).size()));  // fetched by Pinterest

  const auto other = f.call(
      Operation::Publish, f.post("On the kitchen board", {f.image("m2")}, {{"board_id", PinterestApi::secondBoardId}}));
  REQUIRE(other.ok());
  CHECK(f.pinterest.pin(std::string(other.json.at("postId").as_string()))->boardId == PinterestApi::secondBoardId);

  const json::object account{{"id", PinterestApi::boardId}};
  CHECK(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"account", account}, {"postId", id}}).ok());
  CHECK(f.pinterest.pin(id)->deleted);
  // Already gone: fine.
  CHECK(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"account", account}, {"postId", id}}).ok());
}

TEST_CASE("Pinterest: a carousel of three images", "[pinterest]") {
  PinterestFixture f;
  const auto r = f.call(Operation::Publish, f.post("Three views", {f.image("a"), f.image("b"), f.image("c")}));
  REQUIRE(r.ok());
  const auto pin = f.pinterest.pin(std::string(r.json.at("postId").as_string()));
  REQUIRE(pin);
  CHECK(pin->sourceType == "multiple_image_urls");
  CHECK(pin->imageBytes.size() == 3);
}

TEST_CASE("Pinterest: a video Pin: registered, uploaded to the storage form, pending while processing, then made",
          "[pinterest]") {
  PinterestFixture f;
  f.pinterest.setProcessingPolls(2);
  auto video = f.video(300 * 1024);
  const auto done = f.publishSettled(f.post("Turning a bowl", {video}, {{"title", "Bowl"}}));
  REQUIRE(done.result.ok());
  CHECK(done.pendingRounds == 3);  // uploaded, then processing twice
  const auto uploads = f.pinterest.uploads();
  REQUIRE(uploads.size() == 1);
  CHECK(uploads[0].bytes == 300 * 1024);
  CHECK(uploads[0].sha256 == fileSha256(std::string(video.at("path").as_string())));
  CHECK(uploads[0].fieldOrder.back() == "file");
  CHECK(uploads[0].fieldOrder.size() == 9);
  CHECK(uploads[0].contentType == "video/mp4");
  const auto pin = f.pinterest.pin(std::string(done.result.json.at("postId").as_string()));
  REQUIRE(pin);
  CHECK(pin->sourceType == "video_id");
  CHECK(pin->mediaId == uploads[0].mediaId);
  CHECK(pin->coverKeyFrame == 0);
  CHECK(f.pinterest.mediaPolls() == 3);

  SECTION("an image with the video is its cover") {
    const auto withCover = f.publishSettled(f.post("With a cover", {f.video(1024, "b.mp4"), f.image("cover")}));
    REQUIRE(withCover.result.ok());
    const auto covered = f.pinterest.pin(std::string(withCover.result.json.at("postId").as_string()));
    CHECK(covered->coverImageUrl.find("/media/cover.png") != std::string::npos);
  }
  SECTION("the storage refuses the upload: an expired policy is tried again, a file too large is not") {
    f.pinterest.refuseNextStorageUpload(403);
    const auto expired = f.call(Operation::Publish, f.post("Expired policy", {f.video(1024, "d.mp4")}));
    CHECK(expired.kind == ErrorKind::Transient);
    CHECK(expired.message.find("Policy expired") != std::string::npos);
    f.pinterest.refuseNextStorageUpload(400);
    const auto large = f.call(Operation::Publish, f.post("Too large", {f.video(1024, "e.mp4")}));
    CHECK(large.kind == ErrorKind::Permanent);
    CHECK(large.message.find("exceeds the maximum allowed size") != std::string::npos);
  }
  SECTION("a video Pinterest cannot process fails for good") {
    f.pinterest.failNextVideoProcessing();
    const auto failed = f.publishSettled(f.post("Broken", {f.video(1024, "c.mp4")}));
    CHECK(failed.result.kind == ErrorKind::Permanent);
  }
}

TEST_CASE("Pinterest: rate limits, expired tokens, another user's board, an image Pinterest cannot fetch",
          "[pinterest]") {
  PinterestFixture f;
  f.pinterest.rateLimitNext(1, 42);
  const auto limited = f.call(Operation::Publish, f.post("Busy", {f.image("m1")}));
  CHECK(limited.kind == ErrorKind::RateLimited);
  CHECK(limited.retryAfterSeconds == 42);
  CHECK(limited.platformCode == "29");
  // A 429 for spam is Pinterest refusing this content: not waited out and sent again.
  f.pinterest.failNext(1, 429, 29, "Your request was blocked because it looks like spam.");
  const auto spam = f.call(Operation::Publish, f.post("Buy now", {f.image("m9")}));
  CHECK(spam.kind == ErrorKind::Permanent);
  CHECK(spam.message.find("spam") != std::string::npos);

  f.pinterest.addForeignBoard("777");
  const auto foreign = f.call(Operation::Publish, f.post("Not mine", {f.image("m2")}, {{"board_id", "777"}}));
  CHECK(foreign.kind == ErrorKind::Permanent);
  CHECK(foreign.message.find("Board not found") != std::string::npos);

  auto missing = f.image("m3");
  missing["url"] = std::string(missing.at("url").as_string()) + ".gone";
  const auto unfetched = f.call(Operation::Publish, f.post("Gone", {missing}));
  CHECK(unfetched.kind == ErrorKind::Permanent);
  CHECK(unfetched.message.find("could not fetch the image") != std::string::npos);

  f.pinterest.failNext(1, 500, 500, "Internal error");
  // A 500 to the create: Pinterest does not say nothing was made, so the Pin may exist.
  CHECK(f.call(Operation::Publish, f.post("500", {f.image("m4")})).kind == ErrorKind::OutcomeUnknown);
  f.pinterest.expireAllTokens();
  CHECK(f.call(Operation::Publish, f.post("Expired", {f.image("m5")})).kind == ErrorKind::AuthExpired);
  CHECK(f.logs().find(f.token) == std::string::npos);
}
