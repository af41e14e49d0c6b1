// Media uploads: Images and Documents API (initializeUpload, one PUT), Videos API
// (initializeUpload, one PUT per part collecting ETags, finalizeUpload), then the asset's status:
// nothing waits in the plugin while LinkedIn processes it (callers answer "pending" and look again
// later). Files are streamed from disk, never loaded.
#include "LinkedIn.h"

#include <filesystem>

namespace linkedin {
namespace {

/// The REST resource of a media kind and the field of initializeUpload's answer naming the URN.
struct MediaApi {
  const char* resource;
  const char* urnField;
};

MediaApi apiFor(const MediaItem& media) {
  if (media.kind == "video") return {"videos", "video"};
  if (media.kind == "document") return {"documents", "document"};
  return {"images", "image"};
}

/// PUTs bytes [offset, offset + length) of `path` (length 0 = to the end) to an upload URL.
/// Image and document uploads carry the bearer token as documented; video part URLs are signed.
HttpResponse putBytes(const std::string& url, const MediaItem& media, uint64_t offset, uint64_t length,
                      const std::string& bearer, const std::string& permission) {
  HttpRequest request;
  request.method = "PUT";
  request.url = url;
  request.timeoutMs = httpTimeoutMs();
  request.headers = {{"Content-Type", "application/octet-stream"}};
  if (!bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer);
  request.bodyFile = media.path;
  request.fileOffset = offset;
  request.fileLength = length;
  auto response = host.http(request);
  if (response.result == MS_ERR_INVALID_INPUT) throw Error(MS_ERR_INVALID_INPUT, "the media file cannot be read");
  if (response.result != MS_OK || response.status < 200 || response.status >= 300) fail(response, permission);
  return response;
}

std::string requiredField(const HttpResponse& r, const std::string& pointer) {
  auto value = host.string(r.body, pointer.c_str());
  if (!value || value->empty()) throw Error(MS_ERR_PERMANENT, "LinkedIn's answer lacks " + pointer);
  return *value;
}

std::string initializeUpload(const MediaApi& api, const std::string& request, const std::string& token,
                             const std::string& permission, HttpResponse& answer) {
  answer = callApi("POST", std::string("/rest/") + api.resource + "?action=initializeUpload", token, permission,
                   Json::object().raw("initializeUploadRequest", request).str());
  return requiredField(answer, std::string("/value/") + api.urnField);
}

/// Videos API: every part of uploadInstructions, then finalizeUpload with the parts' ETags.
void uploadVideoParts(const MediaItem& media, const HttpResponse& init, const std::string& urn,
                      const std::string& token, const std::string& permission) {
  auto etags = Json::array();
  for (size_t i = 0, n = host.count(init.body, "/value/uploadInstructions"); i < n; ++i) {
    const auto at = "/value/uploadInstructions/" + std::to_string(i);
    const auto first = host.integer(init.body, (at + "/firstByte").c_str());
    const auto last = host.integer(init.body, (at + "/lastByte").c_str());
    if (!first || !last || *last < *first) throw Error(MS_ERR_PERMANENT, "LinkedIn sent an invalid upload instruction");
    const auto part = putBytes(requiredField(init, at + "/uploadUrl"), media, static_cast<uint64_t>(*first),
                               static_cast<uint64_t>(*last - *first + 1), "", permission);
    const auto etag = host.string(part.headers, "/etag");
    if (!etag || etag->empty()) throw Error(MS_ERR_PERMANENT, "LinkedIn's upload answer has no ETag");
    etags.push(*etag);
  }
  const auto finalize = Json::object()
                            .field("video", urn)
                            .field("uploadToken", host.string(init.body, "/value/uploadToken").value_or(""))
                            .raw("uploadedPartIds", etags);
  callApi("POST", "/rest/videos?action=finalizeUpload", token, permission,
          Json::object().raw("finalizeUploadRequest", finalize).str());
}

}  // namespace

bool mediaReady(const MediaItem& media, const std::string& urn, const std::string& ownerUrn, const std::string& token) {
  const auto r = callApi("GET", std::string("/rest/") + apiFor(media).resource + "/" + encodeUrn(urn), token,
                         writePermission(ownerUrn));
  const auto status = host.string(r.body, "/status").value_or("");
  if (status == "PROCESSING_FAILED")
    throw Error(MS_ERR_PERMANENT, "LinkedIn could not process the media: " +
                                      host.string(r.body, "/processingFailureReason").value_or("no reason given"));
  return status == "AVAILABLE";
}

std::string mediaKey(const MediaItem& media) { return media.hostId.empty() ? media.field : media.hostId; }

std::string knownMediaUrn(std::string_view request, const MediaItem& media) {
  if (!media.platformMediaId.empty()) return media.platformMediaId;
  std::string pointer = "/resume/media/";
  for (const char c : mediaKey(media)) pointer += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);  // RFC 6901
  auto urn = optionalString(request, pointer.c_str(), 200);
  if (!urn.empty() && urn.rfind("urn:li:", 0) != 0)
    throw Error(MS_ERR_INVALID_INPUT, pointer + " is not a LinkedIn URN");
  return urn;
}

UploadedMedia uploadMedia(const MediaItem& media, const std::string& ownerUrn, const std::string& token) {
  const auto api = apiFor(media);
  const auto permission = writePermission(ownerUrn);
  auto request = Json::object().field("owner", ownerUrn);
  if (media.kind == "video") {
    std::error_code error;
    const auto size = media.size > 0 ? static_cast<long long>(media.size)
                                     : static_cast<long long>(std::filesystem::file_size(media.path, error));
    if (error || size <= 0) throw Error(MS_ERR_INVALID_INPUT, "the video file cannot be read");
    request.field("fileSizeBytes", size).field("uploadCaptions", false).field("uploadThumbnail", false);
  }
  HttpResponse init;
  const auto urn = initializeUpload(api, request.str(), token, permission, init);
  if (media.kind == "video")
    uploadVideoParts(media, init, urn, token, permission);
  else
    putBytes(requiredField(init, "/value/uploadUrl"), media, 0, 0, token, permission);
  return {urn, mediaReady(media, urn, ownerUrn, token)};
}

ms_status upload(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto owner = authorUrn(json);
    auto media = readMedia(json, "");
    media.platformMediaId.clear();  // an upload request always uploads its path
    if (media.path.empty()) throw Error(MS_ERR_INVALID_INPUT, "/path is required");
    std::vector<Issue> issues;
    checkMedia(media, issues);
    if (!issues.empty()) throw Error(MS_ERR_INVALID_INPUT, issues.front().message);
    const auto uploaded = uploadMedia(media, owner, token);
    auto out = Json::object().field("platformMediaId", uploaded.urn);
    // Still processing: the host comes back to publish later, and publish asks the status then.
    if (!uploaded.ready)
      out.raw("pending", Json::object().field("retryAfterSeconds", pollSeconds()).field("stage", kProcessingStage));
    return out.str();
  });
}

}  // namespace linkedin
