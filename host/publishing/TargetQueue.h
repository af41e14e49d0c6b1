#pragma once
/// The scheduler's view of post_targets, across organizations: due targets are claimed with a
/// lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so several hosts share the work; SQLite has one
/// writer at a time anyway), leases are renewed while the platform call runs, and a lease that
/// runs out marks an attempt whose outcome is unknown — never retried blindly.

#include "publishing/Post.h"
#include "store/Database.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::publishing {

struct ClaimedTarget {
  std::string organizationId;
  Target target;
};

/// How an attempt ended, to store.
struct Outcome {
  std::string status;  ///< a targetStatus
  std::optional<std::string> platformPostId, url, progress, error, errorKind;
  std::int64_t dueAt = 0;  ///< for queued: when to try again
  std::string event;       ///< history event name
  boost::json::object eventDetail;
};

class TargetQueue {
 public:
  TargetQueue(store::Database& db, std::string owner);
  const std::string& owner() const { return owner_; }

  /// Claims up to `limit` queued targets due now: status publishing, attempts + 1, leased to this
  /// owner until now + leaseMillis. The row says "publishing" before the platform is called.
  std::vector<ClaimedTarget> claimDue(int limit, std::int64_t leaseMillis);
  /// Earliest due time of a queued target, if any.
  std::optional<std::int64_t> nextDueAt();
  /// Extends the leases of everything this owner is publishing.
  void renewLeases(std::int64_t leaseMillis);
  /// Targets left "publishing" by a holder that stopped renewing (a crash): marked needs_review.
  int expireLeases();
  /// Stores the outcome of our attempt (unless the target was taken from us meanwhile).
  void settle(const ClaimedTarget& claimed, const Outcome& outcome);
  /// Pushes every queued target of the connection to at least `until` (a platform rate limit).
  void deferConnection(const std::string& connectionId, std::int64_t until);

 private:
  store::Database& db_;
  const std::string owner_;
};

}  // namespace marketsage::publishing
