#pragma once
/// How tenancy rows look in API answers (camelCase, RFC 3339 times, never a secret).

#include "connections/Connection.h"
#include "media/MediaStore.h"
#include "monitoring/ErrorLog.h"
#include "tenants/Model.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

namespace marketsage::http {
class Exchange;
}

namespace marketsage::api {

/// The integer query parameter `name`: `fallback` when absent, 400 unless a whole number in
/// [min, max].
std::int64_t integerQuery(const http::Exchange& ex, const std::string& name, std::int64_t fallback, std::int64_t min,
                          std::int64_t max);

/// An RFC 3339 time, or null.
boost::json::value optionalTime(const std::optional<std::int64_t>& millis);

boost::json::object view(const tenants::Organization& org);
boost::json::object view(const tenants::User& user);
boost::json::object view(const tenants::ApiKeyInfo& key);
boost::json::object view(const tenants::AuditEntry& entry);
/// A connection: never a token, sealed or not.
boost::json::object view(const connections::Connection& connection);

/// A media item: where it came from and what it is, never its path on disk.
boost::json::object view(const media::MediaItem& item);

/// A platform error of the error log, with the product contract's names.
boost::json::object view(const monitoring::ErrorItem& error);

/// Serialises a list of rows as a JSON array.
template <typename Rows>
boost::json::array viewAll(const Rows& rows) {
  boost::json::array out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(view(row));
  return out;
}

}  // namespace marketsage::api
