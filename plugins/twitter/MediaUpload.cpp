#include "MediaUpload.h"

#include "Capabilities.h"
#include "Common.h"

#include <algorithm>
#include <cstdlib>

namespace twitter {
namespace {

constexpr const char* scope = "media.write";
constexpr long long defaultChunkBytes = 4 * 1024 * 1024;  // X accepts segments up to 5 MB
constexpr long long maxChunkBytes = 5 * 1024 * 1024;

const char* categoryOf(const std::string& kind) {
  if (kind == "image") return "tweet_image";
  if (kind == "gif") return "tweet_gif";
  if (kind == "video") return "tweet_video";
  throw Error(MS_ERR_INVALID_INPUT, "X accepts images, GIFs and videos, not " + kind);
}

long long chunkBytes() {
  const auto setting = host.setting("/chunk_size");
  if (setting.type != MS_JSON_NUMBER) return defaultChunkBytes;
  const long long value = std::atoll(setting.text.c_str());
  return value > 0 && value <= maxChunkBytes ? value : defaultChunkBytes;
}

std::string initialize(const std::string& token, const MediaItem& media) {
  const auto body = sdk::Json::object()
                        .field("media_type", media.mimeType)
                        .field("total_bytes", media.size)
                        .field("media_category", categoryOf(media.kind))
                        .str();
  const auto r = apiCall("POST", uploadBase() + "/2/media/upload/initialize", token, body, scope);
  auto id = host.string(r.body, "/data/id");
  if (!id || !isXId(*id)) throw Error(MS_ERR_PERMANENT, "X answered the upload initialize without a media id");
  return *id;
}

/// One APPEND: multipart/form-data with segment_index and the chunk streamed from the file.
void append(const std::string& token, const std::string& id, const std::string& path, int segment, long long offset,
            long long length) {
  const std::string boundary = "marketsage-x-" + id + "-" + std::to_string(segment);
  sdk::HttpRequest request;
  request.method = "POST";
  request.url = uploadBase() + "/2/media/upload/" + id + "/append";
  request.headers = {{"Authorization", "Bearer " + token},
                     {"Content-Type", "multipart/form-data; boundary=" + boundary}};
  request.body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"segment_index\"\r\n\r\n" +
                 std::to_string(segment) + "\r\n--" + boundary +
                 "\r\nContent-Disposition: form-data; name=\"media\"; filename=\"chunk\"\r\n" +
                 "Content-Type: application/octet-stream\r\n\r\n";
  request.bodyFile = path;
  request.fileOffset = static_cast<uint64_t>(offset);
  request.fileLength = static_cast<uint64_t>(length);
  request.bodyTail = "\r\n--" + boundary + "--\r\n";
  send(request, scope);
}

/// 0 when the processing_info of an answer (FINALIZE or STATUS) says the media is ready, else the
/// seconds X asks to wait (check_after_secs, 1 to 60); failed processing throws PERMANENT.
int waitOf(const sdk::HttpResponse& r) {
  const auto state = host.string(r.body, "/data/processing_info/state").value_or("succeeded");
  if (state == "succeeded") return 0;
  if (state == "failed") {
    const auto message = host.string(r.body, "/data/processing_info/error/message").value_or("processing failed");
    throw Error(MS_ERR_PERMANENT, "X could not process the media: " + message,
                host.string(r.body, "/data/processing_info/error/name").value_or("processing_failed"));
  }
  if (state != "pending" && state != "in_progress")
    throw Error(MS_ERR_PERMANENT, "unknown media processing state " + state);
  const long long after = host.integer(r.body, "/data/processing_info/check_after_secs").value_or(1);
  return static_cast<int>(after < 1 ? 1 : after > 60 ? 60 : after);
}

void setAltText(const std::string& token, const std::string& id, const std::string& altText) {
  const auto body =
      sdk::Json::object()
          .field("id", id)
          .raw("metadata", sdk::Json::object().raw("alt_text", sdk::Json::object().field("text", altText)))
          .str();
  apiCall("POST", apiBase() + "/2/media/metadata", token, body, scope);
}

}  // namespace

UploadedMedia uploadMedia(const std::string& token, const MediaItem& media) {
  if (media.path.empty() || media.size <= 0 || media.mimeType.empty())
    throw Error(MS_ERR_INVALID_INPUT, media.pointer + ": path, size and mimeType are needed to upload");
  UploadedMedia out;
  out.id = initialize(token, media);
  const long long chunk = chunkBytes();
  int segment = 0;
  for (long long offset = 0; offset < media.size; offset += chunk, ++segment)
    append(token, out.id, media.path, segment, offset, std::min(chunk, media.size - offset));
  const auto finalized = apiCall("POST", uploadBase() + "/2/media/upload/" + out.id + "/finalize", token, {}, scope);
  out.expiresAfterSecs = host.integer(finalized.body, "/data/expires_after_secs").value_or(0);
  out.processingSeconds = waitOf(finalized);
  if (!media.altText.empty()) setAltText(token, out.id, media.altText);
  return out;
}

std::string mediaKey(const MediaItem& media) { return media.hostId.empty() ? media.pointer : media.hostId; }

std::string knownMediaId(std::string_view request, const MediaItem& media) {
  if (!media.platformMediaId.empty()) return media.platformMediaId;
  std::string pointer = "/resume/media/";
  for (const char c : mediaKey(media)) pointer += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);  // RFC 6901
  auto id = host.optionalString(request, pointer, 64).value_or("");
  if (!id.empty() && !isXId(id)) throw Error(MS_ERR_INVALID_INPUT, pointer + " is not an X media id");
  return id;
}

bool processedLater(const MediaItem& media) { return media.kind == "video" || media.kind == "gif"; }

int processingSeconds(const std::string& token, const std::string& mediaId) {
  return waitOf(apiCall("GET", uploadBase() + "/2/media/upload?command=STATUS&media_id=" + mediaId, token, {}, scope));
}

ms_status uploadMedia(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    MediaItem media;
    media.pointer = "";
    media.kind = host.requiredString(json, "/kind", 32);
    media.mimeType = host.requiredString(json, "/mimeType", 128);
    media.path = host.requiredString(json, "/path");
    media.altText = host.optionalString(json, "/altText", 8192).value_or("");
    const auto size = host.get(json, "/size");
    if (size.type != MS_JSON_NUMBER) throw Error(MS_ERR_INVALID_INPUT, "/size must be a number");
    media.size = host.integer(json, "/size").value_or(0);
    Part part{"/content", "", {media}};
    part.media.front().pointer = "";
    const auto issues = checkLimits(Post{{part}, {}});
    if (!issues.empty()) throw Error(MS_ERR_INVALID_INPUT, issues.front().field + ": " + issues.front().message);
    const auto uploaded = uploadMedia(token, media);
    auto out = sdk::Json::object().field("platformMediaId", uploaded.id);
    if (uploaded.expiresAfterSecs > 0) out.field("expiresAt", rfc3339(nowSeconds() + uploaded.expiresAfterSecs));
    // Still processing: the host comes back to publish later, and publish asks STATUS then.
    if (uploaded.processingSeconds > 0)
      out.raw(
          "pending",
          sdk::Json::object().field("retryAfterSeconds", uploaded.processingSeconds).field("stage", processingStage));
    return out.str();
  });
}

}  // namespace twitter
