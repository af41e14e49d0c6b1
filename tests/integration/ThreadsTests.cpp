// The threads plugin end to end: the real `marketsage` host, the bundled plugin and the in-process
// Threads API emulator (tests/emulators/threads), driven only through the host's REST API: the
// authorization window and the long-lived token, a refresh, text / image / video / carousel posts
// whose media Threads fetches from the host's signed URLs, a processing failure and a refused
// token, delete, analytics, and no token in the database or the logs.
#ifdef MARKETSAGE_WITH_THREADS

#include "ThreadsEmulator.h"
#include "integration/Posting.h"
#include "integration/TestPlatform.h"

#include <ctime>

using namespace harness;
namespace json = boost::json;
using emulators::ThreadsApi;

namespace {

struct ThreadsWorld {
  ThreadsApi api;
  World w;
  ThreadsWorld() : w(env(api), config()) {}
  static std::map<std::string, std::string> env(const ThreadsApi& api) {
    auto out = bundledPluginsEnv();
    emulated(out, "THREADS", api.url(), ThreadsApi::appId, ThreadsApi::appSecret);
    return out;
  }
  static std::string config() {
    return json::serialize(json::object{
        {"publishing",
         {{"waitSeconds", 3}, {"retryBaseMillis", 200}, {"pollMillis", 100}, {"workers", 4}, {"leaseSeconds", 30}}},
        {"plugins",
         {{"threads",
           {{"api_version", ThreadsApi::version},
            {"status_poll_interval_ms", 50},
            {"status_poll_max_seconds", 20}}}}}});
  }
  std::string admin() { return w.a.byRole["ADMIN"].key; }
  /// The host's connect flow through the emulator's authorization window; the connection id.
  std::string connect() {
    const auto back = consent(w, admin(), "threads");
    INFO("authorization window answered " << back);
    REQUIRE(back.find("code=") != std::string::npos);
    const auto done = w.host.get(pathOf(back), "");
    INFO(done.status << " " << done.header("location") << " " << done.body);
    REQUIRE(done.status == 302);
    const auto connections = connectionsOf(w, admin(), "threads");
    REQUIRE(connections.size() == 1);
    CHECK(str(connections.front(), "accountId") == api.userId());
    return str(connections.front(), "id");
  }
  std::string upload(const std::string& bytes) {
    auto r = w.host.request("POST", "/api/social-media/media", admin(), bytes, "application/octet-stream");
    INFO(r.body);
    REQUIRE(r.status == 201);
    return str(r.json(), "id");
  }
  json::value publishOne(const json::object& body) {
    auto r = postJson(w, admin(), body);
    INFO(r.body);
    REQUIRE((r.status == 201 || r.status == 202));
    const auto post = waitSettled(w, admin(), str(r.json(), "id"));
    REQUIRE(post.at("results").as_array().size() == 1);
    return json::value{{"id", str(r.json(), "id")}, {"result", post.at("results").at(0)}};
  }
  /// No token or code the emulator issued appears in `text`.
  void checkNoTokens(const std::string& what, const std::string& text) {
    for (const auto& token : api.issuedTokens()) {
      INFO(what << " must not contain an issued token");
      CHECK(text.find(token) == std::string::npos);
    }
  }
};

std::string jpeg(int seed) {
  std::string bytes("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
  bytes += std::string("\xFF\xC0\x00\x11\x08\x04\x38\x04\x38\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", 19);
  for (int i = 0; i < 2500; ++i) bytes += static_cast<char>((i * 31 + seed * 17) % 251);
  return bytes + std::string("\xFF\xD9", 2);
}

std::string mp4(std::size_t size) {
  std::string bytes(
      "\x00\x00\x00\x18"
      "ftypisom\x00\x00\x02\x00"
      "isomiso2",
      24);
  const std::size_t mdat = size - bytes.size();
  for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((mdat >> shift) & 0xFF);
  bytes += "mdat";
  while (bytes.size() < size) bytes += static_cast<char>((bytes.size() * 7) % 256);
  return bytes;
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", std::gmtime(&now));
  return day;
}

}  // namespace

TEST_CASE("threads: connect, refresh, publish every kind, delete, analytics, no token stored in clear", "[threads]") {
  ThreadsWorld t;
  const auto admin = t.admin();
  const auto connection = t.connect();
  const json::array target{json::value(connection)};

  // The long-lived token is refreshable: the host keeps it and refreshes it on demand.
  const auto before = t.api.issuedTokens().size();
  auto refreshed = t.w.host.request("POST", "/api/social-media/connections/" + connection + "/refresh", admin, "{}");
  INFO(refreshed.body);
  REQUIRE(refreshed.status == 200);
  CHECK(str(refreshed.json(), "status") == "active");
  CHECK(t.api.issuedTokens().size() == before + 1);

  const auto text = t.publishOne({{"content", "Fresh bread at 7"},
                                  {"targets", target},
                                  {"options", {{"threads", {{"replyControl", "accounts_you_follow"}}}}}});
  const auto& textResult = text.at("result");
  INFO(json::serialize(textResult));
  REQUIRE(str(textResult, "status") == "published");
  const auto textPost = t.api.item(str(textResult, "postId"));
  CHECK(textPost.mediaType == "TEXT");
  CHECK(textPost.text == "Fresh bread at 7");
  CHECK(textPost.replyControl == "accounts_you_follow");
  CHECK(str(textResult, "url").rfind("https://www.threads.net/@acme.bakery/post/", 0) == 0);

  const std::string hostUrl = "http://127.0.0.1:" + std::to_string(t.w.host.port()) + "/";
  const auto image = jpeg(1);
  const auto imageResult = t.publishOne({{"content", "Sourdough"}, {"targets", target}, {"media", {t.upload(image)}}});
  INFO(json::serialize(imageResult));
  REQUIRE(str(imageResult.at("result"), "status") == "published");
  const auto imagePost = t.api.item(str(imageResult.at("result"), "postId"));
  CHECK(imagePost.mediaType == "IMAGE");
  CHECK(imagePost.bytes == static_cast<long long>(image.size()));  // fetched through the signed URL
  CHECK(imagePost.mediaUrl.rfind(hostUrl + "media/", 0) == 0);

  const auto video = mp4(20000);
  const auto videoResult = t.publishOne({{"content", "Kneading"}, {"targets", target}, {"media", {t.upload(video)}}});
  REQUIRE(str(videoResult.at("result"), "status") == "published");
  CHECK(t.api.item(str(videoResult.at("result"), "postId")).bytes == static_cast<long long>(video.size()));

  const auto carousel = t.publishOne({{"content", "Swipe"},
                                      {"targets", target},
                                      {"media", {t.upload(jpeg(2)), t.upload(jpeg(3)), t.upload(mp4(9000))}}});
  REQUIRE(str(carousel.at("result"), "status") == "published");
  const auto carouselPost = t.api.item(str(carousel.at("result"), "postId"));
  CHECK(carouselPost.mediaType == "CAROUSEL");
  CHECK(carouselPost.children.size() == 3);
  CHECK(t.api.livePosts().size() == 4);

  // Delete the text post.
  auto removed = t.w.host.request("DELETE", "/api/social-media/posts/" + str(text, "id"), admin);
  INFO(removed.body);
  REQUIRE(removed.status == 200);
  CHECK(str(removed.json(), "status") == "deleted");
  CHECK(t.api.item(textPost.id).deleted);

  // Analytics from Threads' insights.
  t.api.setStats(imagePost.id, {300, 30, 6, 4, 3, 1});
  REQUIRE(t.w.host.request("POST", "/api/social-media/analytics/refresh", admin, std::string("{}")).status == 200);
  auto analytics =
      t.w.host.get("/api/social-media/analytics?platforms=threads&start=" + today() + "&end=" + today(), admin);
  INFO(analytics.body);
  REQUIRE(analytics.status == 200);
  const auto out = analytics.json();
  REQUIRE(out.as_object().contains("threads"));
  CHECK(out.at("threads").at("totalEngagement").to_number<double>() >=
        30 + 6 + 4 + 3);  // the account has no shares metric
  for (const auto& account : out.at("threads").at("accounts").as_array()) {
    INFO(json::serialize(account));
    CHECK(!account.as_object().contains("error"));
  }

  // No token in clear anywhere the host writes.
  t.checkNoTokens("the database", rawDatabase(t.w));
  t.checkNoTokens("the log", t.w.host.logText());
  t.checkNoTokens("connections", t.w.host.get("/api/social-media/connections", admin).body);
  t.checkNoTokens("posts", t.w.host.get("/api/social-media/posts", admin).body);
}

TEST_CASE("threads: a processing failure and a refused token fail the target with the platform's reason", "[threads]") {
  ThreadsWorld t;
  const auto connection = t.connect();
  const json::array target{json::value(connection)};

  t.api.nextContainerEnds("ERROR", "INVALID_DURATION");
  const auto failed = t.publishOne({{"content", "too long"}, {"targets", target}, {"media", {t.upload(mp4(12000))}}});
  const auto& result = failed.at("result");
  INFO(json::serialize(result));
  CHECK(str(result, "status") == "failed");
  CHECK(json::serialize(result).find("INVALID_DURATION") != std::string::npos);
  CHECK(t.api.livePosts().empty());

  for (const auto& token : t.api.issuedTokens()) t.api.expire(token);
  const auto refused = t.publishOne({{"content", "after expiry"}, {"targets", target}});
  INFO(json::serialize(refused));
  CHECK(str(refused.at("result"), "status") == "failed");
  CHECK(t.api.livePosts().empty());
  t.checkNoTokens("the log", t.w.host.logText());
}

#endif  // MARKETSAGE_WITH_THREADS
