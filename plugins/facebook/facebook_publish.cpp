// Facebook Page publishing: text/link posts, one or several photos, a video (Resumable Upload
// API), native scheduling; the offline validation that runs before any of it; and reconcile,
// which looks a post of unknown outcome up among the Page's posts (README.md, "Exactly once").
// https://developers.facebook.com/docs/pages-api/posts
// https://developers.facebook.com/docs/graph-api/reference/page/published_posts/
// https://developers.facebook.com/docs/graph-api/reference/page/scheduled_posts/
// https://developers.facebook.com/docs/graph-api/reference/page/photos
// https://developers.facebook.com/docs/video-api/guides/publishing
// https://developers.facebook.com/docs/graph-api/reference/page/videos/ (upload_phase)
// https://developers.facebook.com/docs/graph-api/guides/upload
#include "MetaReconcile.hpp"

namespace marketsage::facebook {
namespace {

using namespace marketsage::meta;

constexpr std::size_t kMaxMessageChars = 63206;
constexpr double kMaxPhotoBytes = 4.0 * 1024 * 1024;          // /photos: "less than 4 MB"
constexpr double kMaxVideoBytes = 10.0 * 1024 * 1024 * 1024;  // Page videos: 10 GB
constexpr double kMaxVideoSeconds = 240 * 60;                 // Page videos: 240 minutes
constexpr std::size_t kMaxPhotos = 10;                        // our cap for one multi-photo post
constexpr long long kMinScheduleSeconds = 10 * 60;            // scheduled_publish_time window
constexpr long long kMaxScheduleSeconds = 30LL * 24 * 3600;
const std::vector<std::string> kPhotoTypes = {"image/jpeg", "image/png",  "image/gif", "image/bmp",
                                              "image/tiff", "image/webp", "image/heif"};

bool oneOf(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

/// Every reason the Graph API would refuse `post`, checked offline.
Issues check(const Post& post) {
  Issues issues;
  const std::size_t characters = characterCount(post.content);
  issues.length(characters, kMaxMessageChars);
  if (characters > kMaxMessageChars) issues.add("/content", "longer than 63,206 characters");
  if (post.content.empty() && post.link.empty() && post.media.empty())
    issues.add("/content", "a post needs text, a link or media");
  if (post.hasThread) issues.add("/thread", "Facebook Pages have no threads");
  std::size_t videos = 0;
  for (std::size_t i = 0; i < post.media.size(); ++i) {
    const Media& m = post.media[i];
    const std::string at = "/media/" + std::to_string(i);
    if (m.path.empty()) issues.add(at + "/path", "the file is uploaded from its path, which is missing");
    if (m.isVideo()) {
      ++videos;
      if (m.mimeType != "video/mp4" && m.mimeType != "video/quicktime")
        issues.add(at + "/mimeType", "videos must be MP4 or MOV");
      if (m.size > kMaxVideoBytes) issues.add(at + "/size", "videos are limited to 10 GB");
      if (m.durationSeconds > kMaxVideoSeconds)
        issues.add(at + "/durationSeconds", "videos are limited to 240 minutes");
    } else if (m.kind == "image" || m.kind == "gif") {
      if (!oneOf(kPhotoTypes, m.mimeType))
        issues.add(at + "/mimeType", "photos must be JPEG, PNG, GIF, BMP, TIFF, WebP or HEIF");
      if (m.size > kMaxPhotoBytes) issues.add(at + "/size", "photos are limited to 4 MB");
    } else {
      issues.add(at + "/kind", "Facebook Pages accept photos and videos only");
    }
  }
  if (videos > 0 && post.media.size() > 1) issues.add("/media", "a video is published alone, without other media");
  if (videos == 0 && post.media.size() > kMaxPhotos) issues.add("/media", "at most 10 photos per post");
  if (!post.link.empty() && !post.media.empty())
    issues.add("/link", "a link post cannot carry media; put the link in the text");
  if (post.scheduledTime) {
    const long long now = host.raw()->now_unix_ms(host.raw()) / 1000;
    if (*post.scheduledTime < now + kMinScheduleSeconds || *post.scheduledTime > now + kMaxScheduleSeconds)
      issues.add("/scheduledTime", "Facebook schedules between 10 minutes and 30 days ahead");
  }
  return issues;
}

/// published=false + scheduled_publish_time when the post is natively scheduled.
Params scheduling(const Post& post) {
  if (!post.scheduledTime) return {};
  return {{"published", "false"}, {"scheduled_publish_time", std::to_string(*post.scheduledTime)}};
}

/// POST /{page-id}/photos with the file as multipart `source`; `params` decide published/caption
/// (and so whether the call `creates` the post or only uploads an unpublished photo).
std::string uploadPhoto(const Graph& graph, const std::string& page, const Media& m, const Params& params,
                        Effect effect) {
  return graph.postFile(page + "/photos", params, "source", m.path, m.mimeType, effect);
}

/// Resumable Upload API (setting video_upload = "upload_api"): POST /{app-id}/uploads opens a
/// session, POST /upload:<id> streams the file (file_offset header, resumed from the offset Meta
/// reports after a dropped connection); the handle goes to /videos as fbuploader_video_file_chunk.
Params uploadWithUploadApi(const Graph& graph, const Media& m) {
  const auto session = idIn(graph.post("/" + graphId(requiredSetting("/client_id"), "client_id") + "/uploads",
                                       {{"file_name", std::filesystem::path(m.path).filename().string()},
                                        {"file_length", std::to_string(fileLength(m))},
                                        {"file_type", m.mimeType}}));
  uint64_t offset = 0;
  for (int attempt = 0;; ++attempt) {
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = graph.base() + "/" + session;
    request.headers = {{"Authorization", "OAuth " + graph.token()}, {"file_offset", std::to_string(offset)}};
    request.bodyFile = m.path;
    request.fileOffset = offset;
    request.timeoutMs = timeoutMs(true);
    try {
      return {{"fbuploader_video_file_chunk", idIn(sendGraph(request), "/h")}};
    } catch (const Error& e) {
      if (e.status != MS_ERR_TRANSIENT || attempt >= 2) throw;
      sdk::HttpRequest status;  // where to resume: GET /upload:<id> answers file_offset
      status.url = request.url;
      status.headers = {{"Authorization", "OAuth " + graph.token()}};
      offset = static_cast<uint64_t>(host.integer(sendGraph(status), "/file_offset").value_or(0));
    }
  }
}

/// Chunked upload on /{page-id}/videos (the default): upload_phase=start with file_size, then one
/// transfer per [start_offset, end_offset) chunk Graph asks for, streamed from the file; answers
/// the finish call's parameters and the video id.
std::pair<Params, std::string> uploadInPhases(const Graph& graph, const std::string& page, const Media& m) {
  const auto length = fileLength(m);
  const auto start = graph.post(page + "/videos", {{"upload_phase", "start"}, {"file_size", std::to_string(length)}});
  const auto videoId = idIn(start, "/video_id");
  const auto session = idIn(start, "/upload_session_id");
  auto offsets = start;
  for (int chunks = 0;; ++chunks) {
    const auto from = host.integer(offsets, "/start_offset"), to = host.integer(offsets, "/end_offset");
    if (!from || !to || *from < 0 || *to < *from || static_cast<uint64_t>(*to) > length || chunks > 100000)
      throw Error(MS_ERR_PERMANENT, "the video upload answered unusable offsets");
    if (*from == *to) break;
    offsets = graph.postFile(
        page + "/videos",
        {{"upload_phase", "transfer"}, {"upload_session_id", session}, {"start_offset", std::to_string(*from)}},
        "video_file_chunk", m.path, m.mimeType, Effect::Repeatable, static_cast<uint64_t>(*from),
        static_cast<uint64_t>(*to - *from));
  }
  return {{{"upload_phase", "finish"}, {"upload_session_id", session}}, videoId};
}

/// Uploads and publishes the post's one video; answers its id.
std::string publishVideo(const Graph& graph, const std::string& page, const Post& post, Params params) {
  params.emplace_back("description", post.content);
  if (const auto title = host.optionalString(post.options, "/title", 255)) params.emplace_back("title", *title);
  const Media& video = post.media.front();
  // graph-video.facebook.com is deprecated for uploads; video_base can still point there.
  const Graph uploader =
      graph.onHost(host.setting("/video_base", host.setting("/api_base", "https://graph.facebook.com")));
  if (host.setting("/video_upload", "") == "upload_api") {
    const auto handle = uploadWithUploadApi(graph, video);
    params.insert(params.end(), handle.begin(), handle.end());
    return idIn(uploader.post(page + "/videos", params, Effect::Creates));
  }
  auto [finish, videoId] = uploadInPhases(uploader, page, video);
  params.insert(params.begin(), finish.begin(), finish.end());
  uploader.post(page + "/videos", params, Effect::Creates);  // the finish phase publishes (or schedules) it
  return videoId;
}

/// A permalink_url as a public URL (Graph answers it relative to facebook.com for videos).
std::optional<std::string> absolute(std::optional<std::string> url) {
  if (url && url->rfind("/", 0) == 0) url = "https://www.facebook.com" + *url;
  return url;
}

/// The permalink_url of a listed post or video.
std::optional<std::string> listedUrl(const std::string& item) { return absolute(host.string(item, "/permalink_url")); }

/// Public URL of a published post or video.
std::optional<std::string> permalink(const Graph& graph, const std::string& id) {
  return absolute(publishedField(graph, id, "permalink_url"));
}

std::string publishPost(const Post& post) {
  const Graph graph(post.accessToken);
  const auto page = "/" + graphId(post.accountId, "account.id");
  Params params = scheduling(post);
  std::string postId;
  if (post.media.empty()) {
    params.emplace_back("message", post.content);
    if (!post.link.empty()) params.emplace_back("link", post.link);
    postId = idIn(graph.post(page + "/feed", params, Effect::Creates));
  } else if (post.media.front().isVideo()) {
    postId = publishVideo(graph, page, post, params);
  } else if (post.media.size() == 1) {
    params.emplace_back("caption", post.content);
    const auto body = uploadPhoto(graph, page, post.media.front(), params, Effect::Creates);
    postId = host.string(body, "/post_id").value_or(idIn(body));
  } else {
    // Each photo unpublished (temporary when the post is scheduled), then one post attaching them.
    Params photoParams = {{"published", "false"}};
    if (post.scheduledTime) photoParams.emplace_back("temporary", "true");
    for (std::size_t i = 0; i < post.media.size(); ++i) {
      const auto photoId = idIn(uploadPhoto(graph, page, post.media[i], photoParams, Effect::Repeatable));
      params.emplace_back("attached_media[" + std::to_string(i) + "]",
                          Json::object().field("media_fbid", photoId).str());
    }
    params.emplace_back("message", post.content);
    postId = idIn(graph.post(page + "/feed", params, Effect::Creates));
  }
  auto reply = Json::object().field("postId", postId);
  if (const auto url = permalink(graph, postId)) reply.field("url", *url);
  return reply.str();
}

// ---- reconcile ---------------------------------------------------------------------------

/// Facebook refuses a text identical to a recent post (#506): an identical post this long before
/// the attempt means a re-send would meet that refusal, so nobody can tell from the Page alone.
constexpr long long kDuplicateLookBackSeconds = 24 * 3600;

/// What the post's attachments will say it is: "" (a status), "link", "photo", "album:<n>".
std::string kindOf(const Post& post) {
  if (post.media.size() > 1) return "album:" + std::to_string(post.media.size());
  if (post.media.size() == 1) return "photo";
  return post.link.empty() ? "" : "link";
}

/// The same of a listed post, from its attachments{media_type,subattachments}.
std::string listedKind(const std::string& item) {
  auto type = host.string(item, "/attachments/data/0/media_type").value_or("");
  if (type == "album") return "album:" + std::to_string(host.count(item, "/attachments/data/0/subattachments/data"));
  return type;
}

/// The Page's videos (GET /{page-id}/videos): the one whose description is the post's and that
/// is published, or scheduled for the post's time.
std::string reconcileVideo(const Graph& graph, const std::string& page, const Attempt& a) {
  const auto matches =
      findListed(graph, page + "/videos",
                 {{"fields", "id,description,created_time,permalink_url,published,scheduled_publish_time"}},
                 "created_time", a.windowStart(), a.windowStart(), [&](const std::string& video) {
                   if (host.string(video, "/description").value_or("") != a.post.content) return false;
                   if (a.post.scheduledTime)
                     return host.integer(video, "/scheduled_publish_time") == a.post.scheduledTime;
                   return host.get(video, "/published").text == "true";
                 });
  return answerFrom(matches, listedUrl, "videos");
}

/// Is the post of an attempt of unknown outcome on the Page? Matched by its exact message and kind
/// among the posts created since the attempt began (less a clock margin): scheduled posts first
/// when it was natively scheduled, then published posts; a video among the Page's videos.
std::string reconcilePost(const Attempt& a) {
  const Graph graph(a.post.accessToken);
  const auto page = "/" + graphId(a.post.accountId, "account.id");
  if (!a.post.media.empty() && a.post.media.front().isVideo()) return reconcileVideo(graph, page, a);
  const auto kind = kindOf(a.post);
  const Params fields = {
      {"fields",
       "id,message,created_time,permalink_url,scheduled_publish_time,attachments{media_type,subattachments}"}};
  const auto same = [&](const std::string& item) {
    return host.string(item, "/message").value_or("") == a.post.content && listedKind(item) == kind;
  };
  if (a.post.scheduledTime) {
    const auto scheduled =
        findListed(graph, page + "/scheduled_posts", fields, "created_time", a.windowStart(), a.windowStart(),
                   [&](const std::string& item) {
                     return same(item) && host.integer(item, "/scheduled_publish_time") == a.post.scheduledTime;
                   });
    if (!scheduled.inWindow.empty() || !scheduled.complete) return answerFrom(scheduled, listedUrl, "scheduled posts");
  }
  // Only a status (text, or text and link) meets the duplicate refusal: look back further for one.
  const bool status = kind.empty() || kind == "link";
  const auto published = findListed(graph, page + "/published_posts", fields, "created_time", a.windowStart(),
                                    a.windowStart() - (status ? kDuplicateLookBackSeconds : 0), same);
  if (published.inWindow.empty() && published.complete && !published.before.empty()) {
    const auto& earlier = published.before.front();
    return unknownReply(
        "no post like it since the attempt, but the Page has an identical one from " +
        host.string(earlier, "/created_time").value_or("earlier") + " (" + idIn(earlier) +
        "): Facebook refuses the same text again as a duplicate (#506), so whether this attempt is that post or "
        "was never made cannot be told from the Page");
  }
  return answerFrom(published, listedUrl, "posts");
}

}  // namespace

ms_status validate(const char* req, size_t len, const ms_reply* reply) { return validateCall(req, len, reply, check); }
ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return publishCall(req, len, reply, check, publishPost);
}
ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return reconcileCall(req, len, reply, reconcilePost);
}

}  // namespace marketsage::facebook
