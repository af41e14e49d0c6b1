#pragma once
/// The database as an organization's stores may use it. Every statement must name
/// organization_id and bind this organization's id; one that does not is refused before it runs
/// (std::logic_error: a programming error, which the tests meet at once). So a store cannot reach
/// another organization's rows by forgetting its WHERE. Only TenantStore hands one out.

#include "store/Database.h"

#include <string>
#include <vector>

namespace marketsage::tenants {

class ScopedDatabase {
 public:
  const std::string& organizationId() const { return organizationId_; }
  store::Backend backend() const { return db_.backend(); }

  std::vector<store::Row> query(const std::string& sql, const std::vector<store::Param>& params = {}) const;
  std::size_t execute(const std::string& sql, const std::vector<store::Param>& params = {}) const;
  /// A transaction whose statements are held to the same rule.
  store::Transaction transaction() const;

  /// Throws std::logic_error unless `sql` names organization_id and `params` bind `organizationId`.
  static void requireScope(const std::string& organizationId, const std::string& sql,
                           const std::vector<store::Param>& params);

 private:
  friend class TenantStore;
  ScopedDatabase(store::Database& db, std::string organizationId)
      : db_(db), organizationId_(std::move(organizationId)) {}

  store::Database& db_;
  std::string organizationId_;
};

}  // namespace marketsage::tenants
