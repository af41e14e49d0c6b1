#include "connections/RefreshSchedule.h"

#include "connections/Connection.h"

namespace marketsage::connections {

std::vector<DueRefresh> RefreshSchedule::expiringBefore(std::int64_t horizon, int limit) {
  const auto rows = db_.query(
      "SELECT organization_id, id, COALESCE(grant_id, id) FROM connections WHERE status = $1 AND refresh_token IS NOT "
      "NULL"
      " AND expires_at IS NOT NULL AND expires_at < $2 ORDER BY expires_at LIMIT $3",
      {std::string(status::active), horizon, static_cast<std::int64_t>(limit)});
  std::vector<DueRefresh> due;
  due.reserve(rows.size());
  for (const auto& row : rows) due.push_back({row.text(0), row.text(1), row.text(2)});
  return due;
}

}  // namespace marketsage::connections
