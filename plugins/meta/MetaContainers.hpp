// The container flow Instagram and Threads share: one container per item (children and a
// CAROUSEL parent for carousels), GET /{container-id} until FINISHED — answering "pending" in
// between so no worker waits — then the one publish call that makes the post live, once: a
// container already PUBLISHED is an unknown outcome to look up. The quota read before anything is
// made, the containers kept by the host in "resume", made again after they EXPIRED, and reconcile
// by the kept container's status. What differs between the two is a ContainerFlow.
// https://developers.facebook.com/docs/instagram-platform/content-publishing/
// https://developers.facebook.com/docs/threads/posts
// https://developers.facebook.com/docs/threads/troubleshooting (container status, error messages)
#ifndef MARKETSAGE_META_CONTAINERS_HPP
#define MARKETSAGE_META_CONTAINERS_HPP

#include "MetaReconcile.hpp"

namespace marketsage::meta {

/// The containers of a post on its way, kept by the host between publish calls in "resume":
/// {"<platform>": {"container", "children": [...], "since", "remade"}}.
struct Containers {
  std::string parent;                 ///< what the publish call takes: the one item, or the carousel
  std::vector<std::string> children;  ///< carousel items, in the post's order
  long long since = 0;                ///< unix ms when the first was made (0: none made yet)
  long long remade = 0;               ///< times all were made again after they EXPIRED
};

struct ContainerStatus {
  std::string code;  ///< IN_PROGRESS, FINISHED, PUBLISHED, ERROR or EXPIRED
  std::string text;  ///< what the platform says about it (Instagram's status, Threads' error_message)
};

/// A post of at least this many items is a carousel.
inline constexpr std::size_t kMinCarousel = 2;
/// Containers are made again at most this often after they EXPIRED (kept 24 hours unpublished).
inline constexpr long long kMaxRemakes = 2;

inline std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

/// The answer of the listing `path` (fields=`fields`, each item with its timestamp and permalink)
/// walked back to the attempt's window start: the one item `matches` accepts since then is the
/// post. `what` names the listed items in reasons.
template <class Match>
std::string listedAnswer(const Graph& graph, const Attempt& a, const std::string& path, const char* fields,
                         const std::string& what, Match&& matches) {
  const auto found = findListed(graph, path, {{"fields", fields}}, "timestamp", a.windowStart(), a.windowStart(),
                                std::forward<Match>(matches));
  return answerFrom(
      found, [](const std::string& item) { return host.string(item, "/permalink"); }, what);
}

/// What one platform's container flow is: its names, edges, status fields and texts.
struct ContainerFlow {
  const char* platform;                               ///< "Instagram": in messages
  const char* resumeKey;                              ///< "instagram": the object of "resume" that keeps the containers
  std::size_t maxChildren;                            ///< the largest carousel
  const char* statusFields;                           ///< fields= of the container status read
  const char* codeField;                              ///< pointer of the status code in its answer
  const char* textField;                              ///< pointer of the status text in its answer
  const char* limitEdge;                              ///< the edge of the user telling its 24-hour quota
  const char* quotaUsed;                              ///< "the account has used its": what the quota error says
  const char* publishEdge;                            ///< the edge of the user that publishes a container
  long long defaultPollMs;                            ///< status_poll_interval_ms when not set
  const char* processingWhat;                         ///< "container ": what precedes the ids in the processing stage
  Error (*processingFailed)(const ContainerStatus&);  ///< a container in ERROR (or EXPIRED for good)

  Containers containersOf(const Post& post) const {
    Containers c;
    const std::string pointer = std::string("/") + resumeKey;
    const auto kept = host.get(post.resume, pointer.c_str());
    if (kept.type != MS_JSON_OBJECT) return c;
    const std::string at = std::string("resume.") + resumeKey;
    if (const auto parent = host.optionalString(kept.text, "/container", 128))
      c.parent = graphId(*parent, (at + ".container").c_str());
    for (std::size_t i = 0, n = optionalArraySize(kept.text, "/children", maxChildren); i < n; ++i)
      c.children.push_back(
          graphId(host.requiredString(kept.text, "/children/" + std::to_string(i), 128), (at + ".children").c_str()));
    c.since = host.integer(kept.text, "/since").value_or(0);
    c.remade = host.integer(kept.text, "/remade").value_or(0);
    return c;
  }

  /// The publish reply that hands the containers to the host and asks to be called again.
  std::string pending(const Containers& c, long long seconds, const std::string& stage) const {
    auto ids = Json::array();
    for (const auto& id : c.children) ids.push(id);
    auto kept = Json::object().raw("children", ids).field("since", c.since).field("remade", c.remade);
    if (!c.parent.empty()) kept.field("container", c.parent);
    return Json::object()
        .raw("pending", Json::object()
                            .field("retryAfterSeconds", seconds)
                            .field("stage", stage)
                            .raw("resume", Json::object().raw(resumeKey, kept)))
        .str();
  }

  /// GET /{container-id}?fields=<statusFields>
  ContainerStatus statusOf(const Graph& graph, const std::string& container) const {
    const auto body = graph.get("/" + container, {{"fields", statusFields}});
    return {host.string(body, codeField).value_or(""), host.string(body, textField).value_or("")};
  }

  /// GET /{user-id}/<limitEdge>: refuse before making anything when the 24-hour quota is used up.
  /// Best effort: only a clear "no quota left" answer stops the post.
  void checkPublishingLimit(const Graph& graph, const std::string& user) const {
    std::string body;
    try {
      body = graph.get("/" + user + "/" + limitEdge, {{"fields", "quota_usage,config"}});
    } catch (const Error& e) {
      if (e.status == MS_ERR_RATE_LIMITED || e.status == MS_ERR_AUTH_EXPIRED || e.status == MS_ERR_AUTH_INVALID) throw;
      return;
    }
    const auto used = host.integer(body, "/data/0/quota_usage");
    const auto total = host.integer(body, "/data/0/config/quota_total");
    if (used && total && *total > 0 && *used >= *total)
      throw Error(MS_ERR_RATE_LIMITED,
                  std::string(quotaUsed) + " " + std::to_string(*total) + " API posts of the last 24 hours", limitEdge,
                  static_cast<int32_t>(host.integer(body, "/data/0/config/quota_duration").value_or(86400)));
  }

  /// A container still IN_PROGRESS: come back after status_poll_interval_ms; after
  /// status_poll_max_seconds since the first container, MS_ERR_TRANSIENT (the host retries with
  /// backoff, still with these containers).
  std::string stillProcessing(const Containers& c, const std::string& what) const {
    const long long waited = (host.nowMs() - c.since) / 1000;
    if (waited > numberSetting("/status_poll_max_seconds", 300))
      throw Error(
          MS_ERR_TRANSIENT,
          std::string(platform) + " is still processing the media after " + std::to_string(waited) + " s (IN_PROGRESS)",
          "IN_PROGRESS");
    const long long seconds = std::max(1LL, (numberSetting("/status_poll_interval_ms", defaultPollMs) + 999) / 1000);
    return pending(c, seconds,
                   std::string(platform) + " is processing the media (" + processingWhat + what + " IN_PROGRESS)");
  }

  /// POST /{user-id}/<publishEdge> creation_id=<container>: the one call that makes the post live.
  /// A refusal after which the container turns out PUBLISHED (an earlier attempt's publish landed
  /// late) is a post to look up, not a failure.
  std::string publishContainer(const Graph& graph, const std::string& user, const Containers& c) const {
    std::string mediaId;
    try {
      mediaId = idIn(graph.post("/" + user + "/" + publishEdge, {{"creation_id", c.parent}}, Effect::Creates));
    } catch (const Error& e) {
      if (e.status != MS_ERR_PERMANENT) throw;  // unknown outcome, throttled, token refused: as they are
      const auto now = statusOf(graph, c.parent);
      if (now.code == "PUBLISHED")
        throw Error(MS_ERR_OUTCOME_UNKNOWN,
                    std::string(platform) + " refused to publish container " + c.parent +
                        " again: it is PUBLISHED already (" + e.message + ")",
                    e.platformCode);
      if (now.code == "IN_PROGRESS") return stillProcessing(c, c.parent);
      throw;
    }
    auto reply = Json::object().field("postId", mediaId);
    if (const auto url = publishedField(graph, mediaId, "permalink")) reply.field("url", *url);
    return reply.raw("extra", Json::object().field("containerId", c.parent)).str();
  }

  /// One publish call: makes what containers are missing and answers pending (so the host keeps
  /// their ids before anything can go live), waits (pending) while the platform processes them,
  /// then publishes the container. makeChild(i) makes the carousel item of post.media[i],
  /// makeCarousel(children) the carousel of those ids, makeSingle() the container of a post that
  /// is no carousel; each answers the container id.
  template <class MakeChild, class MakeCarousel, class MakeSingle>
  std::string publish(const Graph& graph, const std::string& user, const Post& post, MakeChild&& makeChild,
                      MakeCarousel&& makeCarousel, MakeSingle&& makeSingle) const {
    Containers c = containersOf(post);
    if (c.since == 0) {
      checkPublishingLimit(graph, user);
      c.since = host.nowMs();
    }
    for (;;) {
      bool made = false;
      std::optional<ContainerStatus> expired;
      if (post.media.size() >= kMinCarousel && c.parent.empty()) {
        for (std::size_t i = c.children.size(); i < post.media.size(); ++i) {
          c.children.push_back(makeChild(i));
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
          return made ? pending(c, 1, "carousel items made") : stillProcessing(c, joined(c.children));
        if (!expired) {
          c.parent = makeCarousel(joined(c.children));
          made = true;
        }
      } else if (c.parent.empty()) {
        c.parent = makeSingle();
        made = true;
      }
      if (made) return pending(c, 1, "containers made; publishing next");
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
      // Unpublished for 24 hours: the platform dropped the containers; make them again, a few times.
      if (c.remade >= kMaxRemakes) throw processingFailed(*expired);
      c = Containers{{}, {}, host.nowMs(), c.remade + 1};
    }
  }

  /// Did a publish of unknown outcome go live? The container kept in resume says it: PUBLISHED,
  /// or not (FINISHED and IN_PROGRESS were never published — publish takes the same container
  /// again, which the platform publishes once at most; EXPIRED and ERROR never will be). Then
  /// findInListing() answers from the user's listing (alone when no container is kept: an attempt
  /// by an older plugin); a PUBLISHED container whose `what` is not listed yet is TRANSIENT.
  template <class FindInListing>
  std::string reconcile(const Graph& graph, const Post& post, const char* what, FindInListing&& findInListing) const {
    const Containers c = containersOf(post);
    std::optional<ContainerStatus> status;
    if (!c.parent.empty()) {
      try {
        status = statusOf(graph, c.parent);
      } catch (const Error& e) {
        if (e.status != MS_ERR_PERMANENT) throw;  // a container Graph no longer shows: the listing tells
      }
      if (status && status->code != "PUBLISHED") return notFoundReply();
    }
    auto answer = findInListing();
    if (status && host.string(answer, "/outcome") == "not_found")
      throw Error(MS_ERR_TRANSIENT, "container " + c.parent + " is PUBLISHED but its " + what + " is not listed yet");
    return answer;
  }
};

}  // namespace marketsage::meta

#endif  // MARKETSAGE_META_CONTAINERS_HPP
