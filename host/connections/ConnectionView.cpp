#include "connections/ConnectionView.h"

#include "core/Time.h"

#include <boost/json.hpp>

namespace marketsage::connections {
namespace {

boost::json::value timeOrNull(const std::optional<std::int64_t>& millis) {
  return millis ? boost::json::value(time::formatIso8601(*millis)) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object connectionView(const Connection& c) {
  boost::json::array scopes;
  for (const auto& s : c.scopes) scopes.emplace_back(s);
  boost::json::error_code ec;
  auto metadata = boost::json::parse(c.metadata, ec);
  return {{"id", c.id},
          {"platform", c.platform},
          {"accountId", c.accountId},
          {"accountName", c.accountName},
          {"scopes", scopes},
          {"status", c.status},
          {"expiresAt", timeOrNull(c.expiresAt)},
          {"canRefresh", c.hasRefreshToken},  // false: "refresh" re-checks the token instead
          {"appId", c.appId.empty() ? boost::json::value(nullptr) : boost::json::value(c.appId)},
          {"lastSync", timeOrNull(c.lastSyncAt)},
          {"metadata", ec ? boost::json::value(boost::json::object{}) : metadata},
          {"createdAt", time::formatIso8601(c.createdAt)}};
}

}  // namespace marketsage::connections
