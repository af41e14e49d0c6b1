#include "insights/SnapshotStore.h"

#include "core/Json.h"

#include <boost/json.hpp>

namespace marketsage::insights {
namespace {

constexpr const char* columns =
    "kind, subject_id, slot, day, connection_id, platform, account_id, account_name, post_id, platform_post_id, url,"
    " summary, published_at, taken_at, metrics";

Snapshot snapshotFrom(const store::Row& row) {
  Snapshot s;
  s.kind = row.text(0);
  s.subjectId = row.text(1);
  s.slot = row.text(2);
  s.day = row.integer(3);
  s.connectionId = row.text(4);
  s.platform = row.text(5);
  s.accountId = row.text(6);
  s.accountName = row.text(7);
  s.postId = row.optionalText(8);
  s.platformPostId = row.optionalText(9);
  s.url = row.optionalText(10);
  s.summary = row.optionalText(11);
  s.publishedAt = row.optionalInteger(12);
  s.takenAt = row.integer(13);
  boost::json::error_code ec;
  auto metrics = boost::json::parse(row.text(14), ec);
  if (!ec && metrics.is_object()) s.metrics = std::move(metrics.as_object());
  return s;
}

}  // namespace

void SnapshotStore::put(const Snapshot& s) {
  db_.execute(std::string("INSERT INTO analytics_snapshots (organization_id, ") + columns +
                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
                  " ON CONFLICT (organization_id, kind, subject_id, slot, day) DO UPDATE SET"
                  " account_name = excluded.account_name, url = excluded.url, summary = excluded.summary,"
                  " taken_at = excluded.taken_at, metrics = excluded.metrics",
              {db_.organizationId(), s.kind, s.subjectId, s.slot, s.day, s.connectionId, s.platform, s.accountId,
               s.accountName, store::nullable(s.postId), store::nullable(s.platformPostId), store::nullable(s.url),
               store::nullable(s.summary), store::nullable(s.publishedAt), s.takenAt, jsontext::write(s.metrics)});
}

std::vector<Snapshot> SnapshotStore::between(const char* kindName, std::int64_t fromDay, std::int64_t toDay,
                                             const std::vector<std::string>& platforms) const {
  std::string sql = std::string("SELECT ") + columns +
                    " FROM analytics_snapshots WHERE organization_id = $1 AND kind = $2 AND day >= $3 AND day <= $4";
  std::vector<store::Param> params{db_.organizationId(), std::string(kindName), fromDay, toDay};
  if (!platforms.empty()) {
    sql += " AND platform IN (";
    for (std::size_t i = 0; i < platforms.size(); ++i) {
      sql += (i == 0 ? "$" : ", $") + std::to_string(params.size() + 1);
      params.emplace_back(platforms[i]);
    }
    sql += ")";
  }
  sql += " ORDER BY subject_id, day, taken_at";
  std::vector<Snapshot> out;
  for (const auto& row : db_.query(sql, params)) out.push_back(snapshotFrom(row));
  return out;
}

std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> SnapshotStore::takenOf(
    const char* kindName, const std::string& subjectId) const {
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> out;
  for (const auto& row : db_.query("SELECT slot, day, taken_at FROM analytics_snapshots"
                                   " WHERE organization_id = $1 AND kind = $2 AND subject_id = $3",
                                   {db_.organizationId(), std::string(kindName), subjectId}))
    out.emplace_back(row.text(0), row.integer(1), row.integer(2));
  return out;
}

bool SnapshotStore::claim(const std::string& connectionId, const std::string& owner, std::int64_t now,
                          std::int64_t until) {
  return db_.execute(
             "INSERT INTO analytics_leases (organization_id, connection_id, owner, lease_until)"
             " VALUES ($1, $2, $3, $4) ON CONFLICT (organization_id, connection_id) DO UPDATE SET"
             " owner = excluded.owner, lease_until = excluded.lease_until"
             " WHERE analytics_leases.owner = excluded.owner OR analytics_leases.lease_until < $5",
             {db_.organizationId(), connectionId, owner, until, now}) == 1;
}

void SnapshotStore::release(const std::string& connectionId, const std::string& owner) {
  db_.execute("DELETE FROM analytics_leases WHERE organization_id = $1 AND connection_id = $2 AND owner = $3",
              {db_.organizationId(), connectionId, owner});
}

}  // namespace marketsage::insights
