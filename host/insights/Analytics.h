#pragma once
/// Analytics of an organization's connections: account and post metrics asked of each platform
/// through its plugin's insights calls, summed per account, per platform and overall, with the
/// posts published each day of the range.

#include "oauth/TokenRefresher.h"
#include "plugins/PluginRegistry.h"
#include "tenants/TenantStore.h"
#include "vault/TokenVault.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace marketsage::insights {

struct Range {
  std::int64_t start = 0, end = 0;     ///< ms at 00:00Z of the first and the last day
  std::vector<std::string> platforms;  ///< empty: every platform
  std::vector<std::string> metrics;    ///< empty: what each platform reports by default
};

class Analytics {
 public:
  Analytics(const vault::TokenVault& vault, const plugins::PluginRegistry& plugins, oauth::TokenRefresher& refresher)
      : vault_(vault), plugins_(plugins), refresher_(refresher) {}

  /// The answer of GET /api/social-media/analytics (api/openapi.json): per platform its summary
  /// and accounts, "totals" with "daily", "start" and "end". A platform's failure is reported on
  /// its account ("error", "postsError"), never failing the whole answer.
  boost::json::object report(tenants::TenantStore& tenant, const Range& range);

 private:
  const vault::TokenVault& vault_;
  const plugins::PluginRegistry& plugins_;
  oauth::TokenRefresher& refresher_;
};

}  // namespace marketsage::insights
