// What a LinkedIn post may contain: reading the ABI's Post, the Posts/Images/Videos/Documents API
// limits, and the "little" text format of the commentary.
#include "LinkedIn.h"

#include <algorithm>

namespace linkedin {
namespace {

constexpr size_t kMaxCommentary = 3000;                    // Posts API commentary
constexpr size_t kMaxAltText = 4086;                       // Posts API media altText
constexpr size_t kMaxImages = 20;                          // multiImage: 2 to 20 images
constexpr long long kMaxImagePixels = 36152320;            // Images API
constexpr long long kMinVideoBytes = 75 * 1024;            // Videos API: 75 KB ...
constexpr long long kMaxVideoBytes = 500LL * 1024 * 1024;  // ... to 500 MB
constexpr double kMinVideoSeconds = 3, kMaxVideoSeconds = 30 * 60;
constexpr long long kMaxDocumentBytes = 100LL * 1024 * 1024;  // Documents API: 100 MB
constexpr size_t kMaxMediaRead = 100;                         // bound the request before counting limits

const std::vector<std::string> kImageTypes = {"image/jpeg", "image/png", "image/gif"};
const std::vector<std::string> kVideoTypes = {"video/mp4"};
const std::vector<std::string> kDocumentTypes = {
    "application/pdf", "application/msword", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation"};

size_t characters(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool oneOf(const std::string& value, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

/// A number at `pointer` (absent = 0); any other type is refused.
double number(std::string_view json, const std::string& pointer) {
  const auto value = host.get(json, pointer.c_str());
  if (!value.present()) return 0;
  if (value.type != MS_JSON_NUMBER) throw Error(MS_ERR_INVALID_INPUT, pointer + " must be a number");
  return std::stod(value.text);
}

bool isImage(const MediaItem& m) { return m.kind == "image" || m.kind == "gif"; }

}  // namespace

void checkMedia(const MediaItem& m, std::vector<Issue>& issues) {
  const auto issue = [&](const std::string& message) { issues.push_back({m.field, message}); };
  if (characters(m.altText) > kMaxAltText) issue("alt text longer than 4086 characters");
  if (isImage(m)) {
    if (!m.mimeType.empty() && !oneOf(m.mimeType, kImageTypes)) issue("LinkedIn images are JPEG, PNG or GIF");
    if (m.width * m.height > kMaxImagePixels) issue("image larger than 36,152,320 pixels");
  } else if (m.kind == "video") {
    if (!m.mimeType.empty() && !oneOf(m.mimeType, kVideoTypes)) issue("LinkedIn videos are MP4");
    if (m.size < kMinVideoBytes || m.size > kMaxVideoBytes) issue("video must be 75 KB to 500 MB");
    if (m.durationSeconds > 0 && (m.durationSeconds < kMinVideoSeconds || m.durationSeconds > kMaxVideoSeconds))
      issue("video must last 3 seconds to 30 minutes");
  } else {
    if (!m.mimeType.empty() && !oneOf(m.mimeType, kDocumentTypes))
      issue("LinkedIn documents are PDF, PPT, PPTX, DOC or DOCX");
    if (m.size > kMaxDocumentBytes) issue("document larger than 100 MB");
  }
}

MediaItem readMedia(std::string_view json, const std::string& pointer) {
  MediaItem m;
  m.field = pointer.empty() ? "/" : pointer;
  m.kind = host.requiredString(json, pointer + "/kind", 20);
  if (m.kind != "image" && m.kind != "gif" && m.kind != "video" && m.kind != "document")
    throw Error(MS_ERR_INVALID_INPUT, pointer + "/kind must be image, gif, video or document");
  m.platformMediaId = optionalString(json, (pointer + "/platformMediaId").c_str(), 200);
  m.hostId = optionalString(json, (pointer + "/id").c_str(), 200);
  m.path = m.platformMediaId.empty() ? host.requiredString(json, pointer + "/path")
                                     : optionalString(json, (pointer + "/path").c_str());
  m.mimeType = optionalString(json, (pointer + "/mimeType").c_str(), 200);
  m.altText = optionalString(json, (pointer + "/altText").c_str(), 4 * kMaxAltText);
  m.size = static_cast<long long>(number(json, pointer + "/size"));
  m.width = static_cast<long long>(number(json, pointer + "/width"));
  m.height = static_cast<long long>(number(json, pointer + "/height"));
  m.durationSeconds = number(json, pointer + "/durationSeconds");
  if (m.size < 0 || m.width < 0 || m.height < 0) throw Error(MS_ERR_INVALID_INPUT, pointer + ": negative size");
  return m;
}

Post readPost(std::string_view json) {
  Post post;
  const auto content = host.get(json, "/content");
  if (!content.isString()) throw Error(MS_ERR_INVALID_INPUT, "/content must be a string");
  if (content.text.size() > 4 * kMaxCommentary + 1024) throw Error(MS_ERR_INVALID_INPUT, "/content is far too long");
  post.content = content.text;
  post.link = optionalString(json, "/link", 4096);
  post.title = optionalString(json, "/options/title", 1000);
  post.description = optionalString(json, "/options/description", 4000);
  if (auto visibility = optionalString(json, "/options/visibility", 20); !visibility.empty())
    post.visibility = visibility;
  if (const auto type = host.get(json, "/media").type; type != MS_JSON_NONE && type != MS_JSON_NULL) {
    if (type != MS_JSON_ARRAY) throw Error(MS_ERR_INVALID_INPUT, "/media must be an array");
    if (host.get(json, ("/media/" + std::to_string(kMaxMediaRead)).c_str()).present())
      throw Error(MS_ERR_INVALID_INPUT, "/media has far too many items");
    for (size_t i = 0, n = host.count(json, "/media"); i < n; ++i)
      post.media.push_back(readMedia(json, "/media/" + std::to_string(i)));
  }
  post.hasThread = host.get(json, "/thread/0").present();
  post.scheduled = host.get(json, "/scheduledTime").present();
  return post;
}

TextLength commentaryLength(const Post& post) { return {characters(post.content), kMaxCommentary}; }

std::vector<Issue> checkPost(const Post& post) {
  std::vector<Issue> issues;
  if (const auto [used, limit] = commentaryLength(post); used > limit)
    issues.push_back({"/content", "longer than 3000 characters"});
  if (post.content.empty() && post.link.empty() && post.media.empty())
    issues.push_back({"/content", "a LinkedIn post needs text, a link or media"});
  if (post.hasThread) issues.push_back({"/thread", "LinkedIn has no threads"});
  if (post.scheduled) issues.push_back({"/scheduledTime", "LinkedIn's Posts API cannot schedule posts"});
  if (post.visibility != "PUBLIC" && post.visibility != "CONNECTIONS" && post.visibility != "LOGGED_IN")
    issues.push_back({"/options/visibility", "visibility is PUBLIC, CONNECTIONS or LOGGED_IN"});
  if (!post.link.empty() && post.link.rfind("https://", 0) != 0 && post.link.rfind("http://", 0) != 0)
    issues.push_back({"/link", "the link must be an http(s) URL"});
  if (!post.link.empty() && !post.media.empty())
    issues.push_back({"/link", "a LinkedIn post carries either an article link or media, not both"});

  const auto images = std::count_if(post.media.begin(), post.media.end(), isImage);
  const auto videos =
      std::count_if(post.media.begin(), post.media.end(), [](const MediaItem& m) { return m.kind == "video"; });
  const auto documents = static_cast<long>(post.media.size()) - images - videos;
  if ((images > 0) + (videos > 0) + (documents > 0) > 1)
    issues.push_back({"/media", "LinkedIn posts cannot mix images, videos and documents"});
  if (videos > 1) issues.push_back({"/media", "one video per post"});
  if (documents > 1) issues.push_back({"/media", "one document per post"});
  if (images > static_cast<long>(kMaxImages)) issues.push_back({"/media", "at most 20 images per post"});
  for (const auto& m : post.media) checkMedia(m, issues);
  return issues;
}

std::string escapeLittleText(std::string_view text) {
  static constexpr std::string_view reserved = "|{}@[]()<>#\\*_~";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    if (reserved.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace linkedin
