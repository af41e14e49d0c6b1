#include "publishing/TargetQueue.h"

#include "connections/ConnectionView.h"
#include "core/Log.h"
#include "core/Time.h"
#include "publishing/PostStore.h"
#include "publishing/PostView.h"
#include "webhooks/Outbox.h"

#include <boost/json.hpp>

#include <set>

namespace marketsage::publishing {
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
      "SET status = $1, lease_owner = $2, lease_until = $3, attempts = attempts + 1, updated_at = $4, "
      "attempt_started_at = $4,"
      " reconcile_after = NULL";
  const std::string sql =
      postgres
          ? "WITH due AS (SELECT id FROM post_targets WHERE status = $5 AND due_at <= $4 ORDER BY due_at LIMIT $6"
            " FOR UPDATE SKIP LOCKED) UPDATE post_targets t " +
                set + " FROM due WHERE t.id = due.id RETURNING t.organization_id, " + targetColumnsOf("t").substr(7)
          : "UPDATE post_targets " + set +
                " WHERE id IN (SELECT id FROM post_targets WHERE status = $5"
                " AND due_at <= $4 ORDER BY due_at LIMIT $6) RETURNING organization_id, " +
                std::string(targetColumns);
  const auto rows = tx.query(sql, {std::string(targetStatus::publishing), owner_, now + leaseMillis, now,
                                   std::string(targetStatus::queued), std::int64_t{limit}});
  std::vector<ClaimedTarget> claimed;
  std::vector<NewEvent> events;
  for (const auto& row : rows) {
    ClaimedTarget c{row.text(0), targetFrom(row, 1)};
    events.push_back({c.organizationId,
                      c.target.postId,
                      c.target.id,
                      c.target.platform,
                      "attempt",
                      {{"attempt", c.target.attempts}, {"host", owner_}}});
    claimed.push_back(std::move(c));
  }
  recordEvents(tx, events);
  tx.commit();
  return claimed;
}

std::optional<std::int64_t> TargetQueue::nextDueAt() {
  const auto rows =
      db_.query("SELECT MIN(due_at) FROM post_targets WHERE status = $1", {std::string(targetStatus::queued)});
  if (rows.empty()) return std::nullopt;
  return rows.front().optionalInteger(0);
}

void TargetQueue::renewLeases(std::int64_t leaseMillis) {
  db_.execute("UPDATE post_targets SET lease_until = $1 WHERE lease_owner = $2 AND status = $3",
              {time::nowMillis() + leaseMillis, owner_, std::string(targetStatus::publishing)});
}

void TargetQueue::heartbeat() {
  const auto now = time::nowMillis();
  if (db_.execute("UPDATE hosts SET heartbeat_at = $1 WHERE id = $2", {now, owner_}) == 0) {
    db_.execute("INSERT INTO hosts (id, started_at, heartbeat_at) VALUES ($1, $2, $2)", {owner_, now});
  }
  // Rows of hosts gone for a day are kept no longer.
  db_.execute("DELETE FROM hosts WHERE heartbeat_at < $1", {now - time::dayMillis});
}

std::vector<ClaimedTarget> TargetQueue::claimOrphans(int limit, std::int64_t leaseMillis,
                                                     std::int64_t deadAfterMillis) {
  if (limit <= 0) return {};
  const auto now = time::nowMillis();
  const bool postgres = db_.backend() == store::Backend::PostgreSQL;
  store::Transaction tx(db_);
  // Unknown outcome: publishing, due for a look (reconcile_after), and nobody alive holds it —
  // its lease ran out, or its host stopped beating, or an attempt released it for reconciling.
  const std::string orphan =
      "status = $4 AND COALESCE(reconcile_after, 0) <= $3 AND (COALESCE(lease_until, 0) < $3 OR lease_owner IN"
      " (SELECT id FROM hosts WHERE heartbeat_at < $5))";
  const std::string set = "SET lease_owner = $1, lease_until = $2, reconcile_after = NULL, updated_at = $3";
  const std::string sql =
      postgres
          ? "WITH due AS (SELECT id FROM post_targets WHERE " + orphan +
                " ORDER BY updated_at LIMIT $6 FOR UPDATE SKIP LOCKED)"
                " UPDATE post_targets t " +
                set + " FROM due WHERE t.id = due.id RETURNING t.organization_id, " + targetColumnsOf("t").substr(7)
          : "UPDATE post_targets " + set + " WHERE id IN (SELECT id FROM post_targets WHERE " + orphan +
                " ORDER BY updated_at LIMIT $6) RETURNING organization_id, " + std::string(targetColumns);
  const auto rows = tx.query(sql, {owner_, now + leaseMillis, now, std::string(targetStatus::publishing),
                                   now - deadAfterMillis, std::int64_t{limit}});
  std::vector<ClaimedTarget> claimed;
  for (const auto& row : rows) {
    ClaimedTarget c{row.text(0), targetFrom(row, 1), true};
    recordEvent(tx, c.organizationId, c.target.postId, c.target.id, c.target.platform, "reconcile", {{"host", owner_}});
    claimed.push_back(std::move(c));
  }
  tx.commit();
  return claimed;
}

int TargetQueue::adoptAllInFlight() {
  return static_cast<int>(db_.execute("UPDATE post_targets SET lease_until = 0 WHERE status = $1",
                                      {std::string(targetStatus::publishing)}));
}

void TargetQueue::settle(const std::vector<std::pair<ClaimedTarget, Outcome>>& outcomes) {
  if (outcomes.empty()) return;
  const auto now = time::nowMillis();
  std::vector<NewEvent> events;
  std::set<std::pair<std::string, std::string>> recovered;  // (organization, connection)
  store::Transaction tx(db_);
  for (const auto& [claimed, outcome] : outcomes) {
    const bool published = outcome.status == targetStatus::published;
    // A target another host took over (lease_owner changed) is not ours to write. An outcome that
    // stays "publishing" (unknown: to reconcile) releases the lease so the reconciler may claim it.
    const auto changed = tx.execute(
        "UPDATE post_targets SET status = $1, platform_post_id = COALESCE($2, platform_post_id), url = COALESCE($3, "
        "url),"
        " progress = COALESCE($4, progress), error = $5, error_kind = $6, published_at = $7, due_at = $8,"
        " lease_owner = NULL, lease_until = NULL, updated_at = $9, reconcile_after = $12,"
        " attempts = attempts - $13"
        " WHERE id = $10 AND lease_owner = $11 AND status = $14",
        {outcome.status, store::nullable(outcome.platformPostId), store::nullable(outcome.url),
         store::nullable(outcome.progress), store::nullable(outcome.error), store::nullable(outcome.errorKind),
         published ? store::Param(now) : store::Param(nullptr), outcome.dueAt > 0 ? outcome.dueAt : now, now,
         claimed.target.id, owner_, store::nullable(outcome.reconcileAfter), std::int64_t{outcome.uncounted ? 1 : 0},
         std::string(targetStatus::publishing)});
    if (changed == 0) {
      log::warn("a publish outcome arrived for a target no longer held",
                {{"target", claimed.target.id}, {"status", outcome.status}});
      continue;
    }
    events.push_back({claimed.organizationId, claimed.target.postId, claimed.target.id, claimed.target.platform,
                      outcome.event, outcome.eventDetail});
    if (outcome.status == targetStatus::published || outcome.status == targetStatus::failed ||
        outcome.status == targetStatus::needsReview) {
      // The webhook event commits with the outcome (the outbox): the post as it is now.
      // (Named captures: clang 14 cannot capture a structured binding.)
      const auto& organizationId = claimed.organizationId;
      const auto& postId = claimed.target.postId;
      webhooks::enqueue(tx, organizationId, "post." + outcome.status, [&tx, &organizationId, &postId] {
        const auto post = readPostWithTargets(tx, organizationId, postId);
        return post ? postView(*post) : boost::json::object{{"id", postId}};
      });
    }
    if (outcome.platformError) monitoring::ErrorLog::record(tx, claimed.organizationId, *outcome.platformError);
    if (published) recovered.emplace(claimed.organizationId, claimed.target.connectionId);
  }
  recordEvents(tx, events);
  // One statement per connection that published, however many of its posts went out.
  for (const auto& [organizationId, connectionId] : recovered)
    monitoring::ErrorLog::recover(tx, organizationId, connectionId);
  tx.commit();
}

void TargetQueue::deferConnection(const std::string& organizationId, const std::string& connectionId,
                                  std::int64_t until) {
  store::Transaction tx(db_);
  // Already throttled (a queued target waits out an earlier limit): no second event.
  const bool already =
      !tx.query(
             "SELECT 1 FROM post_targets WHERE organization_id = $1 AND connection_id = $2 AND status = $3"
             " AND error_kind = $4 AND due_at > $5 LIMIT 1",
             {organizationId, connectionId, std::string(targetStatus::queued), std::string("rate_limited"),
              time::nowMillis()})
           .empty();
  tx.execute("UPDATE post_targets SET due_at = $1 WHERE connection_id = $2 AND status = $3 AND due_at < $1",
             {until, connectionId, std::string(targetStatus::queued)});
  if (!already) {
    webhooks::enqueue(tx, organizationId, "connection.rate_limited", [&] {
      const auto rows = tx.query("SELECT " + connections::connectionColumnsOf("c") +
                                     " FROM connections c WHERE c.organization_id = $1 AND c.id = $2",
                                 {organizationId, connectionId});
      auto data = rows.empty() ? boost::json::object{{"id", connectionId}}
                               : connections::connectionView(connections::connectionFrom(rows.front()));
      data["rateLimitedUntil"] = time::formatIso8601(until);
      return data;
    });
  }
  tx.commit();
}

}  // namespace marketsage::publishing
