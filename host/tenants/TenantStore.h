#pragma once
/// The only door to an organization's rows. A TenantStore is bound to one organization when
/// Directory::tenant() makes it (for a caller already checked, or a maintenance job acting for
/// the organization), and every statement run through it or the stores built on it (connections,
/// media, posts: each takes a TenantStore) must carry that organization_id: ScopedDatabase refuses
/// any other. Writes and their audit entry commit together.

#include "store/Database.h"
#include "tenants/Model.h"
#include "tenants/ScopedDatabase.h"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace marketsage::auth {
struct NewApiKey;
}

namespace marketsage::tenants {

class TenantStore {
 public:
  const std::string& organizationId() const { return organizationId_; }
  /// The database as this organization's stores may use it: scoped to its rows.
  const ScopedDatabase& database() const { return db_; }

  std::vector<User> listUsers();
  std::optional<User> findUser(const std::string& userId);
  /// Throws Problem 409 when the email is already a member.
  User addUser(const std::string& email, auth::Role role, const Actor& actor);
  User addUser(store::Transaction& tx, const std::string& email, auth::Role role, const Actor& actor);
  /// False when no such user in this organization.
  bool changeRole(const std::string& userId, auth::Role role, const Actor& actor);
  /// Removes the user and every key of theirs. False when no such user here.
  bool removeUser(const std::string& userId, const Actor& actor);

  std::vector<ApiKeyInfo> listKeys();
  std::optional<ApiKeyInfo> findKey(const std::string& keyId);
  /// nullopt when the user is not in this organization.
  std::optional<ApiKeyInfo> createKey(const std::string& userId, const auth::NewApiKey& key, const Actor& actor);
  std::optional<ApiKeyInfo> createKey(store::Transaction& tx, const std::string& userId, const auth::NewApiKey& key,
                                      const Actor& actor);
  /// False when no such key here, or already revoked.
  bool revokeKey(const std::string& keyId, const Actor& actor);

  /// Appends to this organization's audit log inside `tx`. `detail` must hold no secret.
  void audit(store::Transaction& tx, const Actor& actor, const std::string& action, const std::string& targetType,
             const std::string& targetId, const boost::json::object& detail = {});
  /// The same in a transaction of its own, for actions whose effect is written elsewhere (a token
  /// refresh, a deletion at the platform).
  void audit(const Actor& actor, const std::string& action, const std::string& targetType, const std::string& targetId,
             const boost::json::object& detail = {});
  /// Newest first; `beforeSeq` pages backwards (0 = from the newest).
  std::vector<AuditEntry> listAudit(int limit, std::int64_t beforeSeq);

 private:
  friend class Directory;
  TenantStore(store::Database& db, std::string organizationId)
      : db_(db, organizationId), organizationId_(std::move(organizationId)) {}

  ScopedDatabase db_;
  const std::string organizationId_;
};

}  // namespace marketsage::tenants
