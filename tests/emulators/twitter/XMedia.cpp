// Chunked media upload of the X API v2: POST /2/media/upload/initialize, /2/media/upload/{id}/append
// (multipart: segment_index + media), /2/media/upload/{id}/finalize, GET /2/media/upload?command=STATUS,
// POST /2/media/metadata (docs.x.com/x-api/media/quickstart/media-upload-chunked and API reference).
#include "XImpl.h"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/PartHandler.h>

#include <sstream>
#include <string_view>

namespace emulators {
namespace {

namespace json_ = boost::json;

constexpr long long megabyte = 1024 * 1024;
constexpr long long maxSegmentBytes = 5 * megabyte;
constexpr size_t maxAltTextCharacters = 1000;

size_t codePoints(std::string_view text) {
  size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

/// Largest file per category (media best practices: images 5 MB, GIFs 15 MB, videos 512 MB).
long long categoryLimit(const std::string& category) {
  if (category == "tweet_image" || category == "dm_image") return 5 * megabyte;
  if (category == "tweet_gif" || category == "dm_gif") return 15 * megabyte;
  if (category == "tweet_video" || category == "amplify_video" || category == "dm_video") return 512 * megabyte;
  return 0;
}

/// Counts the bytes of the "media" part instead of keeping them.
struct MediaPart : Poco::Net::PartHandler {
  long long bytes = 0;
  bool seen = false;
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition, name;
    Poco::Net::NameValueCollection parameters;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, parameters);
    char buffer[65536];
    long long n = 0;
    while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0) n += stream.gcount();
    if (parameters.get("name", "") == "media") {
      seen = true;
      bytes += n;
    }
  }
};

}  // namespace

Reply XApi::Impl::initializeUpload(const Request& r) {
  boost::system::error_code ec;
  const auto parsed = json_::parse(r.body, ec);
  if (ec || !parsed.is_object()) return invalidRequest("body", "", "The request body is not a valid JSON object.");
  const auto& body = parsed.as_object();
  const auto* type = body.if_contains("media_type");
  const auto* total = body.if_contains("total_bytes");
  const auto* category = body.if_contains("media_category");
  if (!type || !type->is_string()) return invalidRequest("media_type", "", "media_type is required");
  if (!total || !total->is_int64() || total->as_int64() <= 0)
    return invalidRequest("total_bytes", "", "total_bytes is required");
  Upload upload;
  upload.id = newId();
  upload.mediaType = std::string(type->as_string());
  upload.category = category && category->is_string() ? std::string(category->as_string()) : "tweet_image";
  upload.totalBytes = total->as_int64();
  const long long limit = categoryLimit(upload.category);
  if (limit == 0) return invalidRequest("media_category", upload.category, "media_category is not valid");
  if (upload.totalBytes > limit)
    return invalidRequest("total_bytes", std::to_string(upload.totalBytes),
                          "File size exceeds " + std::to_string(limit) + " bytes.");
  uploads[upload.id] = upload;
  return json(200, json_::object{
                       {"data", {{"id", upload.id}, {"media_key", mediaKey(upload)}, {"expires_after_secs", 86400}}}});
}

Reply XApi::Impl::appendUpload(const Request& r, const std::string& id) {
  const auto it = uploads.find(id);
  if (it == uploads.end()) return invalidRequest("id", id, "The media id is not valid.");
  Upload& upload = it->second;
  if (upload.finalized) return invalidRequest("id", id, "The upload was already finalized.");
  if (r.contentType.rfind("multipart/form-data", 0) != 0)
    return invalidRequest("media", "", "The body must be multipart/form-data.");
  std::istringstream stream(r.body);
  MediaPart media;
  Poco::Net::HTMLForm form;
  try {
    form.load(*r.raw, stream, media);
  } catch (const std::exception&) {
    return invalidRequest("media", "", "The multipart body could not be read.");
  }
  const auto segment = form.get("segment_index", "");
  if (segment != std::to_string(upload.segments))
    return invalidRequest("segment_index", segment,
                          "Segments must be sent in order, expected " + std::to_string(upload.segments) + ".");
  if (!media.seen || media.bytes == 0) return invalidRequest("media", "", "The media part is required.");
  if (media.bytes > maxSegmentBytes) return invalidRequest("media", "", "A segment is at most 5 MB.");
  if (upload.receivedBytes + media.bytes > upload.totalBytes)
    return invalidRequest("media", "", "More bytes were appended than total_bytes announced.");
  upload.receivedBytes += media.bytes;
  ++upload.segments;
  return json(200, json_::object{{"data", {{"expires_at", nowSeconds() + 86400}}}});
}

Reply XApi::Impl::finalizeUpload(const std::string& id) {
  const auto it = uploads.find(id);
  if (it == uploads.end()) return invalidRequest("id", id, "The media id is not valid.");
  Upload& upload = it->second;
  if (upload.finalized) return invalidRequest("id", id, "The upload was already finalized.");
  if (upload.receivedBytes != upload.totalBytes)
    return invalidRequest("id", id,
                          "File size mismatch: received " + std::to_string(upload.receivedBytes) + " of " +
                              std::to_string(upload.totalBytes) + " bytes.");
  upload.finalized = true;
  json_::object data{
      {"id", upload.id}, {"media_key", mediaKey(upload)}, {"size", upload.totalBytes}, {"expires_after_secs", 86400}};
  if (upload.category == "tweet_image") {
    upload.state = "succeeded";  // images are usable at once; video and GIF are processed
  } else {
    upload.state = "pending";
    data["processing_info"] = {{"state", "pending"}, {"check_after_secs", checkAfterSecs}};
  }
  return json(200, json_::object{{"data", data}});
}

json_::object XApi::Impl::processingInfo(Upload& upload) {
  if (upload.state == "pending" || upload.state == "in_progress") {
    ++upload.statusPolls;
    if (processingFails)
      upload.state = "failed";
    else
      upload.state = upload.statusPolls >= processingPolls ? "succeeded" : "in_progress";
  }
  if (upload.state == "failed")
    return {{"state", "failed"},
            {"progress_percent", 12},
            {"error", {{"code", 1}, {"name", "InvalidMedia"}, {"message", "Unsupported video format"}}}};
  if (upload.state == "succeeded") return {{"state", "succeeded"}, {"progress_percent", 100}};
  return {{"state", "in_progress"},
          {"check_after_secs", checkAfterSecs},
          {"progress_percent", 100 * upload.statusPolls / processingPolls}};
}

Reply XApi::Impl::uploadStatus(const Request& r) {
  const auto id = r.param("media_id");
  if (r.param("command") != "STATUS") return invalidRequest("command", r.param("command"), "command must be STATUS");
  if (!uploads.count(id)) return invalidRequest("media_id", id, "The media id is not valid.");
  Upload& upload = uploads[id];
  if (!upload.finalized) return invalidRequest("media_id", upload.id, "The upload is not finalized.");
  return json(
      200,
      json_::object{
          {"data", {{"id", upload.id}, {"media_key", mediaKey(upload)}, {"processing_info", processingInfo(upload)}}}});
}

Reply XApi::Impl::mediaMetadata(const Request& r) {
  boost::system::error_code ec;
  const auto parsed = json_::parse(r.body, ec);
  if (ec || !parsed.is_object()) return invalidRequest("body", "", "The request body is not a valid JSON object.");
  const auto* id = parsed.as_object().if_contains("id");
  if (!id || !id->is_string() || !uploads.count(std::string(id->as_string())))
    return invalidRequest("id", id && id->is_string() ? std::string(id->as_string()) : "",
                          "The media id is not valid.");
  // Alt text is at most 1,000 characters (https://docs.x.com/x-api/media/create-media-metadata;
  // developer.x.com/en/docs/media/upload-media/api-reference/post-media-metadata-create: "Must be <= 1000 chars").
  const auto* text = parsed.find_pointer("/metadata/alt_text/text", ec);
  if (ec || !text || !text->is_string())
    return invalidRequest("metadata.alt_text.text", "", "metadata.alt_text.text is required.");
  const std::string altText(text->as_string());
  if (codePoints(altText) > maxAltTextCharacters)
    return invalidRequest("metadata.alt_text.text", altText, "metadata.alt_text.text must be at most 1000 characters.");
  auto& upload = uploads[std::string(id->as_string())];
  upload.altText = altText;
  return json(200,
              json_::object{
                  {"data", {{"id", upload.id}, {"associated_metadata", {{"alt_text", {{"text", upload.altText}}}}}}}});
}

}  // namespace emulators
