#pragma once
/// The scheduler's view of post_targets, across organizations: due targets are claimed with a
/// lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so several hosts share the work; SQLite has one
/// host), leases are renewed while the platform call runs, and every host renews a heartbeat.
/// An attempt whose outcome is unknown — no answer from the platform, or a host that died (its
/// heartbeat or lease ran out) — is never retried blindly: it is claimed for reconciliation.

#include "monitoring/ErrorLog.h"
#include "publishing/Post.h"
#include "store/Database.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace marketsage::publishing {

struct ClaimedTarget {
  std::string organizationId;
  Target target;
  bool reconcile = false;  ///< claimed to find out whether its last attempt created the post
};

/// How an attempt ended, to store.
struct Outcome {
  std::string status;  ///< a targetStatus
  std::optional<std::string> platformPostId, url, progress, error, errorKind;
  std::int64_t dueAt = 0;                      ///< for queued: when to try again
  std::optional<std::int64_t> reconcileAfter;  ///< for publishing: look the attempt up then
  bool uncounted = false;                      ///< the attempt does not count toward maxAttempts (processing)
  std::string event;                           ///< history event name
  boost::json::object eventDetail;
  /// The platform's failure of this attempt, for the error log: written with the outcome.
  std::optional<monitoring::NewError> platformError;
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
  /// Extends the leases of everything this owner is publishing, and its heartbeat.
  void renewLeases(std::int64_t leaseMillis);
  /// Records this host as alive (its row in hosts), every few seconds.
  void heartbeat();
  /// Claims up to `limit` attempts of unknown outcome that are due for reconciliation: publishing
  /// targets whose lease ran out, whose holder's heartbeat is older than `deadAfterMillis`, or
  /// that an attempt left unresolved — once their reconcile_after has passed.
  std::vector<ClaimedTarget> claimOrphans(int limit, std::int64_t leaseMillis, std::int64_t deadAfterMillis);
  /// At start with a database no other host may use (SQLite): every target still publishing was
  /// left by a previous run of this host; reconcile it now instead of after its lease.
  int adoptAllInFlight();
  /// Stores the outcomes of our attempts (except for targets taken from us meanwhile), all in
  /// one transaction with their history events.
  /// Also logs each outcome's platformError, and a published target resolves its connection's open
  /// errors (monitoring/ErrorLog), in the same transaction.
  void settle(const std::vector<std::pair<ClaimedTarget, Outcome>>& outcomes);
  /// Pushes every queued target of the connection to at least `until` (a platform rate limit);
  /// the first limit of a spell queues the connection.rate_limited webhook event with it.
  void deferConnection(const std::string& organizationId, const std::string& connectionId, std::int64_t until);

 private:
  store::Database& db_;
  const std::string owner_;
};

}  // namespace marketsage::publishing
