#pragma once
/// One code path over two backends: SQLite (the embedded default) and PostgreSQL, each spoken to
/// through its own C library from a pool of connections owned here. SQL is written once, with
/// $1, $2 … placeholders numbered in order of first use — both backends bind them by position.
/// Each connection keeps its statements prepared, so a statement the host runs again costs one
/// step on SQLite and one round trip on PostgreSQL.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
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

/// One open connection of either backend (defined in Database.cpp).
class Connection;
class ConnectionPool;

class Database {
 public:
  /// A pooled connection held by one thread; it goes back to the pool when the lease ends (or is
  /// closed, when it broke or was left inside a transaction).
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection);
    Lease(Lease&&) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& connection() { return *connection_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  /// The file of a "sqlite:PATH" URL; nullopt for any other URL (PostgreSQL).
  static std::optional<std::filesystem::path> sqliteFile(const std::string& url);

  /// Opens the pool for "sqlite:PATH" or "postgresql://…". Throws std::runtime_error with a
  /// one-line reason (never the password) if the URL is malformed or the database unreachable.
  Database(const std::string& url, int poolSize);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Backend backend() const { return backend_; }
  std::string backendName() const { return backend_ == Backend::SQLite ? "sqlite" : "postgresql"; }

  /// A connection from the pool, waiting a bounded while when all are in use. [thread-safe]
  Lease lease();

  /// Runs a statement and returns its rows.
  std::vector<Row> query(Lease& lease, const std::string& sql, const std::vector<Param>& params = {});
  /// Runs a statement and returns the number of rows it changed.
  std::size_t execute(Lease& lease, const std::string& sql, const std::vector<Param>& params = {});

  /// The same on a connection of their own. [thread-safe]
  std::vector<Row> query(const std::string& sql, const std::vector<Param>& params = {});
  std::size_t execute(const std::string& sql, const std::vector<Param>& params = {});

  /// True when a trivial query succeeds within the connect timeout.
  bool ping();
  PoolStats stats();

 private:
  Backend backend_;
  std::unique_ptr<ConnectionPool> pool_;
};

/// Looks at each statement before it runs, and throws to refuse it (tenants::ScopedDatabase uses
/// one to refuse a statement that does not carry its organization).
using StatementCheck = std::function<void(const std::string& sql, const std::vector<Param>& params)>;

/// A write transaction on one pooled connection; rolled back unless commit() is called.
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
    return db_.query(lease_, sql, params);
  }
  std::size_t execute(const std::string& sql, const std::vector<Param>& params = {}) {
    if (check_) check_(sql, params);
    return db_.execute(lease_, sql, params);
  }
  void commit();

 private:
  Database& db_;
  StatementCheck check_;
  Database::Lease lease_;
  bool open_ = true;
};

}  // namespace marketsage::store
