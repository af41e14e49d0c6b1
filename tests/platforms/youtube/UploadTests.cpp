// Publishing a video: the resumable session kept in the host's progress, chunks of a multiple of
// 256 KiB streamed from disk, failures resumed from the Range YouTube reports, lost final answers
// recovered by a status query, never a second video; options applied; delete and insights.
#include "YouTubeFixture.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace youtube_test;
using Fault = emulators::YouTubeApi::ChunkFault;
using marketsage::test::CreateFault;

namespace {

std::string text(const json::value& v, const char* key) { return json::value_to<std::string>(v.at(key)); }

constexpr size_t kVideoBytes = 3 * 1024 * 1024 + 12345;  // 13 chunks of 256 KiB * 2, the last one short

/// The one video the emulator has, checked against the file: same size, same SHA-256.
void checkOneIntactVideo(const YouTubeFixture& f, const json::object& video, const CallResult& r) {
  const auto videos = f.youtube.videos();
  REQUIRE(videos.size() == 1);
  CHECK(text(r.json, "postId") == videos[0].id);
  CHECK(text(r.json, "url") == "https://www.youtube.com/watch?v=" + videos[0].id);
  CHECK(videos[0].size == static_cast<long long>(kVideoBytes));
  CHECK(videos[0].sha256 == YouTubeFixture::sha256OfFile(json::value_to<std::string>(video.at("path"))));
  CHECK(f.youtube.sessionsOpened() == 1);
}

/// The host's first attempt: publish opens the session and answers pending; the request of the
/// next attempt carries the session in its resume (as the host's progress does).
json::object afterSessionOpened(const YouTubeFixture& f, json::object request) {
  const auto first = f.call(Operation::Publish, request);
  REQUIRE(first.ok());
  const auto& resume = first.json.at("pending").at("resume").as_object();
  CHECK(first.json.at("pending").at("retryAfterSeconds") == 1);
  request["resume"] = resume;
  CHECK(f.youtube.sessionsOpened() == 1);
  CHECK(f.youtube.chunkPuts() == 0);
  return request;
}

}  // namespace

TEST_CASE("a video goes up in chunks of a multiple of 256 KiB through one resumable session", "[youtube][upload]") {
  YouTubeFixture f;
  const auto video = f.videoMedia(kVideoBytes);
  int pendings = 0;
  json::object last;
  const auto r =
      f.publishSettled(f.post("Building a birdhouse\nStep by step, with <b>plans</b>.", {video}), &pendings, &last);
  REQUIRE(r.ok());
  CHECK(pendings == 1);  // the session is opened, handed to the host, then used
  CHECK(last.at("resume").at("uploadSize") == kVideoBytes);
  CHECK(text(last.at("resume"), "uploadSession").rfind(f.youtube.url() + "/upload/youtube/v3/videos?", 0) == 0);
  checkOneIntactVideo(f, video, r);
  CHECK(f.youtube.chunkPuts() == 7);  // 6 chunks of 512 KiB and the rest
  const auto v = f.youtube.videos()[0];
  CHECK(v.title == "Building a birdhouse");
  CHECK(v.description == "Building a birdhouse\nStep by step, with bplans/b.");
  CHECK(v.categoryId == "22");
  CHECK(v.privacyStatus == "public");
  CHECK(f.youtube.quotaUsed() == 0);  // videos.insert is paid from its own bucket
  CHECK(f.youtube.videosInsertUsed() == 1);
  // Every Content-Range as the protocol wants it.
  const auto requests = f.youtube.requests();
  CHECK(std::count_if(requests.begin(), requests.end(), [](const std::string& l) {
          return l.rfind("POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status", 0) == 0;
        }) == 1);
}

TEST_CASE("chunk_bytes is rounded down to a multiple of 256 KiB, at least 256 KiB", "[youtube][upload]") {
  YouTubeFixture f({{"chunk_bytes", 3 * kUnit + 1000}});
  const auto video = f.videoMedia(kVideoBytes);
  const auto r = f.publishSettled(f.post("Chunks", {video}));
  REQUIRE(r.ok());
  checkOneIntactVideo(f, video, r);
  CHECK(f.youtube.chunkPuts() == 5);  // 4 chunks of 768 KiB and the rest
  YouTubeFixture tiny({{"chunk_bytes", 1000}});
  const auto small = tiny.videoMedia(kVideoBytes);
  REQUIRE(tiny.publishSettled(tiny.post("Tiny chunks", {small})).ok());
  CHECK(tiny.youtube.chunkPuts() == 13);  // 256 KiB each
}

TEST_CASE("a failed middle chunk is resumed from the Range YouTube reports, in the same session", "[youtube][upload]") {
  YouTubeFixture f;
  const auto video = f.videoMedia(kVideoBytes);
  SECTION("503 on the third chunk") {
    f.youtube.faultChunk(3, Fault::Unavailable);
    const auto r = f.publishSettled(f.post("With a 503", {video}));
    REQUIRE(r.ok());
    checkOneIntactVideo(f, video, r);
    CHECK(f.youtube.statusQueries() >= 2);  // one at the start of the upload, one after the 503
    CHECK(f.youtube.chunkPuts() == 8);      // the third chunk twice
  }
  SECTION("a reset connection on the second chunk") {
    f.youtube.faultChunk(2, Fault::Reset);
    const auto r = f.publishSettled(f.post("With a reset", {video}));
    REQUIRE(r.ok());
    checkOneIntactVideo(f, video, r);
  }
  SECTION("YouTube keeps only part of a chunk: the Range is trusted, not what was sent") {
    f.youtube.faultChunk(2, Fault::KeepPart);
    f.youtube.faultChunk(4, Fault::KeepPart);
    const auto r = f.publishSettled(f.post("Partial chunks", {video}));
    REQUIRE(r.ok());
    checkOneIntactVideo(f, video, r);
    CHECK(f.youtube.chunkPuts() == 8);  // 512 KiB lost in all: one chunk more
  }
  SECTION("the session cannot be asked: the attempt ends transient and the next one resumes the session") {
    auto request = afterSessionOpened(f, f.post("Resumed later", {video}));
    f.youtube.faultChunk(3, Fault::Unavailable);
    f.youtube.failStatusQueries(1, 1);  // the query after the 503 fails
    auto r = f.publishSettled(request, nullptr, &request);
    CHECK(r.kind == ErrorKind::Transient);
    CHECK(f.youtube.videos().empty());
    const int putsBefore = f.youtube.chunkPuts();
    r = f.publishSettled(request);  // the host's retry, with the progress it kept
    REQUIRE(r.ok());
    checkOneIntactVideo(f, video, r);
    CHECK(f.youtube.chunkPuts() - putsBefore == 5);  // from the third chunk on, not from byte 0
  }
  SECTION("an expired session is the only reason to start again") {
    auto request = afterSessionOpened(f, f.post("Expired", {video}));
    f.youtube.faultChunk(2, Fault::Unavailable);
    f.youtube.failStatusQueries(1, 1);
    REQUIRE(f.publishSettled(request, nullptr, &request).kind == ErrorKind::Transient);
    f.youtube.expireSessions();
    const auto r = f.publishSettled(request);
    REQUIRE(r.ok());
    CHECK(f.youtube.sessionsOpened() == 2);
    const auto videos = f.youtube.videos();
    REQUIRE(videos.size() == 1);
    CHECK(videos[0].sha256 == YouTubeFixture::sha256OfFile(json::value_to<std::string>(video.at("path"))));
  }
}

TEST_CASE("the session URI as YouTube names it: a relative Location, and a 308 that moves it", "[youtube][upload]") {
  YouTubeFixture f;
  const auto video = f.videoMedia(kVideoBytes);
  SECTION("a relative Location is resolved against api_base (RFC 9110 10.2.2)") {
    f.youtube.setRelativeSessionLocation(true);
    json::object last;
    const auto r = f.publishSettled(f.post("Relative session", {video}), nullptr, &last);
    REQUIRE(r.ok());
    checkOneIntactVideo(f, video, r);
    CHECK(text(last.at("resume"), "uploadSession").rfind(f.youtube.url() + "/upload/youtube/v3/videos?", 0) == 0);
  }
  SECTION("a Location on a 308 names where the next chunks go (google-api-python-client's next_chunk)") {
    f.youtube.moveSessionOnNextIncomplete();
    const auto r = f.publishSettled(f.post("Moved session", {video}));
    REQUIRE(r.ok());
    checkOneIntactVideo(f, video, r);
    const auto moved = f.youtube.movedSession();
    REQUIRE(!moved.empty());
    const auto path = moved.substr(f.youtube.url().size());
    const auto requests = f.youtube.requests();
    const auto at = std::find(requests.begin(), requests.end(), "PUT " + path);
    CHECK(at != requests.end());  // the chunks after the move went to the new URI...
    CHECK(std::count(requests.begin(), requests.end(), "PUT " + path) == 6);  // ...all six of them
  }
}

TEST_CASE("a token that expires during the upload is AUTH_EXPIRED; the refreshed attempt resumes the same session",
          "[youtube][upload]") {
  YouTubeFixture f;
  const auto video = f.videoMedia(kVideoBytes);
  // A middle chunk, or the final one, fails; the status query after it meets the expired token.
  const int nth = GENERATE(3, 7);
  INFO("chunk " << nth << " of 7 fails");
  auto request = afterSessionOpened(f, f.post("Token expires mid-upload", {video}));
  f.youtube.faultChunk(nth, Fault::UnavailableTokensExpired);
  auto r = f.publishSettled(request, nullptr, &request);
  CHECK(r.kind == ErrorKind::AuthExpired);  // not transient, not an unknown outcome: the host refreshes
  CHECK(f.youtube.videos().empty());
  request["accessToken"] = f.youtube.issueToken();  // the host's refresh, then its retry
  r = f.publishSettled(request);
  REQUIRE(r.ok());
  checkOneIntactVideo(f, video, r);
}

TEST_CASE("a lost answer to the final chunk is recovered by asking the session", "[youtube][upload][exactly-once]") {
  YouTubeFixture f;
  const auto video = f.videoMedia(kVideoBytes);
  SECTION("the final chunk is kept, its answer reset") {
    f.youtube.faultChunk(7, Fault::StoredThenReset);
    const auto r = f.publishSettled(f.post("Final answer lost", {video}));
    REQUIRE(r.ok());
    checkOneIntactVideo(f, video, r);
    CHECK(f.youtube.chunkPuts() == 7);  // nothing sent twice: the status query said done
  }
  for (const auto fault : {CreateFault::DropAfterCreate, CreateFault::GatewayTimeout, CreateFault::SlowAnswer,
                           CreateFault::ResetMidAnswer, CreateFault::RefuseWithoutCreate, CreateFault::LateCreate}) {
    DYNAMIC_SECTION("create fault: " << marketsage::test::nameOf(fault)) {
      f.youtube.faultNextCreates({fault});
      const auto r = f.publishSettled(f.post("Create fault", {video}));
      REQUIRE(r.ok());
      checkOneIntactVideo(f, video, r);
    }
  }
  SECTION("the answer is lost and the session cannot tell: unknown, and reconcile asks the session") {
    auto request = afterSessionOpened(f, f.post("Unknown outcome", {video}));
    f.youtube.faultChunk(7, Fault::StoredThenReset);
    f.youtube.failStatusQueries(10, 1);
    const auto r = f.publishSettled(request, nullptr, &request);
    CHECK(r.kind == ErrorKind::OutcomeUnknown);
    REQUIRE(f.youtube.videos().size() == 1);
    f.youtube.failStatusQueries(0);
    request["attemptedAt"] = "2020-01-01T00:00:00Z";
    const auto found = f.call(Operation::Reconcile, request);
    REQUIRE(found.ok());
    CHECK(text(found.json, "outcome") == "found");
    CHECK(text(found.json, "postId") == f.youtube.videos()[0].id);
    CHECK(f.youtube.sessionsOpened() == 1);

    SECTION("with the session gone, the channel's uploads are searched for the title and description") {
      f.youtube.expireSessions();
      auto again = f.call(Operation::Reconcile, request);
      REQUIRE(again.ok());
      CHECK(text(again.json, "outcome") == "found");
      CHECK(text(again.json, "postId") == f.youtube.videos()[0].id);
      auto other = request;
      other["content"] = "Another video altogether";
      auto missing = f.call(Operation::Reconcile, other);
      REQUIRE(missing.ok());
      CHECK(text(missing.json, "outcome") == "not_found");
    }
  }
  SECTION("an incomplete session is not_found for reconcile: a re-send finishes that same session") {
    auto request = afterSessionOpened(f, f.post("Half way", {video}));
    f.youtube.faultChunk(3, Fault::Unavailable);
    f.youtube.failStatusQueries(1, 1);
    REQUIRE(f.publishSettled(request, nullptr, &request).kind == ErrorKind::Transient);
    request["attemptedAt"] = "2020-01-01T00:00:00Z";
    const auto r = f.call(Operation::Reconcile, request);
    REQUIRE(r.ok());
    CHECK(text(r.json, "outcome") == "not_found");
  }
}

TEST_CASE("options.youtube: title, description, tags, category, privacy, schedule, kids, thumbnail, playlist, shorts",
          "[youtube][options]") {
  YouTubeFixture f;
  f.youtube.addPlaylist("PLbirdhouses");
  const auto video = f.videoMedia(600 * 1024);
  const auto thumb = f.imageMedia(50 * 1024, "thumb-1");
  SECTION("everything given") {
    const auto r = f.publishSettled(f.post("ignored for the title", {video, thumb},
                                           {{"title", "Birdhouse, part 2"},
                                            {"description", "The roof."},
                                            {"tags", json::array{"woodwork", "bird house"}},
                                            {"categoryId", "26"},
                                            {"privacyStatus", "unlisted"},
                                            {"madeForKids", false},
                                            {"thumbnail", "thumb-1"},
                                            {"playlistId", "PLbirdhouses"}}));
    REQUIRE(r.ok());
    const auto v = f.youtube.video(text(r.json, "postId"));
    REQUIRE(v);
    CHECK(v->title == "Birdhouse, part 2");
    CHECK(v->description == "The roof.");
    CHECK(v->tags == std::vector<std::string>{"woodwork", "bird house"});
    CHECK(v->categoryId == "26");
    CHECK(v->privacyStatus == "unlisted");
    CHECK(v->madeForKids == false);
    CHECK(v->thumbnailBytes == 50 * 1024);
    CHECK(v->thumbnailType == "image/png");
    CHECK(v->playlists == std::vector<std::string>{"PLbirdhouses"});
    CHECK(r.json.at("extra").at("thumbnailSet") == true);
    CHECK(f.youtube.quotaUsed() == 50 + 50);  // thumbnails.set, playlistItems.insert
    CHECK(f.youtube.videosInsertUsed() == 1);
  }
  SECTION("publishAt schedules a private video") {
    const auto r = f.publishSettled(f.post("Scheduled", {video}, {{"publishAt", "2099-05-01T16:00:00+02:00"}}));
    REQUIRE(r.ok());
    const auto v = f.youtube.video(text(r.json, "postId"));
    CHECK(v->privacyStatus == "private");
    CHECK(v->publishAt == "2099-05-01T14:00:00Z");
  }
  SECTION("shorts: #Shorts added, the shorts URL") {
    auto vertical = video;
    vertical["width"] = 1080;
    vertical["height"] = 1920;
    vertical["durationSeconds"] = 42;
    const auto r = f.publishSettled(f.post("My first short", {vertical}, {{"shorts", true}}));
    REQUIRE(r.ok());
    const auto v = f.youtube.video(text(r.json, "postId"));
    CHECK(v->title == "My first short #Shorts");
    CHECK(text(r.json, "url") == "https://www.youtube.com/shorts/" + v->id);
  }
  SECTION("a playlist that does not exist leaves the video live with a warning") {
    const auto r = f.publishSettled(f.post("No such playlist", {video}, {{"playlistId", "PLnope"}}));
    REQUIRE(r.ok());
    CHECK(f.youtube.videos().size() == 1);
    CHECK(json::serialize(r.json.at("extra").at("warnings")).find("PLnope") != std::string::npos);
  }
}

TEST_CASE("delete_post deletes the video; a video already gone is a success", "[youtube][delete]") {
  YouTubeFixture f;
  const auto id = f.youtube.addVideo("To delete");
  const json::object request{
      {"accessToken", f.token}, {"account", {{"id", emulators::YouTubeApi::channelId}}}, {"postId", id}};
  REQUIRE(f.call(Operation::DeletePost, request).ok());
  CHECK(f.youtube.video(id)->deleted);
  const auto again = f.call(Operation::DeletePost, request);
  CHECK(again.ok());
  CHECK(f.youtube.requests().back() == "DELETE /youtube/v3/videos?id=" + id);
  CHECK(f.youtube.quotaUsed() == 100);
}

TEST_CASE("insights: per video views, likes and comments; the channel's subscribers and views", "[youtube][insights]") {
  YouTubeFixture f;
  const auto a = f.youtube.addVideo("A"), b = f.youtube.addVideo("B");
  f.youtube.setStatistics(a, 1500, 120, 7);
  f.youtube.setStatistics(b, 30, 2, 0);
  const json::object account{{"id", emulators::YouTubeApi::channelId}};
  auto posts = f.call(Operation::PostInsights, {{"accessToken", f.token},
                                                {"account", account},
                                                {"postIds", json::array{a, b, "gone"}},
                                                {"start", "2026-01-01"},
                                                {"end", "2026-12-31"}});
  REQUIRE(posts.ok());
  const auto list = posts.json.at("posts").as_array();
  REQUIRE(list.size() == 2);
  CHECK(text(list[0], "postId") == a);
  CHECK(list[0].at("metrics").at("videoViews") == 1500);
  CHECK(list[0].at("metrics").at("likes") == 120);
  CHECK(list[0].at("metrics").at("comments") == 7);
  CHECK(list[1].at("metrics").at("videoViews") == 30);
  CHECK(f.youtube.quotaUsed() == 1);  // one videos.list for every id

  auto channel =
      f.call(Operation::AccountInsights,
             {{"accessToken", f.token}, {"account", account}, {"start", "2026-01-01"}, {"end", "2026-12-31"}});
  REQUIRE(channel.ok());
  CHECK(channel.json.at("metrics").at("followers") == 1234);
  CHECK(channel.json.at("metrics").at("videoViews") == 98765);
  CHECK(channel.json.at("extra").at("videoCount") == 2);
}
