#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

/// The PostgreSQL run needs the throwaway server that tests/run starts; without it the run is
/// reported as skipped (exit 77), unless MARKETSAGE_TEST_REQUIRE_PG makes that a failure.
int main(int argc, char** argv) {
  const char* backend = std::getenv("MARKETSAGE_TEST_BACKEND");
  if (backend != nullptr && std::string(backend) == "postgresql" && std::getenv("MARKETSAGE_TEST_PG_PORT") == nullptr) {
    std::cerr << "MARKETSAGE_TEST_PG_PORT is not set: run tests/run to start a throwaway PostgreSQL\n";
    return std::getenv("MARKETSAGE_TEST_REQUIRE_PG") != nullptr ? 1 : 77;
  }
  return Catch::Session().run(argc, argv);
}
