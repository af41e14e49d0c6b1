// Pinterest through the host over real HTTP, with the real `pinterest` plugin and the Pinterest
// emulator: connecting (one connection per board, HTTP Basic at the token endpoint), an image Pin
// from the media library that Pinterest fetches from the host's signed URL, a video Pin (the
// storage form, then `pending` while Pinterest processes it), a Pin to another board by option, a
// rate limit (the target waits, then publishes), an expired token (refreshed), a lost answer
// settled by reconcile (one Pin), delete, analytics, and tokens nowhere in the database or logs.
#if defined(MARKETSAGE_WITH_PINTEREST)

#include "PinterestEmulator.h"
#include "Tokens.h"
#include "integration/ExactlyOnce.h"
#include "integration/PlatformTests.h"

#include <chrono>
#include <ctime>

using namespace harness;
namespace json = boost::json;
using emulators::PinterestApi;

namespace {

std::map<std::string, std::string> pinterestEnv(const PinterestApi& p) {
  auto env = bundledPluginsEnv();
  emulated(env, "PINTEREST", p.url(), PinterestApi::clientId, PinterestApi::clientSecret);
  return env;
}

std::string pinterestConfig() { return exactlyOnceConfig({{"pinterest", {{"http_timeout_ms", 2000}}}}, 4, 2); }

const json::value& onlyResult(const json::value& post) {
  REQUIRE(post.at("results").as_array().size() == 1);
  return post.at("results").as_array()[0];
}

}  // namespace

TEST_CASE(
    "Pinterest: boards connected; image and video Pins; another board; rate limit; refresh; delete; analytics; "
    "no token stored in clear",
    "[pinterest]") {
  PinterestApi p;
  World w(pinterestEnv(p), pinterestConfig());
  const auto admin = w.a.byRole["ADMIN"].key;

  // The consent URL: Pinterest's, scopes comma-separated; one connection per board.
  auto start = w.host.request("GET", "/api/social-media/connect/pinterest", admin);
  REQUIRE(start.status == 302);
  const auto authorize = start.header("location");
  CHECK(authorize.rfind(p.url() + "/oauth/?", 0) == 0);
  auto q = query(authorize);
  CHECK(q["scope"] == "boards:read,boards:write,pins:read,pins:write,user_accounts:read");
  CHECK(q["redirect_uri"] == "http://127.0.0.1:" + std::to_string(w.host.port()) + "/api/auth/callback/pinterest");
  const auto connections = connect(w, admin, "pinterest", 2);
  CHECK(p.lastTokenAuthorization().rfind("Basic ", 0) == 0);
  const auto board = connectionFor(connections, PinterestApi::boardId);
  for (const auto& c : connections)
    if (str(c, "accountId") == PinterestApi::boardId) CHECK(str(c, "accountName") == PinterestApi::boardName);

  // An image Pin: Pinterest fetches the image from the host's signed URL.
  const auto png = pngBytes(1000, 1500, 4000, 'p');
  const auto image = uploadMedia(w, admin, png);
  const auto post =
      publish(w, admin,
              {{"content", "Walnut shelf, oiled and waxed"},
               {"targets", {board}},
               {"media", {str(image, "id")}},
               {"options", {{"pinterest", {{"title", "Walnut shelf"}, {"link", "https://ada.example"}}}}}});
  INFO(json::serialize(post));
  const auto& result = onlyResult(post);
  REQUIRE(str(result, "status") == "published");
  const auto pin = p.pin(str(result, "postId"));
  REQUIRE(pin);
  CHECK(str(result, "url") == "https://www.pinterest.com/pin/" + pin->id + "/");
  CHECK(pin->title == "Walnut shelf");
  CHECK(pin->description == "Walnut shelf, oiled and waxed");
  CHECK(pin->link == "https://ada.example");
  REQUIRE(pin->imageBytes.size() == 1);
  CHECK(pin->imageBytes[0] == static_cast<long long>(png.size()));

  // A video Pin: uploaded once, pending while Pinterest processes it, then made.
  p.setProcessingPolls(0);
  const auto mp4 = mp4Bytes(512 * 1024 + 17);
  const auto video = uploadMedia(w, admin, mp4);
  const auto videoPost =
      publish(w, admin, {{"content", "Turning a bowl"}, {"targets", {board}}, {"media", {str(video, "id")}}});
  INFO(json::serialize(videoPost));
  REQUIRE(str(onlyResult(videoPost), "status") == "published");
  CHECK(hasEvent(videoPost, "processing"));
  const auto uploads = p.uploads();
  REQUIRE(uploads.size() == 1);
  CHECK(uploads[0].sha256 == marketsage::test::sha256Hex(mp4));
  CHECK(p.pin(str(onlyResult(videoPost), "postId"))->mediaId == uploads[0].mediaId);

  // Another board of the same user, by option; a rate limit first: the target waits, then publishes.
  p.rateLimitNext(1, 1);
  const auto other = publish(w, admin,
                             {{"content", "Kitchen shelf"},
                              {"targets", {board}},
                              {"media", {str(image, "id")}},
                              {"options", {{"pinterest", {{"board_id", PinterestApi::secondBoardId}}}}}});
  INFO(json::serialize(other));
  REQUIRE(str(onlyResult(other), "status") == "published");
  CHECK(p.pin(str(onlyResult(other), "postId"))->boardId == PinterestApi::secondBoardId);

  // The 30 days are up: the host refreshes the token and publishes.
  p.expireAllTokens();
  const auto refreshed =
      publish(w, admin, {{"content", "After the refresh"}, {"targets", {board}}, {"media", {str(image, "id")}}});
  INFO(json::serialize(refreshed));
  CHECK(str(onlyResult(refreshed), "status") == "published");
  CHECK(p.refreshGrants() >= 1);

  // A title over 100 characters is refused at submission, before any call.
  const auto creates = p.pinCreates();
  auto refused = postJson(w, admin,
                          {{"content", "too long"},
                           {"targets", {board}},
                           {"media", {str(image, "id")}},
                           {"options", {{"pinterest", {{"title", std::string(101, 't')}}}}}});
  INFO(refused.body);
  CHECK(refused.body.find("longer than 100 characters") != std::string::npos);
  CHECK(p.pinCreates() == creates);

  // Analytics: the Pins' saves and clicks are the board's engagement.
  p.setPinAnalytics(pin->id, 1200, 30, 12, 40);
  REQUIRE(w.host.request("POST", "/api/social-media/analytics/refresh", admin, std::string("{}")).status == 200);
  const auto day = today();
  auto analytics = w.host.get("/api/social-media/analytics?platforms=pinterest&start=" + day + "&end=" + day, admin);
  INFO(analytics.body);
  REQUIRE(analytics.status == 200);
  CHECK(analytics.json().at("pinterest").at("totalEngagement").to_number<double>() >= 82);

  // Delete.
  const auto removed = w.host.request("DELETE", "/api/social-media/posts/" + str(post, "id"), admin);
  INFO(removed.body);
  CHECK(removed.status < 300);
  CHECK(p.pin(pin->id)->deleted);

  // No token in the database files or the log.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto raw = rawDatabase(w);
  const auto logs = w.host.logText();
  CHECK_FALSE(raw.empty());
  for (const auto& t : p.issuedTokens()) {
    CHECK(raw.find(t) == std::string::npos);
    CHECK(logs.find(t) == std::string::npos);
  }
}

TEST_CASE("Pinterest: a Pin whose answer is lost is found by reconcile, never posted twice", "[pinterest]") {
  PinterestApi p;
  World w(pinterestEnv(p), pinterestConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto connections = connect(w, admin, "pinterest", 2);
  const auto board = connectionFor(connections, PinterestApi::boardId);
  const auto image = uploadMedia(w, admin, pngBytes(600, 900, 4000, 'p'));
  p.faultNextCreates({marketsage::test::CreateFault::DropAfterCreate});
  const auto post =
      publish(w, admin, {{"content", "Maple board"}, {"targets", {board}}, {"media", {str(image, "id")}}});
  INFO(json::serialize(post));
  const auto& result = onlyResult(post);
  CHECK(str(result, "status") == "published");
  REQUIRE(p.pins().size() == 1);
  CHECK(str(result, "postId") == p.pins()[0].id);
  CHECK(p.pinCreates() == 1);
}

#endif  // MARKETSAGE_WITH_PINTEREST
