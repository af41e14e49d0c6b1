// Threads publishing with the container flow: POST /{threads-user-id}/threads (one container per
// item, is_carousel_item children for carousels), GET /{container-id}?fields=status,error_message
// until FINISHED — answering "pending" in between so no worker waits — then
// POST /{threads-user-id}/threads_publish?creation_id=, the one call that makes the post live.
// Validation runs offline first; reconcile tells whether a threads_publish of unknown outcome went live.
// https://developers.facebook.com/docs/threads/posts
// https://developers.facebook.com/docs/threads/overview (limits, threads_publishing_limit)
// https://developers.facebook.com/docs/threads/reply-management (reply_control)
// https://developers.facebook.com/docs/threads/troubleshooting (container status, error messages)
#include "MetaReconcile.hpp"
#include "Threads.hpp"

namespace marketsage::threads {
namespace {

using namespace marketsage::meta;

constexpr std::size_t kMaxTextChars = 500, kMaxLinks = 5;
constexpr std::size_t kMinCarousel = 2, kMaxCarousel = 20;
constexpr double kMaxImageBytes = 8.0 * 1024 * 1024;
constexpr double kMaxVideoBytes = 1024.0 * 1024 * 1024, kMaxVideoSeconds = 300;
constexpr long long kMaxRemakes = 2;  // containers made again after they EXPIRED (24 hours unpublished)

const char* const kReplyControls[] = {"everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only",
                                      "followers_only"};

/// options.threads: who may reply, and the post this one quotes.
struct Options {
  std::string replyControl, quotePostId;
};

Options readOptions(const Post& post) {
  return {host.optionalString(post.options, "/replyControl", 64).value_or(""),
          host.optionalString(post.options, "/quotePostId", 128).value_or("")};
}

/// The text: the content, with the link appended when the content does not carry it.
std::string textOf(const Post& post) {
  if (post.link.empty() || post.content.find(post.link) != std::string::npos) return post.content;
  return post.content + (post.content.empty() ? "" : "\n") + post.link;
}

std::size_t countLinks(const std::string& text) {
  std::size_t n = 0;
  for (const char* scheme : {"http://", "https://"})
    for (auto at = text.find(scheme); at != std::string::npos; at = text.find(scheme, at + 1)) ++n;
  return n;
}

Issues check(const Post& post) {
  Issues issues;
  const Options o = readOptions(post);
  const auto text = textOf(post);
  const std::size_t characters = characterCount(text);
  issues.length(characters, kMaxTextChars);
  if (characters > kMaxTextChars) issues.add("/content", "longer than 500 characters");
  if (countLinks(text) > kMaxLinks) issues.add("/content", "more than 5 links");
  if (text.empty() && post.media.empty()) issues.add("/content", "a Threads post needs text or media");
  if (post.hasThread) issues.add("/thread", "this plugin publishes single posts; replies are not supported yet");
  if (post.scheduledTime)
    issues.add("/scheduledTime", "the Threads API cannot schedule; let MarketSage publish at the time");
  if (!o.replyControl.empty() &&
      std::find(std::begin(kReplyControls), std::end(kReplyControls), o.replyControl) == std::end(kReplyControls))
    issues.add("/options/replyControl",
               "must be everyone, accounts_you_follow, mentioned_only, parent_post_author_only or followers_only");
  if (!o.quotePostId.empty() && !std::all_of(o.quotePostId.begin(), o.quotePostId.end(),
                                             [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    issues.add("/options/quotePostId", "must be a Threads media id");
  if (post.media.size() > kMaxCarousel) issues.add("/media", "a carousel holds at most 20 items");
  for (std::size_t i = 0; i < post.media.size(); ++i) {
    const Media& m = post.media[i];
    const std::string at = "/media/" + std::to_string(i);
    if (m.url.empty())
      issues.add(at + "/url", "Threads fetches media from a public URL, which the host did not provide");
    if (m.kind == "image") {
      if (m.mimeType != "image/jpeg" && m.mimeType != "image/png")
        issues.add(at + "/mimeType", "Threads publishes JPEG and PNG images");
      if (m.size > kMaxImageBytes) issues.add(at + "/size", "images are limited to 8 MB");
    } else if (m.isVideo()) {
      if (m.mimeType != "video/mp4" && m.mimeType != "video/quicktime")
        issues.add(at + "/mimeType", "videos must be MP4 or MOV");
      if (m.size > kMaxVideoBytes) issues.add(at + "/size", "videos are limited to 1 GB");
      if (m.durationSeconds > kMaxVideoSeconds) issues.add(at + "/durationSeconds", "videos last at most 5 minutes");
    } else {
      issues.add(at + "/kind", "Threads accepts images and videos only");
    }
  }
  return issues;
}

/// GET /{threads-user-id}/threads_publishing_limit: refuse before making anything when the 250
/// posts of the last 24 hours are used up. Best effort: only a clear "no quota left" stops the post.
void checkPublishingLimit(const Graph& graph, const std::string& user) {
  std::string body;
  try {
    body = graph.get("/" + user + "/threads_publishing_limit", {{"fields", "quota_usage,config"}});
  } catch (const Error& e) {
    if (e.status == MS_ERR_RATE_LIMITED || e.status == MS_ERR_AUTH_EXPIRED || e.status == MS_ERR_AUTH_INVALID) throw;
    return;
  }
  const auto used = host.integer(body, "/data/0/quota_usage");
  const auto total = host.integer(body, "/data/0/config/quota_total");
  if (used && total && *total > 0 && *used >= *total)
    throw Error(MS_ERR_RATE_LIMITED,
                "the profile has published its " + std::to_string(*total) + " API posts of the last 24 hours",
                "threads_publishing_limit",
                static_cast<int32_t>(host.integer(body, "/data/0/config/quota_duration").value_or(86400)));
}

/// The containers of a post on its way, kept by the host between publish calls in "resume":
/// {"threads": {"container", "children": [...], "since", "remade"}}.
struct Containers {
  std::string parent;
  std::vector<std::string> children;
  long long since = 0, remade = 0;

  static Containers of(const Post& post) {
    Containers c;
    const auto kept = host.get(post.resume, "/threads");
    if (kept.type != MS_JSON_OBJECT) return c;
    if (const auto parent = host.optionalString(kept.text, "/container", 128))
      c.parent = graphId(*parent, "resume.threads.container");
    for (std::size_t i = 0, n = optionalArraySize(kept.text, "/children", kMaxCarousel); i < n; ++i)
      c.children.push_back(
          graphId(host.requiredString(kept.text, "/children/" + std::to_string(i), 128), "resume.threads.children"));
    c.since = host.integer(kept.text, "/since").value_or(0);
    c.remade = host.integer(kept.text, "/remade").value_or(0);
    return c;
  }

  std::string pending(long long seconds, const std::string& stage) const {
    auto ids = Json::array();
    for (const auto& id : children) ids.push(id);
    auto kept = Json::object().raw("children", ids).field("since", since).field("remade", remade);
    if (!parent.empty()) kept.field("container", parent);
    return Json::object()
        .raw("pending", Json::object()
                            .field("retryAfterSeconds", seconds)
                            .field("stage", stage)
                            .raw("resume", Json::object().raw("threads", kept)))
        .str();
  }
};

struct Status {
  std::string code, message;  ///< IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED; error_message
};

Status statusOf(const Graph& graph, const std::string& container) {
  const auto body = graph.get("/" + container, {{"fields", "status,error_message"}});
  return {host.string(body, "/status").value_or(""), host.string(body, "/error_message").value_or("")};
}

Error processingFailed(const Status& s) {
  return Error(MS_ERR_PERMANENT,
               "Threads could not process the media (" + s.code + (s.message.empty() ? "" : ": " + s.message) + ")",
               s.message.empty() ? s.code : s.message);
}

/// Still IN_PROGRESS: come back after status_poll_interval_ms (Meta suggests once a minute);
/// after status_poll_max_seconds since the first container, TRANSIENT (the host retries later).
std::string stillProcessing(const Containers& c, const std::string& what) {
  const long long waited = (host.nowMs() - c.since) / 1000;
  if (waited > numberSetting("/status_poll_max_seconds", 300))
    throw Error(MS_ERR_TRANSIENT,
                "Threads is still processing the media after " + std::to_string(waited) + " s (IN_PROGRESS)",
                "IN_PROGRESS");
  const long long seconds = std::max(1LL, (numberSetting("/status_poll_interval_ms", 30000) + 999) / 1000);
  return c.pending(seconds, "Threads is processing the media (" + what + " IN_PROGRESS)");
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

/// POST /{threads-user-id}/threads for one item (or a text post when `m` is null).
std::string createContainer(const Graph& graph, const std::string& user, const Media* m, const Options& o,
                            const std::string& text, bool carouselItem) {
  Params params;
  if (m == nullptr) {
    params.emplace_back("media_type", "TEXT");
  } else if (m->isVideo()) {
    params.emplace_back("media_type", "VIDEO");
    params.emplace_back("video_url", m->url);
  } else {
    params.emplace_back("media_type", "IMAGE");
    params.emplace_back("image_url", m->url);
  }
  if (m != nullptr && !m->altText.empty()) params.emplace_back("alt_text", m->altText);
  if (carouselItem) {
    params.emplace_back("is_carousel_item", "true");
  } else {
    if (!text.empty()) params.emplace_back("text", text);
    if (!o.replyControl.empty()) params.emplace_back("reply_control", o.replyControl);
    if (!o.quotePostId.empty()) params.emplace_back("quote_post_id", o.quotePostId);
  }
  return idIn(graph.post("/" + user + "/threads", params));
}

/// POST /{threads-user-id}/threads_publish creation_id=<container>. A refusal after which the
/// container is PUBLISHED (an earlier attempt landed late) is a post to look up, not a failure.
std::string publishContainer(const Graph& graph, const std::string& user, const Containers& c) {
  std::string mediaId;
  try {
    mediaId = idIn(graph.post("/" + user + "/threads_publish", {{"creation_id", c.parent}}, Effect::Creates));
  } catch (const Error& e) {
    if (e.status != MS_ERR_PERMANENT) throw;
    const auto now = statusOf(graph, c.parent);
    if (now.code == "PUBLISHED")
      throw Error(
          MS_ERR_OUTCOME_UNKNOWN,
          "Threads refused to publish container " + c.parent + " again: it is PUBLISHED already (" + e.message + ")",
          e.platformCode);
    if (now.code == "IN_PROGRESS") return stillProcessing(c, c.parent);
    throw;
  }
  auto reply = Json::object().field("postId", mediaId);
  if (const auto url = publishedField(graph, mediaId, "permalink")) reply.field("url", *url);
  return reply.raw("extra", Json::object().field("containerId", c.parent)).str();
}

/// One publish call: makes the missing containers and answers pending (so the host keeps their
/// ids before anything can go live), waits while Threads processes them, then publishes once.
std::string publishPost(const Post& post) {
  const auto graph = threadsGraph(post.accessToken);
  const auto user = graphId(post.accountId, "account.id");
  const Options options = readOptions(post);
  const auto text = textOf(post);
  Containers c = Containers::of(post);
  if (c.since == 0) {
    checkPublishingLimit(graph, user);
    c.since = host.nowMs();
  }
  for (;;) {
    bool made = false;
    std::optional<Status> expired;
    if (post.media.size() >= kMinCarousel && c.parent.empty()) {
      for (std::size_t i = c.children.size(); i < post.media.size(); ++i) {
        c.children.push_back(createContainer(graph, user, &post.media[i], options, text, true));
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
        Params params = {{"media_type", "CAROUSEL"}, {"children", joined(c.children)}};
        if (!text.empty()) params.emplace_back("text", text);
        if (!options.replyControl.empty()) params.emplace_back("reply_control", options.replyControl);
        if (!options.quotePostId.empty()) params.emplace_back("quote_post_id", options.quotePostId);
        c.parent = idIn(graph.post("/" + user + "/threads", params));
        made = true;
      }
    } else if (c.parent.empty()) {
      c.parent = createContainer(graph, user, post.media.empty() ? nullptr : &post.media.front(), options, text, false);
      made = true;
    }
    if (made) return c.pending(1, "containers made; publishing next");
    if (!expired) {
      const auto s = statusOf(graph, c.parent);
      if (s.code == "PUBLISHED")
        throw Error(MS_ERR_OUTCOME_UNKNOWN,
                    "container " + c.parent + " is PUBLISHED already: an earlier attempt went live", s.code);
      if (s.code == "IN_PROGRESS") return stillProcessing(c, c.parent);
      if (s.code == "FINISHED") return publishContainer(graph, user, c);
      if (s.code != "EXPIRED") throw processingFailed(s);
      expired = s;
    }
    if (c.remade >= kMaxRemakes) throw processingFailed(*expired);
    c = Containers{{}, {}, host.nowMs(), c.remade + 1};
  }
}

/// What GET /{threads-user-id}/threads says a post of this kind is.
std::string listedType(const Post& post) {
  if (post.media.size() >= kMinCarousel) return "CAROUSEL_ALBUM";
  if (post.media.empty()) return "TEXT_POST";
  return post.media.front().isVideo() ? "VIDEO" : "IMAGE";
}

/// Did a threads_publish of unknown outcome go live? The kept container says so (PUBLISHED or
/// not); the post is then the one thread since the attempt with the same text and type.
std::string reconcilePost(const Attempt& a) {
  const auto graph = threadsGraph(a.post.accessToken);
  const auto user = graphId(a.post.accountId, "account.id");
  const Containers c = Containers::of(a.post);
  std::optional<Status> status;
  if (!c.parent.empty()) {
    try {
      status = statusOf(graph, c.parent);
    } catch (const Error& e) {
      if (e.status != MS_ERR_PERMANENT) throw;
    }
    if (status && status->code != "PUBLISHED") return notFoundReply();
  }
  const auto text = textOf(a.post);
  const auto type = listedType(a.post);
  const auto matches = findListed(
      graph, "/" + user + "/threads", {{"fields", "id,text,timestamp,permalink,media_type"}}, "timestamp",
      a.windowStart(), a.windowStart(), [&](const std::string& item) {
        return host.string(item, "/text").value_or("") == text && host.string(item, "/media_type").value_or("") == type;
      });
  auto answer = answerFrom(
      matches, [](const std::string& item) { return host.string(item, "/permalink"); }, "threads");
  if (status && host.string(answer, "/outcome") == "not_found")
    throw Error(MS_ERR_TRANSIENT, "container " + c.parent + " is PUBLISHED but its post is not listed yet");
  return answer;
}

}  // namespace

ms_status validate(const char* req, size_t len, const ms_reply* reply) { return validateCall(req, len, reply, check); }
ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return publishCall(req, len, reply, check, publishPost);
}
ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return reconcileCall(req, len, reply, reconcilePost);
}

}  // namespace marketsage::threads
