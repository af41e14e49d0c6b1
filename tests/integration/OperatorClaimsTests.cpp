/// What the README promises operators, each tried through the real binary: the background token
/// refresh, key rotation while hosts serve, removing a user revoking their keys, the plugin
/// commands, TLS 1.2 as the floor, drainSeconds, the log settings, audit paging and the shape of
/// every error.
#include "integration/RawHttp.h"
#include "integration/TestPlatform.h"

#if MARKETSAGE_WITH_LINKEDIN
#include "LinkedInEmulator.h"
#endif

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/wait.h>
#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

using namespace harness;
using namespace std::chrono_literals;

namespace {

std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Environment for a host that loads the bundled plugins (not the test plugins).
std::map<std::string, std::string> bundledPlugins() {
  return {{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_BUNDLED_PLUGIN_DIR}};
}

/// Whether a TLS handshake with the host succeeds when the client speaks at most `maxVersion`.
bool tlsHandshake(int port, int maxVersion) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(context, maxVersion);
  SSL_CTX_set_security_level(context, 0);  // let the client offer TLS 1.1 at all
  SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0");
  RawSocket socket(port);
  SSL* ssl = SSL_new(context);
  SSL_set_fd(ssl, socket.fd());
  const bool ok = SSL_connect(ssl) == 1;
  ERR_clear_error();
  SSL_free(ssl);
  SSL_CTX_free(context);
  return ok;
}

}  // namespace

TEST_CASE("the background pass refreshes a token about to expire with no request asking", "[oauth][claims]") {
  OAuthEmulator emulator;  // the user's first token lives 60 s: inside two refresh margins
  World w(oauthEnv(emulator), R"({"oauth":{"refreshIntervalSeconds":1}})");
  const auto& admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (emulator.refreshGrants() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  CHECK(emulator.refreshGrants() == 1);
  // The refreshed token (an hour) is not refreshed again by later passes.
  std::this_thread::sleep_for(2500ms);
  CHECK(emulator.refreshGrants() == 1);
  CHECK(w.host.logText().find("token refreshed") != std::string::npos);
}

TEST_CASE("removing a user revokes their keys at once", "[tenancy][claims]") {
  World w;
  const auto& user = w.a.byRole["USER"];
  REQUIRE(w.host.get("/api/orgs/" + w.a.id, user.key).status == 200);
  REQUIRE(w.host.request("DELETE", "/api/orgs/" + w.a.id + "/users/" + user.userId, w.a.byRole["ADMIN"].key).status ==
          204);
  CHECK(w.host.get("/api/orgs/" + w.a.id, user.key).status == 401);
  const auto keys = w.host.get("/api/keys?organizationId=" + w.a.id, w.superKey).json();
  for (const auto& key : keys.as_array()) CHECK(str(key, "userId") != user.userId);
}

TEST_CASE("keys rotate runs while hosts serve; every token stays readable", "[vault][claims]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator));
  const auto& admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  REQUIRE(w.host.stop() == 0);

  // The new key is current, the old one still readable: the host serves, and rotation runs beside it.
  const std::string newKey(32, 'N');
  auto env = oauthEnv(emulator, newKey);
  env["FIELD_ENCRYPTION_KEY_PREVIOUS"] = devKey;
  env["MARKETSAGE_DATA_DIR"] = w.host.dir().string();
  Host serving(w.host.databaseUrl(), env);
  serving.start();
  std::atomic<bool> stop{false};
  std::atomic<int> good{0}, bad{0};
  std::thread traffic([&] {
    while (!stop) {
      const auto r = serving.get("/api/social-media/health?live=true", admin);
      (r.status == 200 && r.body.find("\"status\":\"healthy\"") != std::string::npos ? good : bad)++;
    }
  });
  const auto rotated = serving.command({"keys", "rotate"});
  std::this_thread::sleep_for(300ms);
  stop = true;
  traffic.join();
  INFO(rotated.err);
  CHECK(rotated.exitCode == 0);
  CHECK(rotated.out.find("no token is left under an older key") != std::string::npos);
  CHECK(good > 0);
  CHECK(bad == 0);
}

TEST_CASE("plugins list, check and call through the binary", "[plugins][claims]") {
  Host host(freshDatabaseUrl(), bundledPlugins());
  const auto list = host.command({"plugins", "list"});
  CHECK(list.exitCode == 0);
  for (const char* id : {"facebook", "instagram", "linkedin", "twitter"})
    CHECK(list.out.find(std::string("\n") + id + " ") != std::string::npos);
  CHECK(list.out.find("PLATFORM API") != std::string::npos);

  const auto check = host.command({"plugins", "check", "twitter"});
  CHECK(check.exitCode == 0);
  CHECK(check.out.find("exports exactly one symbol") != std::string::npos);
  CHECK(check.out.find("result: PASS") != std::string::npos);
  const auto missing = host.command({"plugins", "check", "/nonexistent/libnothing.so"});
  CHECK(missing.exitCode == 1);

  // call: one function, settings from --setting, the reply on stdout.
  const auto version =
      host.command({"plugins", "call", "linkedin", "api_version", "{}", "--setting", "api_version=202601"});
  CHECK(version.exitCode == 0);
  CHECK(version.out == R"({"version":"202601","releasedAt":"2026-01-01","sunsetAt":"2027-01-15","estimated":true})"
                       "\n");
  const auto refused = host.command({"plugins", "call", "twitter", "publish", "{}"});
  CHECK(refused.exitCode == 1);
  CHECK(refused.err.find("publish failed: invalid_input") != std::string::npos);
  CHECK(host.command({"plugins", "call", "twitter", "no_such_function", "{}"}).exitCode == 2);
}

#if MARKETSAGE_WITH_LINKEDIN
TEST_CASE("a pinned platform API version near its end warns in plugins list, /api/health and the log",
          "[plugins][claims]") {
  // A LinkedIn version released 11 months ago ends in about a month.
  const auto aging = emulators::LinkedInApi::versionMonthsAgo(11);
  auto env = bundledPlugins();
  Host host(freshDatabaseUrl(), env);
  const std::string config = R"({"plugins":{"linkedin":{"api_version":")" + aging + R"("}}})";
  std::ofstream(host.dir() / "aging.json") << config;
  const auto list = host.command({"plugins", "list", "--config", (host.dir() / "aging.json").string()});
  CHECK(list.err.find("warning: linkedin pins API version " + aging) != std::string::npos);
  host.start(config);
  const auto health = host.get("/api/health", "");
  REQUIRE(health.status == 200);
  const auto warnings = health.json().at("plugins").at("warnings").as_array();
  REQUIRE(warnings.size() == 1);
  CHECK(std::string(warnings.at(0).as_string()).find("linkedin pins API version " + aging) != std::string::npos);
  CHECK(host.logText().find("linkedin pins API version " + aging) != std::string::npos);
}
#endif

TEST_CASE("TLS 1.2 is the floor", "[http][claims]") {
  Host host;
  const auto cert = (host.dir() / "cert.pem").string();
  const auto key = (host.dir() / "key.pem").string();
  REQUIRE(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " + key +
                       " -out " + cert + " >/dev/null 2>&1")
                          .c_str()) == 0);
  host.useTls();
  host.start(R"({"server":{"tls":{"certificate":")" + cert + R"(","privateKey":")" + key + R"("}}})");
  CHECK(tlsHandshake(host.port(), TLS1_2_VERSION));
  CHECK(tlsHandshake(host.port(), TLS1_3_VERSION));
  CHECK_FALSE(tlsHandshake(host.port(), TLS1_1_VERSION));
  CHECK_FALSE(tlsHandshake(host.port(), TLS1_VERSION));
}

TEST_CASE("SIGTERM waits drainSeconds for an unfinished request, no longer", "[http][claims]") {
  Host host;
  host.bootstrap();
  host.start(R"({"server":{"drainSeconds":1}})");
  RawSocket slow(host.port());  // a body that never finishes
  REQUIRE(slow.send(
      "POST /api/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na"));
  std::this_thread::sleep_for(200ms);
  const auto started = std::chrono::steady_clock::now();
  CHECK(host.stop() == 0);
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  CHECK(took >= 900);
  CHECK(took < 3000);
  CHECK(host.logText().find("\"drained\":\"false\"") != std::string::npos);
}

TEST_CASE("log settings: a file, a level, and the access log off", "[ops][claims]") {
  Host host;
  host.bootstrap();
  const auto file = host.dir() / "marketsage.log";
  host.start(R"({"log":{"file":")" + file.string() + R"(","level":"warn","access":false}})");
  CHECK(host.get("/api/nope", "").status == 404);
  REQUIRE(host.stop() == 0);
  const auto text = readFile(file);
  CHECK(text.find("\"level\":\"info\"") == std::string::npos);   // info is below warn
  CHECK(text.find("\"msg\":\"request\"") == std::string::npos);  // no access log
  if (backend() == "sqlite") {  // PostgreSQL hosts are given a key: no development key, no warning
    CHECK(text.find("DEVELOPMENT ENCRYPTION KEY") != std::string::npos);            // a warning reaches the file
    CHECK(host.logText().find("DEVELOPMENT ENCRYPTION KEY") == std::string::npos);  // and not stderr
  }
}

TEST_CASE("the audit log pages backwards without gaps or repeats", "[audit][claims]") {
  World w;
  for (int i = 0; i < 7; ++i)
    REQUIRE(w.host
                .post("/api/orgs/" + w.a.id + "/users", w.superKey,
                      {{"email", "u" + std::to_string(i) + "@a.example.com"}, {"role", "USER"}})
                .status == 201);
  const auto all = w.host.get("/api/audit?organizationId=" + w.a.id + "&limit=1000", w.superKey).json().as_array();
  REQUIRE(all.size() >= 10);
  std::vector<std::string> paged;
  std::string before;
  for (;;) {
    const auto page =
        w.host
            .get("/api/audit?organizationId=" + w.a.id + "&limit=3" + (before.empty() ? "" : "&before=" + before),
                 w.superKey)
            .json();
    if (page.as_array().empty()) break;
    CHECK(page.as_array().size() <= 3);
    for (const auto& entry : page.as_array()) paged.push_back(str(entry, "id"));
    before = paged.back();
  }
  REQUIRE(paged.size() == all.size());
  for (std::size_t i = 0; i < paged.size(); ++i) CHECK(paged[i] == str(all.at(i), "id"));
  for (std::size_t i = 1; i < paged.size(); ++i)
    CHECK(std::stoll(paged[i]) < std::stoll(paged[i - 1]));  // newest first
}

TEST_CASE("every error is problem+json with type, title, status, detail and the request id", "[http][claims]") {
  World w;
  const auto checkProblem = [&](const Response& r, int status, const std::string& type) {
    INFO(r.body);
    CHECK(r.status == status);
    CHECK(r.header("content-type") == "application/problem+json");
    const auto body = r.json();
    CHECK(str(body, "type") == "urn:marketsage:problem:" + type);
    CHECK(!str(body, "title").empty());
    CHECK(body.at("status").as_int64() == status);
    CHECK(!str(body, "detail").empty());
    CHECK(str(body, "requestId") == r.header("x-request-id"));
  };
  checkProblem(w.host.get("/api/orgs/nope", w.superKey), 404, "not-found");
  checkProblem(w.host.get("/api/orgs", ""), 401, "unauthenticated");
  checkProblem(w.host.post("/api/orgs", w.a.byRole["USER"].key, {{"name", "x"}}), 403, "forbidden");
  checkProblem(w.host.request("POST", "/api/orgs", w.superKey, "{nope"), 400, "bad-input");
  checkProblem(w.host.request("PUT", "/api/orgs", w.superKey, "{}"), 405, "method-not-allowed");
  // A request id the client sends is kept and echoed.
  const auto r = w.host.request("GET", "/api/orgs/nope", w.superKey, std::nullopt, "", {{"X-Request-Id", "trace-123"}});
  CHECK(r.header("x-request-id") == "trace-123");
  CHECK(str(r.json(), "requestId") == "trace-123");
}
