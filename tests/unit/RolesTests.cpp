#include "auth/ApiKey.h"
#include "auth/Roles.h"

#include <catch2/catch.hpp>

#include <set>

using namespace marketsage::auth;

TEST_CASE("the spec's role table, cell by cell", "[roles]") {
  struct Row {
    Role role;
    bool connect, view, post, tokens, analytics;
  };
  // SPEC.md "Roles": connect accounts | view connections | post | manage tokens | analytics
  const auto row = GENERATE(values<Row>({
      {Role::SuperAdmin, true, true, true, true, true},
      {Role::Admin, true, true, true, true, true},
      {Role::User, true, true, true, false, true},
      {Role::Guest, false, false, false, false, false},
  }));
  INFO(roleName(row.role));
  CHECK(allows(row.role, Permission::ConnectAccounts) == row.connect);
  CHECK(allows(row.role, Permission::ViewConnections) == row.view);
  CHECK(allows(row.role, Permission::Post) == row.post);
  CHECK(allows(row.role, Permission::ManageTokens) == row.tokens);
  CHECK(allows(row.role, Permission::ViewAnalytics) == row.analytics);
}

TEST_CASE("administration is for ADMIN and up; organizations for SUPER_ADMIN", "[roles]") {
  CHECK(allows(Role::SuperAdmin, Permission::ManageOrganizations));
  CHECK_FALSE(allows(Role::Admin, Permission::ManageOrganizations));
  CHECK(allows(Role::Admin, Permission::ManageUsers));
  CHECK(allows(Role::Admin, Permission::ViewAudit));
  CHECK_FALSE(allows(Role::User, Permission::ManageUsers));
  CHECK_FALSE(allows(Role::User, Permission::ViewAudit));
  CHECK_FALSE(allows(Role::Guest, Permission::ViewAudit));
  CHECK(mayGrant(Role::Admin, Role::User));
  CHECK(mayGrant(Role::Admin, Role::Admin));
  CHECK_FALSE(mayGrant(Role::Admin, Role::SuperAdmin));
  CHECK_FALSE(mayGrant(Role::User, Role::Admin));
}

TEST_CASE("role names round-trip and nothing else parses", "[roles]") {
  for (Role r : {Role::SuperAdmin, Role::Admin, Role::User, Role::Guest}) CHECK(parseRole(roleName(r)) == r);
  CHECK_FALSE(parseRole("admin"));
  CHECK_FALSE(parseRole("ADMIN "));
  CHECK_FALSE(parseRole(""));
}

TEST_CASE("API keys carry 256 random bits and are stored only as a digest", "[keys]") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto key = generateApiKey();
    CHECK(looksLikeApiKey(key.key));
    CHECK(key.key.size() == 4 + 43);  // "msk_" + base64url(32 bytes)
    CHECK(key.hash == hashApiKey(key.key));
    CHECK(key.hash.size() == 64);
    CHECK(key.hash.find(key.key.substr(4)) == std::string::npos);
    CHECK(key.key.rfind(key.prefix, 0) == 0);
    CHECK(seen.insert(key.key).second);
  }
  CHECK_FALSE(looksLikeApiKey("msk_short"));
  CHECK_FALSE(looksLikeApiKey("msk_" + std::string(42, 'a') + "!"));
  CHECK_FALSE(looksLikeApiKey("xyz_" + std::string(43, 'a')));
}
