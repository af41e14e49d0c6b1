#pragma once
/// One code path over two backends: SQLite (the embedded default) and PostgreSQL, both through
/// Poco Data session pools. SQL is written once, with $1, $2 … placeholders numbered in order of
/// first use — both backends bind them by position.

#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Nullable.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace marketsage::store {

enum class Backend { SQLite, PostgreSQL };

/// A bound parameter: text, integer, or SQL NULL.
using Param = std::variant<std::nullptr_t, std::string, std::int64_t>;

/// An optional value as a parameter: the value, or SQL NULL.
template <typename T>
Param nullable(const std::optional<T>& value) {
  return value ? Param(*value) : Param(nullptr);
}

/// One result row; columns by position as written in the SELECT.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> columns) : columns_(std::move(columns)) {}
  const std::string& text(std::size_t i) const;
  std::optional<std::string> optionalText(std::size_t i) const { return columns_.at(i); }
  std::int64_t integer(std::size_t i) const;
  std::optional<std::int64_t> optionalInteger(std::size_t i) const;

 private:
  std::vector<std::optional<std::string>> columns_;
};

struct PoolStats {
  int capacity = 0;
  int used = 0;
  int idle = 0;
};

class Database {
 public:
  /// Opens the pool for "sqlite:PATH" or "postgresql://…". Throws std::runtime_error with a
  /// one-line reason (never the password) if the URL is malformed or the database unreachable.
  Database(const std::string& url, int poolSize);
  ~Database();

  Backend backend() const { return backend_; }
  std::string backendName() const { return backend_ == Backend::SQLite ? "sqlite" : "postgresql"; }

  /// A session from the pool; it returns to the pool when the last copy goes away. [thread-safe]
  Poco::Data::Session session();

  /// Runs a statement and returns its rows. [thread-safe]
  std::vector<Row> query(Poco::Data::Session& session, const std::string& sql, const std::vector<Param>& params = {});
  /// Runs a statement and returns the number of rows it changed.
  std::size_t execute(Poco::Data::Session& session, const std::string& sql, const std::vector<Param>& params = {});

  std::vector<Row> query(const std::string& sql, const std::vector<Param>& params = {});
  std::size_t execute(const std::string& sql, const std::vector<Param>& params = {});

  /// True when a trivial query succeeds within the connect timeout.
  bool ping();
  PoolStats stats();

 private:
  /// SQLite: runs `sql` on the session's connection through a per-connection cache of prepared
  /// statements (preparing, not executing, was most of the cost of a read request).
  std::size_t runSqlite(Poco::Data::Session& session, const std::string& sql, const std::vector<Param>& params,
                        std::vector<Row>* rows);

  Backend backend_;
  std::unique_ptr<Poco::Data::SessionPool> pool_;
  struct StatementCache;
  std::unique_ptr<StatementCache> statements_;
};

/// Looks at each statement before it runs, and throws to refuse it (tenants::ScopedDatabase uses
/// one to refuse a statement that does not carry its organization).
using StatementCheck = std::function<void(const std::string& sql, const std::vector<Param>& params)>;

/// A write transaction on one pooled session; rolled back unless commit() is called.
/// On SQLite it takes the write lock up front (BEGIN IMMEDIATE) so that two writers queue on
/// the busy timeout instead of one failing half-way.
class Transaction {
 public:
  explicit Transaction(Database& db, StatementCheck check = {});
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  std::vector<Row> query(const std::string& sql, const std::vector<Param>& params = {}) {
    if (check_) check_(sql, params);
    return db_.query(session_, sql, params);
  }
  std::size_t execute(const std::string& sql, const std::vector<Param>& params = {}) {
    if (check_) check_(sql, params);
    return db_.execute(session_, sql, params);
  }
  void commit();

 private:
  Database& db_;
  StatementCheck check_;
  Poco::Data::Session session_;
  bool open_ = true;
};

}  // namespace marketsage::store
