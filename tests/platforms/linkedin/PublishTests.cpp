// validate, publish (text, article, image, multi-image, video, document), media upload, delete.
#include "LinkedInFixture.h"

#include <catch2/catch.hpp>

using namespace linkedin_test;

namespace {

std::string text(const json::value& v, const char* key) { return json::value_to<std::string>(v.at(key)); }

json::object postRequest(const LinkedInFixture& f, const std::string& author, const std::string& content,
                         json::array media = {}) {
  json::object request{{"accessToken", f.token}, {"account", f.account(author)}, {"content", content}};
  if (!media.empty()) request["media"] = media;
  return request;
}

json::value lastBody(const LinkedInFixture& f) { return json::parse(f.lastPostBody()); }

bool issueMentions(const CallResult& r, const std::string& words) {
  for (const auto& issue : r.json.at("issues").as_array())
    if (json::value_to<std::string>(issue.at("message")).find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("validate applies LinkedIn's limits without any network call", "[linkedin][validate]") {
  LinkedInFixture f;
  const auto image = f.media("image", "image/png", 100, "a.png");
  CHECK(f.call(Operation::Validate, {{"content", std::string(3000, 'x')}}).ok());
  std::string accents;
  for (int i = 0; i < 3000; ++i) accents += "\xc3\xa9";  // 3000 characters, 6000 bytes
  CHECK(f.call(Operation::Validate, {{"content", accents}}).ok());

  auto tooLong = f.call(Operation::Validate, {{"content", std::string(3001, 'x')}});
  CHECK(tooLong.kind == ErrorKind::InvalidInput);
  CHECK(issueMentions(tooLong, "3000"));

  auto mixed = f.call(Operation::Validate,
                      {{"content", "x"}, {"media", {image, f.media("video", "video/mp4", 100000, "v.mp4")}}});
  CHECK(issueMentions(mixed, "cannot mix"));

  json::array many;
  for (int i = 0; i < 21; ++i) many.push_back(image);
  CHECK(issueMentions(f.call(Operation::Validate, {{"content", "x"}, {"media", many}}), "at most 20"));
  CHECK(issueMentions(
      f.call(Operation::Validate, {{"content", "x"}, {"media", {f.media("video", "video/mp4", 1000, "tiny.mp4")}}}),
      "75 KB"));
  CHECK(issueMentions(
      f.call(Operation::Validate, {{"content", "x"}, {"link", "https://a.example"}, {"media", {image}}}), "not both"));
  CHECK(issueMentions(f.call(Operation::Validate, {{"content", "x"}, {"thread", {{{"content", "y"}}}}}), "no threads"));
  CHECK(issueMentions(f.call(Operation::Validate, {{"content", ""}}), "needs text"));
  CHECK(f.linkedin.requests().empty());
}

TEST_CASE("a text post escapes little-text characters and reads back verbatim", "[linkedin][publish]") {
  LinkedInFixture f;
  const std::string content = "Launch (beta) #1 @team [link] {x} <y> a_b*c~d|e\\f — ça marche";
  auto r = f.call(Operation::Publish, postRequest(f, kMember, content));
  REQUIRE(r.ok());
  const auto posts = f.linkedin.posts();
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].commentary == content);  // unescaped text would be cut at "("
  CHECK(text(r.json, "postId") == posts[0].urn);
  CHECK(text(r.json, "url") == "https://www.linkedin.com/feed/update/" + posts[0].urn + "/");
  const auto body = lastBody(f);
  CHECK(text(body, "author") == kMember);
  CHECK(text(body, "visibility") == "PUBLIC");
  CHECK(text(body, "lifecycleState") == "PUBLISHED");
  CHECK(text(body.at("distribution"), "feedDistribution") == "MAIN_FEED");
  CHECK(body.at("isReshareDisabledByAuthor") == false);

  SECTION("a retry of a live post does not post twice") {
    auto request = postRequest(f, kMember, content);
    request["resume"] = {{"postIds", {posts[0].urn}}};
    auto again = f.call(Operation::Publish, request);
    REQUIRE(again.ok());
    CHECK(text(again.json, "postId") == posts[0].urn);
    CHECK(f.linkedin.posts().size() == 1);
  }
}

TEST_CASE("a company page post with an image uploads it, answers pending while LinkedIn processes it, then posts",
          "[linkedin][publish][media]") {
  LinkedInFixture f;
  auto image = f.media("image", "image/jpeg", 2048, "photo.jpg");
  image["altText"] = "A red bicycle";
  auto request = postRequest(f, kOrganization, "New office!", {image});
  const auto first = f.call(Operation::Publish, request);
  REQUIRE(first.ok());
  const auto& pending = first.json.at("pending");
  CHECK(pending.at("retryAfterSeconds").as_int64() == 1);  // poll_interval_ms 5, at least a second
  CHECK(text(pending, "stage") == "LinkedIn is processing the media");
  const auto urn = text(pending.at("resume").at("media"), "m-photo.jpg");  // keyed by the host's media id
  CHECK(urn.rfind("urn:li:image:", 0) == 0);
  CHECK(f.linkedin.posts().empty());
  request["resume"] = pending.at("resume");
  auto r = f.call(Operation::Publish, request);
  REQUIRE(r.ok());
  const auto posts = f.linkedin.posts();
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].author == kOrganization);
  CHECK(text(r.json, "postId").rfind("urn:li:share:", 0) == 0);
  const auto media = lastBody(f).at("content").at("media");
  CHECK(text(media, "id") == urn);  // uploaded once
  CHECK(text(media, "altText") == "A red bicycle");
  CHECK(f.linkedin.statusPolls() == 2);  // PROCESSING once, then AVAILABLE
  int initializations = 0;
  for (const auto& line : f.linkedin.requests())
    initializations += line.find("action=initializeUpload") != std::string::npos;
  CHECK(initializations == 1);
}

TEST_CASE("several images become a multiImage post", "[linkedin][publish][media]") {
  LinkedInFixture f;
  int pendings = 0;
  auto r = f.publishSettled(
      postRequest(f, kOrganization, "Gallery",
                  {f.media("image", "image/png", 10, "1.png"), f.media("image", "image/png", 20, "2.png"),
                   f.media("image", "image/gif", 30, "3.gif")}),
      &pendings);
  REQUIRE(r.ok());
  CHECK(pendings == 1);
  CHECK(lastBody(f).at("content").at("multiImage").at("images").as_array().size() == 3);
}

TEST_CASE("a video goes up in parts with ETags, is finalized, and publish comes back until it is AVAILABLE",
          "[linkedin][publish][media]") {
  LinkedInFixture f;
  f.linkedin.setVideoPartSize(100 * 1024);
  int pendings = 0;
  auto r = f.publishSettled(
      postRequest(f, kMember, "Watch this", {f.media("video", "video/mp4", 250 * 1024, "clip.mp4")}), &pendings);
  REQUIRE(r.ok());
  CHECK(f.linkedin.videoPartsUploaded() == 3);
  CHECK(pendings == 2);                  // PROCESSING twice after finalize
  CHECK(f.linkedin.statusPolls() == 3);  // then AVAILABLE
  CHECK(text(r.json, "postId").rfind("urn:li:ugcPost:", 0) == 0);
  CHECK(text(lastBody(f).at("content").at("media"), "id").rfind("urn:li:video:", 0) == 0);
}

TEST_CASE("a document post carries the Documents API URN and a title", "[linkedin][publish][media]") {
  LinkedInFixture f;
  auto request =
      postRequest(f, kOrganization, "Our report", {f.media("document", "application/pdf", 5000, "report.pdf")});
  request["options"] = {{"title", "Annual report"}};
  REQUIRE(f.publishSettled(request).ok());
  const auto media = lastBody(f).at("content").at("media");
  CHECK(text(media, "id").rfind("urn:li:document:", 0) == 0);
  CHECK(text(media, "title") == "Annual report");
}

TEST_CASE("a link becomes an article", "[linkedin][publish]") {
  LinkedInFixture f;
  auto request = postRequest(f, kMember, "Read this");
  request["link"] = "https://blog.example/post";
  request["options"] = {{"title", "Our post"}, {"description", "Why"}};
  REQUIRE(f.call(Operation::Publish, request).ok());
  const auto article = lastBody(f).at("content").at("article");
  CHECK(text(article, "source") == "https://blog.example/post");
  CHECK(text(article, "title") == "Our post");
  CHECK(text(article, "description") == "Why");
}

TEST_CASE("upload ahead of publish (pending while processing), then publish with the platformMediaId",
          "[linkedin][media]") {
  LinkedInFixture f;
  auto upload = f.call(Operation::UploadMedia, {{"accessToken", f.token},
                                                {"account", f.account(kMember)},
                                                {"path", f.file("u.png", 64)},
                                                {"mimeType", "image/png"},
                                                {"size", 64},
                                                {"kind", "image"}});
  REQUIRE(upload.ok());
  const auto urn = text(upload.json, "platformMediaId");
  CHECK(urn.rfind("urn:li:image:", 0) == 0);
  CHECK(upload.json.at("pending").at("retryAfterSeconds").as_int64() == 1);  // asked once: PROCESSING
  const auto before = f.linkedin.requests().size();
  json::object media{{"id", "h1"}, {"kind", "image"},       {"mimeType", "image/png"}, {"path", "/nonexistent"},
                     {"size", 64}, {"platformMediaId", urn}};
  REQUIRE(f.call(Operation::Publish, postRequest(f, kMember, "Pre-uploaded", {media})).ok());
  const auto requests = f.linkedin.requests();
  REQUIRE(requests.size() == before + 2);  // its status (AVAILABLE now), then POST /rest/posts; no upload
  CHECK(requests[before].rfind("GET /rest/images/", 0) == 0);
  CHECK(requests[before + 1] == "POST /rest/posts");
  CHECK(text(lastBody(f).at("content").at("media"), "id") == urn);
}

TEST_CASE("delete_post deletes the post; a post already gone is fine", "[linkedin][delete]") {
  LinkedInFixture f;
  auto r = f.call(Operation::Publish, postRequest(f, kOrganization, "Short-lived"));
  REQUIRE(r.ok());
  const auto urn = text(r.json, "postId");
  REQUIRE(
      f.call(Operation::DeletePost, {{"accessToken", f.token}, {"account", f.account(kOrganization)}, {"postId", urn}})
          .ok());
  CHECK(f.linkedin.deletedPosts() == std::vector<std::string>{urn});
  CHECK(f.linkedin.posts().empty());
  CHECK(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"postId", urn}}).ok());
}

TEST_CASE("validate reports the commentary's length in characters against 3000", "[linkedin][validate][length]") {
  LinkedInFixture f;
  const auto lengthOf = [](const CallResult& r) {
    const auto& length = r.json.at("length");
    return std::tuple{length.at("used").as_int64(), length.at("limit").as_int64(),
                      std::string(length.at("unit").as_string())};
  };
  auto short_ = f.call(Operation::Validate,
                       {{"content", "caf\xc3\xa9 \xF0\x9F\x98\x80 (launch)"}});  // é and 😀: one character each
  REQUIRE(short_.ok());
  CHECK(lengthOf(short_) == std::tuple{15, 3000, std::string("characters")});
  auto over = f.call(Operation::Validate, {{"content", std::string(3001, 'x')}});
  REQUIRE(over.kind == ErrorKind::InvalidInput);
  CHECK(lengthOf(over) == std::tuple{3001, 3000, std::string("characters")});
  CHECK(f.linkedin.requests().empty());
}
