#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

/// The PostgreSQL run needs a server (tests/with-postgres starts a throwaway one): without it the
/// run fails — a suite that silently skipped its PostgreSQL half must not look green.
int main(int argc, char** argv) {
  const char* backend = std::getenv("MARKETSAGE_TEST_BACKEND");
  if (backend != nullptr && std::string(backend) == "postgresql" && std::getenv("MARKETSAGE_TEST_PG_PORT") == nullptr) {
    std::cerr << "MARKETSAGE_TEST_PG_PORT is not set: run the suite through tests/run or tests/with-postgres\n";
    return 1;
  }
  return Catch::Session().run(argc, argv);
}
