// Threads publishing with the container flow: POST /{threads-user-id}/threads (one container per
// item, is_carousel_item children for carousels), GET /{container-id}?fields=status,error_message
// until FINISHED — answering "pending" in between so no worker waits — then
// POST /{threads-user-id}/threads_publish?creation_id=, the one call that makes the post live.
// Validation runs offline first; reconcile tells whether a threads_publish of unknown outcome went live.
// https://developers.facebook.com/docs/threads/posts
// https://developers.facebook.com/docs/threads/overview (limits, threads_publishing_limit)
// https://developers.facebook.com/docs/threads/reply-management (reply_control)
// https://developers.facebook.com/docs/threads/troubleshooting (container status, error messages)
#include "MetaContainers.hpp"
#include "Threads.hpp"

namespace marketsage::threads {
namespace {

using namespace marketsage::meta;

constexpr std::size_t kMaxTextChars = 500, kMaxLinks = 5;
constexpr std::size_t kMaxCarousel = 20;
constexpr double kMaxImageBytes = 8.0 * 1024 * 1024;
constexpr double kMaxVideoBytes = 1024.0 * 1024 * 1024, kMaxVideoSeconds = 300;

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

Error processingFailed(const ContainerStatus& s) {
  return Error(MS_ERR_PERMANENT,
               "Threads could not process the media (" + s.code + (s.text.empty() ? "" : ": " + s.text) + ")",
               s.text.empty() ? s.code : s.text);
}

/// Threads' container flow: GET /{container-id}?fields=status,error_message, the 250 posts of the
/// last 24 hours at GET /{threads-user-id}/threads_publishing_limit, POST
/// /{threads-user-id}/threads_publish; status polled every 30 s by default (Meta suggests once a
/// minute); the containers kept in resume as {"threads": {...}}.
constexpr ContainerFlow kFlow{"Threads",
                              "threads",
                              kMaxCarousel,
                              "status,error_message",
                              "/status",
                              "/error_message",
                              "threads_publishing_limit",
                              "the profile has published its",
                              "threads_publish",
                              30000,
                              "",
                              processingFailed};

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

/// One publish call: the shared container flow with Threads' containers
/// (POST /{threads-user-id}/threads).
std::string publishPost(const Post& post) {
  const auto graph = threadsGraph(post.accessToken);
  const auto user = graphId(post.accountId, "account.id");
  const Options options = readOptions(post);
  const auto text = textOf(post);
  return kFlow.publish(
      graph, user, post,
      [&](std::size_t i) { return createContainer(graph, user, &post.media[i], options, text, true); },
      [&](const std::string& children) {
        Params params = {{"media_type", "CAROUSEL"}, {"children", children}};
        if (!text.empty()) params.emplace_back("text", text);
        if (!options.replyControl.empty()) params.emplace_back("reply_control", options.replyControl);
        if (!options.quotePostId.empty()) params.emplace_back("quote_post_id", options.quotePostId);
        return idIn(graph.post("/" + user + "/threads", params));
      },
      [&] {
        return createContainer(graph, user, post.media.empty() ? nullptr : &post.media.front(), options, text, false);
      });
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
  return kFlow.reconcile(graph, a.post, "post", [&] {
    const auto text = textOf(a.post);
    const auto type = listedType(a.post);
    return listedAnswer(graph, a, "/" + user + "/threads", "id,text,timestamp,permalink,media_type", "threads",
                        [&](const std::string& item) {
                          return host.string(item, "/text").value_or("") == text &&
                                 host.string(item, "/media_type").value_or("") == type;
                        });
  });
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
