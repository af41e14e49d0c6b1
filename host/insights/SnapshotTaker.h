#pragma once
/// Takes the analytics history (insights/SnapshotStore.h): for every active connection whose
/// plugin has insights, the account's figures of each day (account_insights, start = end = that
/// day) and each published post's figures at ages 0 h, 1 h, 1 day, 7 days and 30 days
/// (post_insights). A background thread takes what is due every analytics.refreshIntervalSeconds;
/// POST /api/social-media/analytics/refresh takes it now for one organization. Hosts sharing a
/// PostgreSQL database split the work: a connection is measured under a lease row.
/// Platform limits: calls to one platform are paced (analytics.paceMillis apart in this host), and
/// a RateLimited answer stops that platform's calls until its Retry-After (60 s when unknown).

#include "core/PeriodicTask.h"
#include "oauth/TokenRefresher.h"
#include "plugins/PluginRegistry.h"
#include "store/Database.h"
#include "tenants/Directory.h"
#include "tenants/TenantStore.h"
#include "vault/TokenVault.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace marketsage::insights {

struct HistoryOptions {
  int refreshIntervalSeconds = 300;  ///< background pass; 0 = off
  int accountRefreshSeconds = 3600;  ///< today's account figures are taken again after this long
  int backfillDays = 0;              ///< days before today asked for when their row is missing
  int paceMillis = 200;              ///< least time between two calls to one platform (this host)
  int leaseSeconds = 120;            ///< a connection being measured is another host's for this long
};

/// What a pass took.
struct PassCounts {
  int connections = 0;                   ///< connections measured
  int accounts = 0;                      ///< account rows written
  int posts = 0;                         ///< post rows written
  int failed = 0;                        ///< calls that failed (logged)
  std::vector<std::string> rateLimited;  ///< platforms stopped by a rate limit, not measured now
};

class SnapshotTaker {
 public:
  SnapshotTaker(store::Database& db, tenants::Directory& directory, const vault::TokenVault& vault,
                const plugins::PluginRegistry& plugins, oauth::TokenRefresher& refresher, HistoryOptions options);
  ~SnapshotTaker();
  SnapshotTaker(const SnapshotTaker&) = delete;
  SnapshotTaker& operator=(const SnapshotTaker&) = delete;

  /// Takes what is due for the organization. `force`: today's account figures and each post's
  /// current age are taken again even when fresh. [thread-safe]
  PassCounts refresh(tenants::TenantStore& tenant, bool force);
  /// refresh() for every organization with an active connection.
  PassCounts refreshAll();
  void start();
  void stop();

 private:
  void measure(tenants::TenantStore& tenant, const connections::Connection& c, const plugins::Plugin& plugin,
               bool force, PassCounts& counts);
  /// True while a rate limit stops the platform's calls.
  bool blocked(const std::string& platform);
  /// Waits for the platform's pace; false (no call) while a rate limit stops the platform.
  bool pace(const std::string& platform);
  /// Notes a failed call: a rate limit stops the platform until its Retry-After.
  void failed(const std::string& platform, plugins::ErrorKind kind, int retryAfterSeconds, const std::string& reason,
              PassCounts& counts);

  store::Database& db_;
  tenants::Directory& directory_;
  const vault::TokenVault& vault_;
  const plugins::PluginRegistry& plugins_;
  oauth::TokenRefresher& refresher_;
  const HistoryOptions options_;
  const std::string owner_;  ///< this host's lease identity

  struct Platform {
    std::chrono::steady_clock::time_point nextCall{}, blockedUntil{};
  };
  std::mutex platformsMutex_;
  std::map<std::string, Platform> platforms_;

  PeriodicTask background_;  // last: stops before the members its passes use go away
};

}  // namespace marketsage::insights
