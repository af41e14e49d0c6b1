// Pieces of the media library and the publishing engine that need no server: type sniffing,
// signed media URLs, and a post's overall status from its targets.
#include "core/Random.h"
#include "media/MediaStore.h"
#include "media/MediaType.h"
#include "publishing/Post.h"
#include "vault/KeyRing.h"
#include "vault/TokenVault.h"

#include <catch2/catch.hpp>

using namespace marketsage;

namespace {
std::optional<media::MediaType> sniffText(const std::string& bytes) {
  return media::sniff(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}
}  // namespace

TEST_CASE("media types come from the bytes, with the pixel size where the header has it", "[media]") {
  const auto png = sniffText(std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x04\x38\0\0\x05\x46", 24));
  REQUIRE(png);
  CHECK(png->mimeType == "image/png");
  CHECK(*png->width == 1080);
  CHECK(*png->height == 1350);
  const auto gif = sniffText(std::string("GIF89a\x40\x01\xF0\x00", 10));
  REQUIRE(gif);
  CHECK(gif->kind == "gif");
  CHECK(*gif->width == 320);
  CHECK(*gif->height == 240);
  const auto mp4 =
      sniffText(std::string("\0\0\0\x20"
                            "ftypisom\0\0\x02\0",
                            16));
  REQUIRE(mp4);
  CHECK(mp4->mimeType == "video/mp4");
  CHECK(mp4->kind == "video");
  CHECK(sniffText(std::string("\0\0\0\x14"
                              "ftypqt  ",
                              12))
            ->mimeType == "video/quicktime");
  CHECK(sniffText("%PDF-1.7\n")->kind == "document");
  const auto webp = sniffText(std::string("RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0\x37\x04\0\x45\x05\0", 30));
  REQUIRE(webp);
  CHECK(*webp->width == 1080);
  CHECK(*webp->height == 1350);
  CHECK_FALSE(sniffText("<svg xmlns='http://www.w3.org/2000/svg'/>"));
  CHECK_FALSE(sniffText("MZ\x90\0"));
  CHECK_FALSE(sniffText(""));
}

TEST_CASE("signed media URLs: only the signature of that item, organization and expiry opens the file", "[media]") {
  const auto bytes = random::bytes(32);
  vault::TokenVault vault{vault::KeyRing(bytes)};
  media::MediaItem item;
  item.id = "m-1";
  item.organizationId = "org-a";
  const auto expires = std::int64_t{4102444800000};  // 2100-01-01
  const auto url = media::signedUrl("https://host.example/", vault, item, expires);
  CHECK(url.rfind("https://host.example/media/m-1?expires=4102444800000&signature=", 0) == 0);
  const auto signature = url.substr(url.find("signature=") + 10);
  CHECK(media::verifySignedUrl(vault, item, expires, signature));
  CHECK_FALSE(media::verifySignedUrl(vault, item, expires + 1, signature));  // another expiry
  auto other = item;
  other.organizationId = "org-b";
  CHECK_FALSE(media::verifySignedUrl(vault, other, expires, signature));  // another organization's key
  other = item;
  other.id = "m-2";
  CHECK_FALSE(media::verifySignedUrl(vault, other, expires, signature));  // another item
  CHECK_FALSE(media::verifySignedUrl(vault, item, 1000, vault.sign("org-a", "media-url", "m-1\n1000")));  // expired
  vault::TokenVault otherKey{vault::KeyRing(random::bytes(32))};
  CHECK_FALSE(media::verifySignedUrl(otherKey, item, expires, signature));
}

TEST_CASE("a post's status sums up its targets", "[publishing]") {
  using namespace publishing;
  Post post;
  const auto target = [](const char* status, std::int64_t dueAt = 0, std::int64_t attempts = 0) {
    Target t;
    t.status = status;
    t.dueAt = dueAt;
    t.attempts = attempts;
    return t;
  };
  post.scheduledAt = 5000;
  post.targets = {target("queued", 5000), target("queued", 5000)};
  CHECK(overallStatus(post, 1000) == "scheduled");
  CHECK(overallStatus(post, 6000) == "publishing");
  post.targets = {target("published"), target("failed")};
  CHECK(overallStatus(post, 0) == "partially_published");
  post.targets = {target("published"), target("needs_review")};
  CHECK(overallStatus(post, 0) == "needs_review");
  post.targets = {target("failed"), target("failed")};
  CHECK(overallStatus(post, 0) == "failed");
  post.targets = {target("cancelled")};
  CHECK(overallStatus(post, 0) == "cancelled");
  post.targets = {target("deleted"), target("failed")};
  CHECK(overallStatus(post, 0) == "deleted");
  post.targets = {target("published"), target("queued", 9000, 1)};  // a retry waiting
  CHECK(overallStatus(post, 0) == "publishing");
  CHECK(isSettled("needs_review"));
  CHECK_FALSE(isSettled("publishing"));
}
