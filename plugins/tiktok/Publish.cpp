// publish: creator_info/query first, the user's choices checked against it (TikTok's review
// requires it), then the direct post's init (video/init with FILE_UPLOAD or PULL_FROM_URL, or
// content/init for photos), the chunked upload to upload_url, and status/fetch until
// PUBLISH_COMPLETE or FAILED — each wait a "pending" reply, never a sleep
// (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post,
// https://developers.tiktok.com/doc/content-posting-api-reference-photo-post,
// https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status,
// https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide).
#include "TikTok.h"

#include <algorithm>
#include <filesystem>

namespace tiktok {
namespace {

constexpr long long kMiB = 1024 * 1024;
constexpr long long kMinChunk = 5 * kMiB, kMaxChunk = 64 * kMiB, kMaxChunks = 1000;

struct Creator {
  std::string username, nickname;
  std::vector<std::string> privacyLevels;
  bool commentDisabled = false, duetDisabled = false, stitchDisabled = false;
  long long maxDurationSec = 0;
};

Creator creatorInfo(const std::string& token) {
  const auto r = call("POST", "/v2/post/publish/creator_info/query/", token, "creator_info/query");
  const auto doc = host.parse(r.body);
  Creator c;
  c.username = doc.string("/data/creator_username").value_or("");
  c.nickname = doc.string("/data/creator_nickname").value_or("");
  for (size_t i = 0, n = std::min<size_t>(doc.count("/data/privacy_level_options"), 10); i < n; ++i)
    if (auto level = doc.string(("/data/privacy_level_options/" + std::to_string(i)).c_str()))
      c.privacyLevels.push_back(*level);
  c.commentDisabled = doc.get("/data/comment_disabled").text == "true";
  c.duetDisabled = doc.get("/data/duet_disabled").text == "true";
  c.stitchDisabled = doc.get("/data/stitch_disabled").text == "true";
  c.maxDurationSec = doc.integer("/data/max_video_post_duration_sec").value_or(0);
  return c;
}

/// The user's choices must be among what the creator may use right now.
void checkAgainst(const Post& post, const Creator& c) {
  std::string allowed;
  for (const auto& level : c.privacyLevels) allowed += (allowed.empty() ? "" : ", ") + level;
  if (std::find(c.privacyLevels.begin(), c.privacyLevels.end(), post.privacyLevel) == c.privacyLevels.end())
    throw Error(MS_ERR_INVALID_INPUT,
                "options.tiktok.privacy_level " + post.privacyLevel + " is not open to @" + c.username +
                    " (creator_info allows: " + allowed + ")",
                "privacy_level_option_mismatch");
  const auto refuse = [&](const char* what) {
    throw Error(MS_ERR_INVALID_INPUT,
                std::string("@") + c.username + " has turned " + what + " off in TikTok: options.tiktok.disable_" +
                    what + " cannot be false",
                "interaction_disabled");
  };
  if (c.commentDisabled && post.disableComment == false) refuse("comment");
  if (!post.photo && c.duetDisabled && post.disableDuet == false) refuse("duet");
  if (!post.photo && c.stitchDisabled && post.disableStitch == false) refuse("stitch");
}

struct ChunkPlan {
  long long size = 0, chunk = 0, count = 0;
};

/// The media transfer guide's rules: under 5 MB one chunk of the whole file; otherwise chunks of
/// chunk_bytes (5–64 MB), total_chunk_count = floor(size / chunk_size), the trailing bytes merged
/// into the last chunk (at most 128 MB), 1 to 1000 chunks.
ChunkPlan planChunks(long long size) {
  ChunkPlan plan{size, size, 1};
  const long long wanted = std::clamp(integerSetting("/chunk_bytes", 10 * kMiB), kMinChunk, kMaxChunk);
  if (size < kMinChunk || size <= wanted) {
    if (size > kMaxChunk) plan.chunk = kMaxChunk;  // not reached: wanted <= 64 MB
    return plan;
  }
  plan.chunk = std::max(wanted, (size + kMaxChunks - 1) / kMaxChunks);
  plan.count = size / plan.chunk;
  return plan;
}

long long fileSize(const MediaItem& m) {
  std::error_code error;
  const auto size = std::filesystem::file_size(m.path, error);
  if (m.path.empty() || error) throw Error(MS_ERR_PERMANENT, m.field + ": the video file cannot be read");
  return static_cast<long long>(size);
}

std::string pending(const Json& resume, int seconds, const std::string& stage) {
  return Json::object()
      .raw("pending", Json::object().field("retryAfterSeconds", seconds).field("stage", stage).raw("resume", resume))
      .str();
}

/// TikTok moderates a post meant to be seen by others before it names the post's id.
constexpr int kModerationPollSeconds = 30;
long long moderationPolls() {
  const auto seconds = std::clamp<long long>(integerSetting("/moderation_wait_seconds", 3600), 0, 86400);
  return (seconds + kModerationPollSeconds - 1) / kModerationPollSeconds;
}

int pollSeconds() { return static_cast<int>(std::clamp<long long>(integerSetting("/status_poll_seconds", 5), 1, 300)); }

std::string postInfo(const Post& post) {
  auto info = Json::object().field("privacy_level", post.privacyLevel);
  if (post.photo) {
    if (!post.title.empty()) info.field("title", post.title);
    if (!post.content.empty()) info.field("description", post.content);
    info.field("auto_add_music", post.autoAddMusic);
  } else {
    if (!post.title.empty()) info.field("title", post.title);
    // TikTok's UX rules: interactions stay off unless the user turned them on.
    info.field("disable_duet", post.disableDuet.value_or(true));
    info.field("disable_stitch", post.disableStitch.value_or(true));
    if (post.coverTimestampMs >= 0) info.field("video_cover_timestamp_ms", post.coverTimestampMs);
    if (post.aigc) info.field("is_aigc", true);
  }
  info.field("disable_comment", post.disableComment.value_or(true));
  info.field("brand_content_toggle", post.brandContent);
  info.field("brand_organic_toggle", post.brandOrganic);
  return info.str();
}

/// The request that makes the post: a lost answer or a gateway's 5xx may mean it exists.
std::string initPost(const Post& post, const std::string& token, const Creator& creator) {
  std::string path, body;
  auto resume = Json::object().field("username", creator.username).field("privacy", post.privacyLevel);
  if (post.photo) {
    auto images = Json::array();
    for (const auto& m : post.media) {
      if (m.url.empty()) throw Error(MS_ERR_PERMANENT, m.field + ": TikTok pulls photos from a URL and none was given");
      images.push(m.url);
    }
    path = "/v2/post/publish/content/init/";
    body = Json::object()
               .raw("post_info", postInfo(post))
               .raw("source_info", Json::object()
                                       .field("source", "PULL_FROM_URL")
                                       .field("photo_cover_index", post.photoCoverIndex)
                                       .raw("photo_images", images))
               .field("post_mode", "DIRECT_POST")
               .field("media_type", "PHOTO")
               .str();
  } else {
    const auto& video = post.media.front();
    auto source = Json::object().field("source", post.source);
    if (post.source == "PULL_FROM_URL") {
      if (video.url.empty()) throw Error(MS_ERR_PERMANENT, video.field + ": PULL_FROM_URL needs the media's URL");
      source.field("video_url", video.url);
    } else {
      const auto plan = planChunks(fileSize(video));
      if (plan.size <= 0) throw Error(MS_ERR_INVALID_INPUT, video.field + ": the video file is empty");
      source.field("video_size", plan.size).field("chunk_size", plan.chunk).field("total_chunk_count", plan.count);
      resume.field("chunkSize", plan.chunk).field("chunkCount", plan.count).field("videoSize", plan.size);
    }
    path = "/v2/post/publish/video/init/";
    body = Json::object().raw("post_info", postInfo(post)).raw("source_info", source).str();
  }
  // A URL pull starts the post at once; a FILE_UPLOAD post cannot go live before its bytes are
  // sent to the upload_url this answer names, so a lost answer there is an ordinary failure.
  const bool live = post.photo || post.source == "PULL_FROM_URL";
  const auto r = send("POST", path, token, body);
  if (!succeeded(r)) fail(r, post.photo ? "content/init" : "video/init", live);
  const auto publishId = host.string(r.body, "/data/publish_id").value_or("");
  if (publishId.empty())
    throw Error(live ? MS_ERR_OUTCOME_UNKNOWN : MS_ERR_TRANSIENT,
                "TikTok accepted the post without naming its publish_id");
  resume.field("publishId", publishId);
  const auto uploadUrl = host.string(r.body, "/data/upload_url").value_or("");
  if (!post.photo && post.source == "FILE_UPLOAD") {
    if (uploadUrl.empty()) throw Error(MS_ERR_OUTCOME_UNKNOWN, "TikTok named no upload_url for publish " + publishId);
    resume.field("uploadUrl", uploadUrl);
    return pending(resume, 1, "TikTok opened the upload; the video is sent next");
  }
  return pending(resume, pollSeconds(), "TikTok is fetching the media from its URL");
}

bool trustedUploadUrl(const std::string& url) {
  return (url.rfind("https://", 0) == 0 || url.rfind(apiBase() + "/", 0) == 0) &&
         url.find_first_of(" \r\n") == std::string::npos;
}

/// Sends the file in the planned chunks, in order, streamed from disk. A failed chunk ends the
/// call (MS_ERR_TRANSIENT): the next attempt sends the file again from its first byte.
HttpResponse statusOf(const std::string& token, const std::string& publishId) {
  return call("POST", "/v2/post/publish/status/fetch/", token, "status/fetch",
              Json::object().field("publish_id", publishId).str());
}

[[noreturn]] void failed(const std::string& reason, const std::string& publishId);

std::string uploadVideo(std::string_view json, const Post& post, const std::string& token,
                        const std::string& publishId) {
  const auto& video = post.media.front();
  const auto url = host.optionalString(json, "/resume/uploadUrl", 8192).value_or("");
  const auto size = host.integer(json, "/resume/videoSize").value_or(-1);
  const auto chunk = host.integer(json, "/resume/chunkSize").value_or(0);
  const auto count = host.integer(json, "/resume/chunkCount").value_or(0);
  if (!trustedUploadUrl(url)) throw Error(MS_ERR_PERMANENT, "the upload_url TikTok named is not usable");
  if (fileSize(video) != size || chunk <= 0 || count <= 0 || count > kMaxChunks)
    throw Error(MS_ERR_PERMANENT, "the video file changed since TikTok's upload was opened");
  // An earlier attempt may have sent every byte and lost only the last answer: ask first.
  const auto before = statusOf(token, publishId);
  const auto state = host.string(before.body, "/data/status").value_or("");
  if (state == "FAILED") failed(host.string(before.body, "/data/fail_reason").value_or(""), publishId);
  if (state != "PROCESSING_UPLOAD" || host.integer(before.body, "/data/uploaded_bytes").value_or(0) >= size)
    return pending(Json::object().field("uploaded", true), pollSeconds(), "TikTok is processing the video");
  for (long long i = 0; i < count; ++i) {
    const long long offset = i * chunk, length = i + 1 == count ? size - offset : chunk;
    HttpRequest request;
    request.method = "PUT";
    request.url = url;
    request.timeoutMs = httpTimeoutMs();
    request.headers = {{"Content-Type", video.mimeType.empty() ? "video/mp4" : video.mimeType},
                       {"Content-Range", "bytes " + std::to_string(offset) + "-" + std::to_string(offset + length - 1) +
                                             "/" + std::to_string(size)}};
    request.bodyFile = video.path;
    request.fileOffset = static_cast<uint64_t>(offset);
    request.fileLength = static_cast<uint64_t>(length);
    const auto r = host.http(request);
    if (r.result == MS_OK && (r.status == 200 || r.status == 201 || r.status == 206)) continue;
    if (r.result == MS_OK && r.status < 500 && r.status != 408 && r.status != 429)
      fail(r, "video upload (chunk " + std::to_string(i + 1) + " of " + std::to_string(count) + ")");
    throw Error(MS_ERR_TRANSIENT, "the video upload stopped at chunk " + std::to_string(i + 1) + " of " +
                                      std::to_string(count) + "; the next attempt sends it again");
  }
  return pending(Json::object().field("uploaded", true), pollSeconds(), "TikTok is processing the video");
}

/// The first id of publicaly_available_post_id (TikTok's spelling), read from the raw text: the
/// ids are int64 numbers that a double would round.
std::string firstPostId(const std::string& body) {
  const auto key = body.find("\"publicaly_available_post_id\"");
  if (key == std::string::npos) return {};
  const auto open = body.find('[', key);
  if (open == std::string::npos) return {};
  std::string id;
  for (size_t i = open + 1; i < body.size() && id.size() < 40; ++i) {
    const char c = body[i];
    if (c >= '0' && c <= '9')
      id += c;
    else if (c == '"' || c == ' ' || c == '\n' || c == '\t' || c == '\r')
      continue;
    else
      break;
  }
  return id;
}

void failed(const std::string& reason, const std::string& publishId) {
  const auto text = "TikTok did not publish the post (" + (reason.empty() ? "no reason given" : reason) +
                    ", publish_id " + publishId + ")";
  if (reason == "auth_removed") throw Error(MS_ERR_AUTH_INVALID, text, reason);
  throw Error(MS_ERR_PERMANENT, text, reason.empty() ? "FAILED" : reason);
}

std::string fetchStatus(std::string_view json, const std::string& token, const std::string& publishId) {
  const auto r = statusOf(token, publishId);
  const auto doc = host.parse(r.body);
  const auto status = doc.string("/data/status").value_or("");
  if (status == "FAILED") failed(doc.string("/data/fail_reason").value_or(""), publishId);
  if (status == "PUBLISH_COMPLETE" || status == "SEND_TO_USER_INBOX") {
    const auto username = host.optionalString(json, "/resume/username", 200).value_or("");
    const auto id = firstPostId(r.body);
    auto extra = Json::object().field("publishId", publishId).field("status", status);
    // TikTok names a post "created for public viewership" only once its moderation is over
    // (minutes, at times hours): keep asking, every kModerationPollSeconds, for
    // moderation_wait_seconds. A post for friends, followers or the creator alone need not get a
    // public id; after the wait the publish_id is the only id TikTok gives.
    const auto privacy = host.optionalString(json, "/resume/privacy", 100).value_or("");
    const auto polls = host.integer(json, "/resume/moderationPolls").value_or(0);
    if (id.empty() && privacy == "PUBLIC_TO_EVERYONE" && polls < moderationPolls())
      return pending(Json::object().field("moderationPolls", polls + 1), kModerationPollSeconds,
                     "TikTok is moderating the post; its public id comes after");
    if (id.empty()) return Json::object().field("postId", publishId).raw("extra", extra.field("public", false)).str();
    auto out = Json::object().field("postId", id);
    if (!username.empty()) out.field("url", "https://www.tiktok.com/@" + username + "/video/" + id);
    return out.raw("extra", extra).str();
  }
  std::string stage = "TikTok is processing the post";
  if (status == "PROCESSING_UPLOAD") stage = "TikTok is processing the uploaded video";
  if (status == "PROCESSING_DOWNLOAD") stage = "TikTok is downloading the media from its URL";
  return pending(Json::object(), pollSeconds(), stage);
}

}  // namespace

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto post = readPost(json);
    if (!post.issues.empty()) throw Error(MS_ERR_INVALID_INPUT, firstIssue(post));
    if (auto live = host.optionalString(json, "/resume/postIds/0", 200); live && !live->empty())
      return Json::object().field("postId", *live).str();
    const auto publishId = host.optionalString(json, "/resume/publishId", 200).value_or("");
    if (publishId.empty()) {
      const auto creator = creatorInfo(token);
      checkAgainst(post, creator);
      return initPost(post, token, creator);
    }
    if (!post.photo && host.optionalString(json, "/resume/uploadUrl", 8192).has_value() &&
        host.get(json, "/resume/uploaded").text != "true")
      return uploadVideo(json, post, token, publishId);
    return fetchStatus(json, token, publishId);
  });
}

}  // namespace tiktok
