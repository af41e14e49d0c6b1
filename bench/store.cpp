// bench_store — what one statement costs on PostgreSQL through the host's store (libpq, statements
// kept prepared per connection) and, for comparison, through Poco Data's PostgreSQL connector that
// the store used until issue 18 (prepare, describe, execute and deallocate for every statement).
// Same server, same table, one connection each, one statement at a time. See bench/README.md.
#include "store/Database.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <string>

using namespace marketsage;
using namespace Poco::Data::Keywords;

namespace {

double cpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct Figures {
  double wallMicros = 0, cpuMicros = 0;
};

template <typename F>
Figures measure(int count, F&& statement) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu = cpuSeconds();
  for (int i = 0; i < count; ++i) statement(i);
  const double wall = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  return {wall / count, (cpuSeconds() - cpu) * 1e6 / count};
}

void print(const std::string& what, const Figures& f) {
  std::cout << std::left << std::setw(44) << what << std::right << std::fixed << std::setprecision(1) << std::setw(10)
            << f.wallMicros << std::setw(14) << f.cpuMicros << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 20000;
  const char* port = std::getenv("MARKETSAGE_TEST_PG_PORT");
  if (port == nullptr || count <= 0) {
    std::cerr << "usage: tests/with-postgres build/bin/bench_store [STATEMENTS]  (default 20000)\n"
                 "Needs MARKETSAGE_TEST_PG_PORT: a PostgreSQL on 127.0.0.1 reachable as postgres.\n";
    return 2;
  }
  const std::string server = std::string("postgresql://postgres@127.0.0.1:") + port;
  const std::string name = "bench_store_" + std::to_string(std::time(nullptr));
  store::Database(server + "/postgres", 1).execute("CREATE DATABASE " + name);
  int status = 0;
  try {
    store::Database db(server + "/" + name, 1);
    db.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, organization_id TEXT NOT NULL, body TEXT NOT NULL)");
    db.execute("INSERT INTO items SELECT g, 'org-' || (g % 10), repeat('x', 200) FROM generate_series(1, 10000) AS g");
    db.execute("ANALYZE items");

    Poco::Data::PostgreSQL::Connector::registerConnector();
    Poco::Data::Session poco("PostgreSQL",
                             "host=127.0.0.1 port=" + std::string(port) + " user=postgres dbname=" + name);
    const std::string select = "SELECT id, organization_id, body FROM items WHERE id = $1 AND organization_id = $2";
    const std::string update = "UPDATE items SET body = $1 WHERE id = $2";
    const auto org = [](int i) { return "org-" + std::to_string((i % 10000 + 1) % 10); };

    for (int i = 0; i < 2000; ++i) db.query(select, {std::int64_t{i + 1}, org(i)});  // warm server caches
    std::cout << count << " statements each, one connection, one at a time (" << server << ")\n\n"
              << "statement                                      wall us  client CPU us\n";
    print("SELECT by key   Poco Data connector", measure(count, [&](int i) {
            Poco::Int64 id = i % 10000 + 1;
            std::string o = org(i);
            Poco::Data::Statement s(poco);
            s << select, use(id), use(o), now;
          }));
    print("SELECT by key   store::Database (libpq)", measure(count, [&](int i) {
            if (db.query(select, {std::int64_t{i % 10000 + 1}, org(i)}).size() != 1) throw std::runtime_error("no row");
          }));
    print("UPDATE by key   Poco Data connector", measure(count, [&](int i) {
            Poco::Int64 id = i % 10000 + 1;
            std::string body = "y" + std::to_string(i);
            Poco::Data::Statement s(poco);
            s << update, use(body), use(id), now;
          }));
    print("UPDATE by key   store::Database (libpq)", measure(count, [&](int i) {
            db.execute(update, {"z" + std::to_string(i), std::int64_t{i % 10000 + 1}});
          }));
  } catch (const std::exception& e) {
    std::cerr << "bench_store: " << e.what() << "\n";
    status = 1;
  }
  store::Database(server + "/postgres", 1).execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  return status;
}
