// What a YouTube upload may carry: the ABI's Post read as one video with its snippet and status
// (https://developers.google.com/youtube/v3/docs/videos#resource, videos.insert), and every limit
// checked offline so that nothing YouTube would refuse reaches the network.
#include "YouTube.h"

#include <algorithm>

namespace youtube {
namespace {

constexpr size_t kMaxTitleCharacters = 100;          // snippet.title
constexpr size_t kMaxTagCharacters = 500;            // snippet.tags, all together
constexpr long long kMaxVideoBytes = 256LL << 30;    // 256 GB
constexpr long long kMaxThumbnailBytes = 2LL << 20;  // thumbnails.set: 2 MB
constexpr double kMaxShortsSeconds = 180;            // Shorts: up to three minutes
constexpr size_t kMaxMediaRead = 20;

size_t characters(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// The first `limit` characters of `text`.
std::string firstCharacters(const std::string& text, size_t limit) {
  size_t count = 0, i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && count++ == limit) break;
  }
  return text.substr(0, i);
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
}

std::string withoutAngleBrackets(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '<' || c == '>'; }), text.end());
  return text;
}

bool hasAngleBrackets(std::string_view text) { return text.find_first_of("<>") != std::string_view::npos; }

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

double number(std::string_view json, const std::string& pointer) {
  const auto value = host.get(json, pointer.c_str());
  if (!value.present() || value.type == MS_JSON_NULL) return 0;
  if (value.type != MS_JSON_NUMBER) throw Error(MS_ERR_INVALID_INPUT, pointer + " must be a number");
  return std::stod(value.text);
}

MediaItem readMedia(std::string_view json, const std::string& pointer) {
  MediaItem m;
  m.field = pointer;
  m.kind = host.requiredString(json, pointer + "/kind", 20);
  m.id = optionalString(json, (pointer + "/id").c_str(), 200);
  m.path = optionalString(json, (pointer + "/path").c_str());
  m.mimeType = optionalString(json, (pointer + "/mimeType").c_str(), 200);
  m.size = static_cast<long long>(number(json, pointer + "/size"));
  m.width = static_cast<long long>(number(json, pointer + "/width"));
  m.height = static_cast<long long>(number(json, pointer + "/height"));
  m.durationSeconds = number(json, pointer + "/durationSeconds");
  if (m.size < 0 || m.width < 0 || m.height < 0 || m.durationSeconds < 0)
    throw Error(MS_ERR_INVALID_INPUT, pointer + ": negative size");
  return m;
}

/// An option of options.youtube: its value when present and of `type`, nullopt when absent; a
/// wrong type becomes an issue.
std::optional<marketsage::sdk::JsonValue> option(std::string_view json, const char* name, int32_t type, Video& video,
                                                 const char* typeName) {
  auto value = host.get(json, (std::string("/options/") + name).c_str());
  if (!value.present() || value.type == MS_JSON_NULL) return std::nullopt;
  if (value.type != type) {
    video.issues.push_back({std::string("/options/") + name, std::string("must be ") + typeName});
    return std::nullopt;
  }
  return value;
}

}  // namespace

Video readVideo(std::string_view json) {
  Video v;
  const auto content = host.get(json, "/content");
  if (content.present() && content.type != MS_JSON_NULL && !content.isString())
    throw Error(MS_ERR_INVALID_INPUT, "/content must be a string");
  if (content.text.size() > 64 * 1024) throw Error(MS_ERR_INVALID_INPUT, "/content is far too long");
  v.content = content.isString() ? content.text : std::string();
  v.link = optionalString(json, "/link", 4096);
  if (const auto type = host.get(json, "/media").type; type != MS_JSON_NONE && type != MS_JSON_NULL) {
    if (type != MS_JSON_ARRAY) throw Error(MS_ERR_INVALID_INPUT, "/media must be an array");
    if (host.get(json, ("/media/" + std::to_string(kMaxMediaRead)).c_str()).present())
      throw Error(MS_ERR_INVALID_INPUT, "/media has far too many items");
    for (size_t i = 0, n = host.count(json, "/media"); i < n; ++i)
      v.media.push_back(readMedia(json, "/media/" + std::to_string(i)));
  }
  if (const auto type = host.get(json, "/options").type;
      type != MS_JSON_NONE && type != MS_JSON_NULL && type != MS_JSON_OBJECT)
    throw Error(MS_ERR_INVALID_INPUT, "/options must be an object");
  v.hasThread = host.get(json, "/thread/0").present();
  auto& issues = v.issues;
  if (v.hasThread) issues.push_back({"/thread", "YouTube videos have no threads"});

  // options.youtube
  std::string title, description;
  bool titleGiven = false, descriptionGiven = false;
  if (auto o = option(json, "title", MS_JSON_STRING, v, "a string"); o && !trim(o->text).empty()) {
    title = trim(o->text);
    titleGiven = true;
  }
  if (auto o = option(json, "description", MS_JSON_STRING, v, "a string")) {
    description = o->text;
    descriptionGiven = true;
  }
  if (auto o = option(json, "categoryId", MS_JSON_STRING, v, "a string of digits")) {
    v.categoryId = o->text;
    if (v.categoryId.empty() || v.categoryId.size() > 10 ||
        v.categoryId.find_first_not_of("0123456789") != std::string::npos)
      issues.push_back({"/options/categoryId", "must be a YouTube video category id (digits, e.g. \"22\")"});
  }
  if (auto o = option(json, "privacyStatus", MS_JSON_STRING, v, "a string")) {
    v.privacyStatus = o->text;
    v.privacyGiven = true;
    if (v.privacyStatus != "public" && v.privacyStatus != "unlisted" && v.privacyStatus != "private")
      issues.push_back({"/options/privacyStatus", "must be public, unlisted or private"});
  }
  if (auto o = option(json, "madeForKids", MS_JSON_BOOL, v, "true or false")) v.madeForKids = o->text == "true";
  if (auto o = option(json, "shorts", MS_JSON_BOOL, v, "true or false")) v.shorts = o->text == "true";
  if (auto o = option(json, "playlistId", MS_JSON_STRING, v, "a string")) {
    v.playlistId = o->text;
    if (v.playlistId.empty() || v.playlistId.size() > 64)
      issues.push_back({"/options/playlistId", "must be a YouTube playlist id"});
  }
  if (auto o = option(json, "thumbnail", MS_JSON_STRING, v, "the id of an image of the post's media"))
    v.thumbnailId = o->text;
  if (auto o = option(json, "tags", MS_JSON_ARRAY, v, "an array of strings")) {
    const size_t n = host.count(json, "/options/tags");
    size_t total = 0;
    for (size_t i = 0; i < n && i < 500; ++i) {
      const auto tag = host.get(json, ("/options/tags/" + std::to_string(i)).c_str());
      if (!tag.isString() || trim(tag.text).empty() || hasAngleBrackets(tag.text)) {
        issues.push_back({"/options/tags/" + std::to_string(i), "a tag is a non-empty string without < or >"});
        continue;
      }
      // YouTube counts a tag with a space as if quoted, and the commas between tags.
      total += characters(tag.text) + (tag.text.find(' ') != std::string::npos ? 2 : 0) + (i ? 1 : 0);
      v.tags.push_back(trim(tag.text));
    }
    if (n >= 500 || total > kMaxTagCharacters)
      issues.push_back({"/options/tags", "tags longer than 500 characters in all"});
  }
  std::string publishAt;
  if (auto o = option(json, "publishAt", MS_JSON_STRING, v, "an RFC 3339 time"))
    publishAt = o->text;
  else if (auto scheduled = optionalString(json, "/scheduledTime", 64); !scheduled.empty())
    publishAt = scheduled;
  if (!publishAt.empty()) {
    const auto at = host.parseTime(publishAt);
    if (!at) {
      issues.push_back({"/options/publishAt", "must be an RFC 3339 time with a zone"});
    } else if (*at <= host.nowMs()) {
      issues.push_back({"/options/publishAt", "is in the past"});
    } else if (v.privacyGiven && v.privacyStatus != "private") {
      issues.push_back({"/options/publishAt",
                        "a scheduled video is private until publishAt: privacyStatus must be private (or left out)"});
    } else {
      v.publishAt = host.formatTime(*at);
      v.publishAtMs = *at;
      v.privacyStatus = "private";
    }
  }

  // Media: exactly one video, and at most the image named as its thumbnail.
  for (size_t i = 0; i < v.media.size(); ++i) {
    const auto& m = v.media[i];
    if (m.kind == "video") {
      if (v.videoIndex >= 0) {
        issues.push_back({m.field, "a YouTube post is exactly one video"});
        continue;
      }
      v.videoIndex = static_cast<int>(i);
      if (m.size > kMaxVideoBytes) issues.push_back({m.field, "video larger than 256 GB"});
      if (!m.mimeType.empty() && m.mimeType.rfind("video/", 0) != 0 && m.mimeType != "application/octet-stream")
        issues.push_back({m.field, "not a video type"});
    } else if (!v.thumbnailId.empty() && m.id == v.thumbnailId && m.kind == "image") {
      v.thumbnailIndex = static_cast<int>(i);
      if (!m.mimeType.empty() && m.mimeType != "image/jpeg" && m.mimeType != "image/png")
        issues.push_back({m.field, "a thumbnail is a JPEG or PNG image"});
      if (m.size > kMaxThumbnailBytes) issues.push_back({m.field, "a thumbnail is at most 2 MB"});
    } else {
      issues.push_back(
          {m.field,
           "a YouTube post carries one video, and an image only as its thumbnail (options.youtube.thumbnail)"});
    }
  }
  if (v.videoIndex < 0) issues.push_back({"/media", "a YouTube post needs exactly one video"});
  if (!v.thumbnailId.empty() && v.thumbnailIndex < 0)
    issues.push_back({"/options/thumbnail", "must be the id of an image of the post's media"});
  if (v.shorts && v.videoIndex >= 0) {
    const auto& m = v.video();
    if (m.durationSeconds > kMaxShortsSeconds) issues.push_back({m.field, "a Short lasts at most 3 minutes"});
    if (m.width > 0 && m.height > 0 && m.width > m.height)
      issues.push_back({m.field, "a Short is vertical or square, not landscape"});
  }

  // Title: given, or the first line of the content.
  if (titleGiven) {
    if (characters(title) > kMaxTitleCharacters) issues.push_back({"/options/title", "longer than 100 characters"});
    if (hasAngleBrackets(title)) issues.push_back({"/options/title", "YouTube titles cannot contain < or >"});
  } else {
    title = firstCharacters(trim(withoutAngleBrackets(v.content.substr(0, v.content.find('\n')))), kMaxTitleCharacters);
    title = trim(title);
    if (title.empty())
      issues.push_back(
          {"/options/title", "a YouTube video needs a title: set options.youtube.title or write the post's text"});
  }
  // Description: given, or the content (with the link).
  const char* descriptionField = descriptionGiven ? "/options/description" : "/content";
  if (!descriptionGiven) {
    description = withoutAngleBrackets(v.content);
    if (!v.link.empty() && description.find(v.link) == std::string::npos)
      description += (description.empty() ? "" : "\n\n") + v.link;
  } else if (hasAngleBrackets(description)) {
    issues.push_back({"/options/description", "YouTube descriptions cannot contain < or >"});
  }
  if (v.shorts && lower(title).find("#shorts") == std::string::npos &&
      lower(description).find("#shorts") == std::string::npos) {
    if (characters(title) + 8 <= kMaxTitleCharacters)
      title += " #Shorts";
    else
      description += description.empty() ? "#Shorts" : "\n\n#Shorts";
  }
  v.title = title;
  v.description = description;
  if (v.descriptionBytes() > kMaxDescriptionBytes)
    issues.push_back({descriptionField, "the description is longer than 5000 bytes"});
  return v;
}

std::string videoResource(const Video& v) {
  auto snippet =
      Json::object().field("title", v.title).field("description", v.description).field("categoryId", v.categoryId);
  if (!v.tags.empty()) {
    auto tags = Json::array();
    for (const auto& tag : v.tags) tags.push(tag);
    snippet.raw("tags", tags);
  }
  auto status = Json::object().field("privacyStatus", v.privacyStatus);
  if (!v.publishAt.empty()) status.field("publishAt", v.publishAt);
  if (v.madeForKids) status.field("selfDeclaredMadeForKids", *v.madeForKids);
  return Json::object().raw("snippet", snippet).raw("status", status).str();
}

std::string firstIssue(const Video& v) {
  return v.issues.empty() ? std::string() : v.issues.front().field + ": " + v.issues.front().message;
}

}  // namespace youtube
