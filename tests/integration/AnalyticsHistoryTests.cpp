// Analytics history over real HTTP against the test platform (OAuthEmulator + the oauthtest
// plugin): snapshots taken by POST …/analytics/refresh, answers read from them alone (the same
// when the platform stops answering, or the connection is removed), the time series and CSV byte
// for byte, the client report, the dashboard overview, platform API metrics, rate limits, tenancy.
#include "integration/Posting.h"
#include "integration/TestPlatform.h"

#include <ctime>

using namespace harness;
namespace json = boost::json;

namespace {

std::string todayText() {
  const std::time_t now = std::time(nullptr);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", std::gmtime(&now));
  return day;
}

/// No background pass (the test says when), no pace between calls.
const char* historyConfig = R"({"analytics": {"refreshIntervalSeconds": 0, "paceMillis": 0},
                                "publishing": {"waitSeconds": 10, "retryBaseMillis": 200, "pollMillis": 100}})";

Response refresh(World& w, const std::string& key) {
  return w.host.request("POST", "/api/social-media/analytics/refresh", key, std::string("{}"));
}

Response csv(World& w, const std::string& path, const std::string& key) {
  return w.host.request("GET", path, key, std::nullopt, "application/json", {{"Accept", "text/csv"}});
}

}  // namespace

TEST_CASE("analytics history: stored by refresh, read without the platform, kept after removal, per tenant",
          "[analytics-history]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), historyConfig);
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto day = todayText();
  const auto connections = connect(w, admin, "oauthtest", 2);
  const auto first = str(connections.at(0), "id");
  const std::string loud = R"(Launch, "big" <b>news</b>)";
  const std::string quiet = "small note";
  for (const auto& text : {loud, quiet}) {
    const auto r = postJson(w, admin, {{"content", text}, {"targets", {first}}});
    REQUIRE(r.status == 201);
  }
  REQUIRE(emulator.published().size() == 2);

  // Nothing is stored before a pass: the read path asks no platform.
  const auto before = emulator.insightsCalls();
  auto empty = w.host.get("/api/social-media/analytics", admin);
  REQUIRE(empty.status == 200);
  CHECK(empty.json().at("totals").at("totalReach").as_int64() == 0);
  CHECK(emulator.insightsCalls() == before);

  // The pass: one account row per connection (today), one post row per post (age 0h).
  auto taken = refresh(w, admin);
  INFO(taken.body);
  REQUIRE(taken.status == 200);
  CHECK(taken.body == R"({"connections":2,"accountSnapshots":2,"postSnapshots":2,"failed":0,"rateLimited":[]})");
  const auto rows = sql(w.host.databaseUrl(),
                        "SELECT kind, slot, account_name, summary FROM analytics_snapshots"
                        " ORDER BY kind, summary");
  REQUIRE(rows.size() == 4);
  CHECK(rows.at(2).at(0) == "post");
  CHECK(rows.at(2).at(1) == "0h");
  CHECK(rows.at(2).at(3) == loud);

  // Reach: the emulator's 1000 + 10 per live post, for each account; engagement: each post's
  // likes (its text's length) and one comment.
  const std::int64_t engagement = static_cast<std::int64_t>(loud.size() + quiet.size()) + 2;
  auto stored = w.host.get("/api/social-media/analytics", admin);
  REQUIRE(stored.status == 200);
  INFO(stored.body);
  const auto platform = stored.json().at("oauthtest");
  CHECK(platform.at("totalReach").as_int64() == 2040);
  CHECK(platform.at("totalEngagement").as_int64() == engagement);
  CHECK(platform.at("posts").as_int64() == 2);
  CHECK(str(platform.at("topPosts").at(0), "content") == loud);
  CHECK(stored.body.find("E0") == std::string::npos);
  CHECK(emulator.insightsCalls() == before + 2);  // the pass's two, none for the reads

  SECTION("the platform stops answering: the same answer, from history") {
    emulator.insightsStatus = 503;
    auto failing = refresh(w, admin);
    REQUIRE(failing.status == 200);
    CHECK(failing.json().at("failed").as_int64() >= 2);
    CHECK(failing.json().at("accountSnapshots").as_int64() == 0);
    CHECK(w.host.get("/api/social-media/analytics", admin).body == stored.body);
    // The failures are in the platform's API metrics.
    const auto metrics = w.host.get("/metrics", "").body;
    CHECK(metrics.find(R"(marketsage_platform_requests_total{platform="oauthtest",status_class="5xx"} )") !=
          std::string::npos);
    CHECK(metrics.find(R"(marketsage_platform_requests_total{platform="oauthtest",status_class="5xx"} 0)") ==
          std::string::npos);
  }

  SECTION("a removed connection's numbers stay in range") {
    REQUIRE(w.host.request("DELETE", "/api/social-media/connections/" + first, admin).status == 204);
    const auto after = w.host.get("/api/social-media/analytics", admin);
    CHECK(after.body == stored.body);
    CHECK(str(after.json().at("oauthtest").at("accounts").at(0), "connectionId") ==
          str(platform.at("accounts").at(0), "connectionId"));
  }

  SECTION("a rate limit stops the platform's pass until Retry-After") {
    emulator.insightsStatus = 429;
    auto limited = refresh(w, admin);
    REQUIRE(limited.status == 200);
    CHECK(limited.json().at("rateLimited").as_array() == json::array{"oauthtest"});
    CHECK(limited.json().at("failed").as_int64() == 1);  // the first call, not the second connection's
    emulator.insightsStatus = 0;
    auto waiting = refresh(w, admin);  // within the 120 s: no call at all
    CHECK(waiting.body ==
          R"({"connections":0,"accountSnapshots":0,"postSnapshots":0,"failed":0,"rateLimited":["oauthtest"]})");
    CHECK(w.host.get("/api/social-media/analytics", admin).body == stored.body);
  }

  SECTION("time series: exact JSON and CSV bytes") {
    const auto path = "/api/social-media/analytics/timeseries?metric=reach&start=" + day + "&end=" + day;
    auto series = w.host.get(path, admin);
    REQUIRE(series.status == 200);
    CHECK(series.body == R"({"metric":"reach","interval":"day","start":")" + day + R"(","end":")" + day +
                             R"(","points":[{"date":")" + day + R"(","value":2040,"byPlatform":{"oauthtest":2040}}]})");
    auto followers = w.host.get(
        "/api/social-media/analytics/timeseries?metric=followers&interval=week&start=" + day + "&end=" + day, admin);
    REQUIRE(followers.status == 200);
    CHECK(followers.json().at("points").at(0).at("value").as_int64() == 84);  // 42 per account
    auto asCsv = csv(w, path, admin);
    REQUIRE(asCsv.status == 200);
    CHECK(asCsv.header("content-type") == "text/csv; charset=utf-8");
    CHECK(asCsv.body == "date,value,oauthtest\r\n" + day + ",2040,2040\r\n");
    CHECK(w.host.get("/api/social-media/analytics/timeseries?metric=likes", admin).status == 400);
    CHECK(w.host.get("/api/social-media/analytics/timeseries?interval=month", admin).status == 400);
  }

  SECTION("analytics as CSV") {
    auto table = csv(w, "/api/social-media/analytics", admin);
    REQUIRE(table.status == 200);
    CHECK(table.header("content-type") == "text/csv; charset=utf-8");
    const std::string rate = "1.81";  // 100 × 37 / 2040, two decimals, written plainly
    REQUIRE(engagement == 37);
    const auto line = ",2,2040," + std::to_string(engagement) + "," + rate + "\r\n";
    CHECK(table.body == "platform,posts,reach,engagement,engagementRate\r\noauthtest" + line + "totals" + line);
  }

  SECTION("the client report: HTML, CSV, JSON") {
    const auto path = "/api/social-media/analytics/report?start=" + day + "&end=" + day;
    auto html = w.host.get(path, admin);
    REQUIRE(html.status == 200);
    CHECK(html.header("content-type") == "text/html; charset=utf-8");
    CHECK(html.body.find("<td>2040</td>") != std::string::npos);
    CHECK(html.body.find("Launch, &quot;big&quot; &lt;b&gt;news&lt;/b&gt;") != std::string::npos);
    CHECK(html.body.find("<b>news") == std::string::npos);
    CHECK(html.body.find("<script") == std::string::npos);
    CHECK(html.body.find("http") == std::string::npos);  // no external resource
    auto table = csv(w, path, admin);
    REQUIRE(table.status == 200);
    CHECK(table.body.rfind("platform,posts,reach,engagement,engagementRate,followersStart,followersEnd,followerGrowth"
                           "\r\noauthtest,2,2040,",
                           0) == 0);
    CHECK(table.body.find(R"("Launch, ""big"" <b>news</b>")") != std::string::npos);
    auto asJson =
        w.host.request("GET", path, admin, std::nullopt, "application/json", {{"Accept", "application/json"}});
    REQUIRE(asJson.status == 200);
    CHECK(asJson.json().at("totals").at("followersEnd").as_int64() == 84);
    CHECK(asJson.json().at("totals").at("posts").as_int64() == 2);
  }

  SECTION("the overview and the platform API metrics") {
    auto overview = w.host.get("/api/social-media/analytics/overview", admin);
    REQUIRE(overview.status == 200);
    INFO(overview.body);
    const auto o = overview.json();
    CHECK(o.at("activeConnections").as_int64() == 2);
    CHECK(o.at("postsToday").as_int64() == 2);
    CHECK(o.at("reach").as_int64() == 2040);
    const auto& health = o.at("platformHealth").at("oauthtest");
    CHECK(health.at("requests").as_int64() >= 4);
    CHECK(health.at("successRate").to_number<double>() > 0);
    CHECK(health.at("p95Ms").to_number<double>() >= health.at("p50Ms").to_number<double>());
    const auto metrics = w.host.get("/metrics", "").body;
    CHECK(metrics.find("# TYPE marketsage_platform_request_duration_seconds histogram") != std::string::npos);
    CHECK(metrics.find(R"(marketsage_platform_request_duration_seconds_bucket{platform="oauthtest",le="+Inf"} )") !=
          std::string::npos);
    CHECK(metrics.find(R"(marketsage_platform_requests_total{platform="oauthtest",status_class="2xx"} )") !=
          std::string::npos);
  }

  SECTION("another organization sees none of it") {
    const auto other = w.b.byRole["ADMIN"].key;
    auto theirs = w.host.get("/api/social-media/analytics", other);
    REQUIRE(theirs.status == 200);
    CHECK(!theirs.json().as_object().contains("oauthtest"));
    CHECK(theirs.json().at("totals").at("totalReach").as_int64() == 0);
    CHECK(refresh(w, other).body ==
          R"({"connections":0,"accountSnapshots":0,"postSnapshots":0,"failed":0,"rateLimited":[]})");
    CHECK(w.host.get("/api/social-media/analytics/timeseries?start=" + day + "&end=" + day, other).body.find("2040") ==
          std::string::npos);
    CHECK(w.host.get("/api/social-media/analytics/report", other).body.find("Launch") == std::string::npos);
    CHECK(w.host.get("/api/social-media/analytics/overview", other).json().at("activeConnections").as_int64() == 0);
    CHECK(w.host.get("/api/social-media/analytics", w.a.byRole["GUEST"].key).status == 403);
    CHECK(refresh(w, w.a.byRole["GUEST"].key).status == 403);
  }
}
