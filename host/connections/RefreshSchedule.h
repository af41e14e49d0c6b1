#pragma once
/// Maintenance across organizations: which connections' tokens the background pass refreshes
/// next. It reads ids only; each refresh itself goes through the organization's own store.

#include "store/Database.h"

#include <cstdint>
#include <string>
#include <vector>

namespace marketsage::connections {

struct DueRefresh {
  std::string organizationId;
  std::string connectionId;
  std::string grantId;  ///< the grant whose refresh token the connection uses (its own id when none)
};

class RefreshSchedule {
 public:
  explicit RefreshSchedule(store::Database& db) : db_(db) {}

  /// Active connections with a refresh token whose access token expires before `horizon` (ms),
  /// soonest first, at most `limit`.
  std::vector<DueRefresh> expiringBefore(std::int64_t horizon, int limit);

 private:
  store::Database& db_;
};

}  // namespace marketsage::connections
