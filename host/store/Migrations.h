#pragma once
/// Versioned schema migrations for both backends. Each migration runs in its own transaction
/// (DDL is transactional on SQLite and PostgreSQL), so a failure leaves the schema as it was.

#include "store/Database.h"

#include <string>
#include <vector>

namespace marketsage::store {

struct MigrationReport {
  std::vector<std::string> applied;  ///< "1 tenants" … in the order they ran
  int currentVersion = 0;
};

/// Brings the schema to the newest version; idempotent. Several hosts may call it at once:
/// on PostgreSQL an advisory lock serialises them, on SQLite the write lock does.
MigrationReport migrate(Database& db);

/// The schema version this binary brings the database to (its newest migration).
int requiredSchemaVersion();

/// The version the database's schema is at, read only (nothing is created): 0 when no migration
/// ever ran on it.
int schemaVersion(Database& db);

}  // namespace marketsage::store
