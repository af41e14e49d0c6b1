#include "publishing/PostStore.h"

#include "core/Time.h"
#include "publishing/PostView.h"
#include "tenants/TenantStore.h"
#include "webhooks/Outbox.h"

#include <boost/json.hpp>

#include <algorithm>

namespace marketsage::publishing {

const char* const targetColumns =
    "id, post_id, connection_id, platform, account_id, status, due_at, attempts, platform_post_id, url, progress,"
    " error, error_kind, published_at, updated_at, attempt_started_at, reconcile_after";

Target targetFrom(const store::Row& row, std::size_t i) {
  Target t;
  t.id = row.text(i + 0);
  t.postId = row.text(i + 1);
  t.connectionId = row.text(i + 2);
  t.platform = row.text(i + 3);
  t.accountId = row.text(i + 4);
  t.status = row.text(i + 5);
  t.dueAt = row.integer(i + 6);
  t.attempts = row.integer(i + 7);
  t.platformPostId = row.optionalText(i + 8);
  t.url = row.optionalText(i + 9);
  t.progress = row.optionalText(i + 10);
  t.error = row.optionalText(i + 11);
  t.errorKind = row.optionalText(i + 12);
  t.publishedAt = row.optionalInteger(i + 13);
  t.updatedAt = row.integer(i + 14);
  t.attemptStartedAt = row.optionalInteger(i + 15);
  t.reconcileAfter = row.optionalInteger(i + 16);
  return t;
}

std::string targetColumnsOf(const std::string& alias) {
  std::string out = "SELECT ";
  std::string column;
  for (const char* c = targetColumns;; ++c) {
    if (*c == ',' || *c == '\0') {
      const auto start = column.find_first_not_of(' ');
      out += (out.size() > 7 ? ", " : "") + alias + "." + column.substr(start);
      column.clear();
      if (*c == '\0') break;
    } else {
      column += *c;
    }
  }
  return out;
}

namespace {

constexpr const char* postColumns =
    "id, organization_id, content, link, media_ids, options, scheduled_at, created_by, created_at";

Post postFrom(const store::Row& row) {
  Post p;
  p.id = row.text(0);
  p.organizationId = row.text(1);
  p.content = row.text(2);
  p.link = row.optionalText(3);
  p.mediaIds = row.text(4);
  p.options = row.text(5);
  p.scheduledAt = row.optionalInteger(6);
  p.createdBy = row.optionalText(7).value_or("");
  p.createdAt = row.integer(8);
  return p;
}

/// "($1, $2), ($3, $4)" for rows = 2, perRow = 2: the VALUES of a multi-row INSERT.
std::string placeholders(std::size_t rows, std::size_t perRow) {
  std::string out;
  for (std::size_t r = 0, n = 1; r < rows; ++r) {
    out += r > 0 ? ", (" : "(";
    for (std::size_t k = 0; k < perRow; ++k, ++n) out += (k > 0 ? ", $" : "$") + std::to_string(n);
    out += ")";
  }
  return out;
}

}  // namespace

void recordEvent(store::Transaction& tx, const std::string& organizationId, const std::string& postId,
                 const std::optional<std::string>& targetId, const std::string& platform, const std::string& event,
                 const boost::json::object& detail) {
  recordEvents(tx, {{organizationId, postId, targetId, platform, event, detail}});
}

void recordEvents(store::Transaction& tx, const std::vector<NewEvent>& events) {
  // 7 parameters a row: 64 rows stay under SQLite's oldest limit of 999 parameters. Each batch
  // size is its own statement text, which the statement caches keep.
  constexpr std::size_t perStatement = 64;
  const auto now = time::nowMillis();
  for (std::size_t first = 0; first < events.size(); first += perStatement) {
    const auto count = std::min(perStatement, events.size() - first);
    std::vector<store::Param> params;
    params.reserve(count * 7);
    for (std::size_t i = first; i < first + count; ++i) {
      const auto& e = events[i];
      params.insert(params.end(), {e.organizationId, e.postId, store::nullable(e.targetId), e.platform, e.event,
                                   boost::json::serialize(e.detail), now});
    }
    tx.execute(
        "INSERT INTO post_events (organization_id, post_id, target_id, platform, event, detail, created_at) VALUES " +
            placeholders(count, 7),
        params);
  }
}

bool isSettled(const std::string& status) {
  return status != targetStatus::queued && status != targetStatus::publishing;
}

std::string overallStatus(const Post& post, std::int64_t now) {
  int queued = 0, publishing = 0, published = 0, failed = 0, review = 0, cancelled = 0, deleted = 0;
  bool dueLater = false;
  for (const auto& t : post.targets) {
    if (t.status == targetStatus::queued) {
      ++queued;
      dueLater = dueLater || (post.scheduledAt && t.dueAt > now && t.attempts == 0);
    }
    publishing += t.status == targetStatus::publishing;
    published += t.status == targetStatus::published;
    failed += t.status == targetStatus::failed;
    review += t.status == targetStatus::needsReview;
    cancelled += t.status == targetStatus::cancelled;
    deleted += t.status == targetStatus::deleted;
  }
  const int total = static_cast<int>(post.targets.size());
  if (queued == total && dueLater) return "scheduled";
  if (queued + publishing > 0) return "publishing";
  if (review > 0) return "needs_review";
  if (total > 0 && cancelled == total) return "cancelled";
  if (deleted > 0 && published == 0) return "deleted";
  if (published > 0 && failed == 0) return "published";
  if (published > 0) return "partially_published";
  return "failed";
}

PostStore::PostStore(tenants::TenantStore& tenant) : db_(tenant.database()), tenant_(tenant) {}

namespace {

/// Inside `tx`: the webhook event of a target of the post reaching `status` (published, failed,
/// needs_review), with the post as `tx` sees it.
void enqueuePostEvent(store::Transaction& tx, const std::string& organizationId, const std::string& postId,
                      const std::string& status) {
  webhooks::enqueue(tx, organizationId, "post." + status, [&] {
    const auto post = readPostWithTargets(tx, organizationId, postId);
    return post ? postView(*post) : boost::json::object{{"id", postId}};
  });
}

}  // namespace

bool PostStore::create(const Post& post, const std::optional<std::string>& idempotencyKey,
                       const std::string& requestHash, const tenants::Actor& actor) {
  auto tx = db_.transaction();
  if (idempotencyKey) {
    const auto existing = tx.query("SELECT id FROM posts WHERE organization_id = $1 AND idempotency_key = $2",
                                   {tenant_.organizationId(), *idempotencyKey});
    if (!existing.empty()) return false;
  }
  tx.execute(
      std::string("INSERT INTO posts (") + postColumns +
          ", idempotency_key, request_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      {post.id, tenant_.organizationId(), post.content, store::nullable(post.link), post.mediaIds, post.options,
       store::nullable(post.scheduledAt), actor.userId.empty() ? store::Param(nullptr) : store::Param(actor.userId),
       post.createdAt, store::nullable(idempotencyKey), requestHash});
  // Every target in one multi-row INSERT (18 parameters a row: 50 rows a statement at most).
  constexpr std::size_t perRow = 18, rowsPerStatement = 50;
  std::vector<NewEvent> events;
  for (std::size_t first = 0; first < post.targets.size(); first += rowsPerStatement) {
    const auto count = std::min(rowsPerStatement, post.targets.size() - first);
    std::vector<store::Param> params;
    params.reserve(count * perRow);
    for (std::size_t i = first; i < first + count; ++i) {
      const auto& t = post.targets[i];
      params.insert(params.end(), {t.id, post.id, t.connectionId, t.platform, t.accountId, t.status, t.dueAt,
                                   t.attempts, store::nullable(t.platformPostId), store::nullable(t.url),
                                   store::nullable(t.progress), store::nullable(t.error), store::nullable(t.errorKind),
                                   store::nullable(t.publishedAt), t.updatedAt, store::nullable(t.attemptStartedAt),
                                   store::nullable(t.reconcileAfter), tenant_.organizationId()});
      boost::json::object detail{{"status", t.status}, {"dueAt", time::formatIso8601(t.dueAt)}};
      if (t.error) detail["error"] = *t.error;
      if (t.errorKind) detail["kind"] = *t.errorKind;
      // A target refused before any attempt (validation, no plugin) is a failure from the start.
      events.push_back(
          {tenant_.organizationId(), post.id, t.id, t.platform, t.error ? "failed" : "created", std::move(detail)});
    }
    tx.execute(std::string("INSERT INTO post_targets (") + targetColumns + ", organization_id) VALUES " +
                   placeholders(count, perRow),
               params);
  }
  recordEvents(tx, events);
  tenant_.audit(tx, actor, post.scheduledAt ? "post.scheduled" : "post.created", "post", post.id,
                {{"targets", static_cast<std::int64_t>(post.targets.size())}});
  // A target refused before any attempt (the plugin's validation) is failed from the start.
  for (const auto& t : post.targets) {
    if (t.status == targetStatus::failed) enqueuePostEvent(tx, tenant_.organizationId(), post.id, t.status);
  }
  tx.commit();
  return true;
}

std::optional<std::pair<std::string, std::string>> PostStore::findByIdempotencyKey(const std::string& key,
                                                                                   std::int64_t since) {
  const auto rows = db_.query(
      "SELECT id, request_hash FROM posts WHERE organization_id = $1 AND idempotency_key = $2 AND created_at >= $3",
      {tenant_.organizationId(), key, since});
  if (rows.empty()) return std::nullopt;
  return std::make_pair(rows.front().text(0), rows.front().optionalText(1).value_or(""));
}

namespace {

/// The post with the detail asked for, read through `db` (the store's scoped database, or a
/// transaction that changed it).
template <typename Db>
std::optional<Post> readPost(Db& db, const std::string& organizationId, const std::string& id,
                             PostStore::Detail detail) {
  const auto rows =
      db.query(std::string("SELECT ") + postColumns + " FROM posts WHERE organization_id = $1 AND id = $2",
               {organizationId, id});
  if (rows.empty()) return std::nullopt;
  auto post = postFrom(rows.front());
  if (detail == PostStore::Detail::PostOnly) return post;
  for (const auto& row :
       db.query(std::string("SELECT ") + targetColumns +
                    " FROM post_targets WHERE organization_id = $1 AND post_id = $2 ORDER BY platform, id",
                {organizationId, id})) {
    post.targets.push_back(targetFrom(row));
  }
  if (detail == PostStore::Detail::TargetsAndHistory) {
    for (const auto& row : db.query("SELECT seq, target_id, platform, event, detail, created_at FROM post_events"
                                    " WHERE organization_id = $1 AND post_id = $2 ORDER BY seq LIMIT 1000",
                                    {organizationId, id})) {
      post.events.push_back({row.integer(0), row.optionalText(1), row.optionalText(2), row.text(3),
                             row.optionalText(4).value_or("{}"), row.integer(5)});
    }
  }
  return post;
}

}  // namespace

std::optional<Post> PostStore::find(const std::string& id, Detail detail) {
  return readPost(db_, tenant_.organizationId(), id, detail);
}

std::optional<Post> readPostWithTargets(store::Transaction& tx, const std::string& organizationId,
                                        const std::string& id) {
  return readPost(tx, organizationId, id, PostStore::Detail::Targets);
}

PostStore::AttemptRead PostStore::forAttempt(const std::string& targetId) {
  // The target's row is the anchor: a post or connection removed since the claim reads as NULLs.
  static const std::string sql =
      "SELECT p.id, p.organization_id, p.content, p.link, p.media_ids, p.options, p.scheduled_at, p.created_by,"
      " p.created_at, " +
      connections::connectionColumnsOf("c") +
      ", c.access_token, c.refresh_token FROM post_targets t"
      " LEFT JOIN posts p ON p.organization_id = t.organization_id AND p.id = t.post_id"
      " LEFT JOIN connections c ON c.organization_id = t.organization_id AND c.id = t.connection_id"
      " WHERE t.organization_id = $1 AND t.id = $2";
  constexpr std::size_t connectionAt = 9, sealedAt = connectionAt + connections::connectionColumnCount;
  AttemptRead read;
  const auto rows = db_.query(sql, {tenant_.organizationId(), targetId});
  if (rows.empty()) return read;
  const auto& row = rows.front();
  if (row.optionalText(0)) read.post = postFrom(row);
  if (row.optionalText(connectionAt)) {
    read.connection = connections::connectionFrom(row, connectionAt);
    read.sealed = {row.text(sealedAt), row.optionalText(sealedAt + 1), read.connection->expiresAt,
                   read.connection->scopes};
  }
  return read;
}

std::vector<Post> PostStore::list(int limit) {
  std::vector<Post> out;
  for (const auto& row : db_.query(std::string("SELECT ") + postColumns +
                                       " FROM posts WHERE organization_id = $1 ORDER BY created_at DESC, id LIMIT $2",
                                   {tenant_.organizationId(), std::int64_t{limit}})) {
    out.push_back(postFrom(row));
  }
  // One query for every listed post's targets rather than one per post.
  if (!out.empty()) {
    const auto oldest = out.back().createdAt;
    for (const auto& row : db_.query(
             targetColumnsOf("t") + " FROM post_targets t JOIN posts p ON p.id = t.post_id"
                                    " WHERE t.organization_id = $1 AND p.organization_id = $1 AND p.created_at >= $2"
                                    " ORDER BY t.platform, t.id",
             {tenant_.organizationId(), oldest})) {
      const auto target = targetFrom(row);
      for (auto& post : out)
        if (post.id == target.postId) post.targets.push_back(target);
    }
  }
  return out;
}

std::vector<Target> PostStore::publishedBetween(const std::string& connectionId, std::int64_t from, std::int64_t to,
                                                int limit) {
  std::vector<Target> out;
  for (const auto& row :
       db_.query(std::string("SELECT ") + targetColumns +
                     " FROM post_targets WHERE organization_id = $1 AND connection_id = $2 AND status = $3"
                     " AND published_at >= $4 AND published_at <= $5 ORDER BY published_at DESC LIMIT $6",
                 {tenant_.organizationId(), connectionId, std::string(targetStatus::published), from, to,
                  std::int64_t{limit}})) {
    out.push_back(targetFrom(row));
  }
  return out;
}

std::optional<std::int64_t> PostStore::rateLimitedUntil(const std::string& connectionId) {
  const auto rows = db_.query(
      "SELECT MAX(due_at) FROM post_targets WHERE organization_id = $1 AND connection_id = $2"
      " AND status = $3 AND error_kind = $4 AND due_at > $5",
      {tenant_.organizationId(), connectionId, std::string(targetStatus::queued), std::string("rate_limited"),
       time::nowMillis()});
  if (rows.empty()) return std::nullopt;
  return rows.front().optionalInteger(0);
}

int PostStore::cancelQueued(const std::string& postId, const tenants::Actor& actor) {
  auto tx = db_.transaction();
  const auto now = time::nowMillis();
  const auto rows = tx.query(
      "UPDATE post_targets SET status = $1, updated_at = $2"
      " WHERE organization_id = $3 AND post_id = $4 AND status = $5 RETURNING id, platform",
      {std::string(targetStatus::cancelled), now, tenant_.organizationId(), postId, std::string(targetStatus::queued)});
  for (const auto& row : rows)
    recordEvent(tx, tenant_.organizationId(), postId, row.text(0), row.text(1), "cancelled", {});
  if (!rows.empty())
    tenant_.audit(tx, actor, "post.cancelled", "post", postId, {{"targets", static_cast<std::int64_t>(rows.size())}});
  tx.commit();
  return static_cast<int>(rows.size());
}

int PostStore::reschedule(const std::string& postId, std::int64_t at, const tenants::Actor& actor) {
  auto tx = db_.transaction();
  const auto now = time::nowMillis();
  // attempts = 0 and a due time still ahead: a queued target the scheduler has not touched yet
  // (claiming one makes it publishing, so a target being sent right now is never moved).
  const auto rows = tx.query(
      "UPDATE post_targets SET due_at = $1, updated_at = $2"
      " WHERE organization_id = $3 AND post_id = $4 AND status = $5 AND attempts = 0 AND due_at > $2"
      " RETURNING id, platform",
      {at, now, tenant_.organizationId(), postId, std::string(targetStatus::queued)});
  if (rows.empty()) return 0;
  tx.execute("UPDATE posts SET scheduled_at = $1 WHERE organization_id = $2 AND id = $3",
             {at, tenant_.organizationId(), postId});
  for (const auto& row : rows)
    recordEvent(tx, tenant_.organizationId(), postId, row.text(0), row.text(1), "rescheduled",
                {{"scheduledTime", time::formatIso8601(at)}});
  tenant_.audit(tx, actor, "post.rescheduled", "post", postId,
                {{"targets", static_cast<std::int64_t>(rows.size())}, {"scheduledTime", time::formatIso8601(at)}});
  tx.commit();
  return static_cast<int>(rows.size());
}

bool PostStore::resolve(const std::string& postId, const std::string& targetId, const std::string& outcome,
                        const std::optional<std::string>& platformPostId, const std::optional<std::string>& url,
                        const tenants::Actor& actor) {
  const auto now = time::nowMillis();
  const std::string status = outcome == "published" ? targetStatus::published
                             : outcome == "retry"   ? targetStatus::queued
                                                    : targetStatus::failed;
  auto tx = db_.transaction();
  const auto rows = tx.query(
      "UPDATE post_targets SET status = $1, platform_post_id = COALESCE($2, platform_post_id), url = COALESCE($3, url),"
      " published_at = $4, due_at = $5, error = $6, error_kind = $7, updated_at = $5"
      " WHERE organization_id = $8 AND post_id = $9 AND id = $10 AND status = $11 RETURNING platform",
      {status, store::nullable(platformPostId), store::nullable(url),
       status == targetStatus::published ? store::Param(now) : store::Param(nullptr), now,
       status == targetStatus::failed ? store::Param(std::string("marked failed by a person after review"))
                                      : store::Param(nullptr),
       status == targetStatus::failed ? store::Param(std::string("resolved")) : store::Param(nullptr),
       tenant_.organizationId(), postId, targetId, std::string(targetStatus::needsReview)});
  if (rows.empty()) return false;
  boost::json::object detail{{"outcome", outcome}};
  if (platformPostId) detail["postId"] = *platformPostId;
  recordEvent(tx, tenant_.organizationId(), postId, targetId, rows.front().text(0), "resolved", detail);
  detail["targetId"] = targetId;
  tenant_.audit(tx, actor, "post.target_resolved", "post", postId, detail);
  if (status != targetStatus::queued) enqueuePostEvent(tx, tenant_.organizationId(), postId, status);
  tx.commit();
  return true;
}

void PostStore::markDeleted(const Target& target) {
  auto tx = db_.transaction();
  tx.execute("UPDATE post_targets SET status = $1, updated_at = $2 WHERE organization_id = $3 AND id = $4",
             {std::string(targetStatus::deleted), time::nowMillis(), tenant_.organizationId(), target.id});
  recordEvent(tx, tenant_.organizationId(), target.postId, target.id, target.platform, "deleted",
              {{"postId", target.platformPostId.value_or("")}});
  tx.commit();
}

void PostStore::markPartlyDeleted(const Target& target, const std::vector<std::string>& remaining,
                                  const std::string& error) {
  boost::json::array ids;
  for (const auto& id : remaining) ids.emplace_back(id);
  auto tx = db_.transaction();
  tx.execute("UPDATE post_targets SET progress = $1, updated_at = $2 WHERE organization_id = $3 AND id = $4",
             {boost::json::serialize(boost::json::object{{"postIds", ids}}), time::nowMillis(),
              tenant_.organizationId(), target.id});
  recordEvent(tx, tenant_.organizationId(), target.postId, target.id, target.platform, "partially_deleted",
              {{"notDeleted", ids}, {"error", error}});
  tx.commit();
}

void PostStore::addEvent(const std::string& postId, const std::optional<std::string>& targetId,
                         const std::string& platform, const std::string& event, const boost::json::object& detail) {
  auto tx = db_.transaction();
  recordEvent(tx, tenant_.organizationId(), postId, targetId, platform, event, detail);
  tx.commit();
}

}  // namespace marketsage::publishing
