#include "connections/ConnectionStore.h"

#include "connections/ConnectionView.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "plugins/PlatformError.h"
#include "tenants/TenantStore.h"
#include "vault/TokenVault.h"
#include "webhooks/Outbox.h"

#include <boost/json.hpp>

namespace marketsage::connections {
namespace {

using store::Param;

/// SELECT … FROM connections, in the order connectionFrom reads.
const std::string& columns() {
  static const std::string sql = "SELECT " + connectionColumnsOf("connections") + " FROM connections";
  return sql;
}

/// The connection as `tx` sees it, as the API shows it (for a webhook event written in `tx`).
boost::json::object viewIn(store::Transaction& tx, const std::string& organizationId, const std::string& id) {
  const auto rows = tx.query(columns() + " WHERE organization_id = $1 AND id = $2", {organizationId, id});
  if (rows.empty()) return {{"id", id}};
  return connectionView(connectionFrom(rows.front()));
}

std::string scopesText(const std::vector<std::string>& scopes) {
  boost::json::array out;
  for (const auto& s : scopes) out.emplace_back(s);
  return boost::json::serialize(out);
}

std::vector<std::string> scopesFrom(const std::string& text) {
  std::vector<std::string> out;
  boost::json::error_code ec;
  const auto value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return out;
  for (const auto& s : value.as_array()) {
    if (s.is_string()) out.emplace_back(s.as_string());
  }
  return out;
}

}  // namespace

std::string connectionColumnsOf(const std::string& alias) {
  const std::string a = alias + ".";
  return a + "id, " + a + "organization_id, " + a + "platform, " + a + "account_id, " + a + "account_name, " + a +
         "scopes, " + a + "status, " + a + "expires_at, " + a + "metadata, " + a + "created_at, " + a + "updated_at, " +
         a + "last_sync_at, " + a + "last_success_at, " + a + "error_count, " + a + "last_error, " + a +
         "last_error_at, CASE WHEN " + a + "refresh_token IS NULL THEN 0 ELSE 1 END, " + a + "refreshed_at, COALESCE(" +
         a + "grant_id, " + a + "id), COALESCE(" + a + "app_id, '')";
}

Connection connectionFrom(const store::Row& row, std::size_t i) {
  Connection c;
  c.id = row.text(i + 0);
  c.organizationId = row.text(i + 1);
  c.platform = row.text(i + 2);
  c.accountId = row.text(i + 3);
  c.accountName = row.text(i + 4);
  c.scopes = scopesFrom(row.text(i + 5));
  c.status = row.text(i + 6);
  c.expiresAt = row.optionalInteger(i + 7);
  c.metadata = row.text(i + 8);
  c.createdAt = row.integer(i + 9);
  c.updatedAt = row.integer(i + 10);
  c.lastSyncAt = row.optionalInteger(i + 11);
  c.lastSuccessAt = row.optionalInteger(i + 12);
  c.errorCount = row.integer(i + 13);
  c.lastError = row.optionalText(i + 14).value_or("");
  c.lastErrorAt = row.optionalInteger(i + 15);
  c.hasRefreshToken = row.integer(i + 16) != 0;
  c.refreshedAt = row.optionalInteger(i + 17);
  c.grantId = row.text(i + 18);
  c.appId = row.text(i + 19);
  return c;
}

boost::json::object accountJson(const Connection& connection) {
  boost::json::error_code ec;
  auto metadata = boost::json::parse(connection.metadata, ec);
  return {{"id", connection.accountId},
          {"name", connection.accountName},
          {"metadata", ec || !metadata.is_object() ? boost::json::value(boost::json::object{}) : metadata}};
}

ConnectionStore::ConnectionStore(tenants::TenantStore& tenant, const vault::TokenVault& vault)
    : db_(tenant.database()), tenant_(tenant), vault_(vault), organizationId_(tenant.organizationId()) {}

std::vector<Connection> ConnectionStore::list() {
  std::vector<Connection> out;
  for (const auto& row :
       db_.query(columns() + " WHERE organization_id = $1 ORDER BY platform, account_name, id", {organizationId_})) {
    out.push_back(connectionFrom(row));
  }
  return out;
}

std::optional<Connection> ConnectionStore::find(const std::string& id) {
  const auto rows = db_.query(columns() + " WHERE organization_id = $1 AND id = $2", {organizationId_, id});
  if (rows.empty()) return std::nullopt;
  return connectionFrom(rows.front());
}

Connection ConnectionStore::get(const std::string& id) {
  auto connection = find(id);
  if (!connection) throw Problem::notFound("no such connection");
  return std::move(*connection);
}

Connection ConnectionStore::upsert(const std::string& platform, const Account& account, const Tokens& tokens,
                                   const std::optional<std::string>& grantId, const std::string& appId,
                                   const tenants::Actor& actor) {
  const auto now = time::nowMillis();
  auto tx = db_.transaction();
  const auto existing =
      tx.query("SELECT id FROM connections WHERE organization_id = $1 AND platform = $2 AND account_id = $3",
               {organizationId_, platform, account.id});
  const std::string id = existing.empty() ? random::uuid() : existing.front().text(0);
  // Reconnecting moves the account to the app it was just authorized through.
  const Param appParam = appId.empty() ? Param{nullptr} : Param{appId};
  const std::string access = vault_.seal(organizationId_, id, "access_token", tokens.accessToken);
  const Param refresh = tokens.refreshToken
                            ? Param{vault_.seal(organizationId_, id, "refresh_token", *tokens.refreshToken)}
                            : Param{nullptr};
  if (existing.empty()) {
    tx.execute(
        "INSERT INTO connections (id, organization_id, platform, account_id, account_name, scopes, status, "
        "access_token,"
        " refresh_token, expires_at, metadata, connected_by, created_at, updated_at, last_sync_at, last_success_at, "
        "grant_id, app_id)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13, $13, $14, $15)",
        {id, organizationId_, platform, account.id, account.name, scopesText(tokens.scopes),
         std::string(status::active), access, refresh, store::nullable(tokens.expiresAt), account.metadata,
         actor.userId, now, store::nullable(grantId), appParam});
  } else {
    // Reconnecting the same account replaces its tokens and clears its errors: no duplicate row.
    tx.execute(
        "UPDATE connections SET account_name = $1, scopes = $2, status = $3, access_token = $4, refresh_token = $5,"
        " expires_at = $6, metadata = $7, connected_by = $8, updated_at = $9, last_sync_at = $9, last_success_at = $9,"
        " error_count = 0, last_error = NULL, last_error_at = NULL, grant_id = $10, app_id = $11"
        " WHERE organization_id = $12 AND id = $13",
        {account.name, scopesText(tokens.scopes), std::string(status::active), access, refresh,
         store::nullable(tokens.expiresAt), account.metadata, actor.userId, now, store::nullable(grantId), appParam,
         organizationId_, id});
  }
  tenant_.audit(tx, actor, existing.empty() ? "connection.connected" : "connection.reconnected", "connection", id,
                {{"platform", platform}, {"accountId", account.id}});
  webhooks::enqueue(tx, organizationId_, "connection.connected", [&] { return viewIn(tx, organizationId_, id); });
  tx.commit();
  return *find(id);
}

bool ConnectionStore::remove(const std::string& id, const tenants::Actor& actor) {
  auto tx = db_.transaction();
  const auto row = tx.query("SELECT platform, account_id FROM connections WHERE organization_id = $1 AND id = $2",
                            {organizationId_, id});
  if (row.empty()) return false;
  tx.execute("DELETE FROM connections WHERE organization_id = $1 AND id = $2", {organizationId_, id});
  tenant_.audit(tx, actor, "connection.removed", "connection", id,
                {{"platform", row.front().text(0)}, {"accountId", row.front().text(1)}});
  tx.commit();
  return true;
}

std::optional<Tokens> ConnectionStore::tokens(const std::string& id) {
  const auto rows = db_.query(
      "SELECT access_token, refresh_token, expires_at, scopes FROM connections WHERE organization_id = $1 AND id = $2",
      {organizationId_, id});
  if (rows.empty()) return std::nullopt;
  const auto& row = rows.front();
  return open(id, {row.text(0), row.optionalText(1), row.optionalInteger(2), scopesFrom(row.text(3))});
}

Tokens ConnectionStore::open(const std::string& id, const SealedTokens& sealed) {
  Tokens t;
  try {
    t.accessToken = vault_.open(organizationId_, id, "access_token", sealed.accessToken);
    if (sealed.refreshToken) t.refreshToken = vault_.open(organizationId_, id, "refresh_token", *sealed.refreshToken);
  } catch (const vault::DecryptError& e) {
    // Moved, tampered, or sealed under a key the host no longer has: this connection is dead
    // until reconnected, and says so; nothing else of the organization is affected.
    markFailed(id, status::invalid, std::string(unreadableTokens));
    throw plugins::PlatformError(plugins::ErrorKind::AuthInvalid, "", std::string(unreadableTokens));
  }
  t.expiresAt = sealed.expiresAt;
  t.scopes = sealed.scopes;
  return t;
}

void ConnectionStore::storeRefreshed(const std::string& id, const Tokens& tokens) {
  const auto now = time::nowMillis();
  const std::string access = vault_.seal(organizationId_, id, "access_token", tokens.accessToken);
  // A platform that does not rotate refresh tokens returns none: keep the one we have.
  if (tokens.refreshToken) {
    db_.execute(
        "UPDATE connections SET access_token = $1, refresh_token = $2, expires_at = $3, status = $4, updated_at = $5,"
        " last_success_at = $5, refreshed_at = $5 WHERE organization_id = $6 AND id = $7",
        {access, vault_.seal(organizationId_, id, "refresh_token", *tokens.refreshToken),
         store::nullable(tokens.expiresAt), std::string(status::active), now, organizationId_, id});
  } else {
    db_.execute(
        "UPDATE connections SET access_token = $1, expires_at = $2, status = $3, updated_at = $4, last_success_at = $4,"
        " refreshed_at = $4 WHERE organization_id = $5 AND id = $6",
        {access, store::nullable(tokens.expiresAt), std::string(status::active), now, organizationId_, id});
  }
}

int ConnectionStore::shareRefreshedGrant(const std::string& id, const Tokens& before, const Tokens& after) {
  if (!before.refreshToken) return 0;
  const auto self = find(id);
  if (!self) return 0;
  int updated = 0;
  for (const auto& row :
       db_.query("SELECT id FROM connections WHERE organization_id = $1 AND platform = $2 AND id <> $3"
                 " AND refresh_token IS NOT NULL",
                 {organizationId_, self->platform, id})) {
    const auto& sibling = row.text(0);
    const auto held = tokens(sibling);
    if (!held || held->refreshToken != before.refreshToken) continue;
    // Siblings that used the user's access token move to the new one; own tokens stay.
    Tokens next = after;
    if (held->accessToken != before.accessToken) {
      next.accessToken = held->accessToken;
      next.expiresAt = held->expiresAt;
    }
    if (!next.refreshToken) next.refreshToken = held->refreshToken;
    storeRefreshed(sibling, next);
    ++updated;
  }
  return updated;
}

void ConnectionStore::markFailed(const std::string& id, const std::string& newStatus, const std::string& error) {
  auto tx = db_.transaction();
  const auto before =
      tx.query("SELECT status FROM connections WHERE organization_id = $1 AND id = $2", {organizationId_, id});
  tx.execute(
      "UPDATE connections SET status = $1, error_count = error_count + 1, last_error = $2, last_error_at = $3, "
      "updated_at = $3"
      " WHERE organization_id = $4 AND id = $5",
      {newStatus, error, time::nowMillis(), organizationId_, id});
  // The webhook event commits with the change, and only when the status changes to a failed one.
  const bool failed = newStatus == status::expired || newStatus == status::invalid;
  if (failed && !before.empty() && before.front().text(0) != newStatus) {
    webhooks::enqueue(tx, organizationId_, "connection." + newStatus, [&] { return viewIn(tx, organizationId_, id); });
  }
  tx.commit();
}

void ConnectionStore::recordSuccess(const std::string& id) {
  // At most one write a minute per connection: under a publishing load the "last success" of a
  // busy account would otherwise be a write per post.
  const auto now = time::nowMillis();
  db_.execute(
      "UPDATE connections SET last_success_at = $1 WHERE organization_id = $2 AND id = $3"
      " AND (last_success_at IS NULL OR last_success_at < $4)",
      {now, organizationId_, id, now - 60'000});
}

bool ConnectionStore::tryLease(const std::string& grantId, const std::string& owner, std::int64_t until) {
  const auto now = time::nowMillis();
  return db_.execute(
             "INSERT INTO refresh_leases (grant_id, organization_id, owner, lease_until) VALUES ($1, $2, $3, $4)"
             " ON CONFLICT (grant_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until"
             " WHERE refresh_leases.organization_id = excluded.organization_id"
             " AND (refresh_leases.lease_until < $5 OR refresh_leases.owner = excluded.owner)",
             {grantId, organizationId_, owner, until, now}) == 1;
}

void ConnectionStore::releaseLease(const std::string& grantId, const std::string& owner) {
  db_.execute("DELETE FROM refresh_leases WHERE organization_id = $1 AND grant_id = $2 AND owner = $3",
              {organizationId_, grantId, owner});
}

std::size_t ConnectionStore::resealTokens() {
  std::size_t changed = 0;
  for (const auto& row : db_.query("SELECT id, access_token, refresh_token FROM connections WHERE organization_id = $1",
                                   {organizationId_})) {
    const auto& id = row.text(0);
    auto tx = db_.transaction();
    // Re-read inside the transaction: a refresh may have written newer tokens meanwhile.
    const auto current =
        tx.query("SELECT access_token, refresh_token FROM connections WHERE organization_id = $1 AND id = $2",
                 {organizationId_, id});
    if (current.empty()) continue;
    for (const auto& [column, index] : {std::pair<std::string, std::size_t>{"access_token", 0}, {"refresh_token", 1}}) {
      const auto sealed = current.front().optionalText(index);
      if (!sealed || vault_.isCurrent(*sealed)) continue;
      const auto clear = vault_.open(organizationId_, id, column, *sealed);
      tx.execute("UPDATE connections SET " + column + " = $1 WHERE organization_id = $2 AND id = $3",
                 {vault_.seal(organizationId_, id, column, clear), organizationId_, id});
      ++changed;
    }
    tx.commit();
  }
  return changed;
}

}  // namespace marketsage::connections
