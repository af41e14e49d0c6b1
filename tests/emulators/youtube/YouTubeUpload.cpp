// The resumable upload protocol (videos.insert uploadType=resumable) and thumbnails.set.
#include "Tokens.h"
#include "YouTubeState.h"

#include <Poco/URI.h>

#include <algorithm>
#include <ctime>

namespace emulators {
namespace {

constexpr long long kUnit = 256 * 1024;
constexpr long long kThumbnailCost = 50;

size_t characters(const std::string& text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string queryValue(const Request& request, const std::string& name) {
  for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters())
    if (key == name) return value;
  return {};
}

void sendEmpty(Response& response, int status, const std::string& header = {}, const std::string& value = {}) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  if (!header.empty()) response.set(header, value);
  response.setContentLength(0);
  response.send();
}

std::string text(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::string isoTime(long long ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

json::object YouTubeApi::State::resourceOf(const StoredVideo& stored, const std::string& parts) const {
  const auto& v = stored.video;
  json::object out{{"kind", "youtube#video"}, {"etag", "etag-" + v.id}, {"id", v.id}};
  if (parts.find("snippet") != std::string::npos) {
    json::array tags;
    for (const auto& tag : v.tags) tags.emplace_back(tag);
    out["snippet"] = json::object{{"publishedAt", isoTime(v.createdAtMs)},
                                  {"channelId", v.channelId},
                                  {"title", v.title},
                                  {"description", v.description},
                                  {"tags", tags},
                                  {"categoryId", v.categoryId}};
  }
  if (parts.find("status") != std::string::npos) {
    json::object status{{"uploadStatus", "uploaded"}, {"privacyStatus", v.privacyStatus}, {"embeddable", true}};
    if (!v.publishAt.empty()) status["publishAt"] = v.publishAt;
    if (v.madeForKids) status["selfDeclaredMadeForKids"] = *v.madeForKids;
    out["status"] = status;
  }
  if (parts.find("statistics") != std::string::npos)
    out["statistics"] = json::object{{"viewCount", std::to_string(stored.views)},
                                     {"likeCount", std::to_string(stored.likes)},
                                     {"favoriteCount", "0"},
                                     {"commentCount", std::to_string(stored.comments)}};
  return out;
}

void YouTubeApi::State::openSession(Request& request, Response& response, const std::set<std::string>& scopes) {
  const auto body = marketsage::test::readBody(request);
  std::lock_guard lock(mutex);
  if (!hasAny(scopes, {scopeYoutube, scopeUpload, "https://www.googleapis.com/auth/youtube.force-ssl"}))
    return sendGoogleError(response, 403, "insufficientPermissions", "Request had insufficient authentication scopes.",
                           "global");
  if (queryValue(request, "uploadType") != "resumable")
    return sendGoogleError(response, 400, "invalidUploadType", "uploadType must be resumable here", "global");
  const auto parts = queryValue(request, "part");
  if (parts.find("snippet") == std::string::npos)
    return sendGoogleError(response, 400, "invalidPart", "part must include snippet", "youtube.part");
  long long total = 0;
  try {
    total = std::stoll(request.get("X-Upload-Content-Length", "0"));
  } catch (...) {
  }
  const auto type = request.get("X-Upload-Content-Type", "");
  // The metadata is the JSON video resource: "Content-Type - Set the value to application/json;
  // charset=UTF-8" (using_resumable_upload_protocol, step 1).
  if (request.getContentType().rfind("application/json", 0) != 0)
    return sendGoogleError(response, 400, "badContent", "The metadata must be sent as application/json", "global");
  if (total <= 0)
    return sendGoogleError(response, 400, "badContent", "X-Upload-Content-Length is required", "youtube.video");
  if (type.rfind("video/", 0) != 0 && type != "application/octet-stream")
    return sendGoogleError(response, 400, "invalidContentType", "X-Upload-Content-Type must be a video type",
                           "youtube.video");
  boost::system::error_code error;
  const auto parsed = json::parse(body, error);
  if (error || !parsed.is_object()) return sendGoogleError(response, 400, "parseError", "Parse Error", "global");
  const auto& resource = parsed.as_object();
  const auto* snippetValue = resource.if_contains("snippet");
  if (!snippetValue || !snippetValue->is_object())
    return sendGoogleError(response, 400, "invalidTitle",
                           "The request metadata specifies an invalid or empty video title.");
  const auto& snippet = snippetValue->as_object();
  const auto title = text(snippet, "title"), description = text(snippet, "description");
  if (title.empty() || characters(title) > 100 || title.find_first_of("<>") != std::string::npos)
    return sendGoogleError(response, 400, "invalidTitle",
                           "The request metadata specifies an invalid or empty video title.");
  if (description.size() > 5000 || description.find_first_of("<>") != std::string::npos)
    return sendGoogleError(response, 400, "invalidDescription",
                           "The request metadata specifies an invalid video description.");
  json::object status;
  if (const auto* s = resource.if_contains("status"); s && s->is_object()) status = s->as_object();
  const auto privacy = text(status, "privacyStatus");
  if (!privacy.empty() && privacy != "public" && privacy != "unlisted" && privacy != "private")
    return sendGoogleError(response, 400, "invalidVideoMetadata", "The request metadata is invalid.");
  if (!text(status, "publishAt").empty() && privacy != "private")
    return sendGoogleError(response, 400, "invalidPublishAt",
                           "The request metadata specifies an invalid scheduled publishing time.");
  if (!ownChannel())
    return sendGoogleError(response, 401, "youtubeSignupRequired", "The user does not have a YouTube channel.",
                           "global");
  if (!chargeInsert(response)) return;  // its own bucket of calls, not the 10,000 units
  const auto id = "ABPtcP" + std::to_string(nextId++) + "x" + std::to_string(nowMs() % 100000);
  sessions[id] = Session{ownChannel()->id, type, total, {}, resource, {}, false};
  ++sessionsOpened;
  sendEmpty(response, 200, "Location",
            (relativeLocation ? std::string() : server->url()) +
                "/upload/youtube/v3/videos?uploadType=resumable&part=" + parts + "&upload_id=" + id);
}

std::string YouTubeApi::State::completeSession(Session& session) {
  if (!session.videoId.empty()) return session.videoId;
  const auto id = newVideoId();
  StoredVideo stored;
  auto& v = stored.video;
  v.id = id;
  v.channelId = session.channel;
  const auto& snippet = session.resource.at("snippet").as_object();
  v.title = text(snippet, "title");
  v.description = text(snippet, "description");
  v.categoryId = text(snippet, "categoryId");
  if (const auto* tags = snippet.if_contains("tags"); tags && tags->is_array())
    for (const auto& tag : tags->as_array())
      if (tag.is_string()) v.tags.emplace_back(tag.as_string());
  json::object status;
  if (const auto* s = session.resource.if_contains("status"); s && s->is_object()) status = s->as_object();
  v.privacyStatus = text(status, "privacyStatus").empty() ? "public" : text(status, "privacyStatus");
  v.publishAt = text(status, "publishAt");
  if (const auto* kids = status.if_contains("selfDeclaredMadeForKids"); kids && kids->is_bool())
    v.madeForKids = kids->as_bool();
  v.mimeType = session.mimeType;
  v.size = static_cast<long long>(session.bytes.size());
  v.sha256 = marketsage::test::sha256Hex(session.bytes);
  v.createdAtMs = nowMs();
  videos[id] = stored;
  videoOrder.push_back(id);
  session.videoId = id;
  session.bytes.clear();
  session.bytes.shrink_to_fit();
  return id;
}

void YouTubeApi::State::uploadToSession(Request& request, Response& response) {
  const auto body = marketsage::test::readBody(request);
  std::unique_lock lock(mutex);
  auto id = queryValue(request, "upload_id");
  if (const auto alias = sessionAliases.find(id); alias != sessionAliases.end()) id = alias->second;
  const auto it = sessions.find(id);
  if (it == sessions.end() || it->second.expired)
    return sendGoogleError(response, 404, "notFound", "Not Found", "global");
  if (!authorize(request, response)) return;
  auto& session = it->second;
  const auto range = request.get("Content-Range", "");
  const auto answerDone = [&](int status) {
    const auto& stored = videos.at(session.videoId);
    marketsage::test::sendJson(response, status, json::serialize(resourceOf(stored, "snippet,status")));
  };
  const auto answerIncomplete = [&] {
    if (moveNextIncomplete && range.rfind("bytes */", 0) != 0) {
      moveNextIncomplete = false;
      const auto alias = id + "m" + std::to_string(sessionAliases.size() + 1);
      sessionAliases[alias] = id;
      movedTo = server->url() + "/upload/youtube/v3/videos?uploadType=resumable&part=" + queryValue(request, "part") +
                "&upload_id=" + alias;
      response.set("Location", movedTo);
    }
    const auto have = static_cast<long long>(session.bytes.size());
    if (have == 0) return sendEmpty(response, 308);
    sendEmpty(response, 308, "Range", "bytes=0-" + std::to_string(have - 1));
  };
  const auto totalText = std::to_string(session.total);

  // Status query: "bytes */N" with no body.
  if (range.rfind("bytes */", 0) == 0) {
    ++statusQueries;
    if (range != "bytes */" + totalText || !body.empty())
      return sendGoogleError(response, 400, "badRequest", "Invalid Content-Range", "global");
    if (statusFailures > 0 && statusFailuresAfter > 0) {
      --statusFailuresAfter;
    } else if (statusFailures > 0) {
      --statusFailures;
      return sendGoogleError(response, 503, "backendError", "Backend Error", "global");
    }
    if (!session.videoId.empty()) return answerDone(200);
    return answerIncomplete();
  }
  // A chunk: "bytes a-b/N", starting where the session stands, Content-Length its size.
  if (!request.hasContentLength() || request.getContentLength64() != static_cast<Poco::Int64>(body.size()))
    return sendGoogleError(response, 400, "badRequest", "Content-Length is required", "global");
  long long first = -1, last = -1, total = -1;
  if (std::sscanf(range.c_str(), "bytes %lld-%lld/%lld", &first, &last, &total) != 3 ||
      "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(total) != range)
    return sendGoogleError(response, 400, "badRequest", "Invalid Content-Range header: " + range, "global");
  const int nth = ++chunkPuts;
  if (!session.videoId.empty()) return answerDone(200);
  const auto have = static_cast<long long>(session.bytes.size());
  const long long length = last - first + 1;
  if (total != session.total || first != have || last < first || last >= total ||
      static_cast<long long>(body.size()) != length)
    return sendGoogleError(response, 400, "badRequest",
                           "Content-Range " + range + " does not continue the session at byte " + std::to_string(have) +
                               " of " + totalText + " (body of " + std::to_string(body.size()) + " bytes)",
                           "global");
  const bool final = last + 1 == total;
  if (!final && length % kUnit != 0)
    return sendGoogleError(response, 400, "badRequest", "A chunk other than the last must be a multiple of 256 KiB",
                           "global");

  if (const auto fault = chunkFaults.find(nth); fault != chunkFaults.end()) {
    const auto kind = fault->second;
    chunkFaults.erase(fault);
    switch (kind) {
      case ChunkFault::Unavailable: return sendGoogleError(response, 503, "backendError", "Backend Error", "global");
      case ChunkFault::UnavailableTokensExpired:
        for (auto& [name, t] : tokens) t.expiresAtMs = std::min(t.expiresAtMs, nowMs() - 1);
        return sendGoogleError(response, 503, "backendError", "Backend Error", "global");
      case ChunkFault::Reset: lock.unlock(); return marketsage::test::closeWithoutAnswer(request);
      case ChunkFault::KeepPart:
        session.bytes.append(body, 0, static_cast<size_t>(length / 2 / kUnit * kUnit));
        return answerIncomplete();
      case ChunkFault::StoredThenReset:
        session.bytes += body;
        if (final) completeSession(session);
        lock.unlock();
        return marketsage::test::resetMidAnswer(request);
    }
  }
  if (!final) {
    session.bytes += body;
    return answerIncomplete();
  }
  // The final chunk makes the video: the call that creates, with the shared faults.
  using marketsage::test::CreateFault;
  const auto fault = createFaults.next();
  if (fault == CreateFault::RefuseWithoutCreate)
    return sendGoogleError(response, 503, "backendError", "Backend Error", "global");
  if (fault == CreateFault::LateCreate) {
    Session* late = &session;
    createFaults.createLater([this, late, body] {
      std::lock_guard lateLock(mutex);
      if (!late->videoId.empty() || static_cast<long long>(late->bytes.size() + body.size()) != late->total) return;
      late->bytes += body;
      completeSession(*late);
    });
    return sendGoogleError(response, 504, "backendError", "Gateway Timeout", "global");
  }
  session.bytes += body;
  const auto videoId = completeSession(session);
  const auto answer = json::serialize(resourceOf(videos.at(videoId), "snippet,status"));
  lock.unlock();
  if (!fault) return marketsage::test::sendJson(response, 201, answer);
  createFaults.afterCreate(
      *fault, request, [&] { marketsage::test::sendJson(response, 201, answer); },
      [&] { sendGoogleError(response, 504, "backendError", "Gateway Timeout", "global"); });
}

void YouTubeApi::State::setThumbnail(Request& request, Response& response, const std::set<std::string>& scopes) {
  const auto body = marketsage::test::readBody(request);
  std::lock_guard lock(mutex);
  if (!hasAny(scopes, {scopeYoutube, scopeUpload, "https://www.googleapis.com/auth/youtube.force-ssl"}))
    return sendGoogleError(response, 403, "insufficientPermissions", "Request had insufficient authentication scopes.",
                           "global");
  // A media upload: /upload/youtube/v3/thumbnails/set?videoId=...&uploadType=media.
  if (queryValue(request, "uploadType") != "media")
    return sendGoogleError(response, 400, "invalidUploadType", "thumbnails.set takes uploadType=media", "global");
  const auto videoId = queryValue(request, "videoId");
  const auto it = videos.find(videoId);
  if (it == videos.end() || it->second.video.id.empty() || it->second.video.deleted)
    return sendGoogleError(response, 404, "videoNotFound", "The video that you are trying to update cannot be found.",
                           "youtube.thumbnail");
  if (!ownChannel() || it->second.video.channelId != ownChannel()->id)
    return sendGoogleError(response, 403, "forbidden", "The thumbnail can't be set for the specified video.",
                           "youtube.thumbnail");
  const auto type = request.getContentType();
  if (type != "image/jpeg" && type != "image/png" && type != "application/octet-stream")
    return sendGoogleError(response, 400, "invalidImage", "The provided image content is invalid.",
                           "youtube.thumbnail");
  if (body.size() > 2 * 1024 * 1024)
    return sendGoogleError(response, 400, "mediaBodyTooLarge", "The image is larger than 2 MB.", "youtube.thumbnail");
  if (!charge(response, kThumbnailCost)) return;
  it->second.video.thumbnailBytes = static_cast<long long>(body.size());
  it->second.video.thumbnailType = type;
  const auto url = "https://i.ytimg.com/vi/" + videoId + "/default.jpg";
  marketsage::test::sendJson(
      response, 200,
      json::serialize(json::object{
          {"kind", "youtube#thumbnailSetResponse"},
          {"items",
           json::array{json::object{{"default", json::object{{"url", url}, {"width", 120}, {"height", 90}}}}}}}));
}

}  // namespace emulators
