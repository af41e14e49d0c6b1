// A post as Pinterest takes it (POST /v5/pins, https://developers.pinterest.com/docs/api/v5/pins-create):
// an image Pin (media_source image_url), a carousel of 2 to 5 images (multiple_image_urls) or a
// video Pin (video_id, with a cover), with title (100), description (500), link (2048) and
// alt_text (500). Limits from the API reference and the Pin specifications
// (https://help.pinterest.com/en/business/article/pinterest-product-specs).
#include "Pinterest.h"

#include <algorithm>

namespace pinterest {
namespace {

constexpr long long kImageMaxBytes = 20LL * 1024 * 1024;        // 20 MB
constexpr long long kVideoMaxBytes = 2LL * 1024 * 1024 * 1024;  // 2 GB
constexpr const char* kImageTypes[] = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"};
constexpr const char* kVideoTypes[] = {"video/mp4", "video/quicktime", "video/x-m4v"};

size_t codePoints(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool httpUrl(const std::string& url) { return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0; }

/// board_id and board_section_id must match ^\d+$ (PinCreate in the API's OpenAPI description).
bool numericId(const std::string& id) { return !id.empty() && id.find_first_not_of("0123456789") == std::string::npos; }

template <size_t N>
bool oneOf(const std::string& value, const char* const (&list)[N]) {
  return std::any_of(std::begin(list), std::end(list), [&](const char* v) { return value == v; });
}

/// options.<name>, else the fallback.
std::string option(std::string_view json, const char* name, size_t maxLength, std::string fallback = {}) {
  auto value = host.optionalString(json, std::string("/options/") + name, maxLength);
  return value ? *value : std::move(fallback);
}

}  // namespace

Pin readPin(std::string_view json) {
  Pin pin;
  auto issue = [&](const std::string& field, const std::string& message) { pin.issues.push_back({field, message}); };
  if (const auto t = host.get(json, "/options").type; t != MS_JSON_NONE && t != MS_JSON_NULL && t != MS_JSON_OBJECT)
    throw Error(MS_ERR_INVALID_INPUT, "/options must be an object");
  pin.boardId = option(json, "board_id", 100, host.optionalString(json, "/account/id", 100).value_or(""));
  pin.boardSectionId = option(json, "board_section_id", 100);
  pin.title = option(json, "title", 4096);
  pin.description = option(json, "description", 65536, host.optionalString(json, "/content", 65536).value_or(""));
  pin.link = option(json, "link", 8192, host.optionalString(json, "/link", 8192).value_or(""));
  pin.altText = option(json, "alt_text", 4096);
  pin.coverImageUrl = option(json, "cover_image_url", 4096);
  if (const auto v = host.get(json, "/options/cover_image_key_frame_time"); v.present() && v.type != MS_JSON_NULL) {
    const auto seconds = host.integer(json, "/options/cover_image_key_frame_time");
    if (!seconds || *seconds < 0 || *seconds > 86400)
      throw Error(MS_ERR_INVALID_INPUT, "/options/cover_image_key_frame_time must be a number of seconds");
    pin.keyFrameSeconds = *seconds;
  }
  pin.descriptionLength = codePoints(pin.description);
  if (pin.boardId.empty())
    issue("/options/board_id", "a Pin needs a board (the connection's board or board_id)");
  else if (!numericId(pin.boardId))
    issue("/options/board_id", "a Pinterest board id is a number");
  if (!pin.boardSectionId.empty() && !numericId(pin.boardSectionId))
    issue("/options/board_section_id", "a Pinterest board section id is a number");
  if (codePoints(pin.title) > kTitleLimit) issue("/options/title", "longer than 100 characters");
  if (pin.descriptionLength > kDescriptionLimit) issue("/content", "longer than 500 characters");
  if (!pin.link.empty() && (!httpUrl(pin.link) || pin.link.size() > kLinkLimit))
    issue("/link", "the link must be an http(s) URL of at most 2048 characters");
  if (!pin.coverImageUrl.empty() && !httpUrl(pin.coverImageUrl))
    issue("/options/cover_image_url", "must be an http(s) URL");
  if (host.get(json, "/thread").type == MS_JSON_ARRAY && host.count(json, "/thread") > 0)
    issue("/thread", "Pinterest has no threads: post each Pin on its own");

  // Media: what crosses is bounded, then sorted into images and one video.
  const auto doc = host.parse(json);
  if (const auto t = doc.get("/media").type; t != MS_JSON_NONE && t != MS_JSON_NULL && t != MS_JSON_ARRAY)
    throw Error(MS_ERR_INVALID_INPUT, "/media must be an array");
  const auto count = doc.get("/media").type == MS_JSON_ARRAY ? doc.count("/media") : 0;
  if (count > 20) throw Error(MS_ERR_INVALID_INPUT, "/media has too many items");
  int videos = 0;
  for (size_t i = 0; i < count; ++i) {
    const auto at = "/media/" + std::to_string(i);
    if (doc.get(at.c_str()).type != MS_JSON_OBJECT) throw Error(MS_ERR_INVALID_INPUT, at + " must be an object");
    MediaItem item;
    auto text = [&](const char* name, size_t limit) {
      const auto v = doc.get((at + name).c_str());
      if (v.type != MS_JSON_NONE && v.type != MS_JSON_NULL && (!v.isString() || v.text.size() > limit))
        throw Error(MS_ERR_INVALID_INPUT,
                    at + name + " must be a string of at most " + std::to_string(limit) + " bytes");
      return v.isString() ? v.text : std::string();
    };
    item.id = text("/id", 200);
    item.kind = text("/kind", 20);
    item.mimeType = text("/mimeType", 100);
    item.path = text("/path", 4096);
    item.url = text("/url", 8192);
    item.altText = text("/altText", 4096);
    item.size = doc.integer((at + "/size").c_str()).value_or(0);
    if (item.kind == "video") {
      if (++videos == 1) pin.video = item;
      if (!oneOf(item.mimeType, kVideoTypes)) issue(at, "Pinterest takes MP4, MOV or M4V videos");
      if (item.size > kVideoMaxBytes) issue(at, "a video is at most 2 GB");
    } else if (item.kind == "image" || item.kind == "gif") {
      if (!oneOf(item.mimeType, kImageTypes)) issue(at, "Pinterest takes JPEG, PNG, GIF, WEBP, BMP or TIFF images");
      if (item.size > kImageMaxBytes) issue(at, "an image is at most 20 MB");
      if (!httpUrl(item.url)) issue(at, "Pinterest fetches images by URL: the media has no public URL");
      pin.images.push_back(item);
    } else {
      issue(at, "Pinterest Pins carry images or a video");
    }
  }
  pin.hasVideo = videos > 0;
  if (pin.altText.empty()) {
    if (pin.hasVideo)
      pin.altText = pin.video.altText;
    else if (!pin.images.empty())
      pin.altText = pin.images.front().altText;
  }
  if (codePoints(pin.altText) > kAltTextLimit) issue("/options/alt_text", "longer than 500 characters");
  if (count == 0) issue("/media", "a Pin needs an image or a video");
  if (videos > 1) issue("/media", "a Pin carries one video");
  if (pin.hasVideo && pin.images.size() > 1) issue("/media", "a video Pin takes at most one image, as its cover");
  if (!pin.hasVideo && pin.images.size() > kMaxCarouselImages) issue("/media", "a carousel Pin has 2 to 5 images");
  if (pin.hasVideo && pin.coverImageUrl.empty() && pin.images.size() == 1) pin.coverImageUrl = pin.images[0].url;
  return pin;
}

std::string pinBody(const Pin& pin, const std::string& mediaId) {
  auto source = Json::object();
  if (pin.hasVideo) {
    source.field("source_type", "video_id").field("media_id", mediaId);
    if (!pin.coverImageUrl.empty())
      source.field("cover_image_url", pin.coverImageUrl);
    else
      source.field("cover_image_key_frame_time", pin.keyFrameSeconds < 0 ? 0LL : pin.keyFrameSeconds);
  } else if (pin.images.size() == 1) {
    source.field("source_type", "image_url").field("url", pin.images[0].url);
  } else {
    auto items = Json::array();
    for (const auto& image : pin.images) items.pushRaw(Json::object().field("url", image.url));
    source.field("source_type", "multiple_image_urls").raw("items", items);
  }
  auto body = Json::object().field("board_id", pin.boardId);
  if (!pin.boardSectionId.empty()) body.field("board_section_id", pin.boardSectionId);
  if (!pin.title.empty()) body.field("title", pin.title);
  if (!pin.description.empty()) body.field("description", pin.description);
  if (!pin.link.empty()) body.field("link", pin.link);
  if (!pin.altText.empty()) body.field("alt_text", pin.altText);
  return body.raw("media_source", source).str();
}

std::string issuesText(const Pin& pin) {
  std::string out;
  for (const auto& issue : pin.issues) out += (out.empty() ? "" : "; ") + issue.field + ": " + issue.message;
  return out;
}

}  // namespace pinterest
