// Instagram publishing with the container flow: POST /{ig-user-id}/media (one container per
// item, children for carousels), resumable video upload to rupload, then — once the host keeps the
// container ids and Instagram says FINISHED — POST /{ig-user-id}/media_publish. Processing holds
// no worker: publish answers "pending" and is called again with its "resume". Validation runs
// offline first; reconcile tells whether a media_publish of unknown outcome went live.
// https://developers.facebook.com/docs/instagram-platform/content-publishing/
// https://developers.facebook.com/documentation/instagram-platform/content-publishing/resumable-uploads
// https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
// https://developers.facebook.com/documentation/instagram-platform/instagram-graph-api/reference/ig-container
#include "MetaContainers.hpp"

namespace marketsage::instagram {
namespace {

using namespace marketsage::meta;

constexpr std::size_t kMaxCaptionChars = 2200, kMaxHashtags = 30, kMaxMentions = 20;
constexpr std::size_t kMaxCarousel = 10;  // one item is a single post, 2 to 10 a carousel
constexpr double kMaxImageBytes = 8.0 * 1024 * 1024;
constexpr double kMinAspect = 4.0 / 5.0, kMaxAspect = 1.91;
constexpr double kMaxReelBytes = 300.0 * 1024 * 1024, kMinReelSeconds = 3, kMaxReelSeconds = 15 * 60;
constexpr double kMaxStoryVideoBytes = 100.0 * 1024 * 1024, kMaxStorySeconds = 60;

/// What options.instagram asks for: the kind of post and video details.
struct Options {
  std::string mediaType;  ///< "" (feed image / reel / carousel) or "STORIES" or "REELS"
  bool shareToFeed = true;
  std::string coverUrl, upload;  ///< upload: "" (by URL when there is one) or "resumable"
  std::optional<double> thumbOffset;
};

Options readOptions(const Post& post) {
  Options o;
  o.mediaType = host.optionalString(post.options, "/mediaType", 32).value_or("");
  o.shareToFeed = optionalBool(post.options, "/shareToFeed", true);
  o.coverUrl = host.optionalString(post.options, "/coverUrl").value_or("");
  o.upload = host.optionalString(post.options, "/upload", 32).value_or("");
  o.thumbOffset = optionalNumber(post.options, "/thumbOffset");
  return o;
}

/// '#' hashtags or '@' mentions as Instagram finds them: the mark not right after a letter, digit or
/// _ (an e-mail address is no mention) and followed by one (any non-ASCII byte counts as a letter),
/// so "#a,#b" and "(#c)" are tags as well.
std::size_t countMarked(const std::string& text, char mark) {
  const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::size_t n = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i)
    if (text[i] == mark && (i == 0 || !word(text[i - 1])) &&
        (word(text[i + 1]) || static_cast<unsigned char>(text[i + 1]) >= 0x80))
      ++n;
  return n;
}

/// The caption: the text, with the link appended (Instagram captions carry no link preview).
std::string captionOf(const Post& post) {
  return post.link.empty() ? post.content : post.content + (post.content.empty() ? "" : "\n") + post.link;
}

void checkImage(const Media& m, const std::string& at, bool story, Issues& issues) {
  if (m.mimeType != "image/jpeg") issues.add(at + "/mimeType", "Instagram publishes JPEG images only");
  if (m.size > kMaxImageBytes) issues.add(at + "/size", "images are limited to 8 MB");
  if (m.url.empty())
    issues.add(at + "/url", "Instagram fetches images from a public URL, which the host did not provide");
  if (!story && m.width > 0 && m.height > 0) {
    const double aspect = m.width / m.height;
    if (aspect < kMinAspect - 0.005 || aspect > kMaxAspect + 0.005)
      issues.add(at, "aspect ratio must be between 4:5 and 1.91:1");
  }
}

void checkVideo(const Media& m, const std::string& at, bool story, Issues& issues) {
  if (m.mimeType != "video/mp4" && m.mimeType != "video/quicktime")
    issues.add(at + "/mimeType", "videos must be MP4 or MOV");
  if (m.size > (story ? kMaxStoryVideoBytes : kMaxReelBytes))
    issues.add(at + "/size", story ? "story videos are limited to 100 MB" : "videos are limited to 300 MB");
  if (m.durationSeconds > 0 && m.durationSeconds < kMinReelSeconds)
    issues.add(at + "/durationSeconds", "videos last at least 3 seconds");
  if (m.durationSeconds > (story ? kMaxStorySeconds : kMaxReelSeconds))
    issues.add(at + "/durationSeconds", story ? "stories last at most 60 seconds" : "videos last at most 15 minutes");
  if (m.url.empty() && m.path.empty()) issues.add(at, "a video needs a public URL or a file path");
}

Issues check(const Post& post) {
  Issues issues;
  const Options options = readOptions(post);
  const bool story = options.mediaType == "STORIES";
  if (!options.mediaType.empty() && options.mediaType != "STORIES" && options.mediaType != "REELS")
    issues.add("/options/mediaType", "must be STORIES or REELS");
  if (!options.upload.empty() && options.upload != "resumable") issues.add("/options/upload", "must be resumable");
  const auto caption = captionOf(post);
  const std::size_t characters = characterCount(caption);
  issues.length(characters, kMaxCaptionChars);
  if (characters > kMaxCaptionChars) issues.add("/content", "longer than 2,200 characters");
  if (countMarked(caption, '#') > kMaxHashtags) issues.add("/content", "more than 30 hashtags");
  if (countMarked(caption, '@') > kMaxMentions) issues.add("/content", "more than 20 @mentions");
  if (post.hasThread) issues.add("/thread", "Instagram has no threads");
  if (post.scheduledTime)
    issues.add("/scheduledTime", "the Instagram API cannot schedule; let MarketSage publish at the time");
  if (post.media.empty()) issues.add("/media", "an Instagram post needs at least one image or video");
  if (post.media.size() > 1 && (story || options.mediaType == "REELS"))
    issues.add("/media", "stories and reels carry exactly one item");
  if (post.media.size() > kMaxCarousel) issues.add("/media", "a carousel holds at most 10 items");
  for (std::size_t i = 0; i < post.media.size(); ++i) {
    const Media& m = post.media[i];
    const std::string at = "/media/" + std::to_string(i);
    if (m.kind == "image")
      checkImage(m, at, story, issues);
    else if (m.isVideo())
      checkVideo(m, at, story, issues);
    else
      issues.add(at + "/kind", "Instagram accepts JPEG images and videos only");
  }
  if (options.mediaType == "REELS" && !post.media.empty() && !post.media.front().isVideo())
    issues.add("/media/0", "a reel is a video");
  return issues;
}

/// Streams a video file to {rupload_base}/ig-api-upload/{version}/{container-id}.
void uploadVideoBytes(const Graph& graph, const std::string& container, const Media& m) {
  const auto length = fileLength(m);
  sdk::HttpRequest request;
  request.method = "POST";
  request.url = host.setting("/rupload_base", "https://rupload.facebook.com") + "/ig-api-upload/" + apiVersion() + "/" +
                container;
  request.headers = {
      {"Authorization", "OAuth " + graph.token()}, {"offset", "0"}, {"file_size", std::to_string(length)}};
  request.bodyFile = m.path;
  request.timeoutMs = timeoutMs(true);
  sendGraph(request);
}

/// POST /{ig-user-id}/media for one item; answers the container id.
std::string createContainer(const Graph& graph, const std::string& igUser, const Media& m, const Options& o,
                            const std::string& caption, bool carouselItem) {
  const bool story = o.mediaType == "STORIES";
  Params params;
  if (carouselItem)
    params.emplace_back("is_carousel_item", "true");
  else if (!story)
    params.emplace_back("caption", caption);
  const bool resumable = m.isVideo() && (m.url.empty() || o.upload == "resumable");
  if (m.isVideo()) {
    params.emplace_back("media_type", story ? "STORIES" : carouselItem ? "VIDEO" : "REELS");
    if (resumable)
      params.emplace_back("upload_type", "resumable");
    else
      params.emplace_back("video_url", m.url);
    if (!carouselItem && !story) params.emplace_back("share_to_feed", o.shareToFeed ? "true" : "false");
    if (!o.coverUrl.empty() && !carouselItem) params.emplace_back("cover_url", o.coverUrl);
    if (o.thumbOffset) params.emplace_back("thumb_offset", std::to_string(static_cast<long long>(*o.thumbOffset)));
  } else {
    if (story) params.emplace_back("media_type", "STORIES");
    params.emplace_back("image_url", m.url);
    if (!m.altText.empty() && !story) params.emplace_back("alt_text", m.altText);
  }
  auto container = idIn(graph.post("/" + igUser + "/media", params));
  if (resumable) uploadVideoBytes(graph, container, m);
  return container;
}

Error processingFailed(const ContainerStatus& s) {
  return Error(MS_ERR_PERMANENT, "Instagram could not process the media (" + s.code + "): " + s.text, s.code);
}

/// Instagram's container flow: GET /{container-id}?fields=status_code,status, the 24-hour quota at
/// GET /{ig-user-id}/content_publishing_limit, POST /{ig-user-id}/media_publish; the containers kept
/// in resume as {"instagram": {...}}.
constexpr ContainerFlow kFlow{"Instagram",
                              "instagram",
                              kMaxCarousel,
                              "status_code,status",
                              "/status_code",
                              "/status",
                              "content_publishing_limit",
                              "the account has used its",
                              "media_publish",
                              3000,
                              "container ",
                              processingFailed};

/// One publish call: the shared container flow with Instagram's containers (POST /{ig-user-id}/media).
std::string publishPost(const Post& post) {
  const Graph graph(post.accessToken);
  const auto igUser = graphId(post.accountId, "account.id");
  const Options options = readOptions(post);
  const auto caption = captionOf(post);
  return kFlow.publish(
      graph, igUser, post,
      [&](std::size_t i) { return createContainer(graph, igUser, post.media[i], options, caption, true); },
      [&](const std::string& children) {
        return idIn(graph.post("/" + igUser + "/media",
                               {{"media_type", "CAROUSEL"}, {"children", children}, {"caption", caption}}));
      },
      [&] { return createContainer(graph, igUser, post.media.front(), options, caption, false); });
}

// ---- reconcile ---------------------------------------------------------------------------

/// What GET /{ig-user-id}/media says a post of this kind is.
std::string listedType(const Post& post) {
  if (post.media.size() > 1) return "CAROUSEL_ALBUM";
  return post.media.front().isVideo() ? "VIDEO" : "IMAGE";
}

/// Did a media_publish of unknown outcome go live? The container kept in resume says it:
/// PUBLISHED, or not (FINISHED and IN_PROGRESS were never published — publish takes the same
/// container again, which Instagram publishes once at most; EXPIRED and ERROR never will be).
/// The media id is then the one media (or story) since the attempt with the post's caption and
/// type. Without a container (an attempt by an older plugin), the listing alone answers.
std::string reconcileMedia(const Attempt& a) {
  const Graph graph(a.post.accessToken);
  const auto igUser = graphId(a.post.accountId, "account.id");
  const bool story = readOptions(a.post).mediaType == "STORIES";
  return kFlow.reconcile(graph, a.post, "media", [&] {
    const auto caption = captionOf(a.post);
    const auto type = listedType(a.post);
    // Stories carry no caption of ours: any story since the attempt is a candidate.
    return listedAnswer(graph, a, "/" + igUser + (story ? "/stories" : "/media"),
                        "id,caption,timestamp,permalink,media_type", story ? "stories" : "media",
                        [&](const std::string& media) {
                          return story || (host.string(media, "/caption").value_or("") == caption &&
                                           host.string(media, "/media_type").value_or("") == type);
                        });
  });
}

}  // namespace

ms_status validate(const char* req, size_t len, const ms_reply* reply) { return validateCall(req, len, reply, check); }
ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return publishCall(req, len, reply, check, publishPost);
}
ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return reconcileCall(req, len, reply, reconcileMedia);
}

}  // namespace marketsage::instagram
