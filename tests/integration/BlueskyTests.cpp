// End to end through the host's REST API with the real `bluesky` plugin against the AT Protocol
// emulator: a handle and an app password connected (the refused ones with their reasons), a post
// with facets, an image post, a link card and a thread, a 429 the host honours, an expired session
// refreshed by the host (ABI 1.4: refresh carries the account's PDS), a create whose answer is
// lost retried into exactly one record, analytics, deletion, and no secret in the database or logs.
#ifdef MARKETSAGE_WITH_BLUESKY

#include "BlueskyEmulator.h"
#include "integration/PlatformTests.h"
#include "integration/TestPlatform.h"

#include <chrono>
#include <ctime>
#include <thread>

using namespace harness;
namespace json = boost::json;

namespace {

using emulators::BlueskyApi;

constexpr const char* kAlice = "alice.bsky.social";
constexpr const char* kPassword = "abcd-efgh-ijkl-mnop";
constexpr const char* kBob = "bob.example.com";

struct Bluesky {
  BlueskyApi api;
  std::string alice, bob;
  Bluesky() {
    alice = api.addAccount(kAlice, kPassword);
    bob = api.addAccount(kBob, "zzzz-zzzz-zzzz-zzzz");
  }
  std::map<std::string, std::string> env() const {
    return {{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_BUNDLED_PLUGIN_DIR},
            {"FIELD_ENCRYPTION_KEY", devKey},
            {"BLUESKY_API_BASE", api.url()}};
  }
  std::string config(int waitSeconds = 20, const std::string& extra = "") const {
    return R"({)" + extra + R"("publishing": {"waitSeconds": )" + std::to_string(waitSeconds) +
           R"(, "retryBaseMillis": 200, "pollMillis": 100, "workers": 4, "leaseSeconds": 30, "reconcileGraceSeconds": 2},
              "plugins": {"bluesky": {"plc_base": ")" +
           api.url() + R"(", "http_timeout_ms": 1000}}})";
  }
  std::vector<BlueskyApi::Record> live() const {
    std::vector<BlueskyApi::Record> out;
    for (const auto& r : api.posts(alice))
      if (!r.deleted) out.push_back(r);
    return out;
  }
};

/// Connects Alice; answers her connection id.
std::string connectAlice(World& w, const Bluesky& b, const std::string& key) {
  auto r = w.host.post("/api/social-media/connect/bluesky", key, {{"credential", kPassword}, {"accounts", {kAlice}}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto all = w.host.get("/api/social-media/connections", key).json();
  for (const auto& c : all.as_array())
    if (str(c, "accountId") == b.alice) return str(c, "id");
  FAIL("no connection for " << b.alice);
  return {};
}

json::object recordOf(const BlueskyApi::Record& r) { return json::parse(r.json).as_object(); }

}  // namespace

TEST_CASE("bluesky connect: a handle and an app password; a wrong password or unknown handle is refused", "[bluesky]") {
  Bluesky b;
  World w(b.env(), b.config());
  const auto& admin = w.a.byRole["ADMIN"].key;
  auto r = w.host.post("/api/social-media/connect/bluesky", admin,
                       {{"credential", kPassword}, {"accounts", {"@alice.bsky.social", kBob, "ghost.bsky.social"}}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto answer = r.json();
  CHECK(answer.at("connected").as_int64() == 1);
  const auto& refused = answer.at("refused").as_array();
  REQUIRE(refused.size() == 2);
  CHECK(str(refused[0], "account") == kBob);
  CHECK(str(refused[0], "reason").find("app password") != std::string::npos);
  CHECK(str(refused[1], "reason").find("does not resolve") != std::string::npos);
  const auto connections = w.host.get("/api/social-media/connections", admin).json().as_array();
  REQUIRE(connections.size() == 1);
  CHECK(str(connections[0], "accountId") == b.alice);
  CHECK(str(connections[0], "accountName") == kAlice);
  CHECK(str(connections[0].at("metadata"), "pds") == b.api.url());
  CHECK(r.body.find(kPassword) == std::string::npos);

  auto none = w.host.post("/api/social-media/connect/bluesky", admin,
                          {{"credential", "wrong-pass-word-xxxx"}, {"accounts", {kAlice}}});
  INFO(none.body);
  CHECK(none.status == 422);
}

TEST_CASE("bluesky publishing: facets, an image, a link card and a thread; deleting removes every part", "[bluesky]") {
  Bluesky b;
  World w(b.env(), b.config());
  const auto& admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectAlice(w, b, admin);

  const std::string text = "Hello @bob.example.com \xE2\x80\x94 see https://example.com/x #launch";
  auto post = publish(w, admin, {{"content", text}, {"targets", {conn}}});
  auto result = post.at("results").at(0);
  REQUIRE(str(result, "status") == "published");
  auto live = b.live();
  REQUIRE(live.size() == 1);
  CHECK(str(result, "postId") == live[0].uri);
  CHECK(str(result, "url") == "https://bsky.app/profile/alice.bsky.social/post/" + live[0].rkey);
  const auto facets = recordOf(live[0]).at("facets").as_array();
  REQUIRE(facets.size() == 3);
  CHECK(str(facets[0].at("features").at(0), "did") == b.bob);
  CHECK(facets[1].at("index").at("byteStart").to_number<size_t>() == text.find("https://"));

  // An image: uploaded as a blob, embedded with its size as aspect ratio.
  const auto png = pngBytes(800, 600, 2001, 'b');
  const auto upload = uploadMedia(w, admin, png);
  post = publish(w, admin, {{"content", "A picture"}, {"targets", {conn}}, {"media", {str(upload, "id")}}});
  REQUIRE(str(post.at("results").at(0), "status") == "published");
  live = b.live();
  REQUIRE(live.size() == 2);
  const auto embed = recordOf(live[1]).at("embed");
  CHECK(str(embed, "$type") == "app.bsky.embed.images");
  CHECK(embed.at("images").at(0).at("aspectRatio").at("width").to_number<int>() == 800);
  REQUIRE(b.api.blobs().size() == 1);
  CHECK(b.api.blobs()[0].size == png.size());

  // A link card.
  post = publish(w, admin, {{"content", "Read"}, {"link", "https://example.com/news"}, {"targets", {conn}}});
  REQUIRE(str(post.at("results").at(0), "status") == "published");
  CHECK(str(recordOf(b.live().at(2)).at("embed").at("external"), "uri") == "https://example.com/news");

  // A thread of three.
  auto thread = publish(w, admin,
                        {{"content", "1/3"},
                         {"targets", {conn}},
                         {"options", {{"bluesky", {{"thread", {{{"content", "2/3"}}, {{"content", "3/3"}}}}}}}}});
  REQUIRE(str(thread.at("results").at(0), "status") == "published");
  live = b.live();
  REQUIRE(live.size() == 6);
  CHECK(str(recordOf(live[5]).at("reply").at("root"), "uri") == live[3].uri);
  CHECK(str(recordOf(live[5]).at("reply").at("parent"), "uri") == live[4].uri);

  // Deleting the thread deletes its three records, and nothing else.
  const auto deleted = w.host.request("DELETE", "/api/social-media/posts/" + str(thread, "id"), admin);
  INFO(deleted.body);
  REQUIRE(deleted.status == 200);
  CHECK(b.live().size() == 3);

  // Over 300 graphemes: refused at submission, nothing sent.
  auto refused = postJson(w, admin, {{"content", std::string(301, 'x')}, {"targets", {conn}}});
  INFO(refused.body);
  CHECK(str(refused.json().at("results").at(0), "status") == "failed");
  CHECK(str(refused.json().at("results").at(0), "error").find("300 graphemes") != std::string::npos);
  CHECK(b.live().size() == 3);
}

TEST_CASE("bluesky 429: the host waits for ratelimit-reset, then the post lands exactly once", "[bluesky]") {
  Bluesky b;
  World w(b.env(), b.config(1));
  const auto& admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectAlice(w, b, admin);
  b.api.throttleNextCreates(1, 3);
  auto r = postJson(w, admin, {{"content", "Patience"}, {"targets", {conn}}});
  INFO(r.body);
  REQUIRE(r.status == 202);
  CHECK(str(r.json().at("results").at(0), "errorKind") == "rate_limited");
  const auto post = waitSettled(w, admin, str(r.json(), "id"));
  CHECK(str(post.at("results").at(0), "status") == "published");
  CHECK(b.live().size() == 1);
}

TEST_CASE("bluesky: an expired session is refreshed by the host and the post goes out; a lost answer makes one record",
          "[bluesky]") {
  Bluesky b;
  World w(b.env(), b.config());
  const auto& admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectAlice(w, b, admin);

  b.api.expireAccessTokens();
  auto post = publish(w, admin, {{"content", "After a refresh"}, {"targets", {conn}}});
  INFO(json::serialize(post));
  CHECK(str(post.at("results").at(0), "status") == "published");
  const auto calls = b.api.calls();
  CHECK(std::count(calls.begin(), calls.end(), "com.atproto.server.refreshSession") == 1);
  CHECK(b.live().size() == 1);

  // The create's answer is lost (the connection closes after the record was written), then a
  // gateway gives up while the write lands late: each target still has exactly one record.
  b.api.faultNextCreates({marketsage::test::CreateFault::DropAfterCreate});
  post = publish(w, admin, {{"content", "Lost answer"}, {"targets", {conn}}});
  CHECK(str(post.at("results").at(0), "status") == "published");
  b.api.faultNextCreates({marketsage::test::CreateFault::LateCreate});
  post = publish(w, admin, {{"content", "Late write"}, {"targets", {conn}}});
  CHECK(str(post.at("results").at(0), "status") == "published");
  std::this_thread::sleep_for(std::chrono::milliseconds(1800));
  const auto live = b.live();
  REQUIRE(live.size() == 3);
  CHECK(live[1].text == "Lost answer");
  CHECK(live[2].text == "Late write");
  CHECK(str(post.at("results").at(0), "postId") == live[2].uri);
}

TEST_CASE("bluesky analytics, health, and no app password or session token in the database or logs", "[bluesky]") {
  Bluesky b;
  auto config = b.config(20, R"("analytics": {"backfillDays": 0, "paceMillis": 0}, )");
  World w(b.env(), config);
  const auto& admin = w.a.byRole["ADMIN"].key;
  const auto conn = connectAlice(w, b, admin);
  b.api.setProfile(b.alice, 321, 12);
  const auto post = publish(w, admin, {{"content", "Count me"}, {"targets", {conn}}});
  const auto uri = str(post.at("results").at(0), "postId");
  b.api.setCounts(uri, 9, 2, 3, 1);

  REQUIRE(w.host.request("POST", "/api/social-media/analytics/refresh", admin, std::string("{}")).status == 200);
  const auto r =
      w.host.get("/api/social-media/analytics?platforms=bluesky&start=" + today(1) + "&end=" + today(), admin);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto analytics = r.json();
  const auto& bsky = analytics.at("bluesky");
  CHECK(bsky.at("metrics").at("followers").to_number<double>() == 321);
  const auto top = bsky.at("topPosts").as_array();
  REQUIRE(top.size() == 1);
  CHECK(str(top[0], "postId") == uri);
  CHECK(top[0].at("metrics").at("likes").to_number<double>() == 9);
  CHECK(top[0].at("metrics").at("shares").to_number<double>() == 3);
  CHECK(top[0].at("engagement").to_number<double>() == 15);  // likes + comments + shares

  const auto health = w.host.get("/api/social-media/health?live=true", admin);
  INFO(health.body);
  REQUIRE(health.status == 200);
  CHECK(str(health.json().at(0), "status") == "healthy");

  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto raw = rawDatabase(w);
  const auto logs = w.host.logText();
  CHECK_FALSE(raw.empty());
  for (const auto& secret : b.api.secrets()) {
    CHECK(raw.find(secret) == std::string::npos);
    CHECK(logs.find(secret) == std::string::npos);
  }
  CHECK(logs.find(kPassword) == std::string::npos);
}

#endif  // MARKETSAGE_WITH_BLUESKY
