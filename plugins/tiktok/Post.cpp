// A publish/validate request read as TikTok's Content Posting API will receive it, checked
// offline against its documented limits (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post,
// https://developers.tiktok.com/doc/content-posting-api-reference-photo-post,
// https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide), and `validate`.
#include "TikTok.h"

#include <set>

namespace tiktok {
namespace {

constexpr size_t kMaxMedia = 35;                                ///< photo_images
constexpr long long kMaxVideoBytes = 4LL * 1024 * 1024 * 1024;  ///< 4 GB
constexpr long long kMaxPhotoBytes = 20LL * 1024 * 1024;        ///< 20 MB per image
constexpr size_t kVideoTitleLimit = 2200, kPhotoTitleLimit = 90, kPhotoDescriptionLimit = 4000;

const std::set<std::string> kPrivacyLevels = {"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR",
                                              "SELF_ONLY"};
const std::set<std::string> kVideoTypes = {"video/mp4", "video/webm", "video/quicktime"};
const std::set<std::string> kPhotoTypes = {"image/jpeg", "image/jpg", "image/webp"};

std::optional<std::string> text(const marketsage::sdk::Document& doc, const std::string& pointer, size_t max) {
  const auto v = doc.get(pointer.c_str());
  if (!v.present() || v.type == MS_JSON_NULL) return std::nullopt;
  if (!v.isString()) throw Error(MS_ERR_INVALID_INPUT, pointer + " must be a string");
  if (v.text.size() > max) throw Error(MS_ERR_INVALID_INPUT, pointer + " is too long");
  return v.text;
}

std::optional<bool> flag(const marketsage::sdk::Document& doc, const char* name, Post& post) {
  const auto pointer = std::string("/options/") + name;
  const auto v = doc.get(pointer.c_str());
  if (!v.present() || v.type == MS_JSON_NULL) return std::nullopt;
  if (v.type != MS_JSON_BOOL) {
    post.issues.push_back({pointer, std::string("options.tiktok.") + name + " must be true or false"});
    return std::nullopt;
  }
  return v.text == "true";
}

std::optional<long long> number(const marketsage::sdk::Document& doc, const char* name, Post& post) {
  const auto pointer = std::string("/options/") + name;
  const auto v = doc.get(pointer.c_str());
  if (!v.present() || v.type == MS_JSON_NULL) return std::nullopt;
  const auto value = v.type == MS_JSON_NUMBER ? doc.integer(pointer.c_str()) : std::nullopt;
  if (!value || *value < 0) {
    post.issues.push_back({pointer, std::string("options.tiktok.") + name + " must be a non-negative integer"});
    return std::nullopt;
  }
  return value;
}

void readMedia(const marketsage::sdk::Document& doc, Post& post) {
  if (doc.get("/media").type != MS_JSON_ARRAY && doc.get("/media").present() && doc.get("/media").type != MS_JSON_NULL)
    throw Error(MS_ERR_INVALID_INPUT, "/media must be an array");
  const auto n = doc.count("/media");
  if (n > 100) throw Error(MS_ERR_INVALID_INPUT, "/media has too many items");
  for (size_t i = 0; i < n; ++i) {
    const auto at = "/media/" + std::to_string(i);
    if (doc.get(at.c_str()).type != MS_JSON_OBJECT) throw Error(MS_ERR_INVALID_INPUT, at + " must be an object");
    MediaItem m;
    m.field = at;
    m.id = text(doc, at + "/id", 200).value_or("");
    m.kind = text(doc, at + "/kind", 20).value_or("");
    m.mimeType = text(doc, at + "/mimeType", 100).value_or("");
    m.path = text(doc, at + "/path", 4096).value_or("");
    m.url = text(doc, at + "/url", 8192).value_or("");
    const auto size = doc.get((at + "/size").c_str());
    if (size.present() && size.type != MS_JSON_NULL) {
      const auto value = size.type == MS_JSON_NUMBER ? doc.integer((at + "/size").c_str()) : std::nullopt;
      if (!value || *value < 0) throw Error(MS_ERR_INVALID_INPUT, at + "/size must be a non-negative integer");
      m.size = *value;
    }
    post.media.push_back(std::move(m));
  }
}

void checkMedia(Post& post) {
  size_t videos = 0, images = 0;
  for (const auto& m : post.media) {
    if (m.kind == "video") {
      ++videos;
      if (!m.mimeType.empty() && !kVideoTypes.count(m.mimeType))
        post.issues.push_back({m.field, "TikTok takes MP4, WebM or MOV videos, not " + m.mimeType});
      if (m.size > kMaxVideoBytes) post.issues.push_back({m.field, "a TikTok video is at most 4 GB"});
    } else if (m.kind == "image") {
      ++images;
      if (!m.mimeType.empty() && !kPhotoTypes.count(m.mimeType))
        post.issues.push_back({m.field, "TikTok photo posts take JPEG or WebP images, not " + m.mimeType});
      if (m.size > kMaxPhotoBytes) post.issues.push_back({m.field, "a TikTok photo is at most 20 MB"});
    } else {
      post.issues.push_back({m.field, "TikTok posts take a video or photos, not a " + m.kind});
    }
  }
  if (post.media.empty())
    post.issues.push_back({"/media", "a TikTok post needs one video or 1 to 35 photos"});
  else if (videos > 0 && post.media.size() > 1)
    post.issues.push_back({"/media", "a TikTok video post carries exactly one video and nothing else"});
  else if (images > kMaxMedia)
    post.issues.push_back({"/media", "a TikTok photo post carries at most 35 photos"});
  post.photo = videos == 0 && images > 0;
}

}  // namespace

size_t utf16Length(std::string_view s) {
  size_t units = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += c >= 0xF0 ? 2 : 1;        // 4-byte sequences are surrogate pairs
  }
  return units;
}

Post readPost(std::string_view json) {
  const auto doc = host.parse(json);
  if (!doc.valid() || doc.get("").type != MS_JSON_OBJECT)
    throw Error(MS_ERR_INVALID_INPUT, "the request must be a JSON object");
  Post post;
  post.content = text(doc, "/content", 100000).value_or("");
  const auto link = text(doc, "/link", 4096).value_or("");
  if (!link.empty()) post.content += (post.content.empty() ? "" : "\n") + link;
  const auto options = doc.get("/options").type;
  if (options != MS_JSON_NONE && options != MS_JSON_NULL && options != MS_JSON_OBJECT)
    throw Error(MS_ERR_INVALID_INPUT, "/options must be an object");
  if (doc.get("/thread").type == MS_JSON_ARRAY && doc.count("/thread") > 0)
    post.issues.push_back({"/thread", "TikTok has no threads"});
  readMedia(doc, post);
  checkMedia(post);

  post.title = text(doc, "/options/title", 100000).value_or("");
  post.privacyLevel = text(doc, "/options/privacy_level", 100).value_or("");
  if (post.privacyLevel.empty())
    post.issues.push_back({"/options/privacy_level",
                           "options.tiktok.privacy_level is required: the creator must choose who can see the post "
                           "(one of creator_info's privacy_level_options; TikTok allows no default)"});
  else if (!kPrivacyLevels.count(post.privacyLevel))
    post.issues.push_back({"/options/privacy_level",
                           "options.tiktok.privacy_level must be PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, "
                           "FOLLOWER_OF_CREATOR or SELF_ONLY"});
  post.disableComment = flag(doc, "disable_comment", post);
  post.disableDuet = flag(doc, "disable_duet", post);
  post.disableStitch = flag(doc, "disable_stitch", post);
  post.brandContent = flag(doc, "brand_content_toggle", post).value_or(false);
  post.brandOrganic = flag(doc, "brand_organic_toggle", post).value_or(false);
  post.autoAddMusic = flag(doc, "auto_add_music", post).value_or(false);
  post.aigc = flag(doc, "is_aigc", post).value_or(false);
  post.coverTimestampMs = number(doc, "video_cover_timestamp_ms", post).value_or(-1);
  post.photoCoverIndex = number(doc, "photo_cover_index", post).value_or(0);
  if (post.brandContent && post.privacyLevel == "SELF_ONLY")
    post.issues.push_back({"/options/brand_content_toggle", "branded content cannot be private (SELF_ONLY)"});
  post.source = text(doc, "/options/source", 20).value_or(host.setting("/video_source", "FILE_UPLOAD"));
  if (post.source != "FILE_UPLOAD" && post.source != "PULL_FROM_URL")
    post.issues.push_back({"/options/source", "options.tiktok.source must be FILE_UPLOAD or PULL_FROM_URL"});

  if (post.photo) {
    if (post.photoCoverIndex >= static_cast<long long>(post.media.size()))
      post.issues.push_back({"/options/photo_cover_index", "photo_cover_index names no photo of the post"});
    if (utf16Length(post.title) > kPhotoTitleLimit)
      post.issues.push_back({"/options/title", "a photo post's title is at most 90 characters"});
    post.textUnits = utf16Length(post.content);
    post.textLimit = kPhotoDescriptionLimit;
    if (post.textUnits > kPhotoDescriptionLimit)
      post.issues.push_back({"/content", "a photo post's description is at most 4000 characters"});
    for (const auto& name : {"disable_duet", "disable_stitch", "video_cover_timestamp_ms", "is_aigc"})
      if (doc.get((std::string("/options/") + name).c_str()).present())
        post.issues.push_back({std::string("/options/") + name, std::string(name) + " applies to videos only"});
  } else {
    if (post.title.empty()) post.title = post.content;
    post.textUnits = utf16Length(post.title);
    post.textLimit = kVideoTitleLimit;
    if (post.textUnits > kVideoTitleLimit)
      post.issues.push_back({doc.get("/options/title").present() ? "/options/title" : "/content",
                             "a TikTok video's caption is at most 2200 characters"});
  }
  return post;
}

std::string firstIssue(const Post& post) {
  if (post.issues.empty()) return {};
  return post.issues.front().field + ": " + post.issues.front().message;
}

ms_status validate(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto post = readPost(host.objectRequest(req, len));
    auto out = marketsage::sdk::validationReply(
        post.issues, marketsage::sdk::LengthCount{static_cast<long long>(post.textUnits),
                                                  static_cast<long long>(post.textLimit), "utf16"});
    if (post.issues.empty()) return out;
    reply->write(reply, out.data(), out.size());
    throw Error(MS_ERR_INVALID_INPUT, "");
  });
}

}  // namespace tiktok
