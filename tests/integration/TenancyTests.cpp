#include "integration/World.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <thread>

using namespace harness;

TEST_CASE("serve answers health within 2 s and bootstrap hands out one working key", "[host]") {
  Host host;
  const auto key = host.bootstrap();
  CHECK(key.rfind("msk_", 0) == 0);
  const long ms = host.start();
  CHECK(ms < 2000);

  auto health = host.get("/api/health", "");
  REQUIRE(health.status == 200);
  CHECK(str(health.json(), "status") == "ok");
  CHECK(str(health.json().at("database"), "backend") == backend());
  CHECK(!health.header("x-request-id").empty());

  // A second bootstrap is refused and prints no key.
  auto again = host.command({"admin", "bootstrap"});
  CHECK(again.exitCode == 1);
  CHECK(again.out.find("msk_") == std::string::npos);
  CHECK(again.err.find("already bootstrapped") != std::string::npos);

  auto orgs = host.get("/api/orgs", key);
  REQUIRE(orgs.status == 200);
  CHECK(orgs.json().as_array().size() == 1);
  CHECK(host.get("/api/orgs", "msk_" + std::string(43, 'A')).status == 401);
  CHECK(host.get("/api/orgs", "").status == 401);

  auto metrics = host.get("/metrics", "");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find("marketsage_http_requests_total{route=\"/api/orgs\",method=\"GET\",status=\"200\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("marketsage_db_pool_sessions") != std::string::npos);

  // The key never reaches a log line.
  CHECK(host.stop() == 0);
  CHECK(host.logText().find(key) == std::string::npos);
  CHECK(host.logText().find("\"msg\":\"request\"") != std::string::npos);
}

TEST_CASE("organizations, users and keys work end to end and are audited", "[tenancy]") {
  World w;
  const auto& admin = w.a.byRole["ADMIN"];

  // An ADMIN adds a user, changes the role, makes a key, revokes it, removes the user.
  auto user =
      w.host.post("/api/orgs/" + w.a.id + "/users", admin.key, {{"email", "new@a.example.com"}, {"role", "USER"}});
  REQUIRE(user.status == 201);
  CHECK(str(user.json(), "role") == "USER");
  const auto userId = str(user.json(), "id");
  CHECK(w.host.post("/api/orgs/" + w.a.id + "/users", admin.key, {{"email", "new@a.example.com"}, {"role", "USER"}})
            .status == 409);

  auto patched = w.host.request("PATCH", "/api/orgs/" + w.a.id + "/users/" + userId, admin.key, R"({"role":"GUEST"})");
  REQUIRE(patched.status == 200);
  CHECK(str(patched.json(), "role") == "GUEST");
  // Nobody grants a role above their own.
  CHECK(w.host.request("PATCH", "/api/orgs/" + w.a.id + "/users/" + userId, admin.key, R"({"role":"SUPER_ADMIN"})")
            .status == 403);

  auto key = w.host.post("/api/keys", admin.key, {{"userId", userId}});
  REQUIRE(key.status == 201);
  const auto newKey = str(key.json(), "key");
  CHECK(w.host.get("/api/orgs/" + w.a.id, newKey).status == 200);
  auto keys = w.host.get("/api/keys", admin.key);
  REQUIRE(keys.status == 200);
  CHECK(keys.body.find(newKey) == std::string::npos);  // listed, never shown again
  CHECK(keys.body.find(str(key.json(), "id")) != std::string::npos);

  CHECK(w.host.request("DELETE", "/api/keys/" + str(key.json(), "id"), admin.key).status == 204);
  CHECK(w.host.get("/api/orgs/" + w.a.id, newKey).status == 401);
  CHECK(w.host.request("DELETE", "/api/keys/" + str(key.json(), "id"), admin.key).status == 409);

  CHECK(w.host.request("DELETE", "/api/orgs/" + w.a.id + "/users/" + userId, admin.key).status == 204);
  CHECK(w.host.get("/api/orgs/" + w.a.id + "/users/" + userId, admin.key).status == 404);
  CHECK(w.host.request("DELETE", "/api/orgs/" + w.a.id + "/users/" + admin.userId, admin.key).status == 409);

  auto audit = w.host.get("/api/audit", admin.key);
  REQUIRE(audit.status == 200);
  std::vector<std::string> actions;
  const auto auditEntries = audit.json();
  for (const auto& entry : auditEntries.as_array()) {
    actions.push_back(str(entry, "action"));
    CHECK(str(entry, "remoteAddr") == "127.0.0.1");
  }
  for (const char* expected :
       {"user.added", "user.role_changed", "key.created", "key.revoked", "user.removed", "organization.created"}) {
    CHECK(std::find(actions.begin(), actions.end(), expected) != actions.end());
  }
  CHECK(audit.body.find(newKey) == std::string::npos);
  CHECK(audit.body.find(w.b.id) == std::string::npos);  // B's events stay in B's log
  auto page = w.host.get("/api/audit?limit=2", admin.key);
  REQUIRE(page.status == 200);
  CHECK(page.json().as_array().size() == 2);
  CHECK(w.host.get("/api/audit?limit=0", admin.key).status == 400);
}

TEST_CASE("another organization's objects answer 404 on every route and nothing changes", "[tenancy][isolation]") {
  World w;
  const auto before = w.snapshot(w.b);
  const auto& bAdmin = w.b.byRole["ADMIN"];
  const std::string bUsers = "/api/orgs/" + w.b.id + "/users";

  // Every role of A, against every route that names an object of B.
  for (const char* role : {"ADMIN", "USER", "GUEST"}) {
    const auto& key = w.a.byRole[role].key;
    INFO("role " << role);
    CHECK(w.host.get("/api/orgs/" + w.b.id, key).status == 404);
    CHECK(w.host.get(bUsers, key).status == 404);
    CHECK(w.host.post(bUsers, key, {{"email", "x@evil.example.com"}, {"role", "ADMIN"}}).status == 404);
    CHECK(w.host.get(bUsers + "/" + bAdmin.userId, key).status == 404);
    CHECK(w.host.request("PATCH", bUsers + "/" + bAdmin.userId, key, R"({"role":"GUEST"})").status == 404);
    CHECK(w.host.request("DELETE", bUsers + "/" + bAdmin.userId, key).status == 404);
    CHECK(w.host.get("/api/keys?organizationId=" + w.b.id, key).status == 404);
    CHECK(w.host.request("DELETE", "/api/keys/" + bAdmin.keyId + "?organizationId=" + w.b.id, key).status == 404);
    CHECK(w.host.post("/api/keys", key, {{"userId", bAdmin.userId}, {"organizationId", w.b.id}}).status == 404);
    CHECK(w.host.get("/api/audit?organizationId=" + w.b.id, key).status == 404);
  }
  // B's ids under A's own paths are simply not found.
  const auto& aAdmin = w.a.byRole["ADMIN"].key;
  const std::string aUsers = "/api/orgs/" + w.a.id + "/users";
  CHECK(w.host.get(aUsers + "/" + bAdmin.userId, aAdmin).status == 404);
  CHECK(w.host.request("PATCH", aUsers + "/" + bAdmin.userId, aAdmin, R"({"role":"GUEST"})").status == 404);
  CHECK(w.host.request("DELETE", aUsers + "/" + bAdmin.userId, aAdmin).status == 404);
  CHECK(w.host.request("DELETE", "/api/keys/" + bAdmin.keyId, aAdmin).status == 404);
  CHECK(w.host.post("/api/keys", aAdmin, {{"userId", bAdmin.userId}}).status == 404);
  // A's own list never shows B.
  auto orgs = w.host.get("/api/orgs", aAdmin);
  REQUIRE(orgs.status == 200);
  CHECK(orgs.body.find(w.b.id) == std::string::npos);
  CHECK(w.host.get(aUsers, aAdmin).body.find(bAdmin.userId) == std::string::npos);

  CHECK(w.snapshot(w.b) == before);
  CHECK(w.host.get("/api/orgs/" + w.b.id, bAdmin.key).status == 200);  // B's key still works
}

namespace {

struct Cell {
  const char* method;
  const char* path;  ///< {org} = the caller's organization, {user} = a USER of it, {key} = that USER's key id
  const char* body;
  int superAdmin, admin, user, guest;
};

}  // namespace

TEST_CASE("role matrix: every role on every route", "[roles]") {
  // One host for the whole table; every row works on objects of its own, so rows never interfere.
  static World w;
  static std::atomic<int> serial{0};
  const std::string n = std::to_string(++serial);
  const Cell cell = GENERATE(values<Cell>({
      {"GET", "/api/orgs", nullptr, 200, 200, 200, 200},
      {"POST", "/api/orgs", R"({"name":"New org"})", 201, 403, 403, 403},
      {"GET", "/api/orgs/{org}", nullptr, 200, 200, 200, 200},
      {"GET", "/api/orgs/{org}/users", nullptr, 200, 200, 403, 403},
      {"POST", "/api/orgs/{org}/users", R"({"email":"fresh{n}@example.com","role":"USER"})", 201, 201, 403, 403},
      {"POST", "/api/orgs/{org}/users", R"({"email":"boss{n}@example.com","role":"SUPER_ADMIN"})", 201, 403, 403, 403},
      {"GET", "/api/orgs/{org}/users/{user}", nullptr, 200, 200, 403, 403},
      {"PATCH", "/api/orgs/{org}/users/{user}", R"({"role":"GUEST"})", 200, 200, 403, 403},
      {"DELETE", "/api/orgs/{org}/users/{user}", nullptr, 204, 204, 403, 403},
      {"GET", "/api/keys?organizationId={org}", nullptr, 200, 200, 403, 403},
      {"POST", "/api/keys", R"({"userId":"{user}","organizationId":"{org}"})", 201, 201, 403, 403},
      {"DELETE", "/api/keys/{key}?organizationId={org}", nullptr, 204, 204, 403, 403},
      {"GET", "/api/audit?organizationId={org}", nullptr, 200, 200, 403, 403},
  }));
  const auto role = GENERATE(as<std::string>{}, "SUPER_ADMIN", "ADMIN", "USER", "GUEST");
  // SUPER_ADMIN acts on org A from its own organization; the others act on their own org A.
  auto fresh = w.host.post("/api/orgs/" + w.a.id + "/users", w.superKey,
                           {{"email", "target" + n + "@example.com"}, {"role", "USER"}});
  REQUIRE(fresh.status == 201);
  const auto target = str(fresh.json(), "id");
  auto targetKey = w.host.post("/api/keys", w.superKey, {{"userId", target}, {"organizationId", w.a.id}});
  REQUIRE(targetKey.status == 201);
  const std::string callerKey = role == "SUPER_ADMIN" ? w.superKey : w.a.byRole[role].key;

  auto expand = [&](std::string text) {
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"{org}", w.a.id},
                                   {"{user}", target},
                                   {"{key}", str(targetKey.json(), "id")},
                                   {"{n}", n}}) {
      for (auto at = text.find(from); at != std::string::npos; at = text.find(from)) text.replace(at, from.size(), to);
    }
    return text;
  };
  const int expected = role == "SUPER_ADMIN" ? cell.superAdmin
                       : role == "ADMIN"     ? cell.admin
                       : role == "USER"      ? cell.user
                                             : cell.guest;
  std::optional<std::string> body;
  if (cell.body != nullptr) body = expand(cell.body);
  INFO(role << " " << cell.method << " " << cell.path);
  auto response = w.host.request(cell.method, expand(cell.path), callerKey, body);
  CHECK(response.status == expected);
  if (expected >= 400) {
    CHECK(response.header("content-type") == "application/problem+json");
    CHECK(response.json().at("status").as_int64() == expected);
  }
}

TEST_CASE("GET /api/me: who the key is, in which organization, and exactly what its role may do", "[roles]") {
  World w;
  const auto me = [&](const std::string& key) {
    const auto r = w.host.get("/api/me", key);
    REQUIRE(r.status == 200);
    return r.json();
  };
  const auto user = me(w.a.byRole["USER"].key);
  CHECK(str(user, "userId") == w.a.byRole["USER"].userId);
  CHECK(str(user, "email") == "USER@" + w.a.id.substr(0, 8) + ".example.com");
  CHECK(str(user, "role") == "USER");
  CHECK(str(user, "organizationId") == w.a.id);
  CHECK(str(user, "organizationName") == "Org A");
  CHECK(boost::json::serialize(user.at("permissions")) ==
        R"(["connectAccounts","viewConnections","post","viewAnalytics"])");
  CHECK(boost::json::serialize(me(w.b.byRole["ADMIN"].key).at("permissions")) ==
        R"(["connectAccounts","viewConnections","post","manageTokens","viewAnalytics","manageUsers","viewAudit"])");
  CHECK(str(me(w.b.byRole["ADMIN"].key), "organizationName") == "Org B");
  CHECK(me(w.a.byRole["GUEST"].key).at("permissions").as_array().empty());
  CHECK(me(w.superKey).at("permissions").as_array().size() == 8);
  const auto anonymous = w.host.get("/api/me", "");
  CHECK(anonymous.status == 401);
  CHECK(anonymous.header("content-type") == "application/problem+json");
}

TEST_CASE("bad input is a clear 4xx problem and writes nothing", "[input]") {
  World w;
  const auto& admin = w.a.byRole["ADMIN"].key;
  const std::string users = "/api/orgs/" + w.a.id + "/users";
  const auto before = w.snapshot(w.a);

  struct Case {
    const char* what;
    std::string method, path, body, contentType;
    int status;
  };
  const std::string bigName(2 * 1024 * 1024, 'x');
  const std::vector<Case> cases = {
      {"malformed JSON", "POST", users, R"({"email":"x@y.com","role":)", "application/json", 400},
      {"not an object", "POST", users, R"(["x@y.com"])", "application/json", 400},
      {"wrong type", "POST", users, R"({"email":42,"role":"USER"})", "application/json", 400},
      {"wrong type for role", "POST", users, R"({"email":"x@y.com","role":["USER"]})", "application/json", 400},
      {"unknown role", "POST", users, R"({"email":"x@y.com","role":"OWNER"})", "application/json", 400},
      {"missing field", "POST", users, R"({"email":"x@y.com"})", "application/json", 400},
      {"unknown field", "POST", users, R"({"email":"x@y.com","role":"USER","isAdmin":true})", "application/json", 400},
      {"invalid UTF-8", "POST", users, "{\"email\":\"x\xff\xfe@y.com\",\"role\":\"USER\"}", "application/json", 400},
      {"control character", "POST", users, R"({"email":"x\u0000@y.com","role":"USER"})", "application/json", 400},
      {"SQL in email", "POST", users, R"({"email":"x'); DROP TABLE users;--@y.com","role":"USER"})", "application/json",
       400},
      {"SQL in role", "POST", users, R"({"email":"x@y.com","role":"USER' OR '1'='1"})", "application/json", 400},
      {"SQL in key user id", "POST", "/api/keys", R"({"userId":"' OR 1=1 --"})", "application/json", 404},
      {"oversized body", "POST", users, "{\"email\":\"" + bigName + "\"}", "application/json", 413},
      {"too long org name", "POST", "/api/orgs", "{\"name\":\"" + std::string(300, 'n') + "\"}", "application/json",
       400},
      {"not JSON content type", "POST", users, "email=x@y.com", "application/x-www-form-urlencoded", 415},
      {"empty body", "POST", users, "", "application/json", 400},
      {"SQL in path id", "GET", users + "/'%20OR%20'1'='1", "", "", 404},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const bool asSuper = c.path == "/api/orgs";
    auto response =
        w.host.request(c.method, c.path, asSuper ? w.superKey : admin,
                       c.method == "GET" ? std::nullopt : std::optional<std::string>(c.body), c.contentType);
    CHECK(response.status == c.status);
    CHECK(response.header("content-type") == "application/problem+json");
    CHECK(!str(response.json(), "detail").empty());
  }
  CHECK(w.snapshot(w.a) == before);

  // SQL meta-characters in free text are data: stored and returned as sent, tables intact.
  const std::string name = "Robert'); DROP TABLE organizations;-- \"quoted\" \\ %_ 名前";
  auto org = w.host.post("/api/orgs", w.superKey, {{"name", name}});
  REQUIRE(org.status == 201);
  CHECK(str(org.json(), "name") == name);
  auto fetched = w.host.get("/api/orgs/" + str(org.json(), "id"), w.superKey);
  REQUIRE(fetched.status == 200);
  CHECK(str(fetched.json(), "name") == name);
  CHECK(w.host.get("/api/orgs", w.superKey).json().as_array().size() == 4);
}

TEST_CASE("unknown routes are 404, wrong methods 405 with Allow", "[http]") {
  World w;
  auto missing = w.host.get("/api/nope", w.superKey);
  CHECK(missing.status == 404);
  CHECK(missing.header("content-type") == "application/problem+json");
  auto wrong = w.host.request("PUT", "/api/orgs", w.superKey, "{}");
  CHECK(wrong.status == 405);
  CHECK(wrong.header("allow").find("GET") != std::string::npos);
}

TEST_CASE("SIGTERM lets an in-flight request finish, then exits 0", "[http]") {
  World w;
  // Send the headers and half the body, signal, then finish: the request must still be answered.
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(w.host.port()));
  Poco::Net::HTTPRequest request("POST", "/api/orgs", Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", "Bearer " + w.superKey);
  request.setContentType("application/json");
  const std::string body = R"({"name":"Draining"})";
  request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  auto& out = session.sendRequest(request);
  out << body.substr(0, 5) << std::flush;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(w.host.pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  out << body.substr(5) << std::flush;
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response);
  CHECK(response.getStatus() == 201);
  CHECK(w.host.stop() == 0);
}

TEST_CASE("nobody revokes the key of a user above them; the operator recovers a lost SUPER_ADMIN key",
          "[roles][security]") {
  World w;
  // An ADMIN in the SUPER_ADMIN's own organization sees the SUPER_ADMIN's key but may not revoke it.
  std::string home;
  const auto orgs = w.host.get("/api/orgs", w.superKey).json();
  for (const auto& org : orgs.as_array()) {
    if (str(org, "name") == "MarketSage") home = str(org, "id");
  }
  REQUIRE(!home.empty());
  auto admin = w.host.post("/api/orgs/" + home + "/users", w.superKey,
                           {{"email", "deputy@home.example.com"}, {"role", "ADMIN"}});
  REQUIRE(admin.status == 201);
  auto adminKey = w.host.post("/api/keys", w.superKey, {{"userId", str(admin.json(), "id")}, {"organizationId", home}});
  REQUIRE(adminKey.status == 201);
  const auto deputy = str(adminKey.json(), "key");
  auto user =
      w.host.post("/api/orgs/" + home + "/users", w.superKey, {{"email", "staff@home.example.com"}, {"role", "USER"}});
  auto userKey = w.host.post("/api/keys", w.superKey, {{"userId", str(user.json(), "id")}, {"organizationId", home}});
  REQUIRE(userKey.status == 201);

  std::string superKeyId;
  const auto keys = w.host.get("/api/keys", deputy).json();
  for (const auto& key : keys.as_array()) {
    if (str(key, "userId") != str(admin.json(), "id") && str(key, "userId") != str(user.json(), "id"))
      superKeyId = str(key, "id");
  }
  REQUIRE(!superKeyId.empty());
  const auto refused = w.host.request("DELETE", "/api/keys/" + superKeyId, deputy);
  CHECK(refused.status == 403);
  CHECK(refused.header("content-type") == "application/problem+json");
  CHECK(w.host.get("/api/orgs", w.superKey).status == 200);  // still works
  // The same ADMIN may revoke a USER's key (and its own).
  CHECK(w.host.request("DELETE", "/api/keys/" + str(userKey.json(), "id"), deputy).status == 204);
  CHECK(w.host.get("/api/orgs", str(userKey.json(), "key")).status == 401);

  // Every key lost: the operator issues a new one from the machine, and it is audited.
  const auto recovered = w.host.command({"admin", "recover"});
  INFO(recovered.err);
  REQUIRE(recovered.exitCode == 0);
  auto text = recovered.out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const auto newKey = text.substr(text.rfind('\n') + 1);
  CHECK(newKey != w.superKey);
  const auto all = w.host.get("/api/orgs", newKey);
  REQUIRE(all.status == 200);
  CHECK(all.json().as_array().size() == 3);  // a SUPER_ADMIN's view: every organization
  CHECK(w.host.get("/api/audit?organizationId=" + home, newKey).body.find("key.recovered") != std::string::npos);
  const auto unknown = w.host.command({"admin", "recover", "--email", "nobody@example.com"});
  CHECK(unknown.exitCode == 1);
  CHECK(unknown.err.find("no SUPER_ADMIN has the email nobody@example.com") != std::string::npos);
  CHECK(w.host.command({"admin", "recover", "--help"}).exitCode == 0);
}

TEST_CASE("the Bearer scheme is case-insensitive (RFC 9110 section 11.1)", "[auth]") {
  World w;
  for (const std::string scheme : {"Bearer", "bearer", "BEARER", "bEaReR"}) {
    INFO(scheme);
    CHECK(w.host.request("GET", "/api/orgs", "", std::nullopt, "", {{"Authorization", scheme + " " + w.superKey}})
              .status == 200);
  }
  CHECK(w.host.request("GET", "/api/orgs", "", std::nullopt, "", {{"Authorization", "Bearer  " + w.superKey}}).status ==
        200);
  CHECK(w.host.request("GET", "/api/orgs", "", std::nullopt, "", {{"Authorization", "Bearerx " + w.superKey}}).status ==
        401);
  CHECK(w.host.request("GET", "/api/orgs", "", std::nullopt, "", {{"Authorization", "Basic " + w.superKey}}).status ==
        401);
}

TEST_CASE("a key for a user id: the id names its organization; others still see 404", "[tenancy][keys]") {
  World w;
  const auto& userOfB = w.b.byRole["USER"].userId;
  // A SUPER_ADMIN need not repeat the organization.
  const auto made = w.host.post("/api/keys", w.superKey, {{"userId", userOfB}});
  INFO(made.body);
  REQUIRE(made.status == 201);
  CHECK(w.host.get("/api/orgs/" + w.b.id, str(made.json(), "key")).status == 200);
  // An ADMIN of A naming B's user finds nothing, exactly as for an unknown id.
  const auto foreign = w.host.post("/api/keys", w.a.byRole["ADMIN"].key, {{"userId", userOfB}});
  CHECK(foreign.status == 404);
  CHECK(w.host.post("/api/keys", w.a.byRole["ADMIN"].key, {{"userId", "no-such-user"}}).status == 404);
  CHECK(w.host.post("/api/keys", w.superKey, {{"userId", "no-such-user"}}).status == 404);
}
