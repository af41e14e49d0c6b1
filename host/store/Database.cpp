#include "store/Database.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace marketsage::store {

/// Statements kept prepared per connection. SQL built at run time (an IN list of N values) could
/// otherwise grow the cache without end; past this many, a statement is prepared for one use.
constexpr std::size_t kPreparedPerConnection = 512;

/// How long a caller waits for a pooled connection before the request fails.
constexpr auto kLeaseWait = std::chrono::seconds(10);

class Connection {
 public:
  virtual ~Connection() = default;
  /// Runs `sql`; fills `rows` when given. Returns the rows changed (or returned, for a query).
  virtual std::size_t run(const std::string& sql, const std::vector<Param>& params, std::vector<Row>* rows) = 0;
  /// False when the connection must not be used again: broken, or left inside a transaction.
  virtual bool reusable() const = 0;
};

namespace {

// ---- SQLite ---------------------------------------------------------------------------------

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

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(const std::string& file) {
    // NOMUTEX: the pool hands a connection to one thread at a time, so SQLite's own locking of
    // each call would be pure cost.
    const int rc =
        sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw std::runtime_error("cannot open the SQLite database " + file + ": " + reason);
    }
    sqlite3_busy_timeout(db_, 5000);  // concurrent writers queue instead of failing
    // In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed process loses
    // nothing (the WAL is in the file system), only a power cut can drop the last commits.
    sqlite3_exec(db_, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  }
  ~SqliteConnection() override {
    for (auto& [sql, statement] : prepared_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  std::size_t run(const std::string& sql, const std::vector<Param>& params, std::vector<Row>* rows) override {
    bool keep = true;
    sqlite3_stmt* statement = prepare(sql, keep);
    // Leave the statement reset whatever happens, so it holds no read lock between uses.
    struct Reset {
      sqlite3_stmt* statement;
      bool keep;
      ~Reset() {
        if (!keep) {
          sqlite3_finalize(statement);
          return;
        }
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
      }
    } reset{statement, keep};
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
      if (rc != SQLITE_OK) fail();
    }
    const int columns = sqlite3_column_count(statement);
    for (;;) {
      const int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail();
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
    return columns == 0 || rows == nullptr ? static_cast<std::size_t>(sqlite3_changes(db_)) : rows->size();
  }

  bool reusable() const override { return sqlite3_get_autocommit(db_) != 0; }

 private:
  /// The connection's prepared statement for `sql`; `keep` false when it is for this use only.
  sqlite3_stmt* prepare(const std::string& sql, bool& keep) {
    if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
    keep = prepared_.size() < kPreparedPerConnection;
    sqlite3_stmt* statement = nullptr;
    const auto text = sqliteParameters(sql);
    if (sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()), keep ? SQLITE_PREPARE_PERSISTENT : 0,
                           &statement, nullptr) != SQLITE_OK) {
      fail();
    }
    if (keep) prepared_.emplace(sql, statement);
    return statement;
  }

  [[noreturn]] void fail() const { throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db_)); }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> prepared_;
};

// ---- PostgreSQL ------------------------------------------------------------------------------

/// libpq keyword values are quoted so that spaces and quotes in a password survive.
std::string keywordValue(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

/// libpq's "key=value" form of a postgresql:// URL, with a bounded connect time.
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

/// libpq's messages end with a newline; a log line should not.
std::string oneLine(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text)
    if (c == '\n') c = ' ';
  return text;
}

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(const std::string& keywords) : conn_(PQconnectdb(keywords.c_str())) {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      // libpq's reason names host, port and database, never the password.
      const std::string reason = conn_ != nullptr ? oneLine(PQerrorMessage(conn_)) : "out of memory";
      PQfinish(conn_);
      throw std::runtime_error("cannot open the PostgreSQL database: " + reason);
    }
    // Server notices ("relation already exists, skipping") are not the operator's business.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PostgresConnection() override { PQfinish(conn_); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  std::size_t run(const std::string& sql, const std::vector<Param>& params, std::vector<Row>* rows) override {
    // Every value goes as text with its type left to the server, which infers it from where the
    // placeholder stands (the column compared with or written to).
    std::vector<std::string> numbers;
    numbers.reserve(params.size());
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) {
      if (const auto* text = std::get_if<std::string>(&param)) {
        values.push_back(text->c_str());
      } else if (const auto* number = std::get_if<std::int64_t>(&param)) {
        values.push_back(numbers.emplace_back(std::to_string(*number)).c_str());
      } else {
        values.push_back(nullptr);
      }
    }
    const int count = static_cast<int>(values.size());
    Result result(statement(sql)
                      ? PQexecPrepared(conn_, prepared_.at(sql).c_str(), count, values.data(), nullptr, nullptr, 0)
                      : PQexecParams(conn_, sql.c_str(), count, nullptr, values.data(), nullptr, nullptr, 0));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(result.get());
    const int tuples = PQntuples(result.get());
    if (rows != nullptr) {
      const int columns = PQnfields(result.get());
      rows->reserve(rows->size() + static_cast<std::size_t>(tuples));
      for (int r = 0; r < tuples; ++r) {
        std::vector<std::optional<std::string>> row;
        row.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
          if (PQgetisnull(result.get(), r, c) != 0) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(
                std::string(PQgetvalue(result.get(), r, c), static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
          }
        }
        rows->emplace_back(std::move(row));
      }
    }
    const char* changed = PQcmdTuples(result.get());
    return changed != nullptr && *changed != '\0' ? static_cast<std::size_t>(std::strtoull(changed, nullptr, 10))
                                                  : static_cast<std::size_t>(tuples);
  }

  bool reusable() const override {
    return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

 private:
  struct Result {
    explicit Result(PGresult* result) : result_(result) {}
    ~Result() { PQclear(result_); }
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    PGresult* get() const { return result_; }
    PGresult* result_;
  };

  /// True when `sql` is prepared on this connection (preparing it now if the cache has room):
  /// the first use costs a round trip more, every later one saves the server parsing and planning.
  bool statement(const std::string& sql) {
    if (prepared_.count(sql) != 0) return true;
    if (prepared_.size() >= kPreparedPerConnection) return false;
    std::string name = "ms" + std::to_string(prepared_.size() + 1);
    Result result(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) fail(result.get());
    prepared_.emplace(sql, std::move(name));
    return true;
  }

  [[noreturn]] void fail(const PGresult* result) const {
    const char* message = result != nullptr ? PQresultErrorMessage(result) : nullptr;
    throw std::runtime_error("PostgreSQL: " +
                             oneLine(message != nullptr && *message != '\0' ? message : PQerrorMessage(conn_)));
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  ///< SQL text → prepared statement name
};

}  // namespace

// ---- The pool --------------------------------------------------------------------------------

/// Connections opened on demand up to `capacity` and kept open for reuse (their prepared
/// statements are the point); a caller waits, bounded, when every one is out.
class ConnectionPool {
 public:
  ConnectionPool(std::function<std::unique_ptr<Connection>()> open, int capacity)
      : open_(std::move(open)), capacity_(capacity < 1 ? 1 : capacity) {}

  std::unique_ptr<Connection> take() {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + kLeaseWait;
    while (idle_.empty() && opened_ >= capacity_) {
      if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && opened_ >= capacity_) {
        throw std::runtime_error("no database connection came free within " +
                                 std::to_string(std::chrono::seconds(kLeaseWait).count()) + " s (database.poolSize " +
                                 std::to_string(capacity_) + ")");
      }
    }
    ++leased_;
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++opened_;
    lock.unlock();  // connecting takes a round trip or more; others need not wait for it
    try {
      return open_();
    } catch (...) {
      lock.lock();
      --opened_;
      --leased_;
      freed_.notify_one();
      throw;
    }
  }

  void give(std::unique_ptr<Connection> connection) {
    const bool keep = connection->reusable();
    if (!keep) connection.reset();  // closed outside the lock
    std::lock_guard lock(mutex_);
    --leased_;
    if (keep) {
      idle_.push_back(std::move(connection));
    } else {
      --opened_;
    }
    freed_.notify_one();
  }

  PoolStats stats() {
    std::lock_guard lock(mutex_);
    return {capacity_, leased_, static_cast<int>(idle_.size())};
  }

 private:
  std::function<std::unique_ptr<Connection>()> open_;
  const int capacity_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int opened_ = 0;
  int leased_ = 0;
};

Database::Lease::Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection)
    : pool_(&pool), connection_(std::move(connection)) {}

Database::Lease::Lease(Lease&& other) noexcept : pool_(other.pool_), connection_(std::move(other.connection_)) {}

Database::Lease::~Lease() {
  if (connection_) pool_->give(std::move(connection_));
}

// ---- Rows and the database -------------------------------------------------------------------

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

std::optional<std::filesystem::path> Database::sqliteFile(const std::string& url) {
  constexpr std::string_view scheme = "sqlite:";
  if (url.rfind(scheme, 0) != 0) return std::nullopt;
  return std::filesystem::path(url.substr(scheme.size()));
}

Database::Database(const std::string& url, int poolSize) {
  if (const auto sqlite = sqliteFile(url)) {
    backend_ = Backend::SQLite;
    const std::filesystem::path& file = *sqlite;
    if (file.empty()) throw std::runtime_error("DATABASE_URL sqlite: needs a file path");
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    // SQLite's allocation statistics take a global mutex on every malloc: with dozens of request
    // threads that lock is the bottleneck. Must be set before SQLite initialises.
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    pool_ = std::make_unique<ConnectionPool>(
        [path = file.string()] { return std::make_unique<SqliteConnection>(path); }, poolSize);
    // WAL lets readers run beside the writer; the setting is stored in the file.
    execute("PRAGMA journal_mode=WAL");
  } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    backend_ = Backend::PostgreSQL;
    pool_ = std::make_unique<ConnectionPool>(
        [keywords = postgresKeywords(url)] { return std::make_unique<PostgresConnection>(keywords); }, poolSize);
    lease();  // fail now, with the reason, when the server cannot be reached
  } else {
    throw std::runtime_error("DATABASE_URL must start with sqlite: or postgresql://");
  }
}

Database::~Database() = default;

Database::Lease Database::lease() { return {*pool_, pool_->take()}; }

std::vector<Row> Database::query(Lease& lease, const std::string& sql, const std::vector<Param>& params) {
  std::vector<Row> rows;
  lease.connection().run(sql, params, &rows);
  return rows;
}

std::size_t Database::execute(Lease& lease, const std::string& sql, const std::vector<Param>& params) {
  return lease.connection().run(sql, params, nullptr);
}

std::vector<Row> Database::query(const std::string& sql, const std::vector<Param>& params) {
  auto held = lease();
  return query(held, sql, params);
}

std::size_t Database::execute(const std::string& sql, const std::vector<Param>& params) {
  auto held = lease();
  return execute(held, sql, params);
}

bool Database::ping() {
  try {
    return !query("SELECT 1").empty();
  } catch (const std::exception&) {
    return false;
  }
}

PoolStats Database::stats() { return pool_->stats(); }

Transaction::Transaction(Database& db, StatementCheck check) : db_(db), check_(std::move(check)), lease_(db.lease()) {
  db_.execute(lease_, db_.backend() == Backend::SQLite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    db_.execute(lease_, "ROLLBACK");
  } catch (...) {
    // The connection is broken; the pool closes it. Nothing was committed.
  }
}

void Transaction::commit() {
  db_.execute(lease_, "COMMIT");
  open_ = false;
}

}  // namespace marketsage::store
