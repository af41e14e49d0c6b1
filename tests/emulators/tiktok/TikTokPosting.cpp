// The Content Posting API's direct post (creator_info/query, video/init, content/init, the upload
// URL, status/fetch) and the Display API calls the plugin reads (user/info, video/query,
// video/list) (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post,
// https://developers.tiktok.com/doc/content-posting-api-reference-photo-post,
// https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status,
// https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide,
// https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info,
// https://developers.tiktok.com/doc/tiktok-api-v2-video-query).
#include "MediaFetch.h"
#include "TikTokState.h"
#include "Tokens.h"

#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cstdio>

namespace emulators {
namespace {

constexpr long long kMB = 1024 * 1024;
const std::set<std::string> kPrivacyLevels = {"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR",
                                              "SELF_ONLY"};
const std::set<std::string> kVideoTypes = {"video/mp4", "video/webm", "video/quicktime"};

/// The JSON object body of a call (Content-Type application/json), or nullopt after a 400.
std::optional<json::object> jsonBody(Request& request, Response& response) {
  const auto body = marketsage::test::readBody(request);
  if (request.getContentType().rfind("application/json", 0) != 0) {
    sendTikTokError(response, 400, "invalid_params", "Content-Type must be application/json; charset=UTF-8.");
    return std::nullopt;
  }
  boost::system::error_code error;
  auto value = json::parse(body.empty() ? "{}" : body, error);
  if (error || !value.is_object()) {
    sendTikTokError(response, 400, "invalid_params", "The request body is not a JSON object.");
    return std::nullopt;
  }
  return value.as_object();
}

const json::value* member(const json::object& o, const char* name) {
  const auto* v = o.if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

std::optional<long long> integer(const json::object& o, const char* name) {
  const auto* v = member(o, name);
  if (v && v->is_int64()) return v->as_int64();
  if (v && v->is_uint64()) return static_cast<long long>(v->as_uint64());
  return std::nullopt;
}

std::string string(const json::object& o, const char* name) {
  const auto* v = member(o, name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool flag(const json::object& o, const char* name) {
  const auto* v = member(o, name);
  return v && v->is_bool() && v->as_bool();
}

struct Refusal {
  int status = 0;
  std::string code, message;
};

/// post_info against the creator (callers hold the mutex).
std::optional<Refusal> checkPostInfo(const json::object& info, const TikTokApi::Creator& creator, bool photo,
                                     TikTokApi::Post& post) {
  post.privacyLevel = string(info, "privacy_level");
  if (!kPrivacyLevels.count(post.privacyLevel))
    return Refusal{400, "invalid_params", "post_info.privacy_level is missing or invalid."};
  if (std::find(creator.privacyLevels.begin(), creator.privacyLevels.end(), post.privacyLevel) ==
      creator.privacyLevels.end())
    return Refusal{403, "privacy_level_option_mismatch",
                   "The privacy_level is not one of the creator's privacy_level_options."};
  for (const char* name : {"disable_comment", "disable_duet", "disable_stitch", "brand_content_toggle",
                           "brand_organic_toggle", "auto_add_music", "is_aigc"})
    if (const auto* v = member(info, name); v && !v->is_bool())
      return Refusal{400, "invalid_params", std::string("post_info.") + name + " must be a boolean."};
  post.title = string(info, "title");
  post.description = string(info, "description");
  post.disableComment = flag(info, "disable_comment");
  post.disableDuet = flag(info, "disable_duet");
  post.disableStitch = flag(info, "disable_stitch");
  post.brandContent = flag(info, "brand_content_toggle");
  post.brandOrganic = flag(info, "brand_organic_toggle");
  post.autoAddMusic = flag(info, "auto_add_music");
  post.videoCoverTimestampMs = integer(info, "video_cover_timestamp_ms").value_or(-1);
  if (utf16Units(post.title) > (photo ? 90U : 2200U))
    return Refusal{400, "invalid_params", "post_info.title is too long."};
  if (utf16Units(post.description) > 4000) return Refusal{400, "invalid_params", "post_info.description is too long."};
  if ((creator.commentDisabled && !post.disableComment) || (!photo && creator.duetDisabled && !post.disableDuet) ||
      (!photo && creator.stitchDisabled && !post.disableStitch))
    return Refusal{400, "invalid_params", "An interaction the creator turned off cannot be enabled."};
  if (post.brandContent && post.privacyLevel == "SELF_ONLY")
    return Refusal{400, "invalid_params", "Branded content cannot be private."};
  return std::nullopt;
}

/// The media transfer guide's chunk rules.
std::optional<Refusal> checkChunks(long long size, long long chunk, long long count) {
  if (size <= 0 || size > 4096 * kMB) return Refusal{400, "invalid_params", "The video_size is invalid."};
  if (size < 5 * kMB) {
    if (chunk != size) return Refusal{400, "invalid_params", "The chunk_size must be the video_size under 5 MB."};
    if (count != 1) return Refusal{400, "invalid_params", "The total_chunk_count is invalid."};
    return std::nullopt;
  }
  if (chunk < 5 * kMB || chunk > 64 * kMB) return Refusal{400, "invalid_params", "The chunk_size is invalid."};
  if (count != size / chunk || count < 1 || count > 1000)
    return Refusal{400, "invalid_params", "The total_chunk_count is invalid."};
  if (size - (count - 1) * chunk > 128 * kMB) return Refusal{400, "invalid_params", "The chunk_size is invalid."};
  return std::nullopt;
}

std::string nextPostId(long long n) {
  char id[32];
  std::snprintf(id, sizeof id, "73%017lld", n);
  return id;
}

}  // namespace

void TikTokApi::State::userInfo(Request& request, Response& response) {
  std::lock_guard lock(mutex);
  const auto scopes = authorize(request, response, "user/info", "user.info.basic");
  if (!scopes) return;
  std::string fields;
  for (const auto& [name, value] : Poco::URI(request.getURI()).getQueryParameters())
    if (name == "fields") fields = value;
  if (fields.empty()) return sendTikTokError(response, 400, "invalid_params", "fields is required.");
  json::object user;
  std::string current;
  for (const char c : fields + ",") {
    if (c != ',') {
      current += c;
      continue;
    }
    const auto field = current;
    current.clear();
    if (field.empty()) continue;
    if (field == "open_id")
      user["open_id"] = openId;
    else if (field == "union_id")
      user["union_id"] = "union-ada";
    else if (field == "avatar_url")
      user["avatar_url"] = "https://p16.tiktokcdn.example/ada.jpeg";
    else if (field == "display_name")
      user["display_name"] = displayName;
    else if (field == "follower_count" || field == "following_count" || field == "likes_count" ||
             field == "video_count") {
      // A field beyond the token's scopes: 400 scope_permission_missed ("Access token is invalid,
      // some fields need additional scopes", https://developers.tiktok.com/doc/tiktok-api-v2-error-handling).
      if (!scopes->count("user.info.stats"))
        return sendTikTokError(response, 400, "scope_permission_missed",
                               "Access token is invalid, some fields need additional scopes: " + field + ".");
      user[field] = field == "follower_count" ? followers
                    : field == "likes_count"  ? likes
                    : field == "video_count"  ? videoCount
                                              : 42;
    } else {
      return sendTikTokError(response, 400, "invalid_params", "Invalid field: " + field);
    }
  }
  sendTikTokData(response, json::object{{"user", user}});
}

void TikTokApi::State::creatorInfo(Request& request, Response& response) {
  const auto body = jsonBody(request, response);
  if (!body) return;
  std::lock_guard lock(mutex);
  if (!authorize(request, response, "creator_info", "video.publish")) return;
  json::array levels;
  for (const auto& level : creator.privacyLevels) levels.emplace_back(level);
  sendTikTokData(response, json::object{{"creator_avatar_url", "https://p16.tiktokcdn.example/ada.jpeg"},
                                        {"creator_username", username},
                                        {"creator_nickname", displayName},
                                        {"privacy_level_options", levels},
                                        {"comment_disabled", creator.commentDisabled},
                                        {"duet_disabled", creator.duetDisabled},
                                        {"stitch_disabled", creator.stitchDisabled},
                                        {"max_video_post_duration_sec", creator.maxVideoPostDurationSec}});
}

namespace {

/// Makes the post (callers hold the mutex) and answers its init, acting out the fault queued for it.
void create(TikTokApi::State& state, Request& request, Response& response, TikTokApi::Post post) {
  const auto fault = state.createFaults.next().value_or(marketsage::test::CreateFault::None);
  if (fault == marketsage::test::CreateFault::RefuseWithoutCreate)
    return sendTikTokError(response, 503, "internal_error", "Service unavailable.");
  const auto make = [&state, post]() {
    std::lock_guard lock(state.mutex);
    ++state.inits;
    if (state.postsLeft > 0) --state.postsLeft;
    const auto n = state.nextId++;
    TikTokApi::State::Stored stored;
    stored.post = post;
    stored.post.publishId = (post.source == "FILE_UPLOAD" ? "v_pub_file~v2-1." : "v_pub_url~v2-1.") + nextPostId(n);
    stored.post.status = post.source == "FILE_UPLOAD" ? "PROCESSING_UPLOAD" : "PROCESSING_DOWNLOAD";
    stored.post.createdAtMs = nowMs();
    stored.uploadId = std::to_string(n) + "77";
    stored.processingLeft = state.processingPolls;
    stored.moderationLeft = post.privacyLevel == "PUBLIC_TO_EVERYONE" ? state.moderationPolls : 0;
    state.posts[stored.post.publishId] = stored;
    state.postOrder.push_back(stored.post.publishId);
    return std::make_pair(stored.post.publishId, stored.uploadId);
  };
  if (fault == marketsage::test::CreateFault::LateCreate) {
    state.createFaults.createLater([make] { make(); });
    return sendTikTokError(response, 504, "internal_error", "Gateway Timeout");
  }
  const auto [publishId, uploadId] = make();
  json::object data{{"publish_id", publishId}};
  if (post.source == "FILE_UPLOAD")
    data["upload_url"] = state.server->url() + "/upload/?upload_id=" + uploadId + "&upload_token=tok" + uploadId;
  state.createFaults.afterCreate(
      fault, request, [&] { sendTikTokData(response, data); },
      [&] { sendTikTokError(response, 504, "internal_error", "Gateway Timeout"); });
}

}  // namespace

void TikTokApi::State::videoInit(Request& request, Response& response) {
  const auto body = jsonBody(request, response);
  if (!body) return;
  Post post;
  post.mediaType = "VIDEO";
  {
    std::lock_guard lock(mutex);
    if (!authorize(request, response, "video/init", "video.publish")) return;
    const auto* info = body->if_contains("post_info");
    const auto* source = body->if_contains("source_info");
    if (!info || !info->is_object() || !source || !source->is_object())
      return sendTikTokError(response, 400, "invalid_params", "post_info and source_info are required.");
    if (auto refusal = checkPostInfo(info->as_object(), creator, false, post))
      return sendTikTokError(response, refusal->status, refusal->code, refusal->message);
    const auto& src = source->as_object();
    post.source = string(src, "source");
    if (post.source == "FILE_UPLOAD") {
      post.videoSize = integer(src, "video_size").value_or(0);
      post.chunkSize = integer(src, "chunk_size").value_or(0);
      post.chunkCount = integer(src, "total_chunk_count").value_or(0);
      if (auto refusal = checkChunks(post.videoSize, post.chunkSize, post.chunkCount))
        return sendTikTokError(response, refusal->status, refusal->code, refusal->message);
    } else if (post.source == "PULL_FROM_URL") {
      const auto url = string(src, "video_url");
      if (url.rfind("http", 0) != 0) return sendTikTokError(response, 400, "invalid_params", "video_url is invalid.");
      post.urls = {url};
    } else {
      return sendTikTokError(response, 400, "invalid_params", "source_info.source is invalid.");
    }
    if (postsLeft == 0)
      return sendTikTokError(response, 403, "spam_risk_too_many_posts",
                             "The daily post cap from the current user has been reached.");
  }
  create(*this, request, response, post);
}

void TikTokApi::State::contentInit(Request& request, Response& response) {
  const auto body = jsonBody(request, response);
  if (!body) return;
  Post post;
  post.mediaType = "PHOTO";
  post.source = "PULL_FROM_URL";
  {
    std::lock_guard lock(mutex);
    if (!authorize(request, response, "content/init", "video.publish")) return;
    const auto* info = body->if_contains("post_info");
    const auto* source = body->if_contains("source_info");
    if (!info || !info->is_object() || !source || !source->is_object())
      return sendTikTokError(response, 400, "invalid_params", "post_info and source_info are required.");
    if (string(*body, "media_type") != "PHOTO" || string(*body, "post_mode") != "DIRECT_POST")
      return sendTikTokError(response, 400, "invalid_params", "media_type must be PHOTO and post_mode DIRECT_POST.");
    if (auto refusal = checkPostInfo(info->as_object(), creator, true, post))
      return sendTikTokError(response, refusal->status, refusal->code, refusal->message);
    const auto& src = source->as_object();
    if (string(src, "source") != "PULL_FROM_URL")
      return sendTikTokError(response, 400, "invalid_params", "Photos are only posted with PULL_FROM_URL.");
    const auto* images = src.if_contains("photo_images");
    if (!images || !images->is_array() || images->as_array().empty() || images->as_array().size() > 35)
      return sendTikTokError(response, 400, "invalid_params", "photo_images must hold 1 to 35 URLs.");
    for (const auto& image : images->as_array()) {
      if (!image.is_string()) return sendTikTokError(response, 400, "invalid_params", "photo_images must be URLs.");
      post.urls.emplace_back(image.as_string());
    }
    post.photoCoverIndex = integer(src, "photo_cover_index").value_or(-1);
    if (post.photoCoverIndex < 0 || post.photoCoverIndex >= static_cast<long long>(post.urls.size()))
      return sendTikTokError(response, 400, "invalid_params", "photo_cover_index is invalid.");
    if (postsLeft == 0)
      return sendTikTokError(response, 403, "spam_risk_too_many_posts",
                             "The daily post cap from the current user has been reached.");
  }
  create(*this, request, response, post);
}

void TikTokApi::State::upload(Request& request, Response& response) {
  std::string uploadId;
  for (const auto& [name, value] : Poco::URI(request.getURI()).getQueryParameters())
    if (name == "upload_id") uploadId = value;
  const auto bytes = marketsage::test::readBody(request);
  std::lock_guard lock(mutex);
  ++chunkPuts;
  Stored* stored = nullptr;
  for (auto& [id, s] : posts)
    if (s.uploadId == uploadId && s.post.source == "FILE_UPLOAD") stored = &s;
  if (!stored) return sendTikTokError(response, 404, "invalid_params", "The upload_url is invalid or expired.");
  if (failChunks > 0) {
    --failChunks;
    return sendTikTokError(response, failChunkStatus, "internal_error", "Injected upload failure.");
  }
  auto& post = stored->post;
  if (!kVideoTypes.count(request.getContentType()))
    return sendTikTokError(response, 400, "invalid_params",
                           "Content-Type must be video/mp4, video/webm or video/quicktime.");
  long long first = -1, last = -1, total = -1;
  if (std::sscanf(request.get("Content-Range", "").c_str(), "bytes %lld-%lld/%lld", &first, &last, &total) != 3 ||
      total != post.videoSize || first < 0 || last < first)
    return sendTikTokError(response, 416, "invalid_params", "The Content-Range is invalid.");
  if (first == 0) {  // the file sent again from its start
    stored->bytes.clear();
    post.received = 0;
  }
  const long long index = first / post.chunkSize;
  const long long expected = index == post.chunkCount - 1 ? post.videoSize - first : post.chunkSize;
  if (first != post.received || first != index * post.chunkSize || index >= post.chunkCount ||
      last - first + 1 != expected || static_cast<long long>(bytes.size()) != expected)
    return sendTikTokError(response, 416, "invalid_params",
                           "Chunks must be uploaded in order, each of chunk_size bytes (the last with the rest).");
  stored->bytes += bytes;
  post.received += expected;
  if (post.received == post.videoSize) post.sha256 = marketsage::test::sha256Hex(stored->bytes);
  response.setStatus(post.received == post.videoSize ? Poco::Net::HTTPResponse::HTTP_CREATED
                                                     : Poco::Net::HTTPResponse::HTTP_PARTIAL_CONTENT);
  response.setContentLength(0);
  response.send();
}

void TikTokApi::State::status(Request& request, Response& response) {
  const auto body = jsonBody(request, response);
  if (!body) return;
  const auto publishId = string(*body, "publish_id");
  std::vector<std::string> pull;
  {
    std::lock_guard lock(mutex);
    if (!authorize(request, response, "status", "video.publish")) return;
    ++statusFetches;
    const auto it = posts.find(publishId);
    if (it == posts.end()) return sendTikTokError(response, 400, "invalid_params", "The publish_id is invalid.");
    if (it->second.post.source == "PULL_FROM_URL" && !it->second.fetched) pull = it->second.post.urls;
  }
  std::vector<std::optional<std::string>> fetched;
  for (const auto& url : pull)
    fetched.push_back(marketsage::test::fetchMedia(url));  // outside the lock: the host serves them
  std::lock_guard lock(mutex);
  auto& stored = posts.at(publishId);
  auto& post = stored.post;
  if (!pull.empty() && !stored.fetched && post.status.rfind("PROCESSING", 0) == 0) {
    stored.fetched = true;
    for (const auto& bytes : fetched) {
      if (!bytes) {
        post.status = "FAILED";
        post.failReason = post.mediaType == "PHOTO" ? "photo_pull_failed" : "video_pull_failed";
        break;
      }
      post.fetchedBytes.push_back(static_cast<long long>(bytes->size()));
      if (post.mediaType == "VIDEO") post.sha256 = marketsage::test::sha256Hex(*bytes);
    }
  } else if (post.status.rfind("PROCESSING", 0) == 0 &&
             (post.source == "PULL_FROM_URL" || post.received == post.videoSize)) {
    if (stored.processingLeft > 0) {
      --stored.processingLeft;
    } else if (!nextFailReason.empty()) {
      post.status = "FAILED";
      post.failReason = nextFailReason;
      nextFailReason.clear();
    } else {
      post.status = "PUBLISH_COMPLETE";
      post.postId = nextPostId(nextId++);
      videoStats.try_emplace(post.postId);
    }
  }
  json::object data{{"status", post.status},
                    {"uploaded_bytes", post.received},
                    {"downloaded_bytes", post.fetchedBytes.empty() ? 0 : post.fetchedBytes.front()}};
  if (post.status == "FAILED") data["fail_reason"] = post.failReason;
  // "If the post was created for public viewership, it must undergo TikTok's moderation process
  // ... developers are not provided with the post_id until this process is complete" (Get Post
  // Status): PUBLISH_COMPLETE with no id while it lasts, and never an id for a private post.
  json::array ids;
  if (post.status == "PUBLISH_COMPLETE" && stored.moderationLeft > 0)
    --stored.moderationLeft;
  else if (post.status == "PUBLISH_COMPLETE" && post.privacyLevel != "SELF_ONLY")
    ids.emplace_back(static_cast<std::int64_t>(std::stoll(post.postId)));
  data["publicaly_available_post_id"] = ids;
  sendTikTokData(response, data);
}

void TikTokApi::State::videoQuery(Request& request, Response& response) {
  const auto body = jsonBody(request, response);
  if (!body) return;
  std::lock_guard lock(mutex);
  if (!authorize(request, response, "video/query", "video.list")) return;
  if (Poco::URI(request.getURI()).getRawQuery().find("fields=") == std::string::npos)
    return sendTikTokError(response, 400, "invalid_params", "fields is required.");
  const auto* filters = body->if_contains("filters");
  const auto* ids = filters && filters->is_object() ? filters->as_object().if_contains("video_ids") : nullptr;
  if (!ids || !ids->is_array() || ids->as_array().empty() || ids->as_array().size() > 20)
    return sendTikTokError(response, 400, "invalid_params", "filters.video_ids must hold 1 to 20 ids.");
  json::array videos;
  for (const auto& id : ids->as_array()) {
    if (!id.is_string()) return sendTikTokError(response, 400, "invalid_params", "video_ids must be strings.");
    const auto it = videoStats.find(std::string(id.as_string()));
    if (it == videoStats.end()) continue;
    videos.push_back(json::object{{"id", it->first},
                                  {"like_count", it->second.likes},
                                  {"comment_count", it->second.comments},
                                  {"share_count", it->second.shares},
                                  {"view_count", it->second.views}});
  }
  sendTikTokData(response, json::object{{"videos", videos}, {"cursor", 0}, {"has_more", false}});
}

void TikTokApi::State::videoList(Request& request, Response& response) {
  const auto body = jsonBody(request, response);
  if (!body) return;
  std::lock_guard lock(mutex);
  if (!authorize(request, response, "video/list", "video.list")) return;
  const auto max = integer(*body, "max_count").value_or(10);
  if (max < 1 || max > 20) return sendTikTokError(response, 400, "invalid_params", "max_count must be 1 to 20.");
  json::array videos;
  for (auto it = postOrder.rbegin(); it != postOrder.rend() && static_cast<long long>(videos.size()) < max; ++it) {
    const auto& post = posts.at(*it).post;
    if (post.status != "PUBLISH_COMPLETE") continue;
    videos.push_back(json::object{{"id", post.postId},
                                  {"title", post.title},
                                  {"video_description", post.title},
                                  {"create_time", post.createdAtMs / 1000}});
  }
  sendTikTokData(response, json::object{{"videos", videos}, {"cursor", 0}, {"has_more", false}});
}

}  // namespace emulators
