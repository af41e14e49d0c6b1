#include "publishing/PostView.h"

#include "core/Time.h"

#include <boost/json.hpp>

namespace marketsage::publishing {

namespace json = boost::json;

namespace {

json::value timeOrNull(const std::optional<std::int64_t>& millis) {
  return millis ? json::value(time::formatIso8601(*millis)) : json::value(nullptr);
}

json::object resultView(const Target& t) {
  const auto text = [](const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); };
  json::object out{{"targetId", t.id},
                   {"connectionId", t.connectionId},
                   {"platform", t.platform},
                   {"accountId", t.accountId},
                   {"status", t.status},
                   {"postId", text(t.platformPostId)},
                   {"url", text(t.url)},
                   {"error", text(t.error)},
                   {"errorKind", text(t.errorKind)},
                   {"attempts", t.attempts},
                   {"publishedAt", timeOrNull(t.publishedAt)}};
  if (t.status == targetStatus::queued) out["nextAttemptAt"] = time::formatIso8601(t.dueAt);
  // An attempt of unknown outcome, to be looked up at the platform then.
  if (t.status == targetStatus::publishing && t.reconcileAfter)
    out["reconcileAt"] = time::formatIso8601(*t.reconcileAfter);
  if (t.progress) {
    json::error_code ec;
    auto progress = json::parse(*t.progress, ec);
    if (!ec) out["progress"] = progress;
  }
  return out;
}

}  // namespace

json::object postView(const Post& post) {
  json::array results;
  for (const auto& t : post.targets) results.push_back(resultView(t));
  json::object out{{"id", post.id},
                   {"content", post.content},
                   {"link", post.link ? json::value(*post.link) : json::value(nullptr)},
                   {"media", json::parse(post.mediaIds)},
                   {"options", json::parse(post.options)},
                   {"scheduledTime", timeOrNull(post.scheduledAt)},
                   {"status", overallStatus(post, time::nowMillis())},
                   {"createdAt", timeOrNull(post.createdAt)},
                   {"results", results}};
  if (!post.events.empty()) {
    json::array history;
    for (const auto& e : post.events) {
      history.push_back({{"at", time::formatIso8601(e.createdAt)},
                         {"targetId", e.targetId ? json::value(*e.targetId) : json::value(nullptr)},
                         {"platform", e.platform ? json::value(*e.platform) : json::value(nullptr)},
                         {"event", e.event},
                         {"detail", json::parse(e.detail)}});
    }
    out["history"] = history;
  }
  return out;
}

}  // namespace marketsage::publishing
