#pragma once
/// A running host with two organizations, each with one user of every role and a key for each.

#include "integration/Harness.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

namespace harness {

struct Member {
  std::string userId;
  std::string key;
  std::string keyId;
};

struct Org {
  std::string id;
  std::map<std::string, Member> byRole;  ///< "ADMIN", "USER", "GUEST"
};

inline std::string str(const boost::json::value& v, const char* key) { return std::string(v.at(key).as_string()); }

struct World {
  Host host;
  std::string superKey;
  Org a, b;

  explicit World(std::map<std::string, std::string> env = {}, const std::string& config = "{}")
      : host(freshDatabaseUrl(), std::move(env)) {
    superKey = host.bootstrap();
    host.start(config);
    a = makeOrg("Org A");
    b = makeOrg("Org B");
  }

  Org makeOrg(const std::string& name) {
    Org org;
    auto created = host.post("/api/orgs", superKey, {{"name", name}});
    REQUIRE(created.status == 201);
    org.id = str(created.json(), "id");
    for (const char* role : {"ADMIN", "USER", "GUEST"}) {
      auto user =
          host.post("/api/orgs/" + org.id + "/users", superKey,
                    {{"email", std::string(role) + "@" + org.id.substr(0, 8) + ".example.com"}, {"role", role}});
      REQUIRE(user.status == 201);
      Member m;
      m.userId = str(user.json(), "id");
      auto key = host.post("/api/keys", superKey, {{"userId", m.userId}, {"organizationId", org.id}});
      REQUIRE(key.status == 201);
      m.key = str(key.json(), "key");
      m.keyId = str(key.json(), "id");
      org.byRole[role] = m;
    }
    return org;
  }

  /// Counts that a failed or forbidden request must leave unchanged.
  std::string snapshot(const Org& org) {
    auto users = host.get("/api/orgs/" + org.id + "/users", superKey);
    auto keys = host.get("/api/keys?organizationId=" + org.id, superKey);
    auto orgs = host.get("/api/orgs", superKey);
    REQUIRE(users.status == 200);
    REQUIRE(keys.status == 200);
    // lastUsedAt moves whenever a key is used; everything else must stand still.
    auto keyList = keys.json();
    for (auto& key : keyList.as_array()) key.as_object().erase("lastUsedAt");
    return users.body + "|" + boost::json::serialize(keyList) + "|" + orgs.body;
  }
};

}  // namespace harness
