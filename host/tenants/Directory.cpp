#include "tenants/Directory.h"

#include "auth/ApiKey.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "tenants/TenantStore.h"

namespace marketsage::tenants {
namespace {

Organization organizationFrom(const store::Row& row) { return {row.text(0), row.text(1), row.integer(2)}; }

}  // namespace

Organization Directory::insertOrganization(store::Transaction& tx, const std::string& name, const Actor& actor) {
  Organization org{random::uuid(), name, time::nowMillis()};
  tx.execute("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)", {org.id, name, org.createdAt});
  tenant(org.id).audit(tx, actor, "organization.created", "organization", org.id, {{"name", name}});
  return org;
}

Organization Directory::createOrganization(const std::string& name, const Actor& actor) {
  store::Transaction tx(db_);
  auto org = insertOrganization(tx, name, actor);
  tx.commit();
  return org;
}

std::vector<Organization> Directory::listOrganizations() {
  std::vector<Organization> out;
  for (const auto& row : db_.query("SELECT id, name, created_at FROM organizations ORDER BY created_at, id")) {
    out.push_back(organizationFrom(row));
  }
  return out;
}

std::optional<Organization> Directory::findOrganization(const std::string& id) {
  const auto rows = db_.query("SELECT id, name, created_at FROM organizations WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return organizationFrom(rows.front());
}

std::optional<std::string> Directory::organizationOfUser(const std::string& userId) {
  const auto rows = db_.query("SELECT organization_id FROM users WHERE id = $1", {userId});
  if (rows.empty()) return std::nullopt;
  return rows.front().text(0);
}

std::optional<Principal> Directory::authenticate(const std::string& keyHash) {
  const auto rows = db_.query(
      "SELECT u.id, u.organization_id, u.email, u.role, k.id FROM api_keys k"
      " JOIN users u ON u.id = k.user_id AND u.organization_id = k.organization_id"
      " WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
      {keyHash});
  if (rows.empty()) return std::nullopt;
  const auto& row = rows.front();
  const auto role = auth::parseRole(row.text(3));
  if (!role) return std::nullopt;
  return Principal{row.text(0), row.text(1), row.text(2), *role, row.text(4)};
}

void Directory::touchKey(const std::string& keyId, std::int64_t when) {
  db_.execute("UPDATE api_keys SET last_used_at = $1 WHERE id = $2", {when, keyId});
}

Bootstrap Directory::bootstrap(const std::string& organizationName, const std::string& email) {
  store::Transaction tx(db_);
  if (!tx.query("SELECT 1 FROM users WHERE role = $1", {std::string(auth::roleName(auth::Role::SuperAdmin))}).empty()) {
    throw Problem::conflict("already bootstrapped: a SUPER_ADMIN exists; create further keys with POST /api/keys");
  }
  const Actor cli{"", "cli", ""};
  Bootstrap result;
  result.organization = insertOrganization(tx, organizationName, cli);
  TenantStore tenant(db_, result.organization.id);
  result.user = tenant.addUser(tx, email, auth::Role::SuperAdmin, cli);
  const auto key = auth::generateApiKey();
  tenant.createKey(tx, result.user.id, key, cli);
  tx.commit();
  result.apiKey = key.key;
  return result;
}

Bootstrap Directory::recoverSuperAdmin(const std::optional<std::string>& email) {
  store::Transaction tx(db_);
  const std::string role(auth::roleName(auth::Role::SuperAdmin));
  const auto rows =
      email ? tx.query("SELECT id, organization_id FROM users WHERE role = $1 AND email = $2", {role, *email})
            : tx.query("SELECT id, organization_id FROM users WHERE role = $1", {role});
  if (rows.empty()) {
    throw Problem::notFound(email ? "no SUPER_ADMIN has the email " + *email
                                  : "there is no SUPER_ADMIN yet; run admin bootstrap");
  }
  if (rows.size() > 1) throw Problem::conflict("there are several SUPER_ADMINs: name one with --email");
  const Actor cli{"", "cli", ""};
  TenantStore tenant(db_, rows.front().text(1));
  Bootstrap result;
  result.organization = *findOrganization(rows.front().text(1));
  result.user = *tenant.findUser(rows.front().text(0));
  const auto key = auth::generateApiKey();
  tenant.createKey(tx, result.user.id, key, cli);
  tenant.audit(tx, cli, "key.recovered", "user", result.user.id, {{"via", "marketsage admin recover"}});
  tx.commit();
  result.apiKey = key.key;
  return result;
}

}  // namespace marketsage::tenants
