#include "monitoring/ErrorLog.h"

#include "core/Encoding.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Random.h"
#include "core/Time.h"

#include <algorithm>

namespace marketsage::monitoring {
namespace {

constexpr std::size_t maxMessageBytes = 500;
constexpr const char* columns =
    "id, organization_id, platform, connection_id, error_type, message, platform_code, occurrences, first_seen,"
    " last_seen, resolved, resolved_at, resolved_by";

/// One line of at most maxMessageBytes, cut on a character boundary.
std::string oneLine(const std::string& message) {
  std::string out;
  out.reserve(std::min(message.size(), maxMessageBytes));
  for (const char c : message) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  if (out.size() > maxMessageBytes) {
    std::size_t end = maxMessageBytes;
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
    out.resize(end);
  }
  return out;
}

ErrorItem itemOf(const store::Row& row) {
  ErrorItem e;
  e.id = row.text(0);
  e.organizationId = row.text(1);
  e.platform = row.text(2);
  e.connectionId = row.optionalText(3);
  e.errorType = row.text(4);
  e.message = row.text(5);
  e.platformCode = row.optionalText(6).value_or("");
  e.count = row.integer(7);
  e.firstSeen = row.integer(8);
  e.lastSeen = row.integer(9);
  e.resolved = row.integer(10) != 0;
  e.resolvedAt = row.optionalInteger(11);
  e.resolvedBy = row.optionalText(12);
  return e;
}

/// A statement of `organizationId` held to the tenant rule, inside the caller's transaction.
std::size_t scoped(store::Transaction& tx, const std::string& organizationId, const std::string& sql,
                   const std::vector<store::Param>& params) {
  tenants::ScopedDatabase::requireScope(organizationId, sql, params);
  return tx.execute(sql, params);
}

/// Runs `write` and logs instead of throwing: the error log is never why a request fails.
template <typename Write>
void quietly(const char* what, Write&& write) noexcept {
  try {
    write();
  } catch (const std::exception& e) {
    try {
      log::warn(what, {{"error", describe(e)}});
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing left to tell
    }
  }
}

std::string insertSql() {
  // The partial unique index platform_errors_open holds one open row per fold key.
  return "INSERT INTO platform_errors (id, organization_id, platform, connection_id, error_type, message,"
         " platform_code, fold_key, occurrences, first_seen, last_seen, resolved)"
         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9, 0)"
         " ON CONFLICT (organization_id, fold_key) WHERE resolved = 0 DO UPDATE SET"
         " occurrences = platform_errors.occurrences + 1, last_seen = excluded.last_seen,"
         " platform_code = excluded.platform_code";
}

std::vector<store::Param> insertParams(const std::string& organizationId, const NewError& error) {
  const auto message = oneLine(error.message);
  const auto foldKey = encoding::sha256Hex(error.connectionId.value_or("") + "\n" + error.platform + "\n" +
                                           error.errorType + "\n" + message);
  return {random::uuid(),
          organizationId,
          error.platform,
          store::nullable(error.connectionId),
          error.errorType,
          message,
          error.platformCode.empty() ? store::Param(nullptr) : store::Param(error.platformCode),
          foldKey,
          time::nowMillis()};
}

}  // namespace

std::optional<std::string> typeOf(plugins::ErrorKind kind) {
  switch (kind) {
    case plugins::ErrorKind::Ok: return std::nullopt;
    case plugins::ErrorKind::AuthExpired:
    case plugins::ErrorKind::AuthInvalid: return errorType::token;
    case plugins::ErrorKind::RateLimited: return errorType::rateLimit;
    default: return errorType::api;
  }
}

void ErrorLog::record(const NewError& error) const noexcept {
  quietly("logging a platform error failed",
          [&] { db_.execute(insertSql(), insertParams(db_.organizationId(), error)); });
}

void ErrorLog::record(store::Transaction& tx, const std::string& organizationId, const NewError& error) {
  scoped(tx, organizationId, insertSql(), insertParams(organizationId, error));
}

namespace {

constexpr const char* recoverSql =
    "UPDATE platform_errors SET resolved = 1, resolved_at = $1, resolved_by = 'recovery'"
    " WHERE organization_id = $2 AND connection_id = $3 AND resolved = 0"
    " AND error_type IN ('api', 'rate_limit', 'token')";

}  // namespace

void ErrorLog::recover(const std::string& connectionId) const noexcept {
  quietly("resolving recovered platform errors failed", [&] {
    db_.execute(recoverSql, {time::nowMillis(), db_.organizationId(), connectionId});
  });
}

void ErrorLog::recover(store::Transaction& tx, const std::string& organizationId, const std::string& connectionId) {
  scoped(tx, organizationId, recoverSql, {time::nowMillis(), organizationId, connectionId});
}

void ErrorLog::recoverToken(const std::string& connectionId) const noexcept {
  quietly("resolving recovered token errors failed", [&] {
    db_.execute(
        "UPDATE platform_errors SET resolved = 1, resolved_at = $1, resolved_by = 'recovery'"
        " WHERE organization_id = $2 AND connection_id = $3 AND resolved = 0 AND error_type = 'token'",
        {time::nowMillis(), db_.organizationId(), connectionId});
  });
}

void ErrorLog::recoverConnect(const std::string& platform,
                              const std::vector<std::string>& connectionIds) const noexcept {
  quietly("resolving platform errors after a connect failed", [&] {
    auto tx = db_.transaction();
    const auto now = time::nowMillis();
    tx.execute(
        "UPDATE platform_errors SET resolved = 1, resolved_at = $1, resolved_by = 'recovery'"
        " WHERE organization_id = $2 AND platform = $3 AND connection_id IS NULL AND resolved = 0"
        " AND error_type = 'oauth'",
        {now, db_.organizationId(), platform});
    for (const auto& id : connectionIds) {
      tx.execute(
          "UPDATE platform_errors SET resolved = 1, resolved_at = $1, resolved_by = 'recovery'"
          " WHERE organization_id = $2 AND connection_id = $3 AND resolved = 0 AND error_type IN ('oauth', 'token')",
          {now, db_.organizationId(), id});
    }
    tx.commit();
  });
}

std::vector<ErrorItem> ErrorLog::list(const Filter& filter) const {
  std::string sql = std::string("SELECT ") + columns + " FROM platform_errors WHERE organization_id = $1";
  std::vector<store::Param> params{db_.organizationId()};
  if (filter.resolved) {
    params.emplace_back(std::int64_t{*filter.resolved ? 1 : 0});
    sql += " AND resolved = $" + std::to_string(params.size());
  }
  if (filter.platform) {
    params.emplace_back(*filter.platform);
    sql += " AND platform = $" + std::to_string(params.size());
  }
  params.emplace_back(std::int64_t{filter.limit});
  sql += " ORDER BY last_seen DESC, id DESC LIMIT $" + std::to_string(params.size());
  std::vector<ErrorItem> out;
  for (const auto& row : db_.query(sql, params)) out.push_back(itemOf(row));
  return out;
}

std::vector<ErrorItem> ErrorLog::open() const {
  std::vector<ErrorItem> out;
  for (const auto& row :
       db_.query(std::string("SELECT ") + columns +
                     " FROM platform_errors WHERE organization_id = $1 AND resolved = 0 AND connection_id IS NOT NULL"
                     " ORDER BY last_seen DESC, id DESC LIMIT 1000",
                 {db_.organizationId()})) {
    out.push_back(itemOf(row));
  }
  return out;
}

std::optional<ErrorItem> ErrorLog::find(const std::string& id) const {
  const auto rows =
      db_.query(std::string("SELECT ") + columns + " FROM platform_errors WHERE organization_id = $1 AND id = $2",
                {db_.organizationId(), id});
  if (rows.empty()) return std::nullopt;
  return itemOf(rows.front());
}

std::optional<ErrorItem> ErrorLog::resolve(const std::string& id, const std::string& by) const {
  db_.execute(
      "UPDATE platform_errors SET resolved = 1, resolved_at = $1, resolved_by = $2"
      " WHERE organization_id = $3 AND id = $4 AND resolved = 0",
      {time::nowMillis(), by, db_.organizationId(), id});
  return find(id);
}

}  // namespace marketsage::monitoring
