#include "integration/OAuthEmulator.h"
#include "integration/TestPlatform.h"
#include "integration/World.h"

#include <Poco/URI.h>

#include <atomic>
#include <fstream>
#include <thread>

using namespace harness;

namespace {

std::size_t connectionCount(World& w, const std::string& key) {
  auto list = w.host.get("/api/social-media/connections", key);
  REQUIRE(list.status == 200);
  return list.json().as_array().size();
}

}  // namespace

TEST_CASE("connect: 302 with state and S256 challenge, callback stores each account encrypted, listed without tokens",
          "[oauth]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;

  auto start = w.host.request("GET", "/api/social-media/connect/oauthtest", admin);
  REQUIRE(start.status == 302);
  const auto params = query(start.header("location"));
  CHECK(start.header("location").rfind(emulator.baseUrl() + "/authorize?", 0) == 0);
  CHECK(params.at("code_challenge_method") == "S256");
  CHECK(params.at("code_challenge").size() == 43);
  CHECK(params.at("state").size() >= 43);  // 256 bits, base64url
  CHECK(params.at("redirect_uri") ==
        "http://127.0.0.1:" + std::to_string(w.host.port()) + "/api/auth/callback/oauthtest");

  // JSON clients get a host link for the browser, which leads on to the consent page.
  auto asJson = w.host.request("GET", "/api/social-media/connect/oauthtest", admin, std::nullopt, "",
                               {{"Accept", "application/json"}});
  REQUIRE(asJson.status == 200);
  const auto link = str(asJson.json(), "authorizeUrl");
  CHECK(link.rfind("http://127.0.0.1:" + std::to_string(w.host.port()) + "/api/auth/start/oauthtest?link=", 0) == 0);
  CHECK(w.host.get(pathOf(link), "").header("location").rfind(emulator.baseUrl() + "/authorize?", 0) == 0);
  // A GUEST may not connect; an unknown platform is 404.
  CHECK(w.host.get("/api/social-media/connect/oauthtest", w.a.byRole["GUEST"].key).status == 403);
  CHECK(w.host.get("/api/social-media/connect/nosuchplatform", admin).status == 404);

  auto back = fetch(start.header("location"));
  REQUIRE(back.status == 302);
  auto done = w.host.get(pathOf(back.header("location")), "");
  REQUIRE(done.status == 302);
  CHECK(done.header("location").find("/social-media?platform=oauthtest&connected=2") != std::string::npos);

  auto list = w.host.get("/api/social-media/connections", admin);
  REQUIRE(list.status == 200);
  const auto connections = list.json();
  REQUIRE(connections.as_array().size() == 2);
  for (const auto& c : connections.as_array()) {
    CHECK(str(c, "platform") == "oauthtest");
    CHECK(str(c, "status") == "active");
    CHECK_FALSE(c.as_object().contains("accessToken"));
    CHECK_FALSE(c.as_object().contains("refreshToken"));
  }
  CHECK(w.host.get("/api/social-media/connections", w.a.byRole["USER"].key).status == 200);
  CHECK(w.host.get("/api/social-media/connections", w.a.byRole["GUEST"].key).status == 403);
  // Organization B sees none of A's connections, and A's ids are 404 to B.
  CHECK(connectionCount(w, w.b.byRole["ADMIN"].key) == 0);
  const auto someId = str(connections.as_array()[0], "id");
  CHECK(w.host.get("/api/social-media/connections/" + someId, w.b.byRole["ADMIN"].key).status == 404);
  CHECK(w.host.request("DELETE", "/api/social-media/connections/" + someId, w.b.byRole["ADMIN"].key).status == 404);
  CHECK(w.host.request("POST", "/api/social-media/connections/" + someId + "/refresh", w.b.byRole["ADMIN"].key, "")
            .status == 404);

  // Reconnecting the same accounts updates them: still two.
  auto again = w.host.get(pathOf(consent(w, admin)), "");
  REQUIRE(again.status == 302);
  CHECK(connectionCount(w, admin) == 2);

  // No token the platform issued is in the database (files and WAL) or the logs.
  const auto tokens = emulator.issuedTokens();
  REQUIRE(tokens.size() >= 4);
  const auto raw = rawDatabase(w);
  const auto logs = w.host.logText();
  for (const auto& token : tokens) {
    INFO(token);
    CHECK(raw.find(token) == std::string::npos);
    CHECK(logs.find(token) == std::string::npos);
    CHECK(list.body.find(token) == std::string::npos);
  }
  CHECK(logs.find(params.at("state")) == std::string::npos);
  CHECK(raw.find(params.at("state")) == std::string::npos);
}

TEST_CASE("a platform without OAuth connects with a credential checked at the platform first", "[oauth]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  // A bad credential is refused by the platform and nothing is stored.
  auto refused = w.host.post("/api/social-media/connect/oauthtest", admin, {{"credential", "at_not-a-real-token"}});
  CHECK(refused.status == 422);
  CHECK(connectionCount(w, admin) == 0);
  CHECK(w.host.post("/api/social-media/connect/oauthtest", admin, {{"credential", 42}}).status == 400);
  CHECK(w.host.post("/api/social-media/connect/oauthtest", w.a.byRole["GUEST"].key, {{"credential", "x"}}).status ==
        403);

  // A credential the platform accepts: obtain one as a bot owner would, out of band.
  REQUIRE(w.host.get(pathOf(consent(w, w.b.byRole["ADMIN"].key)), "").status == 302);
  std::string credential;
  for (const auto& token : emulator.issuedTokens()) {
    if (token.rfind("at_", 0) == 0) credential = token;
  }
  auto stored = w.host.post("/api/social-media/connect/oauthtest", admin, {{"credential", credential}});
  REQUIRE(stored.status == 201);
  CHECK(stored.json().at("connected").as_int64() == 2);
  CHECK(stored.body.find(credential) == std::string::npos);
  CHECK(connectionCount(w, admin) == 2);
  CHECK(rawDatabase(w).find(credential) == std::string::npos);
}

TEST_CASE("a credential with named accounts: the postable ones connected, each other refused with its reason",
          "[oauth]") {
  OAuthEmulator emulator;
  // The instance's default credential (as TELEGRAM_BOT_TOKEN is for telegram), taken only when
  // an organization gives none: obtained out of band from the platform, as a bot owner would.
  std::string instanceCredential;
  {
    World first(oauthEnv(emulator));
    emulator.consentAs("7");
    REQUIRE(first.host.get(pathOf(consent(first, first.a.byRole["ADMIN"].key)), "").status == 302);
    for (const auto& token : emulator.issuedTokens())
      if (token.rfind("at_", 0) == 0) instanceCredential = token;
  }
  auto env = oauthEnv(emulator);
  env["OAUTHTEST_BOT_TOKEN"] = instanceCredential;
  World w(env);
  const auto& admin = w.a.byRole["ADMIN"].key;
  emulator.consentAs("3");
  REQUIRE(w.host.get(pathOf(consent(w, w.b.byRole["ADMIN"].key)), "").status == 302);
  std::string credential;
  for (const auto& token : emulator.issuedTokens())
    if (token.rfind("at_", 0) == 0 && token != instanceCredential) credential = token;

  auto some = w.host.post("/api/social-media/connect/oauthtest", admin,
                          {{"credential", credential}, {"accounts", {"p-3", "@elsewhere", "u-9"}}});
  INFO(some.body);
  REQUIRE(some.status == 201);
  CHECK(some.json().at("connected").as_int64() == 1);
  CHECK(some.json().at("refused") ==
        boost::json::parse(R"([{"account":"@elsewhere","reason":"this credential cannot post as @elsewhere"},)"
                           R"({"account":"u-9","reason":"this credential cannot post as u-9"}])"));
  const auto connections = some.json().at("connections").as_array();
  REQUIRE(connections.size() == 1);
  CHECK(str(connections[0], "accountId") == "p-3");

  // None postable: 422, the refusals in the problem, nothing stored.
  auto none =
      w.host.post("/api/social-media/connect/oauthtest", admin, {{"credential", credential}, {"accounts", {"@nope"}}});
  CHECK(none.status == 422);
  CHECK(none.header("content-type").find("application/problem+json") != std::string::npos);
  CHECK(none.json().at("refused").at(0).at("account") == "@nope");
  CHECK(connectionCount(w, admin) == 1);
  CHECK(w.host.post("/api/social-media/connect/oauthtest", admin, {{"accounts", "p-3"}}).status == 400);
  CHECK(w.host.post("/api/social-media/connect/oauthtest", admin, {{"accounts", boost::json::array(51, "x")}}).status ==
        400);

  // No credential: the instance's default; a platform without one says so.
  auto byDefault = w.host.post("/api/social-media/connect/oauthtest", admin, {{"accounts", {"u-7"}}});
  INFO(byDefault.body);
  REQUIRE(byDefault.status == 201);
  CHECK(byDefault.json().at("connected").as_int64() == 1);
  auto noDefault = w.host.post("/api/social-media/connect/oauthtest2", admin, {{"accounts", {"u-7"}}});
  CHECK(noDefault.status == 400);
  CHECK(str(noDefault.json(), "detail").find("no default credential") != std::string::npos);
  CHECK(rawDatabase(w).find(instanceCredential) == std::string::npos);
  CHECK(rawDatabase(w).find(credential) == std::string::npos);
}

TEST_CASE("the dashboard page and the platforms it offers", "[oauth][dashboard]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  auto page = w.host.get("/social-media", "");
  REQUIRE(page.status == 200);
  CHECK(page.header("content-type").rfind("text/html", 0) == 0);
  const std::string policy =
      "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
  CHECK(page.header("content-security-policy") == policy);
  CHECK(page.header("x-content-type-options") == "nosniff");
  CHECK(page.header("referrer-policy") == "no-referrer");
  CHECK(page.body.find("<script type=\"module\" src=\"/social-media/assets/app.js\">") != std::string::npos);
  CHECK(page.body.find("<style") == std::string::npos);  // nothing inline: the policy would refuse it
  // Every file of the app from /social-media/assets/, typed by its name, under the same policy.
  std::string script;
  for (const auto& [file, type] : std::vector<std::pair<std::string, std::string>>{{"app.js", "text/javascript"},
                                                                                   {"api.js", "text/javascript"},
                                                                                   {"accounts.js", "text/javascript"},
                                                                                   {"compose.js", "text/javascript"},
                                                                                   {"calendar.js", "text/javascript"},
                                                                                   {"analytics.js", "text/javascript"},
                                                                                   {"errors.js", "text/javascript"},
                                                                                   {"team.js", "text/javascript"},
                                                                                   {"results.js", "text/javascript"},
                                                                                   {"app.css", "text/css"},
                                                                                   {"favicon.svg", "image/svg+xml"}}) {
    const auto asset = w.host.get("/social-media/assets/" + file, "");
    INFO(file);
    REQUIRE(asset.status == 200);
    CHECK(asset.header("content-type").rfind(type, 0) == 0);
    CHECK(asset.header("content-security-policy") == policy);
    CHECK(asset.header("x-content-type-options") == "nosniff");
    CHECK(asset.body.find("innerHTML") == std::string::npos);  // text only: nothing a platform returns becomes markup
    if (type == "text/javascript") script += asset.body;
  }
  for (const char* unknown : {"nothing.js", "index.html", "..%2Fapi%2Fopenapi.json"}) {
    const auto missing = w.host.get(std::string("/social-media/assets/") + unknown, "");
    INFO(unknown);
    CHECK(missing.status == 404);
    CHECK(missing.header("content-type") == "application/problem+json");
  }
  CHECK(script.find("/api/social-media/connect/") != std::string::npos);
  auto platforms = w.host.get("/api/social-media/platforms", w.a.byRole["USER"].key);
  REQUIRE(platforms.status == 200);
  const auto list = platforms.json();
  bool listed = false;
  for (const auto& p : list.as_array()) {
    if (str(p, "id") != "oauthtest") continue;
    listed = true;
    CHECK(str(p, "connect") == "oauth");
    CHECK(p.at("defaultCredential") == false);
    CHECK(p.at("configured") == true);
  }
  CHECK(listed);
  CHECK(w.host.get("/api/social-media/platforms", "").status == 401);
  CHECK(script.find("!p.configured") != std::string::npos);  // no Connect button that can only fail
  // Credential platforms get a form asking for the credential and the chats to post to.
  CHECK(script.find("credentialForm") != std::string::npos);
  CHECK(script.find("accounts: chats.value.split") != std::string::npos);
}

TEST_CASE("an OAuth platform without the operator's app is listed as not configured", "[oauth][dashboard]") {
  OAuthEmulator emulator;
  auto env = oauthEnv(emulator);
  env.erase("OAUTHTEST_CLIENT_ID");
  World w(env);
  const auto platforms = w.host.get("/api/social-media/platforms", w.a.byRole["USER"].key).json();
  bool listed = false;
  for (const auto& p : platforms.as_array()) {
    if (str(p, "id") != "oauthtest") continue;
    listed = true;
    CHECK(str(p, "connect") == "oauth");
    CHECK(p.at("configured") == false);  // the dashboard offers no Connect button that can only fail
  }
  CHECK(listed);
}

TEST_CASE("state reuse, expiry, other platform and other organization are refused with nothing stored", "[oauth]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), R"({"oauth":{"stateLifetimeSeconds":3}})");
  const auto& adminA = w.a.byRole["ADMIN"].key;
  // Each refusal for its own reason (not, say, because the short lifetime ran out meanwhile).
  const auto refusedFor = [&](const std::string& path, const std::string& key, const std::string& reason) {
    const auto r = w.host.get(path, key);
    INFO(path << " answered " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(r.header("content-type") == "application/problem+json");
    CHECK(str(r.json(), "detail").find(reason) != std::string::npos);
  };

  // Other platform: a state issued for oauthtest used on oauthtest2's callback.
  const auto crossPlatform = consent(w, adminA);
  auto misuse = pathOf(crossPlatform);
  misuse.replace(misuse.find("/callback/oauthtest"), std::string("/callback/oauthtest").size(), "/callback/oauthtest2");
  refusedFor(misuse, "", "issued for another platform");

  // Other organization: B's key on A's callback.
  const auto crossOrg = consent(w, adminA);
  refusedFor(pathOf(crossOrg), w.b.byRole["ADMIN"].key, "belongs to another organization");

  // Unknown and missing state.
  refusedFor("/api/auth/callback/oauthtest?code=x&state=nonsense", "", "unknown or already used state");
  refusedFor("/api/auth/callback/oauthtest?code=x", "", "has no state");

  // Expired: the callback arrives after the state's lifetime.
  const auto late = consent(w, adminA);
  std::this_thread::sleep_for(std::chrono::milliseconds(3300));
  refusedFor(pathOf(late), "", "has expired");

  CHECK(connectionCount(w, adminA) == 0);
  CHECK(connectionCount(w, w.b.byRole["ADMIN"].key) == 0);

  // Reuse: the first use works, the replay is refused and stores nothing more.
  const auto good = consent(w, adminA);
  CHECK(w.host.get(pathOf(good), "").status == 302);
  CHECK(connectionCount(w, adminA) == 2);
  CHECK(w.host.get(pathOf(good), "").status == 400);
  CHECK(connectionCount(w, adminA) == 2);

  // The user declines at the platform: back to the dashboard with the reason, nothing stored.
  auto start = w.host.request("GET", "/api/social-media/connect/oauthtest2", adminA);
  const auto state = query(start.header("location")).at("state");
  auto declined = w.host.get("/api/auth/callback/oauthtest2?error=access_denied&state=" + state, "");
  CHECK(declined.status == 302);
  CHECK(declined.header("location").find("error=access_denied") != std::string::npos);
  auto list = w.host.get("/api/social-media/connections", adminA);
  CHECK(list.body.find("oauthtest2") == std::string::npos);
}

TEST_CASE("50 concurrent uses of an expiring token cause exactly one refresh; invalid_grant expires the connection",
          "[oauth]") {
  OAuthEmulator emulator;
  emulator.refreshDelayMs = 300;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  REQUIRE(emulator.refreshGrants() == 0);

  // The user token expires in 60 s, inside the refresh margin: every live use wants a refresh.
  std::atomic<int> healthy{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      auto r = w.host.get("/api/social-media/health/oauthtest?live=true", admin);
      if (r.status == 200 && r.body.find("\"status\":\"healthy\"") != std::string::npos) ++healthy;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(healthy == 50);
  CHECK(emulator.refreshGrants() == 1);

  // The platform drops the token before its announced expiry: the host refreshes once and retries.
  emulator.expireAllAccessTokens();
  const int before = emulator.refreshGrants();
  auto recovered = w.host.get("/api/social-media/health/oauthtest?live=true", admin);
  REQUIRE(recovered.status == 200);
  CHECK(recovered.body.find("\"accountId\":\"u-1\"") != std::string::npos);
  CHECK(emulator.refreshGrants() == before + 1);
  // The user connection recovered; the page token has no refresh token and shows as expired.
  const auto states = recovered.json();
  for (const auto& c : states.as_array())
    CHECK(str(c, "status") == (str(c, "accountId") == "u-1" ? "healthy" : "expired"));

  // A forced refresh rotates the refresh token again.
  auto list = w.host.get("/api/social-media/connections", admin).json();
  std::string userConnection;
  for (const auto& c : list.as_array()) {
    if (str(c, "accountId") == "u-1") userConnection = str(c, "id");
  }
  REQUIRE(!userConnection.empty());
  auto forced = w.host.request("POST", "/api/social-media/connections/" + userConnection + "/refresh", admin, "");
  CHECK(forced.status == 200);
  CHECK(emulator.refreshGrants() == before + 2);
  CHECK(
      w.host.request("POST", "/api/social-media/connections/" + userConnection + "/refresh", w.a.byRole["USER"].key, "")
          .status == 403);

  // The platform refuses the refresh token: the connection is expired and says why.
  emulator.revokeAllRefreshTokens();
  auto refused = w.host.request("POST", "/api/social-media/connections/" + userConnection + "/refresh", admin, "");
  CHECK(refused.status == 409);
  auto connection = w.host.get("/api/social-media/connections/" + userConnection, admin);
  CHECK(str(connection.json(), "status") == "expired");
  auto health = w.host.get("/api/social-media/health/oauthtest", admin);
  REQUIRE(health.status == 200);
  CHECK(health.body.find("\"status\":\"expired\"") != std::string::npos);
  CHECK(health.body.find("refresh failed") != std::string::npos);
  // It stops retrying until the user reconnects.
  const int grants = emulator.refreshGrants();
  CHECK(w.host.request("POST", "/api/social-media/connections/" + userConnection + "/refresh", admin, "").status ==
        409);
  CHECK(emulator.refreshGrants() == grants);
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  CHECK(str(w.host.get("/api/social-media/connections/" + userConnection, admin).json(), "status") == "active");

  // Disconnect revokes at the platform and forgets the row.
  const int revocations = emulator.revocations();
  CHECK(w.host.request("DELETE", "/api/social-media/connections/" + userConnection, w.a.byRole["USER"].key).status ==
        403);
  CHECK(w.host.request("DELETE", "/api/social-media/connections/" + userConnection, admin).status == 204);
  CHECK(emulator.revocations() == revocations + 1);
  CHECK(w.host.get("/api/social-media/connections/" + userConnection, admin).status == 404);
}

TEST_CASE("two hosts on one database refresh a shared connection once", "[oauth][postgresql]") {
  REQUIRE(backend() == "postgresql");  // several hosts need PostgreSQL (one host per SQLite file)
  OAuthEmulator emulator;
  emulator.refreshDelayMs = 250;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  const auto second = secondHost(w, oauthEnv(emulator));

  // 50 callers, half on each host, arriving over half a second: before, during and after the one
  // refresh. Each that waited uses the token its predecessor stored.
  std::atomic<int> healthy{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    const Host& target = i % 2 == 0 ? w.host : *second;
    threads.emplace_back([&, i] {
      std::this_thread::sleep_for(std::chrono::milliseconds(10 * i));
      auto r = target.get("/api/social-media/health/oauthtest?live=true", admin);
      if (r.status == 200 && r.body.find("\"status\":\"healthy\"") != std::string::npos) ++healthy;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(healthy == 50);
  CHECK(emulator.refreshGrants() == 1);
}

TEST_CASE("accounts reached through one user's grant keep working when it rotates", "[oauth]") {
  OAuthEmulator emulator;
  emulator.pagesOwnTokens = false;  // a member and the organization they administer, one grant
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  std::map<std::string, std::string> byAccount;
  const auto list = w.host.get("/api/social-media/connections", admin).json();
  for (const auto& c : list.as_array()) byAccount[str(c, "accountId")] = str(c, "id");
  REQUIRE(byAccount.size() == 2);
  // Refreshing the member rotates the refresh token the organization's connection also held.
  CHECK(w.host.request("POST", "/api/social-media/connections/" + byAccount["u-1"] + "/refresh", admin, "").status ==
        200);
  CHECK(w.host.request("POST", "/api/social-media/connections/" + byAccount["o-1"] + "/refresh", admin, "").status ==
        200);
  CHECK(w.host.request("POST", "/api/social-media/connections/" + byAccount["u-1"] + "/refresh", admin, "").status ==
        200);
  CHECK(emulator.refreshGrants() == 3);
  auto health = w.host.get("/api/social-media/health?live=true", admin);
  CHECK(health.body.find("expired") == std::string::npos);
}

TEST_CASE("accounts of one grant refreshed on two hosts at once spend the refresh token once", "[oauth][postgresql]") {
  REQUIRE(backend() == "postgresql");
  OAuthEmulator emulator;
  emulator.pagesOwnTokens = false;  // the member and their organization hold one rotating refresh token
  emulator.refreshDelayMs = 250;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  std::map<std::string, std::string> byAccount;
  const auto list = w.host.get("/api/social-media/connections", admin).json();
  for (const auto& c : list.as_array()) byAccount[str(c, "accountId")] = str(c, "id");
  REQUIRE(byAccount.size() == 2);
  const auto second = secondHost(w, oauthEnv(emulator));

  // The member's connection refreshed on one host, the organization's on the other, at once.
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      const Host& target = i % 2 == 0 ? w.host : *second;
      const auto& id = byAccount[i % 2 == 0 ? "u-1" : "o-1"];
      if (target.request("POST", "/api/social-media/connections/" + id + "/refresh", admin, "").status == 200) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 20);
  CHECK(emulator.refreshGrants() == 1);
  auto health = w.host.get("/api/social-media/health?live=true", admin);
  REQUIRE(health.status == 200);
  CHECK(health.body.find("expired") == std::string::npos);
}

TEST_CASE("a ciphertext moved to another organization's row does not decrypt", "[oauth][vault]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  REQUIRE(w.host.get(pathOf(consent(w, w.a.byRole["ADMIN"].key)), "").status == 302);
  REQUIRE(w.host.get(pathOf(consent(w, w.b.byRole["ADMIN"].key)), "").status == 302);
  const auto rows =
      sql(w.host.databaseUrl(), "SELECT id, organization_id, refresh_token FROM connections WHERE account_id = 'u-1'");
  REQUIRE(rows.size() == 2);
  const auto& [fromA, toB] = rows[0][1] == w.a.id ? std::pair{rows[0], rows[1]} : std::pair{rows[1], rows[0]};
  // Copy A's sealed refresh token into B's row, as an attacker with database access might.
  sql(w.host.databaseUrl(), "UPDATE connections SET refresh_token = '" + fromA[2] + "' WHERE id = '" + toB[0] + "'");
  const int grants = emulator.refreshGrants();
  auto r = w.host.request("POST", "/api/social-media/connections/" + toB[0] + "/refresh", w.b.byRole["ADMIN"].key, "");
  CHECK(r.status == 409);
  CHECK(r.header("content-type") == "application/problem+json");
  CHECK(str(r.json(), "detail") == "stored token unreadable: reconnect");
  CHECK(emulator.refreshGrants() == grants);  // A's token never reached the platform
  // The connection says why and is no longer healthy; B's other connection is unaffected.
  const auto moved = w.host.get("/api/social-media/connections/" + toB[0], w.b.byRole["ADMIN"].key).json();
  CHECK(str(moved, "status") == "invalid");
  auto health = w.host.get("/api/social-media/health", w.b.byRole["ADMIN"].key);
  REQUIRE(health.status == 200);
  const auto items = health.json();
  for (const auto& item : items.as_array()) {
    const bool isMoved = str(item, "connectionId") == toB[0];
    CHECK(str(item, "status") == (isMoved ? "invalid" : "healthy"));
    if (isMoved) CHECK(str(item, "lastError") == "stored token unreadable: reconnect");
  }
  CHECK(w.host.get("/api/social-media/health?live=true", w.b.byRole["ADMIN"].key).status == 200);
  // A's own row still works.
  CHECK(w.host.request("POST", "/api/social-media/connections/" + fromA[0] + "/refresh", w.a.byRole["ADMIN"].key, "")
            .status == 200);
}

TEST_CASE("a connect flow completes only in the browser that started it (RFC 9700 4.7.1)", "[oauth][security]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;

  // The redirect answer binds the calling browser with a short-lived cookie for the callback only.
  auto start = w.host.request("GET", "/api/social-media/connect/oauthtest", admin);
  REQUIRE(start.status == 302);
  REQUIRE(start.setCookies.size() == 1);
  const auto& cookie = start.setCookies.front();
  CHECK(cookie.rfind("ms_oauth_", 0) == 0);
  CHECK(cookie.find("; Path=/api/auth/callback/oauthtest") != std::string::npos);
  CHECK(cookie.find("; HttpOnly") != std::string::npos);
  CHECK(cookie.find("; SameSite=Lax") != std::string::npos);
  CHECK(cookie.find("; Max-Age=600") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);  // the test host's public URL is http://

  // The starter sends the consent link to someone else, who approves in their own browser.
  auto back = fetch(start.header("location"));
  REQUIRE(back.status == 302);
  const auto tokensBefore = emulator.issuedTokens().size();
  w.host.forgetCookies();
  auto elsewhere = w.host.get(pathOf(back.header("location")), "");
  CHECK(elsewhere.status == 400);
  CHECK(elsewhere.header("content-type") == "application/problem+json");
  CHECK(str(elsewhere.json(), "type") == "urn:marketsage:problem:browser-mismatch");
  CHECK(elsewhere.header("referrer-policy") == "no-referrer");
  CHECK(elsewhere.header("cache-control") == "no-store");
  CHECK(emulator.issuedTokens().size() == tokensBefore);  // the code was never exchanged
  CHECK(connectionCount(w, admin) == 0);

  // In the browser that started it, the same steps connect; the answer carries the same guards.
  const auto done = w.host.get(pathOf(consent(w, admin)), "");
  CHECK(done.status == 302);
  CHECK(done.header("referrer-policy") == "no-referrer");
  CHECK(done.header("cache-control") == "no-store");
  CHECK(connectionCount(w, admin) == 2);

  // A JSON caller hands its user's browser a host link: single use, and it binds that browser.
  auto asJson = w.host.request("GET", "/api/social-media/connect/oauthtest", admin, std::nullopt, "",
                               {{"Accept", "application/json"}});
  REQUIRE(asJson.status == 200);
  CHECK(asJson.setCookies.empty());
  const auto link = pathOf(str(asJson.json(), "authorizeUrl"));
  w.host.forgetCookies();
  auto followed = w.host.get(link, "");
  REQUIRE(followed.status == 302);
  CHECK(followed.setCookies.size() == 1);
  CHECK(w.host.get(link, "").status == 400);  // used
  auto viaLink = fetch(followed.header("location"));
  REQUIRE(viaLink.status == 302);
  CHECK(w.host.get(pathOf(viaLink.header("location")), "").status == 302);

  // A link nobody followed in time is refused.
  World slow(oauthEnv(emulator), R"({"oauth":{"startLinkSeconds":1}})");
  auto late = slow.host.request("GET", "/api/social-media/connect/oauthtest", slow.a.byRole["ADMIN"].key, std::nullopt,
                                "", {{"Accept", "application/json"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  CHECK(slow.host.get(pathOf(str(late.json(), "authorizeUrl")), "").status == 400);
}

TEST_CASE("a browser is never left on an error document: a refused callback lands on the dashboard with the reason",
          "[oauth][dashboard]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  const std::map<std::string, std::string> browser{
      {"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}};
  const auto landing = [&](const std::string& path) {
    const auto r = w.host.request("GET", path, "", std::nullopt, "", browser);
    INFO(path << " answered " << r.status << " " << r.body);
    CHECK(r.status == 302);
    CHECK(r.header("cache-control") == "no-store");
    return r.header("location");
  };
  const auto dashboard =
      "http://127.0.0.1:" + std::to_string(w.host.port()) + "/social-media?platform=oauthtest&error=";

  // Unknown (or forged) state: the same bytes a person's browser is sent to.
  CHECK(landing("/api/auth/callback/oauthtest?code=x&state=bogus") ==
        dashboard + "bad-input&message=unknown%20or%20already%20used%20state");
  CHECK(landing("/api/auth/callback/oauthtest?code=x") ==
        dashboard + "bad-input&message=the%20callback%20has%20no%20state");
  // A platform id is echoed only as text in the query, never as more parameters.
  CHECK(landing("/api/auth/callback/oauth%26x=1?state=bogus") ==
        "http://127.0.0.1:" + std::to_string(w.host.port()) +
            "/social-media?platform=oauth%2526x%3D1&error=not-found&message=no%20enabled%20platform%20%22oauth%2526x%"
            "3D1%22");

  // The flow finished in another browser, and a reused state.
  auto start = w.host.request("GET", "/api/social-media/connect/oauthtest", admin);
  REQUIRE(start.status == 302);
  const auto back = pathOf(fetch(start.header("location")).header("location"));
  w.host.forgetCookies();
  CHECK(landing(back).rfind(
            dashboard + "browser-mismatch&message=this%20connect%20flow%20was%20started%20in%20another%20browser", 0) ==
        0);
  CHECK(landing(back) == dashboard + "bad-input&message=unknown%20or%20already%20used%20state");
  CHECK(connectionCount(w, admin) == 0);

  // An API client keeps the problem+json answer.
  const auto api = w.host.get("/api/auth/callback/oauthtest?code=x&state=bogus", "");
  CHECK(api.status == 400);
  CHECK(api.header("content-type") == "application/problem+json");
}

TEST_CASE("keys rotate re-encrypts every token; the old key can then go", "[oauth][vault]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  REQUIRE(w.host.stop() == 0);

  const std::string newKey(32, 'K');  // raw 32 bytes
  Host rotated(w.host.databaseUrl(), [&] {
    auto env = oauthEnv(emulator, newKey);
    env["FIELD_ENCRYPTION_KEY_PREVIOUS"] = devKey;
    env["MARKETSAGE_DATA_DIR"] = w.host.dir().string();
    return env;
  }());
  const auto before = sql(w.host.databaseUrl(), "SELECT access_token FROM connections");
  auto result = rotated.command({"keys", "rotate"});
  INFO(result.err);
  REQUIRE(result.exitCode == 0);
  CHECK(result.out.find("re-encrypted 3 token(s)") != std::string::npos);  // 2 access + 1 refresh
  const auto after = sql(w.host.databaseUrl(), "SELECT access_token FROM connections");
  REQUIRE(after.size() == before.size());
  const auto keyIdOf = [](const std::string& blob) { return blob.substr(0, blob.find('.', blob.find('.') + 1)); };
  for (std::size_t i = 0; i < after.size(); ++i) CHECK(keyIdOf(after[i][0]) != keyIdOf(before[i][0]));
  CHECK(rotated.command({"keys", "rotate"}).out.find("re-encrypted 0 token(s)") != std::string::npos);

  // With only the new key, every token is still readable: a live check uses them all.
  Host only(w.host.databaseUrl(), [&] {
    auto env = oauthEnv(emulator, newKey);
    env["MARKETSAGE_DATA_DIR"] = w.host.dir().string();
    return env;
  }());
  only.start();
  auto health = only.get("/api/social-media/health?live=true", admin);
  REQUIRE(health.status == 200);
  CHECK(health.json().as_array().size() == 2);
  CHECK(health.body.find("\"status\":\"healthy\"") != std::string::npos);
  CHECK(health.body.find("expired") == std::string::npos);
}

TEST_CASE("health items carry the contract's names; a connection without a refresh token is re-checked instead",
          "[oauth]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  const auto health = w.host.get("/api/social-media/health", admin);
  REQUIRE(health.status == 200);
  const auto items = health.json();
  REQUIRE(items.as_array().size() == 2);
  std::string page;
  for (const auto& item : items.as_array()) {
    for (const char* name : {"platform", "organizationId", "connectionId", "accountId", "status", "lastSuccessfulCall",
                             "tokenExpiresAt", "errorCount", "lastError", "canRefresh"}) {
      INFO(name);
      CHECK(item.as_object().contains(name));
    }
    CHECK(str(item, "organizationId") == w.a.id);
    CHECK(str(item, "platform") == "oauthtest");
    CHECK(item.at("errorCount").is_int64());
    if (str(item, "accountId") == "p-1") page = str(item, "connectionId");
    CHECK(item.at("canRefresh").as_bool() == (str(item, "accountId") == "u-1"));  // the page token has no refresh token
  }
  REQUIRE(!page.empty());

  // "Refresh" on the page: nothing to refresh, so the token is checked at the platform instead.
  const int grants = emulator.refreshGrants();
  const auto checked = w.host.request("POST", "/api/social-media/connections/" + page + "/refresh", admin, "");
  INFO(checked.body);
  REQUIRE(checked.status == 200);
  CHECK(checked.json().at("refreshed").as_bool() == false);
  CHECK(checked.json().at("checked").as_bool() == true);
  CHECK(emulator.refreshGrants() == grants);
  // Every manual refresh or check is audited.
  const auto audit = w.host.get("/api/audit?limit=20", admin).body;
  CHECK(audit.find("\"action\":\"connection.checked\"") != std::string::npos);
  // A page token the platform no longer accepts: the check says so, and the connection shows it.
  emulator.expireAllAccessTokens();
  const auto dead = w.host.request("POST", "/api/social-media/connections/" + page + "/refresh", admin, "");
  CHECK(dead.status == 409);
  CHECK(str(w.host.get("/api/social-media/connections/" + page, admin).json(), "status") == "expired");
}

TEST_CASE("a failed code exchange keeps the platform's reason, in the log and on the dashboard", "[oauth]") {
  OAuthEmulator emulator;
  auto env = oauthEnv(emulator);
  env["OAUTHTEST_CLIENT_SECRET"] = "a-wrong-secret";
  World w(env);
  const auto& admin = w.a.byRole["ADMIN"].key;
  const auto done = w.host.get(pathOf(consent(w, admin)), "");
  REQUIRE(done.status == 302);
  const auto location = done.header("location");
  INFO(location);
  CHECK(location.find("error=invalid_client") != std::string::npos);  // the platform's code, not "transient"
  CHECK(location.find("transient") == std::string::npos);
  CHECK(query(location).at("message").find("client credentials were refused") != std::string::npos);
  CHECK(w.host.logText().find("\"platformCode\":\"invalid_client\"") != std::string::npos);
  CHECK(connectionCount(w, admin) == 0);
}
