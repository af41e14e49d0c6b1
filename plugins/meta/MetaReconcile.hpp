// What both Meta plugins share to answer reconcile (ABI 1.2): the attempt, the window in which its
// post must have been created, a listing walked newest first, and the three answers. Graph takes no
// idempotency key, so a post is recognised by what it says and when it appeared (README.md of each
// plugin, "Exactly once").
#ifndef MARKETSAGE_META_RECONCILE_HPP
#define MARKETSAGE_META_RECONCILE_HPP

#include "GraphApi.hpp"
#include "MetaPost.hpp"

namespace marketsage::meta {

/// Meta's clock and the host's may differ: a post created up to this long before the attempt
/// began still counts as the attempt's.
inline constexpr long long kClockMarginSeconds = 60;
/// Listings are read 100 items a page, at most this many pages.
inline constexpr std::size_t kReconcilePages = 5;

/// A reconcile request: the publish request of the target, and when its attempt began.
struct Attempt {
  Post post;
  long long attemptedAt = 0;  ///< unix seconds
  long long windowStart() const { return attemptedAt - kClockMarginSeconds; }
};

inline std::string foundReply(const std::string& id, const std::optional<std::string>& url) {
  auto out = Json::object().field("outcome", "found").field("postId", id);
  if (url && !url->empty()) out.field("url", *url);
  return out.str();
}
inline std::string notFoundReply() { return Json::object().field("outcome", "not_found").str(); }
inline std::string unknownReply(const std::string& reason) {
  return Json::object().field("outcome", "unknown").field("reason", reason).str();
}

/// What a listing holds that matches the post.
struct Matches {
  std::vector<std::string> inWindow;  ///< created since the window start, newest first
  std::vector<std::string> before;    ///< created before it, back to where the walk stopped
  bool complete = true;               ///< read back to `lookBack` (false: the page bound stopped it)
};

/// Walks the edge `path` (Graph lists newest first; `timeField` holds each item's creation time)
/// back to `lookBack` (unix seconds), sorting the items `matches` accepts by the attempt's window.
template <class Match>
Matches findListed(const Graph& graph, const std::string& path, Params params, const char* timeField,
                   long long windowStart, long long lookBack, Match&& matches) {
  params.emplace_back("since", std::to_string(lookBack));
  params.emplace_back("limit", "100");
  const std::string timePointer = std::string("/") + timeField;
  Matches out;
  out.complete = graph.walk(path, params, kReconcilePages, [&](const std::string& item) {
    const auto created = parseGraphTime(host.string(item, timePointer.c_str()).value_or(""));
    if (created && *created < lookBack) return false;
    if (matches(item)) (created && *created < windowStart ? out.before : out.inWindow).push_back(item);
    return true;
  });
  return out;
}

/// The answer of a listing: exactly one match in the window is the post (its id, and the URL
/// `urlOf` reads from it); several cannot be told apart; none is not_found only when the listing
/// was read back to the window's start. `what` names the listed things in reasons ("posts").
template <class UrlOf>
std::string answerFrom(const Matches& m, UrlOf&& urlOf, const std::string& what) {
  if (m.inWindow.size() == 1) return foundReply(idIn(m.inWindow.front()), urlOf(m.inWindow.front()));
  if (m.inWindow.size() > 1)
    return unknownReply(std::to_string(m.inWindow.size()) + " " + what +
                        " like this one appeared since the attempt; which is its own cannot be told");
  if (!m.complete)
    return unknownReply("more than " + std::to_string(kReconcilePages * 100) + " " + what +
                        " since the attempt; it was not looked for in all of them");
  return notFoundReply();
}

/// reconcile: reads the attempt and runs `work` with it, inside guard().
template <class Work>
ms_status reconcileCall(const char* req, std::size_t len, const ms_reply* reply, Work&& work) noexcept {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    Attempt attempt{parsePost(json, true)};
    const auto at = host.parseTime(host.requiredString(json, "/attemptedAt", 64));
    if (!at) throw Error(MS_ERR_INVALID_INPUT, "/attemptedAt must be an RFC 3339 time");
    attempt.attemptedAt = *at / 1000;
    return work(attempt);
  });
}

}  // namespace marketsage::meta

#endif  // MARKETSAGE_META_RECONCILE_HPP
