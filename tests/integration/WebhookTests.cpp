// Outgoing webhooks over real HTTP: registration (the secret shown once, sealed at rest), the URL
// guard, roles and tenancy, and delivery to a receiver on loopback that checks every Standard
// Webhooks signature with its own HMAC: post events from the outbox, the test event, retries with
// one webhook-id, and an endpoint disabled (audited) after persistent failure.
#include "integration/Posting.h"
#include "integration/TestPlatform.h"

#include "TestServer.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

using namespace harness;
namespace json = boost::json;

namespace {

/// Records every POST it receives; answers `failStatus` to the next `failCount` of them
/// (forever when failCount < 0), 200 otherwise.
class Receiver {
 public:
  struct Received {
    std::string id, timestamp, signature, contentType, body;
  };

  Receiver()
      : server_([this](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
          Received r{request.get("webhook-id", ""), request.get("webhook-timestamp", ""),
                     request.get("webhook-signature", ""), request.getContentType(),
                     marketsage::test::readBody(request)};
          int status = 200;
          {
            std::lock_guard lock(mutex_);
            received_.push_back(r);
            if (failCount != 0) {
              status = failStatus;
              if (failCount > 0) --failCount;
            }
          }
          if (status == 302) response.set("Location", "http://127.0.0.1:1/elsewhere");
          marketsage::test::sendJson(response, status, R"({"ok":true})");
        }) {}

  std::string url() const { return server_.url() + "/hooks/in"; }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  void failNext(int count, int status) {
    std::lock_guard lock(mutex_);
    failCount = count;
    failStatus = status;
  }
  /// Waits (bounded) until `done` holds for what arrived; returns it.
  std::vector<Received> waitFor(const std::function<bool(const std::vector<Received>&)>& done, int seconds = 20) const {
    for (int i = 0; i < seconds * 20; ++i) {
      auto all = received();
      if (done(all)) return all;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the receiver did not get what was expected");
    return {};
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  int failCount = 0;
  int failStatus = 500;
  marketsage::test::TestServer server_;
};

std::string base64Decode(const std::string& text) {
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  return std::string(std::istreambuf_iterator<char>(decoder), {});
}

std::string base64Encode(const unsigned char* data, std::size_t size) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  encoder.close();
  return out.str();
}

/// The Standard Webhooks check, done here with OpenSSL: HMAC-SHA256 of "{id}.{timestamp}.{body}"
/// under the base64-decoded secret (after "whsec_"), base64, after "v1,".
bool signatureValid(const std::string& secret, const Receiver::Received& r) {
  REQUIRE(secret.rfind("whsec_", 0) == 0);
  const auto key = base64Decode(secret.substr(6));
  const auto message = r.id + "." + r.timestamp + "." + r.body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &size);
  return r.signature == "v1," + base64Encode(mac, size);
}

std::string webhooksConfig(const std::string& allowHosts, int disableAfter = 5) {
  return R"({"publishing": {"waitSeconds": 10, "retryBaseMillis": 200, "pollMillis": 100, "workers": 2},
            "webhooks": {"retrySchedule": [0.2, 0.3, 0.3], "pollMillis": 50, "timeoutSeconds": 5,
                         "disableAfterFailures": )" +
         std::to_string(disableAfter) + R"(, "allowHosts": )" + allowHosts + "}}";
}

json::value createWebhook(World& w, const std::string& key, const std::string& url,
                          const json::array& events = {"post.published", "post.failed"}) {
  auto r = w.host.post("/api/webhooks", key, {{"url", url}, {"events", events}, {"description", "ours"}});
  REQUIRE(r.status == 201);
  return r.json();
}

json::value deliveries(World& w, const std::string& key, const std::string& webhookId) {
  auto r = w.host.get("/api/webhooks/" + webhookId + "/deliveries", key);
  REQUIRE(r.status == 200);
  return r.json();
}

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("webhooks: the secret is shown once and sealed; URLs, events, roles and tenancy are checked", "[webhooks]") {
  World w({}, webhooksConfig("[]"));
  const auto admin = w.a.byRole["ADMIN"].key;

  SECTION("internal or non-https URLs are refused unless allow-listed") {
    for (const std::string url :
         {"http://127.0.0.1:8080/hook", "https://10.0.0.1/hook", "https://169.254.169.254/latest", "https://[::1]/hook",
          "http://93.184.215.14/hook", "ftp://93.184.215.14/hook", "https://user:pw@93.184.215.14/hook", "not a url"}) {
      auto r = w.host.post("/api/webhooks", admin, {{"url", url}, {"events", {"post.published"}}});
      CHECK(r.status == 400);
      CHECK(r.header("content-type").rfind("application/problem+json", 0) == 0);
    }
    CHECK(w.host.get("/api/webhooks", admin).json().as_array().empty());
  }

  SECTION("events must be named and known") {
    const std::string url = "https://93.184.215.14/hook";
    CHECK(w.host.post("/api/webhooks", admin, {{"url", url}, {"events", json::array{}}}).status == 400);
    CHECK(w.host.post("/api/webhooks", admin, {{"url", url}}).status == 400);
    CHECK(w.host.post("/api/webhooks", admin, {{"url", url}, {"events", {"post.deleted"}}}).status == 400);
    CHECK(w.host.post("/api/webhooks", admin, {{"url", url}, {"events", {"post.published"}}, {"extra", 1}}).status ==
          400);
  }

  SECTION("created: secret once, never listed, never stored in clear; other organizations and roles stay out") {
    const auto created = createWebhook(w, admin, "https://93.184.215.14/hook");
    const auto id = str(created, "id");
    const auto secret = str(created, "secret");
    REQUIRE(secret.rfind("whsec_", 0) == 0);
    CHECK(base64Decode(secret.substr(6)).size() >= 24);
    CHECK(created.at("enabled").as_bool());
    CHECK(str(created, "description") == "ours");
    CHECK(created.at("events").as_array().size() == 2);

    const auto list = w.host.get("/api/webhooks", admin);
    REQUIRE(list.status == 200);
    REQUIRE(list.json().as_array().size() == 1);
    CHECK(str(list.json().as_array()[0], "id") == id);
    CHECK(list.body.find("secret") == std::string::npos);
    CHECK(list.body.find(secret.substr(6)) == std::string::npos);

    if (backend() == "sqlite") {
      const auto path = w.host.databaseUrl().substr(7);
      CHECK(fileText(path).find(secret.substr(6)) == std::string::npos);
      CHECK(fileText(path + "-wal").find(secret.substr(6)) == std::string::npos);
    } else {
      const auto rows = sql(w.host.databaseUrl(), "SELECT secret FROM webhooks");
      REQUIRE(rows.size() == 1);
      CHECK(rows[0][0].find(secret.substr(6)) == std::string::npos);
    }
    CHECK(w.host.logText().find(secret.substr(6)) == std::string::npos);

    // Another organization's admin: 404 everywhere, and its list is empty.
    const auto other = w.b.byRole["ADMIN"].key;
    CHECK(w.host.request("DELETE", "/api/webhooks/" + id, other).status == 404);
    CHECK(w.host.request("POST", "/api/webhooks/" + id + "/test", other).status == 404);
    CHECK(w.host.get("/api/webhooks/" + id + "/deliveries", other).status == 404);
    CHECK(w.host.get("/api/webhooks", other).json().as_array().empty());

    // Below ADMIN: 403.
    for (const char* role : {"USER", "GUEST"}) {
      const auto key = w.a.byRole[role].key;
      CHECK(w.host.get("/api/webhooks", key).status == 403);
      CHECK(
          w.host.post("/api/webhooks", key, {{"url", "https://93.184.215.14/x"}, {"events", {"post.failed"}}}).status ==
          403);
      CHECK(w.host.request("DELETE", "/api/webhooks/" + id, key).status == 403);
      CHECK(w.host.get("/api/webhooks/" + id + "/deliveries", key).status == 403);
    }

    CHECK(w.host.request("DELETE", "/api/webhooks/" + id, admin).status == 204);
    CHECK(w.host.request("DELETE", "/api/webhooks/" + id, admin).status == 404);
    CHECK(w.host.get("/api/webhooks", admin).json().as_array().empty());
  }
}

TEST_CASE("webhooks: signed deliveries of post events and the test event; retries keep the webhook-id", "[webhooks]") {
  OAuthEmulator emulator;
  Receiver receiver;
  World w(oauthEnv(emulator), webhooksConfig(R"(["127.0.0.1"])"));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto created = createWebhook(w, admin, receiver.url());
  const auto id = str(created, "id");
  const auto secret = str(created, "secret");

  SECTION("a published post delivers post.published, signed") {
    connect(w, admin, "oauthtest", 2);
    auto r = postJson(w, admin, {{"content", "Hello webhooks"}, {"platforms", {"oauthtest"}}});
    REQUIRE((r.status == 201 || r.status == 202));
    const auto postId = str(r.json(), "id");
    waitSettled(w, admin, postId);
    const auto got = receiver.waitFor([](const auto& all) { return all.size() >= 2; });
    for (const auto& one : got) {
      CHECK(signatureValid(secret, one));
      CHECK(one.contentType == "application/json");
      CHECK(one.id.rfind("evt_", 0) == 0);
      CHECK(std::abs(std::stoll(one.timestamp) - std::chrono::duration_cast<std::chrono::seconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count()) < 60);
      const auto event = json::parse(one.body);
      CHECK(str(event, "type") == "post.published");
      CHECK(str(event, "id") == one.id);
      CHECK(str(event, "organizationId") == w.a.id);
      CHECK(str(event.at("data"), "id") == postId);
      CHECK(str(event.at("data"), "content") == "Hello webhooks");
      CHECK(event.at("data").at("results").as_array().size() == 2);
      CHECK(one.body.find("token") == std::string::npos);
    }
    // One event per target reaching published: two targets, two distinct events.
    CHECK(got[0].id != got[1].id);
    const auto log = deliveries(w, admin, id);
    REQUIRE(log.as_array().size() == 2);
    for (const auto& d : log.as_array()) {
      CHECK(str(d, "status") == "delivered");
      CHECK(d.at("attempts").as_int64() == 1);
      CHECK(d.at("lastHttpStatus").as_int64() == 200);
      CHECK(str(d, "type") == "post.published");
    }
  }

  SECTION("the test event; a failing receiver gets retries with the same webhook-id, then success") {
    receiver.failNext(2, 500);
    auto t = w.host.request("POST", "/api/webhooks/" + id + "/test", admin);
    REQUIRE(t.status == 202);
    const auto deliveryId = str(t.json(), "deliveryId");
    const auto got = receiver.waitFor([](const auto& all) { return all.size() >= 3; });
    CHECK(got.size() == 3);
    for (const auto& one : got) {
      CHECK(one.id == got[0].id);
      CHECK(signatureValid(secret, one));
      CHECK(str(json::parse(one.body), "type") == "webhook.test");
    }
    json::value last;
    for (int i = 0; i < 100; ++i) {
      last = deliveries(w, admin, id).as_array().at(0);
      if (str(last, "status") == "delivered") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(str(last, "id") == deliveryId);
    CHECK(str(last, "eventId") == got[0].id);
    CHECK(str(last, "status") == "delivered");
    CHECK(last.at("attempts").as_int64() == 3);
    CHECK(deliveries(w, admin, id).as_array().size() == 1);
  }
}

TEST_CASE("webhooks: persistent failure fails the delivery and disables the endpoint, audited", "[webhooks]") {
  Receiver receiver;
  World w({}, webhooksConfig(R"(["127.0.0.1"])", 2));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto id = str(createWebhook(w, admin, receiver.url()), "id");
  receiver.failNext(-1, 302);  // a redirect is a failure: never followed

  REQUIRE(w.host.request("POST", "/api/webhooks/" + id + "/test", admin).status == 202);
  REQUIRE(w.host.request("POST", "/api/webhooks/" + id + "/test", admin).status == 202);
  // Each delivery: 1 attempt + 3 retries.
  receiver.waitFor([](const auto& all) { return all.size() >= 8; });
  json::value hook;
  for (int i = 0; i < 100; ++i) {
    hook = w.host.get("/api/webhooks", admin).json().as_array().at(0);
    if (!hook.at("enabled").as_bool()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK_FALSE(hook.at("enabled").as_bool());
  CHECK(str(hook, "disabledReason").find("in a row") != std::string::npos);
  const auto log = deliveries(w, admin, id);
  REQUIRE(log.as_array().size() == 2);
  for (const auto& d : log.as_array()) {
    CHECK(str(d, "status") == "failed");
    CHECK(d.at("attempts").as_int64() == 4);
    CHECK(d.at("lastHttpStatus").as_int64() == 302);
    CHECK(d.at("nextAttemptAt").is_null());
  }
  CHECK(receiver.received().size() == 8);  // no redirect followed, nothing after the schedule
  const auto audit = w.host.get("/api/audit", admin);
  REQUIRE(audit.status == 200);
  bool disabled = false;
  const auto entries = audit.json();
  for (const auto& e : entries.as_array()) disabled = disabled || str(e, "action") == "webhook.disabled";
  CHECK(disabled);
  // A disabled endpoint takes no test event.
  CHECK(w.host.request("POST", "/api/webhooks/" + id + "/test", admin).status == 409);
}
