// validate and publish refuse, offline and per field, what YouTube would refuse.
#include "YouTubeFixture.h"

#include "PacificTime.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

using namespace youtube_test;

namespace {

/// The issues of a validate call that must fail, as "field: message" lines.
std::vector<std::string> issuesOf(const YouTubeFixture& f, json::object request) {
  request.erase("accessToken");
  const auto r = f.call(Operation::Validate, request);
  std::vector<std::string> out;
  if (r.ok()) return out;
  REQUIRE(r.kind == ErrorKind::InvalidInput);
  for (const auto& issue : r.json.at("issues").as_array())
    out.push_back(json::value_to<std::string>(issue.at("field")) + ": " +
                  json::value_to<std::string>(issue.at("message")));
  return out;
}

bool hasIssue(const std::vector<std::string>& issues, const std::string& field, const std::string& words) {
  for (const auto& issue : issues)
    if (issue.rfind(field + ": ", 0) == 0 && issue.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("validate: exactly one video, and an image only as its thumbnail", "[youtube][validate]") {
  YouTubeFixture f;
  const auto video = f.videoMedia(300 * 1024);
  CHECK(issuesOf(f, f.post("Fine", {video})).empty());
  CHECK(hasIssue(issuesOf(f, f.post("No video", {})), "/media", "exactly one video"));
  CHECK(hasIssue(issuesOf(f, f.post("Two videos", {video, f.videoMedia(1000, "b.mp4")})), "/media/1",
                 "exactly one video"));
  CHECK(hasIssue(issuesOf(f, f.post("An image", {video, f.imageMedia(100, "img")})), "/media/1",
                 "only as its thumbnail"));
  CHECK(hasIssue(issuesOf(f, f.post("Bad thumbnail", {video}, {{"thumbnail", "missing"}})), "/options/thumbnail",
                 "image of the post"));
  CHECK(issuesOf(f, f.post("Thumbnail", {video, f.imageMedia(100, "img")}, {{"thumbnail", "img"}})).empty());
  CHECK(hasIssue(
      issuesOf(f, f.post("Big thumbnail", {video, f.imageMedia(3 * 1024 * 1024, "big")}, {{"thumbnail", "big"}})),
      "/media/1", "2 MB"));
  auto thread = f.post("Thread", {video});
  thread["thread"] = json::array{json::object{{"content", "2/2"}}};
  CHECK(hasIssue(issuesOf(f, thread), "/thread", "no threads"));
}

TEST_CASE("validate: title, description, tags, privacy, publishAt, category, shorts", "[youtube][validate]") {
  YouTubeFixture f;
  const auto video = f.videoMedia(300 * 1024);
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"title", std::string(101, 'a')}})), "/options/title",
                 "100 characters"));
  CHECK(issuesOf(f, f.post("x", {video}, {{"title", std::string(100, 'a')}})).empty());
  // 100 characters of two bytes each are fine: characters, not bytes.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  CHECK(issuesOf(f, f.post("x", {video}, {{"title", accents}})).empty());
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"title", "a <b> title"}})), "/options/title", "< or >"));
  CHECK(hasIssue(issuesOf(f, f.post("", {video})), "/options/title", "needs a title"));
  // A long first line becomes a title of 100 characters; the description keeps it all.
  CHECK(issuesOf(f, f.post(std::string(300, 'z'), {video})).empty());
  CHECK(hasIssue(issuesOf(f, f.post(std::string(5001, 'd'), {video})), "/content", "5000 bytes"));
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"description", std::string(5001, 'd')}})), "/options/description",
                 "5000 bytes"));
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"description", "<script>"}})), "/options/description", "< or >"));
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"privacyStatus", "friends"}})), "/options/privacyStatus",
                 "public, unlisted or private"));
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"publishAt", "2020-01-01T00:00:00Z"}})), "/options/publishAt",
                 "in the past"));
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"publishAt", "tomorrow"}})), "/options/publishAt", "RFC 3339"));
  CHECK(
      hasIssue(issuesOf(f, f.post("x", {video}, {{"publishAt", "2099-01-01T00:00:00Z"}, {"privacyStatus", "public"}})),
               "/options/publishAt", "must be private"));
  CHECK(
      issuesOf(f, f.post("x", {video}, {{"publishAt", "2099-01-01T00:00:00Z"}, {"privacyStatus", "private"}})).empty());
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"categoryId", "music"}})), "/options/categoryId", "category id"));
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"madeForKids", "no"}})), "/options/madeForKids", "true or false"));
  json::array tags;
  for (int i = 0; i < 60; ++i) tags.emplace_back("tag number " + std::to_string(i));
  CHECK(hasIssue(issuesOf(f, f.post("x", {video}, {{"tags", tags}})), "/options/tags", "500 characters"));
  auto landscape = video;
  landscape["width"] = 1920;
  landscape["height"] = 1080;
  CHECK(hasIssue(issuesOf(f, f.post("x", {landscape}, {{"shorts", true}})), "/media/0", "vertical or square"));
  auto longer = video;
  longer["durationSeconds"] = 181;
  CHECK(hasIssue(issuesOf(f, f.post("x", {longer}, {{"shorts", true}})), "/media/0", "3 minutes"));
}

TEST_CASE("publish refuses an invalid post before any network call", "[youtube][validate]") {
  YouTubeFixture f;
  const auto r = f.call(Operation::Publish, f.post("x", {f.videoMedia(1000)}, {{"privacyStatus", "everyone"}}));
  CHECK(r.kind == ErrorKind::InvalidInput);
  CHECK(r.message.find("/options/privacyStatus") != std::string::npos);
  CHECK(f.youtube.requests().empty());
}

TEST_CASE("the quota resets at midnight in Los Angeles, daylight saving time included", "[youtube][quota]") {
  // The system's time zone database is the oracle.
  setenv("TZ", "America/Los_Angeles", 1);
  tzset();
  const auto oracle = [](int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm local{};
    localtime_r(&t, &local);
    local.tm_mday += 1;
    local.tm_hour = local.tm_min = local.tm_sec = 0;
    local.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&local)) * 1000;
  };
  int checked = 0;
  // Every 37 minutes from 2025 to 2029 (crossing each switch of DST at different times of day).
  for (int64_t ms = 1735689600000LL; ms < 1861920000000LL; ms += 37 * 60 * 1000LL) {
    const auto expected = oracle(ms);
    if (youtube::nextPacificMidnightMs(ms) != expected) {
      FAIL_CHECK("at " << ms << " expected " << expected << " got " << youtube::nextPacificMidnightMs(ms));
      break;
    }
    ++checked;
  }
  CHECK(checked > 50000);
  // 2026-03-08 (DST starts at 02:00): the midnight that ends the 7th is 08:00 UTC, the one that
  // ends the 8th is 07:00 UTC; 2026-11-01 (DST ends): 07:00 UTC, then 08:00 UTC.
  CHECK(youtube::nextPacificMidnightMs(1772928000000LL /* 2026-03-08T00:00Z */) ==
        1772956800000LL /* 2026-03-08T08:00Z */);
  CHECK(youtube::nextPacificMidnightMs(1772960400000LL /* 2026-03-08T09:00Z */) ==
        1773039600000LL /* 2026-03-09T07:00Z */);
  CHECK(youtube::nextPacificMidnightMs(1793491200000LL /* 2026-11-01T00:00Z */) ==
        1793516400000LL /* 2026-11-01T07:00Z */);
  CHECK(youtube::nextPacificMidnightMs(1793523600000LL /* 2026-11-01T09:00Z */) ==
        1793606400000LL /* 2026-11-02T08:00Z */);
  unsetenv("TZ");
  tzset();
}

TEST_CASE("validate reports the description's length in bytes against 5000; the title stays an issue",
          "[youtube][validate][length]") {
  YouTubeFixture f;
  const auto video = f.videoMedia(300 * 1024);
  const auto lengthOf = [&](json::object request) {
    request.erase("accessToken");
    const auto r = f.call(Operation::Validate, request);
    const auto& length = r.json.at("length");
    return std::tuple{r.ok(), length.at("used").as_int64(), length.at("limit").as_int64(),
                      std::string(length.at("unit").as_string())};
  };
  // The content is the description: "café" is 5 bytes, 😀 4, the space 1.
  CHECK(lengthOf(f.post("caf\xc3\xa9 \xF0\x9F\x98\x80", {video})) == std::tuple{true, 10, 5000, std::string("bytes")});
  // options.youtube.description replaces it.
  CHECK(lengthOf(f.post("Title", {video}, {{"description", "abc"}})) ==
        std::tuple{true, 3, 5000, std::string("bytes")});
  CHECK(lengthOf(f.post(std::string(5001, 'a'), {video}, {{"title", "T"}})) ==
        std::tuple{false, 5001, 5000, std::string("bytes")});
  // A title over 100 characters is an issue; the length is still the description's.
  CHECK(lengthOf(f.post("abc", {video}, {{"title", std::string(101, 't')}})) ==
        std::tuple{false, 3, 5000, std::string("bytes")});
}
