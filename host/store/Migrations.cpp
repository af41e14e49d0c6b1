#include "store/Migrations.h"

#include "core/Errors.h"
#include "core/Log.h"
#include "core/Time.h"

#include <stdexcept>

namespace marketsage::store {
namespace {

struct Statement {
  std::string sql;
  std::string postgres;  ///< PostgreSQL spelling when it differs; empty = same as `sql`
};

struct Migration {
  int version;
  const char* name;
  std::vector<Statement> statements;
};

/// Append only: a released migration is never edited; a change is a new version.
const std::vector<Migration>& migrations() {
  static const std::string auditColumns =
      " organization_id TEXT NOT NULL REFERENCES organizations(id),"
      " actor_user_id TEXT,"
      " action TEXT NOT NULL,"
      " target_type TEXT,"
      " target_id TEXT,"
      " detail TEXT NOT NULL,"
      " remote_addr TEXT,"
      " request_id TEXT,"
      " created_at BIGINT NOT NULL)";
  static const std::string eventColumns =
      " organization_id TEXT NOT NULL,"
      " post_id TEXT NOT NULL,"
      " target_id TEXT,"
      " platform TEXT,"
      " event TEXT NOT NULL,"
      " detail TEXT,"
      " created_at BIGINT NOT NULL)";
  static const std::vector<Migration> all = {
      {1,
       "tenants, users, api keys, audit log",
       {
           {"CREATE TABLE organizations ("
            " id TEXT PRIMARY KEY,"
            " name TEXT NOT NULL,"
            " created_at BIGINT NOT NULL)",
            {}},
           {"CREATE TABLE users ("
            " id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " email TEXT NOT NULL,"
            " role TEXT NOT NULL,"
            " created_at BIGINT NOT NULL,"
            " UNIQUE (organization_id, email))",
            {}},
           {"CREATE TABLE api_keys ("
            " id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " user_id TEXT NOT NULL REFERENCES users(id),"
            " key_hash TEXT NOT NULL UNIQUE,"
            " prefix TEXT NOT NULL,"
            " created_at BIGINT NOT NULL,"
            " last_used_at BIGINT,"
            " revoked_at BIGINT)",
            {}},
           {"CREATE INDEX api_keys_by_organization ON api_keys (organization_id, user_id)", {}},
           {"CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT," + auditColumns,
            "CREATE TABLE audit_log (seq BIGSERIAL PRIMARY KEY," + auditColumns},
           {"CREATE INDEX audit_log_by_organization ON audit_log (organization_id, seq)", {}},
       }},
      {2,
       "connections, oauth states, refresh leases",
       {
           // Tokens are sealed by the vault (AES-256-GCM, bound to organization, connection and
           // field); these columns never hold clear text.
           {"CREATE TABLE connections ("
            " id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " platform TEXT NOT NULL,"
            " account_id TEXT NOT NULL,"
            " account_name TEXT NOT NULL,"
            " scopes TEXT NOT NULL,"
            " status TEXT NOT NULL,"
            " access_token TEXT NOT NULL,"
            " refresh_token TEXT,"
            " expires_at BIGINT,"
            " metadata TEXT NOT NULL,"
            " connected_by TEXT,"
            " created_at BIGINT NOT NULL,"
            " updated_at BIGINT NOT NULL,"
            " last_sync_at BIGINT,"
            " last_success_at BIGINT,"
            " refreshed_at BIGINT,"
            " error_count BIGINT NOT NULL DEFAULT 0,"
            " last_error TEXT,"
            " last_error_at BIGINT,"
            " refresh_lease_until BIGINT,"
            " refresh_lease_owner TEXT,"
            " UNIQUE (organization_id, platform, account_id))",
            {}},
           {"CREATE INDEX connections_by_expiry ON connections (status, expires_at)", {}},
           // Only the SHA-256 of a state is stored: a leaked row cannot complete a login.
           {"CREATE TABLE oauth_states ("
            " state_hash TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " user_id TEXT NOT NULL,"
            " platform TEXT NOT NULL,"
            " code_verifier TEXT NOT NULL,"
            " redirect_uri TEXT NOT NULL,"
            " created_at BIGINT NOT NULL,"
            " expires_at BIGINT NOT NULL)",
            {}},
       }},
      {3,
       "media library, posts, publishing targets and their history",
       {
           // Files live under <dataDir>/media/<organization>/; the row is the index.
           {"CREATE TABLE media ("
            " id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " kind TEXT NOT NULL,"
            " mime_type TEXT NOT NULL,"
            " size_bytes BIGINT NOT NULL,"
            " sha256 TEXT NOT NULL,"
            " file_name TEXT NOT NULL,"
            " original_name TEXT,"
            " width BIGINT,"
            " height BIGINT,"
            " alt_text TEXT,"
            " source_url TEXT,"
            " created_by TEXT,"
            " created_at BIGINT NOT NULL)",
            {}},
           {"CREATE INDEX media_by_organization ON media (organization_id, created_at)", {}},
           {"CREATE TABLE posts ("
            " id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " content TEXT NOT NULL,"
            " link TEXT,"
            " media_ids TEXT NOT NULL,"
            " options TEXT NOT NULL,"
            " scheduled_at BIGINT,"
            " created_by TEXT,"
            " created_at BIGINT NOT NULL,"
            " idempotency_key TEXT,"
            " request_hash TEXT,"
            " UNIQUE (organization_id, idempotency_key))",
            {}},
           {"CREATE INDEX posts_by_organization ON posts (organization_id, created_at)", {}},
           // One row per (post, connection). `status` moves queued -> publishing -> published |
           // failed | needs_review (or cancelled / deleted). A row is "publishing" from the moment
           // before the platform is called until its outcome is stored: one left so with an
           // expired lease is an attempt whose outcome is unknown.
           {"CREATE TABLE post_targets ("
            " id TEXT PRIMARY KEY,"
            " post_id TEXT NOT NULL REFERENCES posts(id),"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " connection_id TEXT NOT NULL,"
            " platform TEXT NOT NULL,"
            " account_id TEXT NOT NULL,"
            " status TEXT NOT NULL,"
            " due_at BIGINT NOT NULL,"
            " attempts BIGINT NOT NULL DEFAULT 0,"
            " lease_owner TEXT,"
            " lease_until BIGINT,"
            " platform_post_id TEXT,"
            " url TEXT,"
            " progress TEXT,"
            " error TEXT,"
            " error_kind TEXT,"
            " published_at BIGINT,"
            " updated_at BIGINT NOT NULL)",
            {}},
           {"CREATE INDEX post_targets_due ON post_targets (status, due_at)", {}},
           {"CREATE INDEX post_targets_by_post ON post_targets (post_id)", {}},
           {"CREATE INDEX post_targets_by_connection ON post_targets (connection_id, status)", {}},
           {"CREATE TABLE post_events (seq INTEGER PRIMARY KEY AUTOINCREMENT," + eventColumns,
            "CREATE TABLE post_events (seq BIGSERIAL PRIMARY KEY," + eventColumns},
           {"CREATE INDEX post_events_by_post ON post_events (post_id, seq)", {}},
           {"CREATE INDEX post_events_by_organization ON post_events (organization_id, seq)", {}},
       }},
      {4,
       "oauth flows bound to the browser that starts them; refresh single-flight per grant",
       {
           // binding_hash: SHA-256 of the cookie the starting browser holds (RFC 9700 4.7.1).
           // start_hash: SHA-256 of a single-use host link that binds a browser, then sends it on
           // to the sealed authorize_url (for callers that get the URL as JSON).
           {"ALTER TABLE oauth_states ADD COLUMN binding_hash TEXT", {}},
           {"ALTER TABLE oauth_states ADD COLUMN start_hash TEXT", {}},
           {"ALTER TABLE oauth_states ADD COLUMN start_expires_at BIGINT", {}},
           {"ALTER TABLE oauth_states ADD COLUMN authorize_url TEXT", {}},
           {"CREATE INDEX oauth_states_by_start ON oauth_states (start_hash)", {}},
           // Accounts reached through one user's grant share its refresh token: their refreshes
           // are single-flight per grant (refresh_leases), not per connection row.
           {"ALTER TABLE connections ADD COLUMN grant_id TEXT", {}},
           {"ALTER TABLE connections DROP COLUMN refresh_lease_until", {}},
           {"ALTER TABLE connections DROP COLUMN refresh_lease_owner", {}},
           {"CREATE TABLE refresh_leases ("
            " grant_id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " owner TEXT NOT NULL,"
            " lease_until BIGINT NOT NULL)",
            {}},
       }},
      {5,
       "reconciling attempts of unknown outcome; host heartbeats",
       {
           // attempt_started_at: when the last attempt began (what reconcile asks the platform
           // about). reconcile_after: an attempt of unknown outcome is looked up at the platform
           // no earlier than this (a request cut off on our side may still land a moment later).
           {"ALTER TABLE post_targets ADD COLUMN attempt_started_at BIGINT", {}},
           {"ALTER TABLE post_targets ADD COLUMN reconcile_after BIGINT", {}},
           {"CREATE INDEX post_targets_in_flight ON post_targets (status, lease_until)", {}},
           // Every serving host renews its row every few seconds: a target leased by a host whose
           // row went quiet is an orphan, reconciled without waiting for its lease.
           {"CREATE TABLE hosts ("
            " id TEXT PRIMARY KEY,"
            " started_at BIGINT NOT NULL,"
            " heartbeat_at BIGINT NOT NULL)",
            {}},
       }},
      {6,
       "media bytes in the database on PostgreSQL; the connection list in index order",
       {
           // PostgreSQL keeps each item's bytes as a large object, so that every host reaches them;
           // an oid column (not bigint) is what vacuumlo and the lo tools recognise as a reference.
           // SQLite keeps files under <dataDir>/media and leaves the column NULL.
           {"ALTER TABLE media ADD COLUMN content_oid BIGINT", "ALTER TABLE media ADD COLUMN content_oid OID"},
           // GET /connections reads an organization's rows in this order: without the index every
           // request sorted them (7% of the route's CPU in bench/http-read).
           {"CREATE INDEX connections_listed ON connections (organization_id, platform, account_name, id)", {}},
       }},
      {7,
       "each organization's own platform apps",
       {
           // A row is never changed once written: registering another app retires the current one,
           // which stays while connections made with it still refresh through it. The secret is
           // sealed by the vault (organization, app id, "client_secret"); `fields` holds the
           // app's other, non-secret settings as the API names them.
           {"CREATE TABLE platform_apps ("
            " id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " platform TEXT NOT NULL,"
            " client_id TEXT NOT NULL,"
            " client_secret TEXT,"
            " fields TEXT NOT NULL,"
            " created_by TEXT,"
            " created_at BIGINT NOT NULL,"
            " retired_at BIGINT)",
            {}},
           {"CREATE UNIQUE INDEX platform_apps_current ON platform_apps (organization_id, platform)"
            " WHERE retired_at IS NULL",
            {}},
           // NULL: the instance's app (the plugin's settings).
           {"ALTER TABLE connections ADD COLUMN app_id TEXT", {}},
           {"ALTER TABLE oauth_states ADD COLUMN app_id TEXT", {}},
       }},
      {8,
       "webhook endpoints and their deliveries (the outbox)",
       {
           // secret: the signing secret sealed by the vault (bound to organization and webhook id),
           // never clear text. events: a JSON array of event names. enabled: 1 or 0.
           {"CREATE TABLE webhooks ("
            " id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " url TEXT NOT NULL,"
            " events TEXT NOT NULL,"
            " description TEXT,"
            " secret TEXT NOT NULL,"
            " enabled BIGINT NOT NULL,"
            " disabled_reason TEXT,"
            " failed_in_row BIGINT NOT NULL DEFAULT 0,"
            " created_at BIGINT NOT NULL)",
            {}},
           {"CREATE INDEX webhooks_by_organization ON webhooks (organization_id, created_at)", {}},
           // One row per event and endpoint, written in the transaction of the state change it
           // tells about; the deliverer claims due rows with a lease (several hosts share them).
           {"CREATE TABLE webhook_deliveries ("
            " id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " webhook_id TEXT NOT NULL,"
            " event_id TEXT NOT NULL,"
            " type TEXT NOT NULL,"
            " payload TEXT NOT NULL,"
            " status TEXT NOT NULL,"
            " attempts BIGINT NOT NULL DEFAULT 0,"
            " last_status BIGINT,"
            " last_error TEXT,"
            " next_attempt_at BIGINT,"
            " lease_owner TEXT,"
            " lease_until BIGINT,"
            " created_at BIGINT NOT NULL,"
            " updated_at BIGINT NOT NULL)",
            {}},
           {"CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)", {}},
           {"CREATE INDEX webhook_deliveries_listed ON webhook_deliveries (organization_id, webhook_id, created_at)",
            {}},
       }},
      {9,
       "analytics history: account and post snapshots, refresh leases",
       {
           // One row per account and day (slot "day", taken again until the day has ended) and per
           // published post target and age (slots "0h", "1h", "1d", "7d", "30d"). The account's
           // name, the post's summary and URL are copied in, and nothing references connections
           // or posts: the history outlives a removed connection or a post deleted at the platform.
           {"CREATE TABLE analytics_snapshots ("
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " kind TEXT NOT NULL,"
            " subject_id TEXT NOT NULL,"
            " slot TEXT NOT NULL,"
            " day BIGINT NOT NULL,"
            " connection_id TEXT NOT NULL,"
            " platform TEXT NOT NULL,"
            " account_id TEXT NOT NULL,"
            " account_name TEXT NOT NULL,"
            " post_id TEXT,"
            " platform_post_id TEXT,"
            " url TEXT,"
            " summary TEXT,"
            " published_at BIGINT,"
            " taken_at BIGINT NOT NULL,"
            " metrics TEXT NOT NULL,"
            " PRIMARY KEY (organization_id, kind, subject_id, slot, day))",
            {}},
           // The read path: an organization's rows of one kind over a range of days.
           {"CREATE INDEX analytics_snapshots_by_day ON analytics_snapshots (organization_id, kind, day)", {}},
           // One host at a time measures a connection (PostgreSQL hosts share the work).
           {"CREATE TABLE analytics_leases ("
            " organization_id TEXT NOT NULL,"
            " connection_id TEXT NOT NULL,"
            " owner TEXT NOT NULL,"
            " lease_until BIGINT NOT NULL,"
            " PRIMARY KEY (organization_id, connection_id))",
            {}},
       }},
      {10,
       "the platform error log",
       {
           // One row per error; while it is open (resolved = 0) the same error of a connection
           // folds into it (fold_key: connection, platform, type and message), counted.
           {"CREATE TABLE platform_errors ("
            " id TEXT PRIMARY KEY,"
            " organization_id TEXT NOT NULL REFERENCES organizations(id),"
            " platform TEXT NOT NULL,"
            " connection_id TEXT,"
            " error_type TEXT NOT NULL,"
            " message TEXT NOT NULL,"
            " platform_code TEXT,"
            " fold_key TEXT NOT NULL,"
            " occurrences BIGINT NOT NULL,"
            " first_seen BIGINT NOT NULL,"
            " last_seen BIGINT NOT NULL,"
            " resolved BIGINT NOT NULL,"
            " resolved_at BIGINT,"
            " resolved_by TEXT)",
            {}},
           {"CREATE UNIQUE INDEX platform_errors_open ON platform_errors (organization_id, fold_key) WHERE resolved = "
            "0",
            {}},
           {"CREATE INDEX platform_errors_listed ON platform_errors (organization_id, last_seen)", {}},
           {"CREATE INDEX platform_errors_of_connection ON platform_errors (organization_id, connection_id, resolved)",
            {}},
       }},
      {11,
       "apps registered on one server of a platform with many (Mastodon instances)",
       {
           // '' for the platform's one server; otherwise the server's base URL. An organization has
           // one current app per platform and server.
           {"ALTER TABLE platform_apps ADD COLUMN instance TEXT NOT NULL DEFAULT ''", {}},
           {"DROP INDEX platform_apps_current", {}},
           {"CREATE UNIQUE INDEX platform_apps_current ON platform_apps (organization_id, platform, instance)"
            " WHERE retired_at IS NULL",
            {}},
       }},
  };
  return all;
}

int currentVersion(Transaction& tx) {
  const auto rows = tx.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return rows.empty() ? 0 : static_cast<int>(rows.front().integer(0));
}

}  // namespace

MigrationReport migrate(Database& db) {
  db.execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version BIGINT PRIMARY KEY,"
      " name TEXT NOT NULL,"
      " applied_at BIGINT NOT NULL)");
  MigrationReport report;
  for (const auto& migration : migrations()) {
    Transaction tx(db);
    // Hosts starting together on one PostgreSQL take turns; the lock ends with the transaction.
    if (db.backend() == Backend::PostgreSQL) tx.query("SELECT pg_advisory_xact_lock(7270001)");
    if (currentVersion(tx) >= migration.version) continue;
    try {
      for (const auto& statement : migration.statements) {
        const bool postgresSpelling = db.backend() == Backend::PostgreSQL && !statement.postgres.empty();
        tx.execute(postgresSpelling ? statement.postgres : statement.sql);
      }
      tx.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                 {std::int64_t{migration.version}, std::string(migration.name), time::nowMillis()});
      tx.commit();
    } catch (const std::exception& e) {
      throw std::runtime_error("migration " + std::to_string(migration.version) + " (" + migration.name +
                               ") failed and was rolled back: " + describe(e));
    }
    report.applied.push_back(std::to_string(migration.version) + " " + migration.name);
    log::info("schema migrated", {{"version", std::to_string(migration.version)}, {"name", migration.name}});
  }
  report.currentVersion = requiredSchemaVersion();
  return report;
}

int requiredSchemaVersion() { return migrations().empty() ? 0 : migrations().back().version; }

int schemaVersion(Database& db) {
  const auto tables =
      db.query(db.backend() == Backend::PostgreSQL
                   ? "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()"
                     " AND tablename = 'schema_migrations'"
                   : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (tables.empty() || tables.front().integer(0) == 0) return 0;
  const auto rows = db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return rows.empty() ? 0 : static_cast<int>(rows.front().integer(0));
}

}  // namespace marketsage::store
