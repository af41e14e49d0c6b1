/// The HTTP front under attack, over real sockets: stalled and trickling clients, request
/// smuggling, odd versions, unbounded metric labels, and the operator-facing settings that guard
/// OAuth redirect URIs.
#include "integration/RawHttp.h"
#include "integration/World.h"

#include <atomic>
#include <memory>
#include <regex>
#include <thread>

using namespace harness;
using namespace std::chrono_literals;

namespace {

long long millisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

/// A counter's value in the /metrics text.
long long metric(const Host& host, const std::string& name) {
  const auto text = host.get("/metrics", "").body;
  const std::regex line("(^|\n)" + name + " ([0-9]+)");
  std::smatch match;
  if (!std::regex_search(text, match, line)) return -1;
  return std::stoll(match[2]);
}

/// Sends `prefix` at once, then `bytes` one at a time, `every` apart, until the server closes the
/// connection; returns how long the server let the trickle go on and what it answered.
std::pair<long long, std::string> trickle(int port, const std::string& prefix, const std::string& bytes,
                                          std::chrono::milliseconds every) {
  RawSocket socket(port);
  if (!socket.send(prefix)) return {-1, ""};
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    for (char c : bytes) {
      if (stop || !socket.send(std::string(1, c))) return;
      std::this_thread::sleep_for(every);
    }
  });
  const auto started = std::chrono::steady_clock::now();
  const auto got = socket.readUntilClosed(15s);
  const auto elapsed = millisSince(started);
  stop = true;
  sender.join();
  return {got.closed ? elapsed : -1, got.bytes};
}

const std::string health = "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

TEST_CASE("stalled and trickling clients cost a socket, never a thread; every wait is bounded in total",
          "[http][security]") {
  World w({}, R"({"server":{"headerTimeoutSeconds":3,"bodyTimeoutSeconds":3}})");
  const int port = w.host.port();

  // 300 connections from one loopback address that open a request and never finish its head.
  std::vector<std::unique_ptr<RawSocket>> stalled;
  for (int i = 0; i < 300; ++i) {
    stalled.push_back(std::make_unique<RawSocket>(port));
    REQUIRE(stalled.back()->send("GET /api/health HTTP/1.1\r\nHost: x\r\nX-Stall: "));
  }
  std::this_thread::sleep_for(200ms);
  auto started = std::chrono::steady_clock::now();
  const auto answered = w.host.get("/api/health", "");
  CHECK(answered.status == 200);
  CHECK(millisSince(started) < 1000);
  started = std::chrono::steady_clock::now();
  CHECK(w.host.get("/api/orgs", w.superKey).status == 200);  // authenticated work too
  CHECK(millisSince(started) < 1000);
  // One address may hold 256 connections: the oldest stalled ones were closed to admit the rest.
  CHECK(metric(w.host, "marketsage_http_connections_evicted_total") >= 300 - 256);

  // A head trickled one byte every 200 ms is cut off at the 3 s bound with 408, not kept alive by
  // each byte that arrives.
  const auto [headMillis, headAnswer] =
      trickle(port, "", "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 'a'), 200ms);
  CHECK(headMillis >= 2500);
  CHECK(headMillis < 5000);
  CHECK(headAnswer.rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);

  // A JSON body that stops half way: 408 at the body bound, nothing created.
  const auto organizations = w.host.get("/api/orgs", w.superKey).body;
  {
    RawSocket slowBody(port);
    REQUIRE(slowBody.send("POST /api/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + w.superKey +
                          "\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{\"name\":"));
    started = std::chrono::steady_clock::now();
    const auto got = slowBody.readUntilClosed(10s);
    CHECK(got.closed);
    CHECK(millisSince(started) < 4500);
    CHECK(got.bytes.rfind("HTTP/1.1 408 ", 0) == 0);
  }
  CHECK(w.host.get("/api/orgs", w.superKey).body == organizations);

  // The stalled heads were all closed at their bound too.
  std::this_thread::sleep_for(500ms);
  int closed = 0;
  for (auto& socket : stalled) closed += socket->readUntilClosed(50ms).closed ? 1 : 0;
  CHECK(closed == 300);
  // Each stalled head was either cut off at its bound or closed to admit a newer connection.
  CHECK(metric(w.host, "marketsage_http_timeouts_total") +
            metric(w.host, "marketsage_http_connections_evicted_total") >=
        300);
  stalled.clear();
  std::this_thread::sleep_for(300ms);
  CHECK(metric(w.host, "marketsage_http_connections") <= 2);
}

TEST_CASE("an upload streamed slower than server.minBodyRate is cut off and stores nothing", "[http][security]") {
  World w({}, R"({"server":{"bodyTimeoutSeconds":2,"minBodyRate":65536}})");
  const auto& key = w.a.byRole["USER"].key;
  const auto [millis, answer] = trickle(w.host.port(),
                                        "POST /api/social-media/media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                            key + "\r\nContent-Type: image/png\r\nContent-Length: 10000000\r\n\r\n",
                                        std::string(400, 'x'), 10ms);
  // 2 s of grace plus what the bytes sent by then earn at 64 KiB/s: well under 3 s.
  CHECK(millis >= 1500);
  CHECK(millis < 3500);
  CHECK(answer.find("HTTP/1.1 408 ") != std::string::npos);
  const auto media = w.host.get("/api/social-media/media", key);
  REQUIRE(media.status == 200);
  CHECK(media.json().as_array().empty());
}

TEST_CASE("request smuggling: a message two readers could frame differently is refused and its connection closed",
          "[http][security]") {
  World w;
  const std::string auth = "Authorization: Bearer " + w.superKey + "\r\nContent-Type: application/json\r\n";
  const std::string body = R"({"name":"Smuggled"})";
  struct Case {
    const char* name;
    std::string bytes;
    int status;
  };
  const std::vector<Case> cases = {
      {"Content-Length beside Transfer-Encoding",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth +
           "Content-Length: 19\r\nTransfer-Encoding: chunked\r\n\r\n13\r\n" + body + "\r\n0\r\n\r\n",
       400},
      {"Transfer-Encoding beside Content-Length",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth +
           "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n13\r\n" + body + "\r\n0\r\n\r\n",
       400},
      {"conflicting Content-Length fields",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 19\r\nContent-Length: 60\r\n\r\n" + body,
       400},
      {"repeated Content-Length fields",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 19\r\nContent-Length: 19\r\n\r\n" + body,
       400},
      {"a Content-Length list",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 19, 19\r\n\r\n" + body, 400},
      {"a signed Content-Length",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: +19\r\n\r\n" + body, 400},
      {"a hexadecimal Content-Length",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 0x13\r\n\r\n" + body, 400},
      {"a Content-Length with a space before the colon",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length : 19\r\n\r\n" + body, 400},
      {"a chunk longer than its size",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n5\r\n" + body +
           "\r\n0\r\n\r\n",
       400},
      {"a chunk shorter than its size",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n30\r\n" + body +
           "\r\n0\r\n\r\n",
       400},
      {"a chunk size that is not hexadecimal",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body +
           "\r\n0\r\n\r\n",
       400},
      {"a chunk size that overflows",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n10000000000000013\r\n" +
           body + "\r\n0\r\n\r\n",
       400},
      {"an unknown transfer coding",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: xchunked\r\n\r\n13\r\n" + body +
           "\r\n0\r\n\r\n",
       400},
      {"a coding after chunked",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked, gzip\r\n\r\n13\r\n" + body +
           "\r\n0\r\n\r\n",
       400},
      {"chunked twice",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth +
           "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n13\r\n" + body + "\r\n0\r\n\r\n",
       400},
      {"a coding we do not implement before chunked",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: gzip, chunked\r\n\r\n13\r\n" + body +
           "\r\n0\r\n\r\n",
       501},
      {"Transfer-Encoding in HTTP/1.0",
       "POST /api/orgs HTTP/1.0\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n13\r\n" + body +
           "\r\n0\r\n\r\n",
       400},
      {"a folded header line",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length:\r\n 19\r\n\r\n" + body, 400},
      {"a bare CR in a field",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "X-Note: a\rContent-Length: 19\r\n\r\n" + body, 400},
      {"a NUL in a field",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + std::string("X-Note: a\0b\r\n", 13) +
           "Content-Length: 19\r\n\r\n" + body,
       400},
      {"two Host fields",
       "POST /api/orgs HTTP/1.1\r\nHost: x\r\nHost: y\r\n" + auth + "Content-Length: 19\r\n\r\n" + body, 400},
      {"no Host field in HTTP/1.1", "POST /api/orgs HTTP/1.1\r\n" + auth + "Content-Length: 19\r\n\r\n" + body, 400},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    RawSocket socket(w.host.port());
    REQUIRE(socket.send(c.bytes + health));  // a second request hides behind the first
    const auto got = socket.readUntilClosed(5s);
    CHECK(got.closed);
    const auto responses = splitResponses(got.bytes);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].status == c.status);
    CHECK(responses[0].header("content-type") == "application/problem+json");
    CHECK(responses[0].header("connection") == "close");
  }
  CHECK(w.host.get("/api/orgs", w.superKey).body.find("Smuggled") == std::string::npos);

  // The same requests well formed: pipelined, each answered, in order, on one connection.
  RawSocket good(w.host.port());
  REQUIRE(good.send("POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 19\r\n\r\n" + body +
                    "POST /api/orgs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n13\r\n" +
                    body + "\r\n0\r\n\r\n" + "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const auto got = good.readUntilClosed(5s);
  const auto responses = splitResponses(got.bytes);
  REQUIRE(responses.size() == 3);
  CHECK(responses[0].status == 201);
  CHECK(responses[1].status == 201);
  CHECK(responses[2].status == 200);
}

TEST_CASE("the status line is always HTTP/1.1; other major versions get 505", "[http][security]") {
  World w;
  const auto ask = [&](const std::string& request) {
    RawSocket socket(w.host.port());
    REQUIRE(socket.send(request));
    return socket.readUntilClosed(3s);
  };
  auto nine = ask("GET /api/health HTTP/9.9\r\nHost: x\r\n\r\n");
  CHECK(nine.bytes.rfind("HTTP/1.1 505 HTTP Version Not Supported\r\n", 0) == 0);
  CHECK(nine.closed);
  CHECK(ask("GET /api/health HTTP/2.0\r\nHost: x\r\n\r\n").bytes.rfind("HTTP/1.1 505 ", 0) == 0);
  CHECK(ask("GET /api/health HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n").bytes.rfind("HTTP/1.1 200 OK\r\n", 0) ==
        0);
  CHECK(ask("GET /api/health HTTP/x.y\r\nHost: x\r\n\r\n").bytes.rfind("HTTP/1.1 400 ", 0) == 0);
  // HTTP/1.0 needs no Host, and its connection closes after the answer.
  const auto old = ask("GET /api/health HTTP/1.0\r\n\r\n");
  CHECK(old.bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(old.closed);
  // HEAD is GET without a body.
  const auto head = ask("HEAD /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto responses = splitResponses(head.bytes);
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].status == 200);
  CHECK(std::stoul(responses[0].header("content-length")) > 0);
  CHECK(head.bytes.find("{\"status\"") == std::string::npos);
}

TEST_CASE("metric labels stay bounded whatever methods and paths clients send", "[http][security]") {
  World w;
  for (int i = 0; i < 20; ++i) {
    RawSocket socket(w.host.port());
    REQUIRE(socket.send("FOO" + std::to_string(i) + " /api/nothing-" + std::to_string(i) +
                        " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    CHECK(splitResponses(socket.readUntilClosed(3s).bytes).at(0).status == 404);
  }
  const auto text = w.host.get("/metrics", "").body;
  CHECK(text.find("FOO") == std::string::npos);
  CHECK(text.find("nothing-") == std::string::npos);
  CHECK(text.find(R"(marketsage_http_requests_total{route="unmatched",method="other",status="404"} 20)") !=
        std::string::npos);
}

TEST_CASE("production refuses an http:// public URL outside localhost unless allowInsecurePublicUrl",
          "[config][security]") {
  const std::map<std::string, std::string> production{{"MARKETSAGE_MODE", "production"},
                                                      {"FIELD_ENCRYPTION_KEY", std::string(64, 'a')},
                                                      {"MARKETSAGE_PUBLIC_URL", "http://social.example.com"}};
  Host host(freshDatabaseUrl(), production);
  const auto refused = host.command({"serve"});
  CHECK(refused.exitCode == 1);
  CHECK(refused.err.find("must be https://") != std::string::npos);
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);

  auto local = production;
  local["MARKETSAGE_PUBLIC_URL"] = "http://localhost:8080";
  Host loopback(freshDatabaseUrl(), local);
  CHECK_NOTHROW(loopback.start());

  Host behindProxy(freshDatabaseUrl(), production);
  CHECK_NOTHROW(behindProxy.start(R"({"allowInsecurePublicUrl":true})"));
}

TEST_CASE("inbound rate limits: per API key, per client address, and failed authentications per address",
          "[http][security]") {
  // A burst of 30 per key: World's set-up makes about 20 requests with the SUPER_ADMIN's key.
  World w({}, R"({"rateLimit":{"perKey":{"perSecond":1,"burst":30},"perAddress":{"perSecond":1000,"burst":1000},)"
              R"("authFailures":{"perMinute":6,"burst":3}}})");
  const auto& key = w.a.byRole["USER"].key;
  // A key's burst, then 429 with Retry-After as problem+json; another key is not affected.
  int ok = 0;
  Response limited;
  for (int i = 0; i < 33; ++i) {
    const auto r = w.host.get("/api/orgs/" + w.a.id, key);
    if (r.status == 200)
      ++ok;
    else
      limited = r;
  }
  CHECK(ok >= 30);  // the burst, plus what a slow machine earns back at 1/s meanwhile
  CHECK(ok <= 32);
  REQUIRE(limited.status == 429);
  CHECK(limited.header("content-type") == "application/problem+json");
  CHECK(str(limited.json(), "type") == "urn:marketsage:problem:too-many-requests");
  CHECK(std::stoi(limited.header("retry-after")) >= 1);
  CHECK(w.host.get("/api/orgs/" + w.a.id, w.a.byRole["ADMIN"].key).status == 200);
  // After the wait it names, the key works again.
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(limited.header("retry-after"))));
  CHECK(w.host.get("/api/orgs/" + w.a.id, key).status == 200);

  // Guessing keys: three failures, then this address must wait — even with a good key — while
  // another address is not affected.
  for (int i = 0; i < 3; ++i) CHECK(w.host.get("/api/orgs", "msk_not_a_real_key_" + std::to_string(i)).status == 401);
  const auto blocked = w.host.get("/api/orgs", w.superKey);
  CHECK(blocked.status == 429);
  CHECK(std::stoi(blocked.header("retry-after")) >= 1);
  RawSocket elsewhere(w.host.port(), "127.0.0.2");
  REQUIRE(elsewhere.send("GET /api/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + w.superKey +
                         "\r\nConnection: close\r\n\r\n"));
  CHECK(splitResponses(elsewhere.readUntilClosed(5s).bytes).at(0).status == 200);

  const auto metrics = w.host.get("/metrics", "").body;  // /metrics needs no key
  CHECK(metrics.find(R"(marketsage_rate_limit_refused_total{scope="key"} )") != std::string::npos);
  CHECK(metrics.find(R"(marketsage_rate_limit_refused_total{scope="auth_failures"} 1)") != std::string::npos);
  CHECK(metrics.find(R"(marketsage_rate_limit_per_second{scope="key"} 1)") != std::string::npos);
  CHECK(metrics.find(R"(marketsage_rate_limit_burst{scope="address"} 1000)") != std::string::npos);
}

TEST_CASE("inbound rate limits: one address over its rate gets 429, others do not", "[http][security]") {
  World w({}, R"({"rateLimit":{"perAddress":{"perSecond":1,"burst":40}}})");  // World's own set-up makes ~20 requests
  int ok = 0, limited = 0;
  for (int i = 0; i < 50; ++i) {
    const auto status = w.host.get("/api/health", "").status;
    ok += status == 200;
    limited += status == 429;
  }
  CHECK(limited > 0);
  CHECK(ok + limited == 50);
  RawSocket other(w.host.port(), "127.0.0.3");
  REQUIRE(other.send("GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  CHECK(splitResponses(other.readUntilClosed(5s).bytes).at(0).status == 200);
}
