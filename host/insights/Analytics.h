#pragma once
/// Analytics of an organization, read from its stored history (insights/SnapshotStore.h, taken by
/// insights/SnapshotTaker.h): no platform is called on this path. Which figures count for a range
/// [start, end] of days:
/// - an account: its daily rows of the days in the range; metrics of a period (reach, impressions,
///   engagement …) are summed over those days, levels (followers …, Figures.h isLevel) are the
///   value of the last day measured;
/// - a post: when it was published within the range, its latest row (the most recent age it was
///   measured at), whatever happened to the post or its connection since.
/// An account's figures are then completed by its posts' sums for every metric the account rows
/// lack, as sdk-docs/json-schemas.md ("How the host aggregates") describes.

#include "tenants/TenantStore.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace marketsage::insights {

struct Range {
  std::int64_t start = 0, end = 0;     ///< ms at 00:00Z of the first and the last day
  std::vector<std::string> platforms;  ///< empty: every platform
  std::vector<std::string> metrics;    ///< empty: every metric stored
};

class Analytics {
 public:
  /// The answer of GET /api/social-media/analytics (api/openapi.json): per platform its summary
  /// ("totalReach", "totalEngagement", "engagementRate", "topPosts", "posts", "metrics") and
  /// accounts, "totals" with "daily", "start" and "end".
  static boost::json::object report(tenants::TenantStore& tenant, const Range& range);
  /// GET /api/social-media/analytics/timeseries: `metric` (reach, impressions, engagement or
  /// followers) per day or per ISO week (`weekly`; a point's date is its Monday), every point of
  /// the range listed, with its value per platform.
  static boost::json::object timeseries(tenants::TenantStore& tenant, const Range& range, const std::string& metric,
                                        bool weekly);
  /// The client report: per platform posts published, reach, engagement and its rate, followers
  /// at the start and the end of the range; the top posts overall.
  static boost::json::object clientReport(tenants::TenantStore& tenant, const Range& range);
};

}  // namespace marketsage::insights
