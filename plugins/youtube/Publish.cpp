// validate, publish and delete_post. A video is uploaded with the resumable upload protocol
// (https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol): the session
// is opened first and its URI handed to the host in a "pending" reply (so every later attempt,
// and reconcile, resume that session and never make a second video); then the file is PUT in
// chunks of a multiple of 256 KiB, streamed from disk, trusting the Range of each 308; a chunk
// that fails is followed by a status query (Content-Range: bytes */N) and the upload resumes from
// what YouTube reports.
#include "YouTube.h"

#include <filesystem>

namespace youtube {
namespace {

constexpr int kMaxRecoveries = 5;  // failed chunks recovered within one call

/// validate's reply: the issues, and the description's length as YouTube counts it (bytes).
std::string issuesJson(const Video& v) {
  return marketsage::sdk::validationReply(
      v.issues, marketsage::sdk::LengthCount{static_cast<long long>(v.descriptionBytes()),
                                             static_cast<long long>(kMaxDescriptionBytes), "bytes"});
}

HttpResponse putChunk(const std::string& session, const std::string& token, const MediaItem& video, long long offset,
                      long long length, long long total) {
  HttpRequest request;
  request.method = "PUT";
  request.url = session;
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Authorization", "Bearer " + token},
                     {"Content-Type", video.mimeType.empty() ? "application/octet-stream" : video.mimeType},
                     {"Content-Range", "bytes " + std::to_string(offset) + "-" + std::to_string(offset + length - 1) +
                                           "/" + std::to_string(total)}};
  request.bodyFile = video.path;
  request.fileOffset = static_cast<uint64_t>(offset);
  request.fileLength = static_cast<uint64_t>(length);
  return host.http(request);
}

/// A Location header as an absolute URI: a relative reference ("/upload/...", RFC 9110 10.2.2)
/// is resolved against api_base's origin.
std::string resolveLocation(const std::string& location) {
  if (location.empty() || location.front() != '/' || location.rfind("//", 0) == 0) return location;
  const auto base = apiBase();
  const auto authority = base.find("://");
  const auto path = authority == std::string::npos ? std::string::npos : base.find('/', authority + 3);
  return (path == std::string::npos ? base : base.substr(0, path)) + location;
}

/// A 308 may name the session's URI anew in Location (google-api-python-client's
/// HttpRequest._process_response: `if "location" in resp: self.resumable_uri = resp["location"]`):
/// the next requests go there. Only a URI under api_base + /upload/ is followed.
void followSession(const HttpResponse& r, std::string& session) {
  const auto location = resolveLocation(host.string(r.headers, "/location").value_or(""));
  if (location.empty() || location == session) return;
  if (!isApiSession(location)) {
    host.log(MS_LOG_WARN, "YouTube named an upload session outside api_base; keeping the current one");
    return;
  }
  session = location;
}

bool answered(const HttpResponse& r, int status) { return r.result == MS_OK && r.status == status; }
bool finished(const HttpResponse& r) { return r.result == MS_OK && (r.status == 200 || r.status == 201); }
bool expired(const HttpResponse& r) { return r.result == MS_OK && (r.status == 404 || r.status == 410); }

/// Opens a resumable session (videos.insert, uploadType=resumable) and answers "pending" with its
/// URI: the host keeps it in the target's progress before a byte of the video is sent.
std::string openSession(const Video& v, const std::string& token, long long total) {
  const auto& video = v.video();
  chargeVideosInsert();
  const auto r =
      send("POST", "/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status", token, videoResource(v),
           {{"X-Upload-Content-Length", std::to_string(total)},
            {"X-Upload-Content-Type", video.mimeType.empty() ? "application/octet-stream" : video.mimeType}});
  // No video exists until the last byte arrives: a session whose answer was lost is never used,
  // so every failure here is an ordinary one (a retry opens another session).
  if (r.result != MS_OK || r.status < 200 || r.status >= 300) fail(r, "videos.insert (opening the upload session)");
  const auto location = resolveLocation(host.string(r.headers, "/location").value_or(""));
  if (location.empty()) throw Error(MS_ERR_TRANSIENT, "YouTube opened no upload session (no Location header)");
  if (!isApiSession(location))
    throw Error(MS_ERR_PERMANENT, "YouTube's upload session is not under api_base: " + shorten(location, 200));
  const auto resume = Json::object()
                          .field("uploadSession", location)
                          .field("uploadSize", total)
                          .field("uploadOpenedAt", host.formatTime(host.nowMs()));
  return Json::object()
      .raw("pending", Json::object()
                          .field("retryAfterSeconds", 1)
                          .field("stage", "YouTube opened the upload session; the video is uploaded next")
                          .raw("resume", resume))
      .str();
}

/// The file's size on disk: what X-Upload-Content-Length and every Content-Range must say.
long long fileSize(const MediaItem& video) {
  std::error_code error;
  const auto size = std::filesystem::file_size(video.path, error);
  if (error) throw Error(MS_ERR_PERMANENT, video.field + ": the video file cannot be read");
  return static_cast<long long>(size);
}

std::string uploadVideo(std::string_view json, const Video& v, const std::string& token) {
  const auto& video = v.video();
  if (video.path.empty()) throw Error(MS_ERR_INVALID_INPUT, video.field + "/path is required");
  const long long total = fileSize(video);
  if (total <= 0) throw Error(MS_ERR_INVALID_INPUT, video.field + ": the video file is empty");

  auto session = optionalString(json, "/resume/uploadSession", 8192);
  if (!session.empty() && (host.integer(json, "/resume/uploadSize").value_or(-1) != total || !isApiSession(session))) {
    host.log(MS_LOG_WARN, "an earlier upload session does not match this file; opening a new one");
    session.clear();
  }
  if (session.empty()) return openSession(v, token, total);

  // Where the session stands: an earlier attempt may have sent any part of the file.
  auto status = querySession(session, token, total);
  if (finished(status)) return finishUpload(v, token, status);
  if (expired(status)) return openSession(v, token, total);  // expired (about a week): no video was made
  if (!answered(status, 308)) {
    if (status.result != MS_OK || status.status >= 500)
      throw Error(MS_ERR_TRANSIENT,
                  "could not ask YouTube how much of the upload it has; the next attempt resumes the same session");
    fail(status, "upload status");
  }
  followSession(status, session);
  long long offset = nextByte(status);
  const long long chunk = chunkBytes();
  int recoveries = 0, stalls = 0;
  while (true) {
    if (offset > total) throw Error(MS_ERR_PERMANENT, "YouTube reports more bytes than the file has");
    const long long length = std::min(chunk, total - offset);
    const bool last = offset + length == total;
    const auto r = putChunk(session, token, video, offset, length, total);
    if (finished(r)) return finishUpload(v, token, r);
    if (answered(r, 308)) {
      followSession(r, session);
      const long long next = nextByte(r);  // Google keeps only whole 256 KiB units of a chunk: trust its Range
      if (next <= offset && ++stalls > kMaxRecoveries)
        throw Error(MS_ERR_TRANSIENT, "YouTube keeps none of the chunks at byte " + std::to_string(offset) +
                                          "; the next attempt resumes the same session");
      offset = next;
      continue;
    }
    if (expired(r) && !last) return openSession(v, token, total);
    const bool retryable =
        r.result == MS_ERR_TRANSIENT || (r.result == MS_OK && (r.status >= 500 || r.status == 408 || r.status == 429));
    // The last chunk of a session that has every byte makes the video: after it, only an answer
    // (or the session itself) can say whether the video exists.
    const bool mayHaveFinished = last && (r.result == MS_OK ? r.status >= 500 || expired(r) : r.sent);
    if (!retryable && !expired(r)) fail(r, "video upload");
    const auto why = r.result == MS_OK ? "HTTP " + std::to_string(r.status) : shorten(r.error, 200);
    if (++recoveries > kMaxRecoveries || !host.sleep(static_cast<uint32_t>(std::min(250 << recoveries, 4000)))) {
      if (mayHaveFinished)
        throw Error(MS_ERR_OUTCOME_UNKNOWN,
                    "the last chunk of the video went out and YouTube's answer was lost (" + why + ")");
      throw Error(MS_ERR_TRANSIENT, "the upload stopped at byte " + std::to_string(offset) + " (" + why +
                                        "); the next attempt resumes the same session");
    }
    status = querySession(session, token, total);
    if (finished(status)) return finishUpload(v, token, status);
    if (answered(status, 308)) {
      followSession(status, session);
      offset = nextByte(status);
      continue;
    }
    // The token expired during the upload: the host refreshes it and its next attempt asks the
    // same session first (never a blind re-send), so this is neither lost nor unknown.
    if (answered(status, 401)) fail(status, "upload status (the upload session is kept for the next attempt)");
    if (mayHaveFinished)
      throw Error(MS_ERR_OUTCOME_UNKNOWN, "the last chunk of the video went out, YouTube's answer was lost (" + why +
                                              ") and the upload session could not tell");
    if (expired(status)) return openSession(v, token, total);
    throw Error(MS_ERR_TRANSIENT,
                "the upload stopped at byte " + std::to_string(offset) + " (" + why +
                    ") and YouTube could not say how much it has; the next attempt resumes the same session");
  }
}

}  // namespace

bool isApiSession(const std::string& uri) {
  const auto prefix = apiBase() + "/upload/";
  return uri.rfind(prefix, 0) == 0 && uri.find_first_of(" \r\n") == std::string::npos;
}

HttpResponse querySession(const std::string& session, const std::string& token, long long total) {
  HttpRequest request;
  request.method = "PUT";
  request.url = session;
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Authorization", "Bearer " + token}, {"Content-Range", "bytes */" + std::to_string(total)}};
  return host.http(request);
}

long long nextByte(const HttpResponse& r) {
  // "bytes=0-x" as the guide shows it; like google-api-python-client (int(range.split("-")[1]) + 1)
  // only what follows the dash is read.
  const auto range = host.string(r.headers, "/range").value_or("");
  const auto dash = range.find('-');
  if (dash == std::string::npos) return 0;
  try {
    return std::stoll(range.substr(dash + 1)) + 1;
  } catch (...) {
    return 0;
  }
}

std::string finishUpload(const Video& v, const std::string& token, const HttpResponse& done) {
  const auto id = host.string(done.body, "/id").value_or("");
  if (id.empty()) throw Error(MS_ERR_OUTCOME_UNKNOWN, "YouTube finished the upload without naming the video");
  auto warnings = Json::array();
  auto extra = Json::object();
  if (auto privacy = host.string(done.body, "/status/privacyStatus")) extra.field("privacyStatus", *privacy);
  if (auto at = host.string(done.body, "/status/publishAt")) extra.field("publishAt", *at);
  if (auto upload = host.string(done.body, "/status/uploadStatus")) extra.field("uploadStatus", *upload);
  // The video is live from here on: what follows can only add warnings, never fail the post.
  if (v.thumbnailIndex >= 0) {
    const auto& image = v.media[static_cast<size_t>(v.thumbnailIndex)];
    try {
      chargeQuota(cost::thumbnailsSet, "thumbnails.set");
      HttpRequest request;
      request.method = "POST";
      request.url = apiBase() + "/upload/youtube/v3/thumbnails/set?videoId=" + host.urlEncode(id) + "&uploadType=media";
      request.timeoutMs = httpTimeoutMs();
      request.headers = {{"Authorization", "Bearer " + token},
                         {"Content-Type", image.mimeType.empty() ? "image/jpeg" : image.mimeType}};
      request.bodyFile = image.path;
      const auto r = host.http(request);
      if (r.result != MS_OK || r.status != 200) fail(r, "thumbnails.set");
      extra.field("thumbnailSet", true);
    } catch (const Error& e) {
      warnings.push("the thumbnail was not set: " + e.message);
    }
  }
  if (!v.playlistId.empty()) {
    try {
      const auto body = Json::object().raw(
          "snippet", Json::object()
                         .field("playlistId", v.playlistId)
                         .raw("resourceId", Json::object().field("kind", "youtube#video").field("videoId", id)));
      const auto r = call("POST", "/youtube/v3/playlistItems?part=snippet", token, cost::playlistItemsInsert,
                          "playlistItems.insert", body.str());
      extra.field("playlistItemId", host.string(r.body, "/id").value_or(""));
    } catch (const Error& e) {
      warnings.push("the video was not added to playlist " + v.playlistId + ": " + e.message);
    }
  }
  if (!warnings.empty()) {
    extra.raw("warnings", warnings);
    host.log(MS_LOG_WARN, "video " + id + " is live; " + warnings.str());
  }
  return Json::object().field("postId", id).field("url", watchUrl(id, v.shorts)).raw("extra", extra).str();
}

ms_status validate(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto video = readVideo(host.objectRequest(req, len));
    auto out = issuesJson(video);
    if (video.issues.empty()) return out;
    reply->write(reply, out.data(), out.size());  // the issues, each shown by the host
    throw Error(MS_ERR_INVALID_INPUT, "");
  });
}

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto video = readVideo(json);
    if (!video.issues.empty()) throw Error(MS_ERR_INVALID_INPUT, firstIssue(video));
    // A retry of a video that is already live: never upload twice.
    if (auto live = optionalString(json, "/resume/postIds/0", 200); !live.empty())
      return Json::object().field("postId", live).field("url", watchUrl(live, video.shorts)).str();
    return uploadVideo(json, video, token);
  });
}

ms_status deletePost(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto id = host.requiredString(json, "/postId", 64);
    chargeQuota(cost::videosDelete, "videos.delete");
    const auto r = send("DELETE", "/youtube/v3/videos?id=" + host.urlEncode(id), token);
    if (r.result == MS_OK && (r.status == 204 || r.status == 200)) return std::string("{}");
    if (r.result == MS_OK && r.status == 404) return std::string("{}");  // videoNotFound: already gone
    fail(r, "videos.delete");
  });
}

}  // namespace youtube
