#pragma once
/// An organization's analytics history (table analytics_snapshots, migration 9): what a platform
/// said of an account on a day, and of a published post at an age. Rows copy the account's name
/// and the post's summary, so they stay readable after the connection is removed or the post is
/// deleted at the platform; nothing here is ever deleted with them.

#include "tenants/TenantStore.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace marketsage::insights {

namespace kind {
inline constexpr const char* account = "account";
inline constexpr const char* post = "post";
}  // namespace kind

struct Snapshot {
  std::string kind;       ///< kind::account or kind::post
  std::string subjectId;  ///< the connection (account) or the post target (post)
  std::string slot;       ///< "day" (account); "0h", "1h", "1d", "7d", "30d" (post: its age)
  std::int64_t day = 0;   ///< ms at 00:00Z: the day measured (account), the day published (post)
  std::string connectionId, platform, accountId, accountName;
  std::optional<std::string> postId, platformPostId, url, summary;  ///< post rows only
  std::optional<std::int64_t> publishedAt;
  std::int64_t takenAt = 0;
  boost::json::object metrics;
};

class SnapshotStore {
 public:
  explicit SnapshotStore(tenants::TenantStore& tenant) : db_(tenant.database()) {}

  /// Writes the row, replacing the one of the same subject, slot and day.
  void put(const Snapshot& snapshot);
  /// Rows of `kindName` whose day lies in [fromDay, toDay] (ms at 00:00Z), by subject then age of
  /// the measure (oldest first). `platforms` empty: every platform.
  std::vector<Snapshot> between(const char* kindName, std::int64_t fromDay, std::int64_t toDay,
                                const std::vector<std::string>& platforms) const;
  /// When each of the subject's rows was taken: (slot, day) → taken_at.
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> takenOf(const char* kindName,
                                                                           const std::string& subjectId) const;
  /// Claims the connection for `owner` until `until` (ms) unless another owner's lease still runs
  /// at `now`.
  bool claim(const std::string& connectionId, const std::string& owner, std::int64_t now, std::int64_t until);
  void release(const std::string& connectionId, const std::string& owner);

 private:
  const tenants::ScopedDatabase& db_;
};

}  // namespace marketsage::insights
