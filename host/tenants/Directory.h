#pragma once
/// What spans organizations: the organizations themselves, authentication of an API key (which
/// tells whose organization a request belongs to), and the first SUPER_ADMIN. Everything inside
/// an organization goes through TenantStore.

#include "store/Database.h"
#include "tenants/Model.h"
#include "tenants/TenantStore.h"

#include <optional>
#include <string>
#include <vector>

namespace marketsage::tenants {

struct Bootstrap {
  Organization organization;
  User user;
  std::string apiKey;  ///< shown once by the caller, never stored
};

class Directory {
 public:
  explicit Directory(store::Database& db) : db_(db) {}

  Organization createOrganization(const std::string& name, const Actor& actor);
  std::vector<Organization> listOrganizations();
  std::optional<Organization> findOrganization(const std::string& id);
  /// The door to one organization's rows. The caller has decided that it may go through it (a
  /// request's caller checked by http::Exchange, or a maintenance job acting for the org).
  TenantStore tenant(const std::string& organizationId) { return {db_, organizationId}; }

  /// The organization a user belongs to, or nullopt when there is no such user.
  std::optional<std::string> organizationOfUser(const std::string& userId);

  /// The holder of an unrevoked key with this hash, or nullopt.
  std::optional<Principal> authenticate(const std::string& keyHash);
  /// Records use of a key; callers throttle it (it is a write).
  void touchKey(const std::string& keyId, std::int64_t when);

  /// Creates an organization, its SUPER_ADMIN and that user's first key, all or nothing.
  /// Throws Problem 409 when a SUPER_ADMIN exists already.
  Bootstrap bootstrap(const std::string& organizationName, const std::string& email);
  /// A new key for an existing SUPER_ADMIN (the one with `email`, which may be omitted when there
  /// is exactly one), audited as issued from the command line. Throws Problem 404/409 otherwise.
  Bootstrap recoverSuperAdmin(const std::optional<std::string>& email);

 private:
  Organization insertOrganization(store::Transaction& tx, const std::string& name, const Actor& actor);

  store::Database& db_;
};

}  // namespace marketsage::tenants
