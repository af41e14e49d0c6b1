#include "tenants/ScopedDatabase.h"

#include <algorithm>
#include <stdexcept>

namespace marketsage::tenants {

void ScopedDatabase::requireScope(const std::string& organizationId, const std::string& sql,
                                  const std::vector<store::Param>& params) {
  const bool bound = std::any_of(params.begin(), params.end(), [&](const store::Param& p) {
    const auto* text = std::get_if<std::string>(&p);
    return text != nullptr && *text == organizationId;
  });
  if (sql.find("organization_id") == std::string::npos || !bound) {
    throw std::logic_error("a statement on an organization's rows without its organization_id: " + sql.substr(0, 120));
  }
}

std::vector<store::Row> ScopedDatabase::query(const std::string& sql, const std::vector<store::Param>& params) const {
  requireScope(organizationId_, sql, params);
  return db_.query(sql, params);
}

std::size_t ScopedDatabase::execute(const std::string& sql, const std::vector<store::Param>& params) const {
  requireScope(organizationId_, sql, params);
  return db_.execute(sql, params);
}

store::Transaction ScopedDatabase::transaction() const {
  return store::Transaction(
      db_, [organizationId = organizationId_](const std::string& sql, const std::vector<store::Param>& params) {
        requireScope(organizationId, sql, params);
      });
}

}  // namespace marketsage::tenants
