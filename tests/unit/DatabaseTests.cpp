// The store's own connection pool and statement caches, on SQLite and on PostgreSQL (the unit
// test runs under tests/with-postgres, which names the server in MARKETSAGE_TEST_PG_PORT).
#include "store/Database.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

using namespace marketsage;

namespace {

/// A database of its own on one backend, removed afterwards.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& backend) : name_("unit_" + std::to_string(std::random_device{}())) {
    if (backend == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() / ("marketsage-" + name_);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "t.db").string();
      return;
    }
    const char* port = std::getenv("MARKETSAGE_TEST_PG_PORT");
    if (port == nullptr) FAIL("PostgreSQL tests need MARKETSAGE_TEST_PG_PORT (run under tests/with-postgres)");
    server_ = std::string("postgresql://postgres@127.0.0.1:") + port;
    store::Database(server_ + "/postgres", 1).execute("CREATE DATABASE " + name_);
    url_ = server_ + "/" + name_;
  }
  ~ScratchDatabase() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!server_.empty()) {
      try {
        store::Database(server_ + "/postgres", 1).execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
      } catch (const std::exception&) {
        // left for the throwaway server to take with it
      }
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& url() const { return url_; }

 private:
  std::string name_, url_, server_;
  std::filesystem::path dir_;
};

}  // namespace

TEST_CASE("parameters bind as data on both backends, NULLs and large integers included", "[store]") {
  const std::string backend = GENERATE("sqlite", "postgresql");
  ScratchDatabase scratch(backend);
  store::Database db(scratch.url(), 2);
  db.execute("CREATE TABLE t (a TEXT, b BIGINT, c TEXT)");
  const std::string nasty = "x'); DROP TABLE t; -- \xc3\xa9\xf0\x9f\x98\x80 $1";
  const std::int64_t big = (std::int64_t{1} << 62) + 7;
  CHECK(db.execute("INSERT INTO t (a, b, c) VALUES ($1, $2, $3)", {nasty, big, nullptr}) == 1);
  CHECK(db.execute("INSERT INTO t (a, b, c) VALUES ($1, $2, $3)", {std::string("other"), std::int64_t{-1}, nasty}) ==
        1);
  const auto rows = db.query("SELECT a, b, c FROM t WHERE a = $1 OR b = $2 ORDER BY b DESC", {nasty, std::int64_t{-1}});
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].text(0) == nasty);
  CHECK(rows[0].integer(1) == big);
  CHECK_FALSE(rows[0].optionalText(2));
  CHECK(rows[1].text(2) == nasty);
  CHECK(db.execute("UPDATE t SET c = $1 WHERE b < $2", {std::string("z"), big}) == 1);
}

TEST_CASE("statements beyond the prepared cache still run, and a repeated one gives the same answer", "[store]") {
  const std::string backend = GENERATE("sqlite", "postgresql");
  ScratchDatabase scratch(backend);
  store::Database db(scratch.url(), 1);  // one connection: every statement goes through its cache
  for (int i = 0; i < 600; ++i) {
    const auto rows = db.query("SELECT CAST($1 AS BIGINT) + " + std::to_string(i), {std::int64_t{1000}});
    REQUIRE(rows.at(0).integer(0) == 1000 + i);
  }
  for (int i = 0; i < 3; ++i)
    CHECK(db.query("SELECT CAST($1 AS BIGINT) + 5", {std::int64_t{i}}).at(0).integer(0) == i + 5);
}

TEST_CASE("a caller waits for a pooled connection instead of failing", "[store]") {
  const std::string backend = GENERATE("sqlite", "postgresql");
  ScratchDatabase scratch(backend);
  store::Database db(scratch.url(), 1);
  std::atomic<bool> answered{false};
  std::thread other;
  {
    auto held = db.lease();
    other = std::thread([&] {
      answered = db.query("SELECT 1").at(0).integer(0) == 1;  // waits for `held`
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK_FALSE(answered);
    CHECK(db.stats().used == 1);
    CHECK(db.stats().capacity == 1);
  }
  other.join();
  CHECK(answered);
  CHECK(db.stats().used == 0);
}

TEST_CASE("a connection given back inside a transaction is closed, its work undone", "[store]") {
  const std::string backend = GENERATE("sqlite", "postgresql");
  ScratchDatabase scratch(backend);
  store::Database db(scratch.url(), 1);
  db.execute("CREATE TABLE t (a TEXT)");
  {
    auto lease = db.lease();
    db.execute(lease, backend == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN");
    db.execute(lease, "INSERT INTO t (a) VALUES ($1)", {std::string("half-done")});
  }  // neither committed nor rolled back
  // The next caller gets a fresh connection: not inside that transaction, not blocked by its lock.
  {
    store::Transaction tx(db);
    CHECK(tx.query("SELECT COUNT(*) FROM t").at(0).integer(0) == 0);
    tx.execute("INSERT INTO t (a) VALUES ($1)", {std::string("done")});
    tx.commit();
  }
  CHECK(db.query("SELECT a FROM t").at(0).text(0) == "done");
}

TEST_CASE("a failed statement says why in one line and leaves the connection usable", "[store]") {
  const std::string backend = GENERATE("sqlite", "postgresql");
  ScratchDatabase scratch(backend);
  store::Database db(scratch.url(), 1);
  db.execute("CREATE TABLE t (a TEXT PRIMARY KEY)");
  db.execute("INSERT INTO t (a) VALUES ($1)", {std::string("x")});
  try {
    db.execute("INSERT INTO t (a) VALUES ($1)", {std::string("x")});
    FAIL("a duplicate key was accepted");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    CHECK(message.rfind(backend == "sqlite" ? "SQLite: " : "PostgreSQL: ", 0) == 0);
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.find(backend == "sqlite" ? "UNIQUE" : "duplicate key") != std::string::npos);
  }
  CHECK(db.query("SELECT COUNT(*) FROM t").at(0).integer(0) == 1);
  // A statement that fails to prepare is not cached as if it had worked.
  CHECK_THROWS(db.query("SELECT nothing FROM nowhere"));
  CHECK_THROWS(db.query("SELECT nothing FROM nowhere"));
}

TEST_CASE("an unreachable PostgreSQL is refused at once with its reason, never the password", "[store]") {
  try {
    store::Database db("postgresql://someone:s3cret-pw@127.0.0.1:1/nothing", 2);
    FAIL("opened a database on port 1");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    CHECK(message.rfind("cannot open the PostgreSQL database: ", 0) == 0);
    CHECK(message.find("s3cret-pw") == std::string::npos);
  }
}
