#include "tenants/TenantStore.h"

#include "auth/ApiKey.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"

#include <boost/json.hpp>

namespace marketsage::tenants {
namespace {

using store::Param;

User userFrom(const store::Row& row) {
  return {row.text(0), row.text(1), row.text(2), auth::parseRole(row.text(3)).value_or(auth::Role::Guest),
          row.integer(4)};
}

ApiKeyInfo keyFrom(const store::Row& row) {
  return {row.text(0), row.text(1), row.text(2), row.integer(3), row.optionalInteger(4), row.optionalInteger(5)};
}

constexpr const char* userColumns = "SELECT id, organization_id, email, role, created_at FROM users";
constexpr const char* keyColumns = "SELECT id, user_id, prefix, created_at, last_used_at, revoked_at FROM api_keys";

}  // namespace

std::vector<User> TenantStore::listUsers() {
  std::vector<User> users;
  for (const auto& row :
       db_.query(std::string(userColumns) + " WHERE organization_id = $1 ORDER BY created_at, id", {organizationId_})) {
    users.push_back(userFrom(row));
  }
  return users;
}

std::optional<User> TenantStore::findUser(const std::string& userId) {
  const auto rows =
      db_.query(std::string(userColumns) + " WHERE organization_id = $1 AND id = $2", {organizationId_, userId});
  if (rows.empty()) return std::nullopt;
  return userFrom(rows.front());
}

User TenantStore::addUser(const std::string& email, auth::Role role, const Actor& actor) {
  auto tx = db_.transaction();
  User user = addUser(tx, email, role, actor);
  tx.commit();
  return user;
}

User TenantStore::addUser(store::Transaction& tx, const std::string& email, auth::Role role, const Actor& actor) {
  if (!tx.query("SELECT 1 FROM users WHERE organization_id = $1 AND email = $2", {organizationId_, email}).empty()) {
    throw Problem::conflict("a user with this email is already in the organization");
  }
  User user{random::uuid(), organizationId_, email, role, time::nowMillis()};
  tx.execute("INSERT INTO users (id, organization_id, email, role, created_at) VALUES ($1, $2, $3, $4, $5)",
             {user.id, organizationId_, email, std::string(auth::roleName(role)), user.createdAt});
  audit(tx, actor, "user.added", "user", user.id, {{"email", email}, {"role", auth::roleName(role)}});
  return user;
}

bool TenantStore::changeRole(const std::string& userId, auth::Role role, const Actor& actor) {
  auto tx = db_.transaction();
  const auto before =
      tx.query("SELECT role FROM users WHERE organization_id = $1 AND id = $2", {organizationId_, userId});
  if (before.empty()) return false;
  tx.execute("UPDATE users SET role = $1 WHERE organization_id = $2 AND id = $3",
             {std::string(auth::roleName(role)), organizationId_, userId});
  audit(tx, actor, "user.role_changed", "user", userId,
        {{"from", before.front().text(0)}, {"to", auth::roleName(role)}});
  tx.commit();
  return true;
}

bool TenantStore::removeUser(const std::string& userId, const Actor& actor) {
  auto tx = db_.transaction();
  const auto user =
      tx.query("SELECT email FROM users WHERE organization_id = $1 AND id = $2", {organizationId_, userId});
  if (user.empty()) return false;
  tx.execute("DELETE FROM api_keys WHERE organization_id = $1 AND user_id = $2", {organizationId_, userId});
  tx.execute("DELETE FROM users WHERE organization_id = $1 AND id = $2", {organizationId_, userId});
  audit(tx, actor, "user.removed", "user", userId, {{"email", user.front().text(0)}});
  tx.commit();
  return true;
}

std::vector<ApiKeyInfo> TenantStore::listKeys() {
  std::vector<ApiKeyInfo> keys;
  for (const auto& row :
       db_.query(std::string(keyColumns) + " WHERE organization_id = $1 ORDER BY created_at, id", {organizationId_})) {
    keys.push_back(keyFrom(row));
  }
  return keys;
}

std::optional<ApiKeyInfo> TenantStore::findKey(const std::string& keyId) {
  const auto rows =
      db_.query(std::string(keyColumns) + " WHERE organization_id = $1 AND id = $2", {organizationId_, keyId});
  if (rows.empty()) return std::nullopt;
  return keyFrom(rows.front());
}

std::optional<ApiKeyInfo> TenantStore::createKey(const std::string& userId, const auth::NewApiKey& key,
                                                 const Actor& actor) {
  auto tx = db_.transaction();
  auto created = createKey(tx, userId, key, actor);
  if (created) tx.commit();
  return created;
}

std::optional<ApiKeyInfo> TenantStore::createKey(store::Transaction& tx, const std::string& userId,
                                                 const auth::NewApiKey& key, const Actor& actor) {
  if (tx.query("SELECT 1 FROM users WHERE organization_id = $1 AND id = $2", {organizationId_, userId}).empty()) {
    return std::nullopt;
  }
  ApiKeyInfo info{random::uuid(), userId, key.prefix, time::nowMillis(), std::nullopt, std::nullopt};
  tx.execute(
      "INSERT INTO api_keys (id, organization_id, user_id, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, "
      "$6)",
      {info.id, organizationId_, userId, key.hash, key.prefix, info.createdAt});
  audit(tx, actor, "key.created", "api_key", info.id, {{"userId", userId}, {"prefix", key.prefix}});
  return info;
}

bool TenantStore::revokeKey(const std::string& keyId, const Actor& actor) {
  auto tx = db_.transaction();
  const auto changed =
      tx.execute("UPDATE api_keys SET revoked_at = $1 WHERE organization_id = $2 AND id = $3 AND revoked_at IS NULL",
                 {time::nowMillis(), organizationId_, keyId});
  if (changed == 0) return false;
  audit(tx, actor, "key.revoked", "api_key", keyId);
  tx.commit();
  return true;
}

void TenantStore::audit(store::Transaction& tx, const Actor& actor, const std::string& action,
                        const std::string& targetType, const std::string& targetId, const boost::json::object& detail) {
  auto orNull = [](const std::string& s) -> Param { return s.empty() ? Param{nullptr} : Param{s}; };
  tx.execute(
      "INSERT INTO audit_log (organization_id, actor_user_id, action, target_type, target_id, detail, remote_addr, "
      "request_id, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {organizationId_, orNull(actor.userId), action, orNull(targetType), orNull(targetId),
       boost::json::serialize(detail), orNull(actor.remoteAddr), orNull(actor.requestId), time::nowMillis()});
}

void TenantStore::audit(const Actor& actor, const std::string& action, const std::string& targetType,
                        const std::string& targetId, const boost::json::object& detail) {
  auto tx = db_.transaction();
  audit(tx, actor, action, targetType, targetId, detail);
  tx.commit();
}

std::vector<AuditEntry> TenantStore::listAudit(int limit, std::int64_t beforeSeq) {
  std::vector<AuditEntry> entries;
  const auto rows = db_.query(
      "SELECT seq, actor_user_id, action, target_type, target_id, detail, remote_addr, request_id, created_at FROM "
      "audit_log"
      " WHERE organization_id = $1 AND ($2 = 0 OR seq < $2) ORDER BY seq DESC LIMIT $3",
      {organizationId_, beforeSeq, std::int64_t{limit}});
  entries.reserve(rows.size());
  for (const auto& row : rows) {
    entries.push_back({row.integer(0), row.optionalText(1).value_or(""), row.text(2), row.optionalText(3).value_or(""),
                       row.optionalText(4).value_or(""), row.text(5), row.optionalText(6).value_or(""),
                       row.optionalText(7).value_or(""), row.integer(8)});
  }
  return entries;
}

}  // namespace marketsage::tenants
