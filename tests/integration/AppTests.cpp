// An organization's own platform app: registered through the API, its secret sealed and never
// shown, and used — as the emulator sees from the client credentials — for that organization's
// connect flow and refreshes while another organization goes on with the instance's app.
#include "integration/OAuthEmulator.h"
#include "integration/TestPlatform.h"
#include "integration/World.h"

#include <algorithm>

using namespace harness;

namespace {

constexpr const char* ownClient = "org-a-app";
constexpr const char* ownSecret = "org-a-secret-5f1d8c0b9e7a4e2d";
constexpr const char* nextClient = "org-a-app-2";
constexpr const char* nextSecret = "org-a-secret-2-0c9b7a1f3e5d";

std::string appBody(const std::string& clientId, const std::string& secret) {
  return R"({"clientId":")" + clientId + R"(","clientSecret":")" + secret + R"("})";
}

/// The clients the emulator saw since `from` (an index into clientsSeen()).
std::vector<std::string> seenSince(const OAuthEmulator& emulator, std::size_t from) {
  const auto all = emulator.clientsSeen();
  return {all.begin() + static_cast<std::ptrdiff_t>(std::min(from, all.size())), all.end()};
}

/// The id of the user's own account among `connections` (its page has a token of its own, without
/// a refresh token).
std::string userAccount(const boost::json::array& connections) {
  for (const auto& c : connections)
    if (str(c, "accountId").rfind("u-", 0) == 0) return str(c, "id");
  FAIL("no user account among the connections");
  return {};
}

/// Forces a refresh of the key's organization's user account; returns the connection's id.
std::string refreshOne(World& w, const std::string& key) {
  auto list = w.host.get("/api/social-media/connections", key);
  REQUIRE(list.status == 200);
  auto id = userAccount(list.json().as_array());
  auto refreshed = w.host.request("POST", "/api/social-media/connections/" + id + "/refresh", key, "");
  INFO(refreshed.body);
  REQUIRE(refreshed.status == 200);
  return id;
}

}  // namespace

TEST_CASE("an organization's own app: connect and refresh through it, another organization on the instance's app",
          "[oauth][apps]") {
  OAuthEmulator emulator;
  emulator.registerClient(ownClient, ownSecret);
  emulator.registerClient(nextClient, nextSecret);
  World w(oauthEnv(emulator));
  const auto& adminA = w.a.byRole["ADMIN"].key;
  const auto& adminB = w.b.byRole["ADMIN"].key;
  const std::string appPath = "/api/social-media/apps/oauthtest";

  // Registering: ADMIN only; the secret is answered by its presence, never its value.
  CHECK(w.host.request("PUT", appPath, w.a.byRole["USER"].key, appBody(ownClient, ownSecret)).status == 403);
  auto put = w.host.request("PUT", appPath, adminA, appBody(ownClient, ownSecret));
  INFO(put.body);
  REQUIRE(put.status == 200);
  CHECK(str(put.json(), "clientId") == ownClient);
  CHECK(put.json().at("hasClientSecret").as_bool());
  CHECK(put.body.find(ownSecret) == std::string::npos);
  auto got = w.host.get(appPath, adminA);
  REQUIRE(got.status == 200);
  CHECK(str(got.json(), "id") == str(put.json(), "id"));
  CHECK(got.body.find(ownSecret) == std::string::npos);
  auto listed = w.host.get("/api/social-media/apps", adminA);
  REQUIRE(listed.status == 200);
  CHECK(listed.json().as_array().size() == 1);
  // Organization B has none of its own, and sees none of A's.
  CHECK(w.host.get(appPath, adminB).status == 404);
  CHECK(w.host.get("/api/social-media/apps", adminB).body == "[]");

  // A's connect flow runs as A's app, B's as the instance's.
  auto mark = emulator.clientsSeen().size();
  emulator.consentAs("alice");
  REQUIRE(w.host.get(pathOf(consent(w, adminA)), "").status == 302);
  CHECK(seenSince(emulator, mark) == std::vector<std::string>{std::string("authorize:") + ownClient,
                                                              std::string("authorization_code:") + ownClient});
  mark = emulator.clientsSeen().size();
  emulator.consentAs("bob");
  REQUIRE(w.host.get(pathOf(consent(w, adminB)), "").status == 302);
  CHECK(seenSince(emulator, mark) ==
        std::vector<std::string>{"authorize:test-client", "authorization_code:test-client"});

  // Refreshes go to the app that issued each connection's tokens (the emulator refuses a refresh
  // token presented by another client).
  mark = emulator.clientsSeen().size();
  const auto connectionA = refreshOne(w, adminA);
  refreshOne(w, adminB);
  CHECK(seenSince(emulator, mark) ==
        std::vector<std::string>{std::string("refresh_token:") + ownClient, "refresh_token:test-client"});

  // A replaces its app: the connection made with the first keeps refreshing through it until it
  // is reconnected, which moves it to the new one.
  auto replaced = w.host.request("PUT", appPath, adminA, appBody(nextClient, nextSecret));
  REQUIRE(replaced.status == 200);
  CHECK(str(replaced.json(), "clientId") == nextClient);
  mark = emulator.clientsSeen().size();
  refreshOne(w, adminA);
  CHECK(seenSince(emulator, mark) == std::vector<std::string>{std::string("refresh_token:") + ownClient});
  emulator.consentAs("alice");
  REQUIRE(w.host.get(pathOf(consent(w, adminA)), "").status == 302);
  mark = emulator.clientsSeen().size();
  CHECK(refreshOne(w, adminA) == connectionA);  // the same account, reconnected in place
  CHECK(seenSince(emulator, mark) == std::vector<std::string>{std::string("refresh_token:") + nextClient});

  // Removing the app: new connects use the instance's app again.
  CHECK(w.host.request("DELETE", appPath, adminB).status == 404);
  CHECK(w.host.request("DELETE", appPath, adminA).status == 204);
  CHECK(w.host.get(appPath, adminA).status == 404);
  mark = emulator.clientsSeen().size();
  auto start = w.host.request("GET", "/api/social-media/connect/oauthtest", adminA);
  REQUIRE(start.status == 302);
  CHECK(query(start.header("location")).at("client_id") == OAuthEmulator::clientId);

  // The secrets are in no answer, log line or database file; the audit names the app, not them.
  const auto raw = rawDatabase(w);
  const auto logs = w.host.logText();
  for (const std::string secret : {ownSecret, nextSecret}) {
    INFO(secret);
    CHECK(raw.find(secret) == std::string::npos);
    CHECK(logs.find(secret) == std::string::npos);
  }
  auto audit = w.host.get("/api/audit", adminA);
  REQUIRE(audit.status == 200);
  CHECK(audit.body.find("platform_app.registered") != std::string::npos);
  CHECK(audit.body.find("platform_app.removed") != std::string::npos);
  CHECK(audit.body.find(ownSecret) == std::string::npos);
}

TEST_CASE("an app is refused when its fields are wrong or its base URL points inside the network", "[apps]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  const std::string appPath = "/api/social-media/apps/oauthtest";
  const auto put = [&](const std::string& body) { return w.host.request("PUT", appPath, admin, body).status; };
  CHECK(put(R"({"clientSecret":"x"})") == 400);
  CHECK(put(R"({"clientId":""})") == 400);
  CHECK(put(R"({"clientId":"a","clientSecret":7})") == 400);
  CHECK(put(R"({"clientId":"a","bad-name":"x"})") == 400);
  CHECK(put(R"({"clientId":"a","enabled":"x"})") == 400);
  for (const std::string base : {"http://example.com", "https://127.0.0.1", "https://10.1.2.3",
                                 "https://169.254.169.254", "https://[::1]", "https://user:pw@example.com"}) {
    INFO(base);
    CHECK(put(R"({"clientId":"a","apiBase":")" + base + R"("})") == 400);
  }
  CHECK(w.host.request("PUT", "/api/social-media/apps/nosuchplatform", admin, R"({"clientId":"a"})").status == 404);
  // Nothing was stored by any refusal.
  CHECK(w.host.get(appPath, admin).status == 404);
  // A public client (no secret) with extra, non-secret fields is shown whole.
  auto ok = w.host.request("PUT", appPath, admin, R"({"clientId":"public-app","audience":"posts"})");
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  CHECK_FALSE(ok.json().at("hasClientSecret").as_bool());
  CHECK(str(ok.json(), "audience") == "posts");
  // A platform with one server takes no instance: nothing is registered or started.
  auto named = w.host.request("GET", "/api/social-media/connect/oauthtest?instance=https://example.com", admin,
                              std::nullopt, "application/json", {{"Accept", "application/json"}});
  CHECK(named.status == 400);
  CHECK(named.body.find("one server") != std::string::npos);
}

TEST_CASE("keys rotate re-seals the organizations' app secrets", "[apps][vault]") {
  OAuthEmulator emulator;
  emulator.registerClient(ownClient, ownSecret);
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.request("PUT", "/api/social-media/apps/oauthtest", admin, appBody(ownClient, ownSecret)).status ==
          200);
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  REQUIRE(w.host.stop() == 0);

  const std::string newKey(32, 'K');
  Host rotated(w.host.databaseUrl(), [&] {
    auto env = oauthEnv(emulator, newKey);
    env["FIELD_ENCRYPTION_KEY_PREVIOUS"] = devKey;
    env["MARKETSAGE_DATA_DIR"] = w.host.dir().string();
    return env;
  }());
  auto result = rotated.command({"keys", "rotate"});
  INFO(result.err);
  REQUIRE(result.exitCode == 0);
  CHECK(result.out.find("re-encrypted 4 token(s) and app secret(s)") != std::string::npos);  // 2 + 1 + the secret

  // With only the new key, A's connection still refreshes through A's app.
  Host only(w.host.databaseUrl(), [&] {
    auto env = oauthEnv(emulator, newKey);
    env["MARKETSAGE_DATA_DIR"] = w.host.dir().string();
    return env;
  }());
  only.start();
  const auto mark = emulator.clientsSeen().size();
  auto list = only.get("/api/social-media/connections", admin);
  REQUIRE(list.status == 200);
  const auto id = userAccount(list.json().as_array());
  auto refreshed = only.request("POST", "/api/social-media/connections/" + id + "/refresh", admin, "");
  INFO(refreshed.body);
  CHECK(refreshed.status == 200);
  CHECK(seenSince(emulator, mark) == std::vector<std::string>{std::string("refresh_token:") + ownClient});
}
