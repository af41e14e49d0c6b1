#pragma once
/// How tenancy rows look in API answers (camelCase, RFC 3339 times, never a secret).

#include "tenants/Model.h"

#include <boost/json/object.hpp>

namespace marketsage::api {

boost::json::object view(const tenants::Organization& org);
boost::json::object view(const tenants::User& user);
boost::json::object view(const tenants::ApiKeyInfo& key);
boost::json::object view(const tenants::AuditEntry& entry);

/// Serialises a list of rows as a JSON array.
template <typename Rows>
boost::json::array viewAll(const Rows& rows) {
  boost::json::array out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(view(row));
  return out;
}

}  // namespace marketsage::api
