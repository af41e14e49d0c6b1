// Instagram publishing with the container flow: POST /{ig-user-id}/media (one container per
// item, children for carousels), resumable video upload to rupload, then — once the host keeps the
// container ids and Instagram says FINISHED — POST /{ig-user-id}/media_publish. Processing holds
// no worker: publish answers "pending" and is called again with its "resume". Validation runs
// offline first; reconcile tells whether a media_publish of unknown outcome went live.
// https://developers.facebook.com/docs/instagram-platform/content-publishing/
// https://developers.facebook.com/documentation/instagram-platform/content-publishing/resumable-uploads
// https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
// https://developers.facebook.com/documentation/instagram-platform/instagram-graph-api/reference/ig-container
#include "MetaReconcile.hpp"

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

/// GET /{ig-user-id}/content_publishing_limit: refuse early when the 24-hour quota is used up.
/// Best effort: only a clear "no quota left" answer stops the post.
void checkPublishingLimit(const Graph& graph, const std::string& igUser) {
  std::string body;
  try {
    body = graph.get("/" + igUser + "/content_publishing_limit", {{"fields", "quota_usage,config"}});
  } catch (const Error& e) {
    if (e.status == MS_ERR_RATE_LIMITED || e.status == MS_ERR_AUTH_EXPIRED || e.status == MS_ERR_AUTH_INVALID) throw;
    return;
  }
  const auto used = host.integer(body, "/data/0/quota_usage");
  const auto total = host.integer(body, "/data/0/config/quota_total");
  if (used && total && *total > 0 && *used >= *total)
    throw Error(MS_ERR_RATE_LIMITED,
                "the account has used its " + std::to_string(*total) + " API posts of the last 24 hours",
                "content_publishing_limit",
                static_cast<int32_t>(host.integer(body, "/data/0/config/quota_duration").value_or(86400)));
}

/// The containers of a post on its way, kept by the host between publish calls in "resume":
/// {"instagram": {"container", "children": [...], "since", "remade"}}.
struct Containers {
  std::string parent;                 ///< what media_publish takes: the one item, or the carousel
  std::vector<std::string> children;  ///< carousel items, in the post's order
  long long since = 0;                ///< unix ms when the first was made (0: none made yet)
  long long remade = 0;               ///< times all were made again after they EXPIRED

  static Containers of(const Post& post) {
    Containers c;
    const auto kept = host.get(post.resume, "/instagram");
    if (kept.type != MS_JSON_OBJECT) return c;
    if (const auto parent = host.optionalString(kept.text, "/container", 128))
      c.parent = graphId(*parent, "resume.instagram.container");
    for (std::size_t i = 0, n = optionalArraySize(kept.text, "/children", kMaxCarousel); i < n; ++i)
      c.children.push_back(
          graphId(host.requiredString(kept.text, "/children/" + std::to_string(i), 128), "resume.instagram.children"));
    c.since = host.integer(kept.text, "/since").value_or(0);
    c.remade = host.integer(kept.text, "/remade").value_or(0);
    return c;
  }

  /// The publish reply that hands the containers to the host and asks to be called again.
  std::string pending(long long seconds, const std::string& stage) const {
    auto ids = Json::array();
    for (const auto& id : children) ids.push(id);
    auto kept = Json::object().raw("children", ids).field("since", since).field("remade", remade);
    if (!parent.empty()) kept.field("container", parent);
    return Json::object()
        .raw("pending", Json::object()
                            .field("retryAfterSeconds", seconds)
                            .field("stage", stage)
                            .raw("resume", Json::object().raw("instagram", kept)))
        .str();
  }
};

/// Made again at most this often after they EXPIRED (Instagram keeps a container 24 hours).
constexpr long long kMaxRemakes = 2;

struct ContainerStatus {
  std::string code, text;  ///< status_code (IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED) and status
};

/// GET /{container-id}?fields=status_code,status
ContainerStatus statusOf(const Graph& graph, const std::string& container) {
  const auto body = graph.get("/" + container, {{"fields", "status_code,status"}});
  return {host.string(body, "/status_code").value_or(""), host.string(body, "/status").value_or("")};
}

Error processingFailed(const ContainerStatus& s) {
  return Error(MS_ERR_PERMANENT, "Instagram could not process the media (" + s.code + "): " + s.text, s.code);
}

/// A container still IN_PROGRESS: come back after status_poll_interval_ms; after
/// status_poll_max_seconds since the first container, MS_ERR_TRANSIENT (the host retries with
/// backoff, still with these containers).
std::string stillProcessing(const Containers& c, const std::string& container) {
  const long long waited = (host.nowMs() - c.since) / 1000;
  if (waited > numberSetting("/status_poll_max_seconds", 300))
    throw Error(MS_ERR_TRANSIENT,
                "Instagram is still processing the media after " + std::to_string(waited) + " s (IN_PROGRESS)",
                "IN_PROGRESS");
  const long long seconds = std::max(1LL, (numberSetting("/status_poll_interval_ms", 3000) + 999) / 1000);
  return c.pending(seconds, "Instagram is processing the media (container " + container + " IN_PROGRESS)");
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

/// POST /{ig-user-id}/media_publish creation_id=<container>: the one call that makes the post
/// live. A refusal after which the container turns out PUBLISHED (an earlier attempt's publish
/// landed late) is a post to look up, not a failure.
std::string publishContainer(const Graph& graph, const std::string& igUser, const Containers& c) {
  std::string mediaId;
  try {
    mediaId = idIn(graph.post("/" + igUser + "/media_publish", {{"creation_id", c.parent}}, Effect::Creates));
  } catch (const Error& e) {
    if (e.status != MS_ERR_PERMANENT) throw;  // unknown outcome, throttled, token refused: as they are
    const auto now = statusOf(graph, c.parent);
    if (now.code == "PUBLISHED")
      throw Error(
          MS_ERR_OUTCOME_UNKNOWN,
          "Instagram refused to publish container " + c.parent + " again: it is PUBLISHED already (" + e.message + ")",
          e.platformCode);
    if (now.code == "IN_PROGRESS") return stillProcessing(c, c.parent);
    throw;
  }
  auto reply = Json::object().field("postId", mediaId);
  if (const auto url = publishedField(graph, mediaId, "permalink")) reply.field("url", *url);
  return reply.raw("extra", Json::object().field("containerId", c.parent)).str();
}

/// One publish call: makes what containers are missing and answers pending (so the host keeps
/// their ids before anything can go live), waits (pending) while Instagram processes them, then
/// publishes the container — once: a container already PUBLISHED is an unknown outcome to look up.
std::string publishPost(const Post& post) {
  const Graph graph(post.accessToken);
  const auto igUser = graphId(post.accountId, "account.id");
  const Options options = readOptions(post);
  const auto caption = captionOf(post);
  Containers c = Containers::of(post);
  if (c.since == 0) {
    checkPublishingLimit(graph, igUser);
    c.since = host.nowMs();
  }
  for (;;) {
    bool made = false;
    std::optional<ContainerStatus> expired;
    if (post.media.size() > 1 && c.parent.empty()) {
      for (std::size_t i = c.children.size(); i < post.media.size(); ++i) {
        c.children.push_back(createContainer(graph, igUser, post.media[i], options, caption, true));
        made = true;
      }
      bool processing = false;
      for (const auto& child : c.children) {
        const auto s = statusOf(graph, child);
        if (s.code == "EXPIRED")
          expired = s;
        else if (s.code == "IN_PROGRESS")
          processing = true;
        else if (s.code != "FINISHED")
          throw processingFailed(s);
      }
      if (!expired && processing)
        return made ? c.pending(1, "carousel items made") : stillProcessing(c, joined(c.children));
      if (!expired) {
        c.parent =
            idIn(graph.post("/" + igUser + "/media",
                            {{"media_type", "CAROUSEL"}, {"children", joined(c.children)}, {"caption", caption}}));
        made = true;
      }
    } else if (c.parent.empty()) {
      c.parent = createContainer(graph, igUser, post.media.front(), options, caption, false);
      made = true;
    }
    if (made) return c.pending(1, "containers made; publishing next");
    if (!expired) {
      const auto s = statusOf(graph, c.parent);
      if (s.code == "PUBLISHED")
        throw Error(MS_ERR_OUTCOME_UNKNOWN,
                    "container " + c.parent + " is PUBLISHED already: an earlier attempt went live", s.code);
      if (s.code == "IN_PROGRESS") return stillProcessing(c, c.parent);
      if (s.code == "FINISHED") return publishContainer(graph, igUser, c);
      if (s.code != "EXPIRED") throw processingFailed(s);
      expired = s;
    }
    // Unpublished for 24 hours: Instagram dropped the containers; make them again, a few times.
    if (c.remade >= kMaxRemakes) throw processingFailed(*expired);
    c = Containers{{}, {}, host.nowMs(), c.remade + 1};
  }
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
  const Containers c = Containers::of(a.post);
  std::optional<ContainerStatus> status;
  if (!c.parent.empty()) {
    try {
      status = statusOf(graph, c.parent);
    } catch (const Error& e) {
      if (e.status != MS_ERR_PERMANENT) throw;  // a container Graph no longer shows: the listing tells
    }
    if (status && status->code != "PUBLISHED") return notFoundReply();
  }
  const auto caption = captionOf(a.post);
  const auto type = listedType(a.post);
  // Stories carry no caption of ours: any story since the attempt is a candidate.
  const auto matches = findListed(graph, "/" + igUser + (story ? "/stories" : "/media"),
                                  {{"fields", "id,caption,timestamp,permalink,media_type"}}, "timestamp",
                                  a.windowStart(), a.windowStart(), [&](const std::string& media) {
                                    return story || (host.string(media, "/caption").value_or("") == caption &&
                                                     host.string(media, "/media_type").value_or("") == type);
                                  });
  auto answer = answerFrom(
      matches, [](const std::string& media) { return host.string(media, "/permalink"); }, story ? "stories" : "media");
  if (status && host.string(answer, "/outcome") == "not_found")
    throw Error(MS_ERR_TRANSIENT, "container " + c.parent + " is PUBLISHED but its media is not listed yet");
  return answer;
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
