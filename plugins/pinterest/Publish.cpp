// validate, publish and delete_post.
// A video Pin takes three steps
// (https://developers.pinterest.com/docs/api-features/creating-boards-and-pins/#creating-video-pins): register the
// upload (POST /v5/media {"media_type": "video"}), send the file to the answered upload_url as a multipart form with
// every upload_parameters field first and the file last, then wait until GET /v5/media/{media_id} says "succeeded" —
// never inside a call: publish answers `pending` with the media_id in its resume and creates the Pin on a later call.
// POST /v5/pins makes the Pin live; Pinterest takes no idempotency key, so a create whose answer
// is lost is MS_ERR_OUTCOME_UNKNOWN and reconcile (Reconcile.cpp) looks for it.
#include "Pinterest.h"

#include <cctype>
#include <cstdio>

namespace pinterest {
namespace {

constexpr int32_t kProcessingPollSeconds = 5;

std::string validationJson(const Pin& pin) {
  return marketsage::sdk::validationReply(
      pin.issues, marketsage::sdk::LengthCount{static_cast<long long>(pin.descriptionLength),
                                               static_cast<long long>(kDescriptionLimit), "characters"});
}

/// End of the JSON string literal starting at text[start] (the opening quote): the index after
/// its closing quote.
size_t endOfString(const std::string& text, size_t start) {
  for (size_t i = start + 1; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == '"')
      return i + 1;
  }
  throw Error(MS_ERR_PERMANENT, "Pinterest answered malformed upload_parameters");
}

/// The members of a flat JSON object (upload_parameters), in their order, values as text.
std::vector<std::pair<std::string, std::string>> members(const std::string& object) {
  std::vector<std::pair<std::string, std::string>> out;
  auto decode = [](const std::string& literal) { return host.string("[" + literal + "]", "/0").value_or(""); };
  size_t i = object.find('{');
  while (i != std::string::npos) {
    i = object.find_first_of("\"}", i);
    if (i == std::string::npos || object[i] == '}') break;
    const auto keyEnd = endOfString(object, i);
    auto key = decode(object.substr(i, keyEnd - i));
    i = object.find_first_not_of(" \t\r\n:", keyEnd);
    if (i == std::string::npos) break;
    size_t valueEnd = 0;
    std::string value;
    if (object[i] == '"') {
      valueEnd = endOfString(object, i);
      value = decode(object.substr(i, valueEnd - i));
    } else {  // a number or literal: its text
      valueEnd = object.find_first_of(",}", i);
      value = object.substr(i, valueEnd == std::string::npos ? std::string::npos : valueEnd - i);
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    }
    out.emplace_back(std::move(key), std::move(value));
    i = valueEnd;
  }
  return out;
}

std::string boundary() {
  unsigned char bytes[12] = {};
  host.raw()->random_bytes(host.raw(), bytes, sizeof bytes);
  std::string out = "----marketsage";
  char hex[3];
  for (const unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    out += hex;
  }
  return out;
}

/// S3's <Message> of an XML error, or the status.
std::string s3Message(const HttpResponse& r) {
  const auto start = r.body.find("<Message>");
  const auto end = r.body.find("</Message>");
  if (start == std::string::npos || end == std::string::npos || end < start) return "HTTP " + std::to_string(r.status);
  return shorten(r.body.substr(start + 9, end - start - 9));
}

/// Registers the upload and sends the file: answers the media_id.
std::string uploadVideo(const Pin& pin, const std::string& token) {
  const auto registered =
      call("POST", "/v5/media", token, "media.create", Json::object().field("media_type", "video").str());
  auto mediaId = host.string(registered.body, "/media_id").value_or("");
  const auto uploadUrl = host.string(registered.body, "/upload_url").value_or("");
  const auto parameters = host.get(registered.body, "/upload_parameters");
  if (mediaId.empty() || uploadUrl.empty() || parameters.type != MS_JSON_OBJECT)
    throw Error(MS_ERR_TRANSIENT, "Pinterest registered the upload without media_id, upload_url or upload_parameters");
  const auto mark = boundary();
  std::string head;
  for (const auto& [name, value] : members(parameters.text)) {
    head += "--" + mark + "\r\nContent-Disposition: form-data; name=\"";
    head += name;
    head += "\"\r\n\r\n";
    head += value;
    head += "\r\n";
  }
  head += "--" + mark + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"video\"\r\nContent-Type: " +
          pin.video.mimeType + "\r\n\r\n";
  HttpRequest upload;  // to the storage service: never with the Pinterest token
  upload.method = "POST";
  upload.url = uploadUrl;
  upload.timeoutMs = httpTimeoutMs();
  upload.headers = {{"Content-Type", "multipart/form-data; boundary=" + mark}};
  upload.body = head;
  upload.bodyFile = pin.video.path;
  upload.bodyTail = "\r\n--" + mark + "--\r\n";
  const auto r = host.http(upload);
  if (r.result != MS_OK)
    throw Error(r.result == MS_ERR_TRANSIENT ? MS_ERR_TRANSIENT : MS_ERR_PERMANENT,
                "the video upload did not complete: " + shorten(r.error));
  if (r.status / 100 == 2) return mediaId;
  // 403: the signed policy expired or was refused (a new registration mends it); 5xx: try again.
  if (r.status == 403 || r.status >= 500)
    throw Error(MS_ERR_TRANSIENT, "the video upload was refused: " + s3Message(r), std::to_string(r.status));
  throw Error(MS_ERR_PERMANENT, "the video upload was refused: " + s3Message(r), std::to_string(r.status));
}

std::string pending(const std::string& mediaId, const std::string& stage) {
  return Json::object()
      .raw("pending", Json::object()
                          .field("retryAfterSeconds", kProcessingPollSeconds)
                          .raw("resume", Json::object().field("mediaId", mediaId))
                          .field("stage", stage))
      .str();
}

/// POST /v5/pins, classified by what Pinterest may have done.
std::string createPin(const Pin& pin, const std::string& token, const std::string& mediaId) {
  const auto r = send("POST", "/v5/pins", token, pinBody(pin, mediaId));
  if (r.result != MS_OK && r.sent)
    throw Error(MS_ERR_OUTCOME_UNKNOWN, "the Pin request went out and no answer came back: " + shorten(r.error));
  // 5xx: a gateway gave up (502/503/504) or the server failed; Pinterest does not document that
  // nothing was made, so the Pin may exist.
  if (r.result == MS_OK && r.status >= 500) {
    const auto code = host.integer(r.body, "/code");
    throw Error(MS_ERR_OUTCOME_UNKNOWN,
                "Pinterest answered HTTP " + std::to_string(r.status) + " to the Pin request: the Pin may exist",
                code ? std::to_string(*code) : std::to_string(r.status));
  }
  if (r.result != MS_OK || r.status < 200 || r.status >= 300) fail(r, "pins.create");
  const auto id = host.string(r.body, "/id").value_or("");
  if (id.empty()) throw Error(MS_ERR_OUTCOME_UNKNOWN, "Pinterest made the Pin but answered no id");
  return Json::object()
      .field("postId", id)
      .field("url", pinUrl(id))
      .raw("extra", Json::object().field("boardId", pin.boardId).field("mediaId", mediaId))
      .str();
}

}  // namespace

ms_status validate(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto pin = readPin(host.objectRequest(req, len));
    auto out = validationJson(pin);
    if (pin.issues.empty()) return out;
    reply->write(reply, out.data(), out.size());  // the issues, each shown by the host
    throw Error(MS_ERR_INVALID_INPUT, "");
  });
}

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto pin = readPin(json);
    if (!pin.issues.empty()) throw Error(MS_ERR_INVALID_INPUT, issuesText(pin));
    if (auto live = host.optionalString(json, "/resume/postIds/0", 100); live && !live->empty())
      return Json::object().field("postId", *live).field("url", pinUrl(*live)).str();
    if (!pin.hasVideo) return createPin(pin, token, {});
    const auto mediaId = host.optionalString(json, "/resume/mediaId", 100).value_or("");
    if (mediaId.empty()) return pending(uploadVideo(pin, token), "the video is uploaded; Pinterest is processing it");
    const auto media = call("GET", "/v5/media/" + host.urlEncode(mediaId), token, "media.get");
    const auto status = host.string(media.body, "/status").value_or("");
    if (status == "succeeded") return createPin(pin, token, mediaId);
    if (status == "failed")
      throw Error(MS_ERR_PERMANENT, "Pinterest could not process the video (media " + mediaId + ")", "failed");
    return pending(mediaId, "Pinterest is processing the video (" + (status.empty() ? "unknown" : status) + ")");
  });
}

ms_status deletePost(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto pinId = host.requiredString(json, "/postId", 100);
    const auto r = send("DELETE", "/v5/pins/" + host.urlEncode(pinId), token);
    if (r.result == MS_OK && (r.status / 100 == 2 || r.status == 404)) return std::string("{}");  // 404: already gone
    fail(r, "pins.delete");
  });
}

}  // namespace pinterest
