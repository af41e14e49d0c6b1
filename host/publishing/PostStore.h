#pragma once
/// The posts of one organization. Bound to its organization like every tenant store; the
/// scheduler's cross-organization work (claiming due targets) lives in TargetQueue instead.

#include "connections/ConnectionStore.h"
#include "publishing/Post.h"
#include "store/Database.h"
#include "tenants/Model.h"
#include "tenants/ScopedDatabase.h"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace marketsage::tenants {
class TenantStore;
}

namespace marketsage::publishing {

class PostStore {
 public:
  explicit PostStore(tenants::TenantStore& tenant);

  /// Stores the post, its targets and a "created" event per target in one transaction. With an
  /// idempotency key already used in this organization, stores nothing and returns false.
  bool create(const Post& post, const std::optional<std::string>& idempotencyKey, const std::string& requestHash,
              const tenants::Actor& actor);
  /// The post made with this idempotency key since `since` (ms), with the hash of its request.
  std::optional<std::pair<std::string, std::string>> findByIdempotencyKey(const std::string& key, std::int64_t since);

  /// How much of a post find() reads.
  enum class Detail { PostOnly, Targets, TargetsAndHistory };
  std::optional<Post> find(const std::string& id, Detail detail = Detail::TargetsAndHistory);
  /// What an attempt at one target works with, read in one statement: the post and the connection
  /// (nullopt when removed meanwhile) with its sealed tokens.
  struct AttemptRead {
    std::optional<Post> post;
    std::optional<connections::Connection> connection;
    connections::SealedTokens sealed;
  };
  AttemptRead forAttempt(const std::string& targetId);

  /// Newest first.
  std::vector<Post> list(int limit);

  /// Targets of one connection published within [from, to] (ms), newest first (analytics).
  std::vector<Target> publishedBetween(const std::string& connectionId, std::int64_t from, std::int64_t to, int limit);

  /// Until when the platform throttles this connection, as its queued targets say (health view).
  std::optional<std::int64_t> rateLimitedUntil(const std::string& connectionId);

  /// Cancels the targets still queued; returns how many.
  int cancelQueued(const std::string& postId, const tenants::Actor& actor);
  /// Moves a scheduled post to `at` (ms): the post's time and its targets still waiting for their
  /// first attempt. Targets already handed to the platform (its own scheduling), tried, or done
  /// keep theirs. Returns how many targets moved (0: nothing left to move). Audited.
  int reschedule(const std::string& postId, std::int64_t at, const tenants::Actor& actor);
  /// Records that a published target was deleted at the platform.
  void markDeleted(const Target& target);
  /// A person settles a needs_review target: "published" (with the platform's post id and URL
  /// when known), "retry" (queued again now) or "failed". False when the post has no such target
  /// in needs_review. Audited.
  bool resolve(const std::string& postId, const std::string& targetId, const std::string& outcome,
               const std::optional<std::string>& platformPostId, const std::optional<std::string>& url,
               const tenants::Actor& actor);
  /// Records that some parts were deleted and `remaining` were not (they stay as its progress,
  /// so deleting again tries just those).
  void markPartlyDeleted(const Target& target, const std::vector<std::string>& remaining, const std::string& error);
  /// Appends to the post's history.
  void addEvent(const std::string& postId, const std::optional<std::string>& targetId, const std::string& platform,
                const std::string& event, const boost::json::object& detail);

 private:
  tenants::ScopedDatabase db_;
  tenants::TenantStore& tenant_;
};

/// Appends one history event inside `tx` (shared by PostStore and the scheduler's TargetQueue).
void recordEvent(store::Transaction& tx, const std::string& organizationId, const std::string& postId,
                 const std::optional<std::string>& targetId, const std::string& platform, const std::string& event,
                 const boost::json::object& detail);

/// A history event to append.
struct NewEvent {
  std::string organizationId, postId;
  std::optional<std::string> targetId;
  std::string platform, event;
  boost::json::object detail;
};
/// Appends many events inside `tx` with multi-row INSERTs (one per 64 events), in order.
void recordEvents(store::Transaction& tx, const std::vector<NewEvent>& events);

/// The post and its targets (no history) as `tx` sees them: the state a change inside it left.
std::optional<Post> readPostWithTargets(store::Transaction& tx, const std::string& organizationId,
                                        const std::string& id);

/// Reads a target row selected with targetColumns.
Target targetFrom(const store::Row& row, std::size_t first = 0);
/// The columns targetFrom reads, in order.
extern const char* const targetColumns;
/// "SELECT a.id, a.post_id, …": targetColumns qualified with a table alias.
std::string targetColumnsOf(const std::string& alias);

}  // namespace marketsage::publishing
