#include "integration/World.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <cstdlib>
#include <sstream>
#include <thread>

using namespace harness;

TEST_CASE("migrate is idempotent; a failing migration rolls back whole", "[store]") {
  Host host;
  auto first = host.command({"migrate"});
  REQUIRE(first.exitCode == 0);
  CHECK(first.out.find("applied 1") != std::string::npos);
  auto second = host.command({"migrate"});
  REQUIRE(second.exitCode == 0);
  CHECK(second.out.find("applied") == std::string::npos);
  CHECK(second.out.find("schema at version 11") != std::string::npos);  // the newest migration

  // A database where the last statement of migration 1 must fail.
  Host broken;
  sql(broken.databaseUrl(), "CREATE TABLE audit_log (unrelated TEXT)");
  auto failed = broken.command({"migrate"});
  CHECK(failed.exitCode == 1);
  CHECK(failed.err.find("rolled back") != std::string::npos);
  auto bad = broken.command({"serve"});
  CHECK(bad.exitCode == 1);
  // Nothing of migration 1 stayed behind.
  CHECK(sql(broken.databaseUrl(), "SELECT COUNT(*) FROM schema_migrations")[0][0] == "0");
  CHECK_THROWS(sql(broken.databaseUrl(), "SELECT COUNT(*) FROM organizations"));
}

TEST_CASE("bad command lines print usage and exit 2; every command has --help", "[cli]") {
  Host host;
  for (const auto& args : std::vector<std::vector<std::string>>{{},
                                                                {"frobnicate"},
                                                                {"serve", "--bogus"},
                                                                {"serve", "--config"},
                                                                {"migrate", "extra", "--nope"},
                                                                {"admin"}}) {
    const auto r = host.command(args);
    INFO(r.err);
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("usage:") != std::string::npos);
  }
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"admin", "bootstrap", "--help"}}) {
    const auto r = host.command(args);
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("usage:") != std::string::npos);
  }
  const auto missing = host.command({"serve", "--config", "/nonexistent.json"});
  CHECK(missing.exitCode == 1);
  CHECK(missing.err.find("cannot read /nonexistent.json") != std::string::npos);
}

TEST_CASE("the data stays when the host restarts", "[store]") {
  Host host;
  const auto key = host.bootstrap();
  host.start();
  REQUIRE(host.post("/api/orgs", key, {{"name", "Persistent"}}).status == 201);
  REQUIRE(host.stop() == 0);
  host.start();
  CHECK(host.get("/api/orgs", key).body.find("Persistent") != std::string::npos);
}

TEST_CASE("HTTPS when a certificate is configured", "[http]") {
  Host host;
  const auto cert = (host.dir() / "cert.pem").string();
  const auto keyFile = (host.dir() / "key.pem").string();
  const std::string openssl = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " +
                              keyFile + " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(openssl.c_str()) == 0);
  host.bootstrap();
  std::ostringstream config;
  config << R"({"server":{"tls":{"certificate":")" << cert << R"(","privateKey":")" << keyFile << R"("}}})";
  host.useTls();
  host.start(config.str());  // polls /api/health over HTTPS
  auto health = host.get("/api/health", "");
  CHECK(health.status == 200);
  CHECK(str(health.json(), "status") == "ok");
  // Plain HTTP on the TLS port gets no answer.
  Poco::Net::HTTPClientSession plain("127.0.0.1", static_cast<Poco::UInt16>(host.port()));
  plain.setTimeout(Poco::Timespan(2, 0));
  Poco::Net::HTTPRequest request("GET", "/api/health", Poco::Net::HTTPMessage::HTTP_1_1);
  CHECK_THROWS([&] {
    plain.sendRequest(request);
    Poco::Net::HTTPResponse response;
    plain.receiveResponse(response);
  }());
}

TEST_CASE("health answers 503 when the database goes away", "[health][postgresql]") {
  REQUIRE(backend() == "postgresql");  // an embedded SQLite file cannot be "down"
  Host host;
  host.bootstrap();
  host.start();
  REQUIRE(host.get("/api/health", "").status == 200);
  dropPostgresDatabase(host.databaseUrl());
  auto health = host.get("/api/health", "");
  CHECK(health.status == 503);
  CHECK(str(health.json(), "status") == "unavailable");
  CHECK(str(health.json().at("database"), "status") == "down");
}
