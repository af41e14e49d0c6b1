#pragma once
/// A post as the publishing engine keeps it: the content once, and one target per connection it
/// goes to, each with its own state machine (see targetStatus).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::publishing {

/// A target's states. queued -> publishing -> published | failed | needs_review; a rate-limited
/// or transiently failed attempt goes back to queued with a later due time. An attempt whose
/// outcome is unknown (no answer, a crash) stays publishing until the platform has been asked
/// whether the post exists (reconcile): published, queued again, or needs_review. cancelled: a
/// scheduled target the user withdrew; deleted: published, then removed at the platform.
namespace targetStatus {
inline constexpr const char* queued = "queued";
inline constexpr const char* publishing = "publishing";
inline constexpr const char* published = "published";
inline constexpr const char* failed = "failed";
inline constexpr const char* needsReview = "needs_review";
inline constexpr const char* cancelled = "cancelled";
inline constexpr const char* deleted = "deleted";
}  // namespace targetStatus

/// True for states no worker will move a target out of by itself.
bool isSettled(const std::string& status);

struct Target {
  std::string id;
  std::string postId;
  std::string connectionId;
  std::string platform;
  std::string accountId;
  std::string status = targetStatus::queued;
  std::int64_t dueAt = 0;
  std::int64_t attempts = 0;
  std::optional<std::string> platformPostId, url;
  /// JSON object given back to the plugin as "resume": "postIds" (thread parts live), "media"
  /// (host media id -> platform media id, uploaded already) and the plugin's own pending state.
  std::optional<std::string> progress;
  std::optional<std::string> error, errorKind;
  std::optional<std::int64_t> publishedAt;
  std::int64_t updatedAt = 0;
  std::optional<std::int64_t> attemptStartedAt;  ///< when the last attempt began
  std::optional<std::int64_t> reconcileAfter;    ///< an attempt of unknown outcome: look it up then
};

struct Event {
  std::int64_t seq = 0;
  std::optional<std::string> targetId, platform;
  std::string event;   ///< "created", "attempt", "published", "rate_limited", "retry", "failed" …
  std::string detail;  ///< JSON object text; never a token
  std::int64_t createdAt = 0;
};

struct Post {
  std::string id;
  std::string organizationId;
  std::string content;
  std::optional<std::string> link;
  std::string mediaIds = "[]";  ///< JSON array text
  std::string options = "{}";   ///< JSON object text: per-platform options
  std::optional<std::int64_t> scheduledAt;
  std::string createdBy;
  std::int64_t createdAt = 0;
  std::vector<Target> targets;
  std::vector<Event> events;  ///< filled by PostStore::find
};

/// The post's overall state, from its targets: "scheduled", "publishing", "published",
/// "partially_published", "failed", "needs_review", "cancelled" or "deleted".
std::string overallStatus(const Post& post, std::int64_t now);

}  // namespace marketsage::publishing
