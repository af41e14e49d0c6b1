// The analytics history's pure parts: CSV quoting, HTML escaping, the CSV of a time series, the
// platform API histogram and its recent-window figures.
#include "insights/Export.h"
#include "insights/Figures.h"
#include "insights/PlatformCalls.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace marketsage::insights;

TEST_CASE("analytics export: CSV fields are quoted only when they must be, quotes doubled", "[analytics-history]") {
  CHECK(csvField("plain") == "plain");
  CHECK(csvField("") == "");
  CHECK(csvField("a,b") == "\"a,b\"");
  CHECK(csvField(R"(say "hi")") == R"("say ""hi""")");
  CHECK(csvField("two\nlines") == "\"two\nlines\"");
  CHECK(htmlEscape(R"(<a href="x">Tom & 'Jerry'</a>)") ==
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
}

TEST_CASE("analytics export: a time series as CSV, byte for byte", "[analytics-history]") {
  const auto series = boost::json::parse(
                          R"({"metric":"reach","interval":"day","start":"2026-11-01","end":"2026-11-02","points":[
        {"date":"2026-11-01","value":30,"byPlatform":{"facebook":10,"x,y":20}},
        {"date":"2026-11-02","value":0,"byPlatform":{"facebook":0,"x,y":0}}]})")
                          .as_object();
  CHECK(timeseriesCsv(series) == "date,value,facebook,\"x,y\"\r\n2026-11-01,30,10,20\r\n2026-11-02,0,0,0\r\n");
}

TEST_CASE("analytics figures: levels are not summed over days", "[analytics-history]") {
  CHECK(isLevel("followers"));
  CHECK(!isLevel("reach"));
  boost::json::object into{{"reach", 2}};
  addMetrics(into, boost::json::object{{"reach", 3}, {"name", "x"}});
  CHECK(boost::json::serialize(into) == R"({"reach":5})");
  CHECK(engagementOf(boost::json::object{{"likes", 2}, {"comments", 1}, {"impressions", 100}}) == 3);
}

TEST_CASE("platform calls: a histogram and counters per platform, p50/p95 over the window", "[analytics-history]") {
  PlatformCalls calls;
  using marketsage::plugins::HttpEvent;
  for (int i = 1; i <= 20; ++i) {
    HttpEvent e;
    e.pluginId = "facebook";
    e.status = i == 20 ? 503 : 200;
    e.duration = std::chrono::milliseconds(i * 10);
    calls.record(e);
  }
  HttpEvent lost;
  lost.pluginId = "twitter";
  lost.transportError = true;
  calls.record(lost);
  std::string out;
  calls.render(out);
  CHECK(out.find("marketsage_platform_request_duration_seconds_bucket{platform=\"facebook\",le=\"0.1\"} 10\n") !=
        std::string::npos);
  CHECK(out.find("marketsage_platform_request_duration_seconds_count{platform=\"facebook\"} 20\n") !=
        std::string::npos);
  CHECK(out.find("marketsage_platform_requests_total{platform=\"facebook\",status_class=\"2xx\"} 19\n") !=
        std::string::npos);
  CHECK(out.find("marketsage_platform_requests_total{platform=\"facebook\",status_class=\"5xx\"} 1\n") !=
        std::string::npos);
  CHECK(out.find("marketsage_platform_requests_total{platform=\"twitter\",status_class=\"error\"} 1\n") !=
        std::string::npos);
  const auto health = calls.health(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  CHECK(boost::json::serialize(health.at("facebook")) ==
        R"({"requests":20,"successRate":95,"errorRate":5,"p50Ms":110,"p95Ms":200})");
  CHECK(health.at("twitter").at("errorRate").to_number<double>() == 100);
}
