#include "FutureTargets.h"

#include "integration/Harness.h"

#include <chrono>
#include <stdexcept>

namespace bench {

long long addFutureTargets(const std::string& databaseUrl, bool postgres, long long count, long long nowMs) {
  if (count <= 0) return 0;
  const auto started = std::chrono::steady_clock::now();
  const std::string from = std::to_string(nowMs + 30LL * 24 * 3600 * 1000);
  const std::string n = std::to_string(count);
  // Both dialects: a numbers source (generate_series / a recursive CTE) joined with one template.
  const std::string numbers = postgres
                                  ? "generate_series(1, " + n + ") AS g(n)"
                                  : "(WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < " +
                                        n + ") SELECT n FROM seq) AS g";
  harness::sql(databaseUrl,
               "INSERT INTO post_targets (id, post_id, organization_id, connection_id, platform, account_id, status, "
               "due_at, attempts, updated_at) SELECT 'future-' || g.n, t.post_id, t.organization_id, t.connection_id, "
               "t.platform, t.account_id, 'queued', " +
                   from + " + g.n, 0, " + std::to_string(nowMs) + " FROM " + numbers +
                   " CROSS JOIN (SELECT * FROM post_targets LIMIT 1) AS t");
  const auto rows = harness::sql(databaseUrl, "SELECT COUNT(*) FROM post_targets WHERE id LIKE 'future-%'");
  if (rows.empty() || std::stoll(rows.at(0).at(0)) != count) throw std::runtime_error("future targets not all added");
  if (postgres) harness::sql(databaseUrl, "ANALYZE post_targets");  // plan with the real row counts
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace bench
