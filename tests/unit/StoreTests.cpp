#include "auth/ApiKey.h"
#include "core/Problem.h"
#include "store/Database.h"
#include "store/Migrations.h"
#include "tenants/Authenticator.h"
#include "tenants/Directory.h"
#include "tenants/TenantStore.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>

using namespace marketsage;

namespace {

struct TempDb {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("marketsage-unit-" + std::to_string(std::random_device{}()));
  TempDb() { std::filesystem::create_directories(dir); }
  ~TempDb() { std::filesystem::remove_all(dir); }
  std::string url() const { return "sqlite:" + (dir / "t.db").string(); }
};

const tenants::Actor cli{"", "cli", ""};

/// A migrated database with organizations A and B.
struct TwoOrganizations {
  TempDb temp;
  store::Database db{temp.url(), 4};
  tenants::Directory directory{(store::migrate(db), db)};
  tenants::Organization a = directory.createOrganization("A", cli);
  tenants::Organization b = directory.createOrganization("B", cli);
};

}  // namespace

TEST_CASE("migrations are idempotent, and a failing one leaves the schema as it was", "[store]") {
  TempDb temp;
  {
    store::Database db(temp.url(), 2);
    auto first = store::migrate(db);
    // Every version once, the newest last (numbers may leave gaps: they are taken in parallel).
    REQUIRE(!first.applied.empty());
    CHECK(first.applied.back().rfind(std::to_string(first.currentVersion) + " ", 0) == 0);
    CHECK(std::set<std::string>(first.applied.begin(), first.applied.end()).size() == first.applied.size());
    CHECK(first.currentVersion >= 3);
    auto second = store::migrate(db);
    CHECK(second.applied.empty());
    CHECK(second.currentVersion == first.currentVersion);
  }
  TempDb broken;
  store::Database db(broken.url(), 2);
  db.execute("CREATE TABLE audit_log (x TEXT)");  // collides with a table migration 1 creates late
  CHECK_THROWS(store::migrate(db));
  CHECK(db.query("SELECT name FROM sqlite_master WHERE name = 'organizations'").empty());
  CHECK(db.query("SELECT version FROM schema_migrations").empty());
}

TEST_CASE("a tenant store never sees another organization's rows", "[store][isolation]") {
  TwoOrganizations orgs;
  auto storeA = orgs.directory.tenant(orgs.a.id);
  auto storeB = orgs.directory.tenant(orgs.b.id);
  const auto userB = storeB.addUser("b@example.com", auth::Role::Admin, cli);
  const auto key = auth::generateApiKey();
  const auto keyB = storeB.createKey(userB.id, key, cli);
  REQUIRE(keyB);

  CHECK_FALSE(storeA.findUser(userB.id));
  CHECK_FALSE(storeA.changeRole(userB.id, auth::Role::Guest, cli));
  CHECK_FALSE(storeA.removeUser(userB.id, cli));
  CHECK_FALSE(storeA.createKey(userB.id, auth::generateApiKey(), cli));
  CHECK_FALSE(storeA.findKey(keyB->id));
  CHECK_FALSE(storeA.revokeKey(keyB->id, cli));
  CHECK(storeA.listUsers().empty());
  CHECK(storeA.listKeys().empty());
  CHECK(storeA.listAudit(100, 0).size() == 1);  // only its own creation

  CHECK(storeB.findUser(userB.id)->role == auth::Role::Admin);
  const auto principal = orgs.directory.authenticate(auth::hashApiKey(key.key));
  REQUIRE(principal);
  CHECK(principal->organizationId == orgs.b.id);
  CHECK(storeB.revokeKey(keyB->id, cli));
  CHECK_FALSE(orgs.directory.authenticate(auth::hashApiKey(key.key)));
  CHECK_THROWS_AS(storeB.addUser("b@example.com", auth::Role::User, cli), Problem);
}

TEST_CASE("an organization's database refuses a statement that does not carry its organization", "[store][isolation]") {
  TwoOrganizations orgs;
  const auto& a = orgs.a;
  const auto& b = orgs.b;
  auto tenantA = orgs.directory.tenant(a.id);
  auto tenantB = orgs.directory.tenant(b.id);
  tenantB.addUser("b@example.com", auth::Role::Admin, cli);
  const auto& rows = tenantA.database();
  // Scoped to A: fine.
  CHECK(rows.query("SELECT id FROM users WHERE organization_id = $1", {a.id}).empty());
  // No scope, another organization's scope, or the column named but A's id not bound: refused
  // before anything runs (B's user stays where it is).
  CHECK_THROWS_AS(rows.query("SELECT id FROM users"), std::logic_error);
  CHECK_THROWS_AS(rows.query("SELECT id FROM users WHERE organization_id = $1", {b.id}), std::logic_error);
  CHECK_THROWS_AS(rows.execute("DELETE FROM users WHERE email = $1", {std::string("b@example.com")}), std::logic_error);
  {
    auto tx = rows.transaction();
    CHECK_THROWS_AS(tx.execute("UPDATE users SET role = 'GUEST' WHERE organization_id = $1", {b.id}), std::logic_error);
    CHECK(tx.execute("UPDATE users SET role = 'GUEST' WHERE organization_id = $1", {a.id}) == 0);
  }
  CHECK(tenantB.listUsers().size() == 1);
  CHECK(tenantB.listUsers().front().role == auth::Role::Admin);
}

TEST_CASE("bootstrap happens once and leaves a working SUPER_ADMIN key", "[store]") {
  TempDb temp;
  store::Database db(temp.url(), 2);
  store::migrate(db);
  tenants::Directory directory(db);
  const auto result = directory.bootstrap("Ops", "ops@example.com");
  const auto principal = directory.authenticate(auth::hashApiKey(result.apiKey));
  REQUIRE(principal);
  CHECK(principal->role == auth::Role::SuperAdmin);
  CHECK_THROWS_AS(directory.bootstrap("Ops again", "ops2@example.com"), Problem);
  CHECK(directory.listOrganizations().size() == 1);
}

/// A bootstrapped database whose SUPER_ADMIN key an Authenticator caching for `cacheSeconds` has
/// resolved once, and which was revoked just after.
struct KeyRevokedAfterCaching {
  TempDb temp;
  store::Database db{temp.url(), 2};
  tenants::Directory directory{(store::migrate(db), db)};
  std::string header = "Bearer " + directory.bootstrap("Ops", "ops@example.com").apiKey;
  tenants::Authenticator authenticator;

  explicit KeyRevokedAfterCaching(int cacheSeconds) : authenticator(directory, cacheSeconds) {
    const auto first = authenticator.authenticate(header);
    REQUIRE(first);
    auto tenant = directory.tenant(first->organizationId);
    REQUIRE(tenant.revokeKey(first->keyId, cli));
  }
};

TEST_CASE("a busy API key is looked up again before its cache time ends, and never used past it", "[store][auth]") {
  KeyRevokedAfterCaching w(2);
  CHECK(w.authenticator.authenticate(w.header));  // cached: this host sees the revocation within 2 s
  // Past four fifths of the cache time: the next caller looks the key up again (and finds it revoked).
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  CHECK_FALSE(w.authenticator.authenticate(w.header));
  CHECK_FALSE(w.authenticator.authenticate(w.header));
}

TEST_CASE("forgetAll drops every cached API key at once", "[store][auth]") {
  KeyRevokedAfterCaching w(60);
  CHECK(w.authenticator.authenticate(w.header));
  w.authenticator.forgetAll();
  CHECK_FALSE(w.authenticator.authenticate(w.header));
  CHECK_FALSE(w.authenticator.authenticate("Bearer not-a-key"));
}
