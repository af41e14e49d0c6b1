#include "publishing/TargetQueue.h"

#include "core/Log.h"
#include "core/Time.h"
#include "publishing/PostStore.h"

#include <boost/json.hpp>

namespace marketsage::publishing {
namespace {


}  // namespace

TargetQueue::TargetQueue(store::Database& db, std::string owner) : db_(db), owner_(std::move(owner)) {}

std::vector<ClaimedTarget> TargetQueue::claimDue(int limit, std::int64_t leaseMillis) {
  if (limit <= 0) return {};
  const auto now = time::nowMillis();
  const bool postgres = db_.backend() == store::Backend::PostgreSQL;
  store::Transaction tx(db_);
  // On PostgreSQL the due rows are picked once, in a CTE: as an IN (subquery … LIMIT) the planner
  // may re-run the subquery per row, and with SKIP LOCKED each run finds other rows, so the LIMIT
  // would not hold. SQLite evaluates the IN list once and, holding the only write lock, needs no
  // second status check (which would make it scan every queued row instead of the listed ids).
  const std::string set =
      "SET status = $1, lease_owner = $2, lease_until = $3, attempts = attempts + 1, updated_at = $4";
  const std::string sql =
      postgres ? "WITH due AS (SELECT id FROM post_targets WHERE status = $5 AND due_at <= $4 ORDER BY due_at LIMIT $6"
                 " FOR UPDATE SKIP LOCKED) UPDATE post_targets t " + set + " FROM due WHERE t.id = due.id RETURNING t.organization_id, " +
                     targetColumnsOf("t").substr(7)
               : "UPDATE post_targets " + set + " WHERE id IN (SELECT id FROM post_targets WHERE status = $5"
                 " AND due_at <= $4 ORDER BY due_at LIMIT $6) RETURNING organization_id, " + std::string(targetColumns);
  const auto rows = tx.query(sql, {std::string(targetStatus::publishing), owner_, now + leaseMillis, now,
                                   std::string(targetStatus::queued), std::int64_t{limit}});
  std::vector<ClaimedTarget> claimed;
  for (const auto& row : rows) {
    ClaimedTarget c{row.text(0), targetFrom(row, 1)};
    recordEvent(tx, c.organizationId, c.target.postId, c.target.id, c.target.platform, "attempt",
                {{"attempt", c.target.attempts}, {"host", owner_}});
    claimed.push_back(std::move(c));
  }
  tx.commit();
  return claimed;
}

std::optional<std::int64_t> TargetQueue::nextDueAt() {
  const auto rows = db_.query("SELECT MIN(due_at) FROM post_targets WHERE status = $1", {std::string(targetStatus::queued)});
  if (rows.empty()) return std::nullopt;
  return rows.front().optionalInteger(0);
}

void TargetQueue::renewLeases(std::int64_t leaseMillis) {
  db_.execute("UPDATE post_targets SET lease_until = $1 WHERE lease_owner = $2 AND status = $3",
              {time::nowMillis() + leaseMillis, owner_, std::string(targetStatus::publishing)});
}

int TargetQueue::expireLeases() {
  const auto now = time::nowMillis();
  store::Transaction tx(db_);
  const auto rows = tx.query(
      "UPDATE post_targets SET status = $1, error = $2, error_kind = $3, updated_at = $4"
      " WHERE status = $5 AND lease_until < $4 RETURNING organization_id, post_id, id, platform, lease_owner",
      {std::string(targetStatus::needsReview),
       std::string("the host publishing this target stopped before the platform's answer was stored; check the account "
                   "before publishing it again"),
       std::string("unknown_outcome"), now, std::string(targetStatus::publishing)});
  for (const auto& row : rows) {
    recordEvent(tx, row.text(0), row.text(1), row.text(2), row.text(3), "needs_review",
                {{"reason", "lease expired"}, {"host", row.optionalText(4).value_or("")}});
  }
  tx.commit();
  for (const auto& row : rows) {
    log::warn("publish attempt of unknown outcome marked needs_review", {{"target", row.text(2)}, {"platform", row.text(3)}});
  }
  return static_cast<int>(rows.size());
}

void TargetQueue::settle(const ClaimedTarget& claimed, const Outcome& outcome) {
  const auto now = time::nowMillis();
  const bool published = outcome.status == targetStatus::published;
  store::Transaction tx(db_);
  // A needs_review mark made while we were still waiting for the platform is overridden by the
  // real outcome; a target another host took over (lease_owner changed) is not ours to write.
  const auto changed = tx.execute(
      "UPDATE post_targets SET status = $1, platform_post_id = COALESCE($2, platform_post_id), url = COALESCE($3, url),"
      " progress = COALESCE($4, progress), error = $5, error_kind = $6, published_at = $7, due_at = $8,"
      " lease_owner = NULL, lease_until = NULL, updated_at = $9"
      " WHERE id = $10 AND lease_owner = $11 AND status IN ($12, $13)",
      {outcome.status, store::nullable(outcome.platformPostId), store::nullable(outcome.url), store::nullable(outcome.progress),
       store::nullable(outcome.error), store::nullable(outcome.errorKind), published ? store::Param(now) : store::Param(nullptr),
       outcome.dueAt > 0 ? outcome.dueAt : now, now, claimed.target.id, owner_, std::string(targetStatus::publishing),
       std::string(targetStatus::needsReview)});
  if (changed == 0) {
    log::warn("a publish outcome arrived for a target no longer held", {{"target", claimed.target.id}, {"status", outcome.status}});
    return;
  }
  recordEvent(tx, claimed.organizationId, claimed.target.postId, claimed.target.id, claimed.target.platform, outcome.event,
              outcome.eventDetail);
  tx.commit();
}

void TargetQueue::deferConnection(const std::string& connectionId, std::int64_t until) {
  db_.execute("UPDATE post_targets SET due_at = $1 WHERE connection_id = $2 AND status = $3 AND due_at < $1",
              {until, connectionId, std::string(targetStatus::queued)});
}

}  // namespace marketsage::publishing
