#include "store/Database.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Data/Statement.h>
#include <Poco/URI.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include <cctype>
#include <mutex>
#include <stdexcept>

namespace marketsage::store {
namespace {

using namespace Poco::Data::Keywords;

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    // SQLite's allocation statistics take a global mutex on every malloc: with dozens of request
    // threads that lock is the bottleneck. Must run before SQLite initialises.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

/// libpq keyword values are quoted so that spaces and quotes in a password survive.
std::string keywordValue(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

/// Poco's PostgreSQL connector takes libpq's "key=value" form, not a URL.
std::string postgresKeywords(const std::string& url) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw std::runtime_error("DATABASE_URL is not a valid postgresql:// URL");
  }
  std::string out = "host=" + keywordValue(uri.getHost().empty() ? "127.0.0.1" : uri.getHost());
  out += " port=" + std::to_string(uri.getPort() == 0 ? 5432 : uri.getPort());
  const std::string& userInfo = uri.getUserInfo();
  if (!userInfo.empty()) {
    const auto colon = userInfo.find(':');
    std::string user, password;
    Poco::URI::decode(userInfo.substr(0, colon), user);
    out += " user=" + keywordValue(user);
    if (colon != std::string::npos) {
      Poco::URI::decode(userInfo.substr(colon + 1), password);
      out += " password=" + keywordValue(password);
    }
  }
  std::string path = uri.getPath();
  if (path.size() > 1) out += " dbname=" + keywordValue(path.substr(1));
  for (const auto& [key, value] : uri.getQueryParameters()) out += " " + key + "=" + keywordValue(value);
  out += " connect_timeout=5";
  return out;
}

/// Binds each parameter by value (Poco refuses references to const).
void bindAll(Poco::Data::Statement& statement, const std::vector<Param>& params) {
  for (const auto& param : params) {
    if (const auto* text = std::get_if<std::string>(&param)) {
      statement.addBind(bind(*text));
    } else if (const auto* number = std::get_if<std::int64_t>(&param)) {
      statement.addBind(bind(static_cast<Poco::Int64>(*number)));
    } else {
      statement.addBind(bind(Poco::Nullable<std::string>()));
    }
  }
}

}  // namespace

/// The SQL dialect's $1, $2 … as SQLite's ?1, ?2 …: SQLite reads "$12" as a *named* parameter and
/// numbers named ones in order of first appearance, where PostgreSQL binds $12 to the 12th
/// value wherever it stands. With ?NNN both bind by the number written. Quoted text is left as is.
std::string sqliteParameters(const std::string& sql) {
  std::string out;
  out.reserve(sql.size());
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    const bool parameter =
        !quoted && c == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]));
    out += parameter ? '?' : c;
  }
  return out;
}

/// Prepared statements by connection and SQL text. A pooled session is used by one thread at a
/// time, so only the map needs the lock; statements are finalized before the pool closes.
struct Database::StatementCache {
  std::mutex mutex;
  std::unordered_map<sqlite3*, std::unordered_map<std::string, sqlite3_stmt*>> byConnection;

  sqlite3_stmt* get(sqlite3* db, const std::string& sql) {
    std::lock_guard lock(mutex);
    auto [connection, fresh] = byConnection.try_emplace(db);
    if (fresh) {
      sqlite3_busy_timeout(db, 5000);  // concurrent writers queue instead of failing
      // In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed process loses
      // nothing (the WAL is in the file system), only a power cut can drop the last commits.
      sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    }
    if (auto it = connection->second.find(sql); it != connection->second.end()) return it->second;
    sqlite3_stmt* statement = nullptr;
    const auto text = sqliteParameters(sql);
    if (sqlite3_prepare_v3(db, text.c_str(), static_cast<int>(text.size()), SQLITE_PREPARE_PERSISTENT, &statement,
                           nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db));
    }
    connection->second.emplace(sql, statement);
    return statement;
  }

  ~StatementCache() {
    for (auto& [db, statements] : byConnection) {
      for (auto& [sql, statement] : statements) sqlite3_finalize(statement);
    }
  }
};

std::size_t Database::runSqlite(Poco::Data::Session& session, const std::string& sql, const std::vector<Param>& params,
                                std::vector<Row>* rows) {
  sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(session);
  sqlite3_stmt* statement = statements_->get(db, sql);
  // Leave the statement reset whatever happens, so it holds no read lock between uses.
  struct Reset {
    sqlite3_stmt* statement;
    ~Reset() {
      sqlite3_reset(statement);
      sqlite3_clear_bindings(statement);
    }
  } reset{statement};
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    int rc = SQLITE_OK;
    if (const auto* text = std::get_if<std::string>(&params[i])) {
      rc = sqlite3_bind_text(statement, index, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
    } else if (const auto* number = std::get_if<std::int64_t>(&params[i])) {
      rc = sqlite3_bind_int64(statement, index, *number);
    } else {
      rc = sqlite3_bind_null(statement, index);
    }
    if (rc != SQLITE_OK) throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db));
  }
  const int columns = sqlite3_column_count(statement);
  for (;;) {
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db));
    if (rows == nullptr) continue;
    std::vector<std::optional<std::string>> values;
    values.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (sqlite3_column_type(statement, c) == SQLITE_NULL) {
        values.emplace_back(std::nullopt);
      } else {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
        values.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, c))));
      }
    }
    rows->emplace_back(std::move(values));
  }
  return columns == 0 || rows == nullptr ? static_cast<std::size_t>(sqlite3_changes(db)) : rows->size();
}

const std::string& Row::text(std::size_t i) const {
  const auto& column = columns_.at(i);
  if (!column) throw std::runtime_error("unexpected NULL in column " + std::to_string(i));
  return *column;
}

std::int64_t Row::integer(std::size_t i) const { return std::stoll(text(i)); }

std::optional<std::int64_t> Row::optionalInteger(std::size_t i) const {
  const auto& column = columns_.at(i);
  if (!column) return std::nullopt;
  return std::stoll(*column);
}

Database::Database(const std::string& url, int poolSize) {
  registerConnectors();
  try {
    if (url.rfind("sqlite:", 0) == 0) {
      backend_ = Backend::SQLite;
      const std::filesystem::path file = url.substr(7);
      if (file.empty()) throw std::runtime_error("DATABASE_URL sqlite: needs a file path");
      if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
      statements_ = std::make_unique<StatementCache>();
      // minimum = maximum: the pool never closes a session for idleness, so the statements cached
      // for a connection live exactly as long as it does.
      pool_ = std::make_unique<Poco::Data::SessionPool>("SQLite", file.string(), poolSize, poolSize, 3600);
      auto s = session();
      // WAL lets readers run beside the writer; the setting is stored in the file.
      s << "PRAGMA journal_mode=WAL", now;
    } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
      backend_ = Backend::PostgreSQL;
      pool_ = std::make_unique<Poco::Data::SessionPool>("PostgreSQL", postgresKeywords(url), 1, poolSize, 60);
      auto s = session();
    } else {
      throw std::runtime_error("DATABASE_URL must start with sqlite: or postgresql://");
    }
  } catch (const Poco::Exception& e) {
    // displayText() of a failed connect names host and database, never the password.
    throw std::runtime_error("cannot open the " + std::string(backend_ == Backend::SQLite ? "SQLite" : "PostgreSQL") +
                             " database: " + e.displayText());
  }
}

Database::~Database() {
  statements_.reset();  // finalize before the pool closes the connections
  pool_.reset();
}

Poco::Data::Session Database::session() {
  // Poco's pool throws at once when every session is out; wait a bounded while instead, so a
  // burst of requests queues rather than failing.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    try {
      return pool_->get();
    } catch (const Poco::Data::SessionPoolExhaustedException&) {
      if (std::chrono::steady_clock::now() > deadline) throw;
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(5000));
    }
  }
}

std::vector<Row> Database::query(Poco::Data::Session& session, const std::string& sql,
                                 const std::vector<Param>& params) {
  if (backend_ == Backend::SQLite) {
    std::vector<Row> rows;
    runSqlite(session, sql, params, &rows);
    return rows;
  }
  Poco::Data::Statement statement(session);
  statement << sql;
  bindAll(statement, params);
  statement.execute();
  Poco::Data::RecordSet records(statement);
  std::vector<Row> rows;
  rows.reserve(records.rowCount());
  const std::size_t columns = records.columnCount();
  for (std::size_t r = 0; r < records.rowCount(); ++r) {
    std::vector<std::optional<std::string>> values;
    values.reserve(columns);
    for (std::size_t c = 0; c < columns; ++c) {
      const Poco::Dynamic::Var& v = records.value(c, r);
      if (v.isEmpty())
        values.emplace_back(std::nullopt);
      else
        values.emplace_back(v.convert<std::string>());
    }
    rows.emplace_back(std::move(values));
  }
  return rows;
}

std::size_t Database::execute(Poco::Data::Session& session, const std::string& sql, const std::vector<Param>& params) {
  if (backend_ == Backend::SQLite) return runSqlite(session, sql, params, nullptr);
  Poco::Data::Statement statement(session);
  statement << sql;
  bindAll(statement, params);
  return statement.execute();
}

std::vector<Row> Database::query(const std::string& sql, const std::vector<Param>& params) {
  auto s = session();
  return query(s, sql, params);
}

std::size_t Database::execute(const std::string& sql, const std::vector<Param>& params) {
  auto s = session();
  return execute(s, sql, params);
}

bool Database::ping() {
  try {
    auto s = session();
    return !query(s, "SELECT 1").empty();
  } catch (const std::exception&) {
    return false;
  }
}

PoolStats Database::stats() { return {pool_->capacity(), pool_->used(), pool_->idle()}; }

Transaction::Transaction(Database& db, StatementCheck check)
    : db_(db), check_(std::move(check)), session_(db.session()) {
  db_.execute(session_, db_.backend() == Backend::SQLite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    db_.execute(session_, "ROLLBACK");
  } catch (...) {
    // The session is broken; the pool discards it. Nothing was committed.
  }
}

void Transaction::commit() {
  db_.execute(session_, "COMMIT");
  open_ = false;
}

}  // namespace marketsage::store
