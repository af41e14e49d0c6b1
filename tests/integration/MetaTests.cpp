// The facebook and instagram plugins end to end: the real `marketsage` host, the bundled Meta
// plugins and the in-process Graph API emulator (tests/emulators/graph), driven only through the
// host's REST API. What the emulator received and stored is the proof: messages, links, the bytes
// and SHA-256 of every photo and video, attached_media, IG containers and media, insights, deletes.
#if defined(MARKETSAGE_WITH_META)

#include "integration/Posting.h"
#include "integration/TestPlatform.h"

#include "GraphEmulator.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <set>
#include <thread>

using namespace harness;
namespace json = boost::json;
using emulators::GraphApi;

namespace {

constexpr const char* graphVersion = "v24.0";

/// The host's environment: the bundled plugins, facebook pointed at `facebook`, instagram at
/// `instagram` (the same emulator unless a test needs two Meta users' worth of state).
std::map<std::string, std::string> metaEnv(const GraphApi& facebook, const GraphApi& instagram) {
  std::map<std::string, std::string> env{{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_BUNDLED_PLUGIN_DIR},
                                         {"FIELD_ENCRYPTION_KEY", devKey}};
  for (const auto& [id, graph] :
       {std::pair<std::string, const GraphApi*>{"FACEBOOK", &facebook}, {"INSTAGRAM", &instagram}}) {
    env[id + "_API_BASE"] = graph->url();
    env[id + "_AUTH_BASE"] = graph->url();
    env[id + "_CLIENT_ID"] = GraphApi::appId;
    env[id + "_CLIENT_SECRET"] = GraphApi::appSecret;
  }
  return env;
}

/// Quick retries and polls; the plugin settings that are not secrets come from the config.
std::string metaConfig(const GraphApi& graph, int waitSeconds = 3) {
  json::object config{{"publishing",
                       {{"waitSeconds", waitSeconds},
                        {"retryBaseMillis", 200},
                        {"pollMillis", 100},
                        {"workers", 4},
                        {"leaseSeconds", 30}}},
                      {"plugins",
                       {{"facebook", {{"api_version", graphVersion}}},
                        {"instagram",
                         {{"api_version", graphVersion},
                          {"rupload_base", graph.url()},
                          {"status_poll_interval_ms", 50},
                          {"status_poll_max_seconds", 20}}}}}};
  return json::serialize(config);
}

struct MetaWorld {
  GraphApi graph;
  /// A second emulator for instagram, when asked for (see the analytics test).
  std::unique_ptr<GraphApi> separateInstagram;
  World w;
  explicit MetaWorld(int waitSeconds = 3, bool twoEmulators = false)
      : graph(),
        separateInstagram(twoEmulators ? std::make_unique<GraphApi>() : nullptr),
        w(metaEnv(graph, separateInstagram ? *separateInstagram : graph),
          metaConfig(separateInstagram ? *separateInstagram : graph, waitSeconds)) {}
  std::string admin() { return w.a.byRole["ADMIN"].key; }
  GraphApi& emulatorOf(const std::string& platform) {
    return platform == "instagram" && separateInstagram ? *separateInstagram : graph;
  }
};

/// GET /connect/{platform} → the emulator's Login dialog consents → the host's callback. Returns the
/// organization's connections of that platform afterwards.
std::vector<json::value> connect(MetaWorld& m, const std::string& key, const std::string& platform) {
  auto start = m.w.host.request("GET", "/api/social-media/connect/" + platform, key);
  REQUIRE(start.status == 302);
  const auto dialog = start.header("location");
  GraphApi& graph = m.emulatorOf(platform);
  REQUIRE(dialog.rfind(graph.url() + "/" + graphVersion + "/dialog/oauth?", 0) == 0);
  const auto back = graph.consent(dialog);
  INFO("consent answered " << back);
  REQUIRE(back.rfind("http://127.0.0.1:" + std::to_string(m.w.host.port()) + "/api/auth/callback/" + platform + "?",
                     0) == 0);
  auto done = m.w.host.get(pathOf(back), "");
  INFO("callback answered " << done.status << " " << done.header("location") << " " << done.body);
  REQUIRE(done.status == 302);
  std::vector<json::value> out;
  auto all = m.w.host.get("/api/social-media/connections", key);
  REQUIRE(all.status == 200);
  const auto list = all.json();
  for (const auto& c : list.as_array())
    if (str(c, "platform") == platform) out.push_back(c);
  return out;
}

/// POSTs and waits for the one target to settle; returns that target's result.
json::value publishOne(World& w, const std::string& key, const json::object& body, std::string* postId = nullptr) {
  auto r = postJson(w, key, body);
  INFO(r.body);
  REQUIRE((r.status == 201 || r.status == 202));
  const auto id = str(r.json(), "id");
  if (postId) *postId = id;
  const auto post = waitSettled(w, key, id);
  REQUIRE(post.at("results").as_array().size() == 1);
  return post.at("results").at(0);
}

std::string sha256Hex(const std::string& bytes) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(bytes.data(), static_cast<unsigned>(bytes.size()));
  return Poco::DigestEngine::digestToHex(engine.digest());
}

/// A baseline JPEG: SOI, APP0/JFIF, SOF0 with the size, some entropy-coded bytes (varying with
/// `seed`), EOI. Enough for the host's sniffer, Meta's checks and the SHA-256 comparisons.
std::string jpegBytes(int width, int height, int seed, std::size_t payload = 3000) {
  std::string jpeg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
  jpeg += std::string("\xFF\xC0\x00\x11\x08", 5);
  jpeg += static_cast<char>((height >> 8) & 0xFF);
  jpeg += static_cast<char>(height & 0xFF);
  jpeg += static_cast<char>((width >> 8) & 0xFF);
  jpeg += static_cast<char>(width & 0xFF);
  jpeg += std::string("\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", 10);
  for (std::size_t i = 0; i < payload; ++i) jpeg += static_cast<char>((i * 31 + seed * 17) % 251);
  jpeg += std::string("\xFF\xD9", 2);
  return jpeg;
}

std::string pngBytes(std::uint32_t width, std::uint32_t height) {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (const auto v : {width, height})
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((v >> shift) & 0xFF);
  png += std::string("\x08\x06\0\0\0", 5);
  png += std::string(200, 'x');
  return png;
}

/// An MP4 (ftyp isom, then an mdat box of `size` bytes in all).
std::string mp4Bytes(std::size_t size) {
  std::string mp4(
      "\x00\x00\x00\x18"
      "ftypisom\x00\x00\x02\x00"
      "isomiso2",
      24);
  const std::size_t mdat = size - mp4.size();
  for (int shift = 24; shift >= 0; shift -= 8) mp4 += static_cast<char>((mdat >> shift) & 0xFF);
  mp4 += "mdat";
  while (mp4.size() < size) mp4 += static_cast<char>((mp4.size() * 7) % 256);
  return mp4;
}

/// POST /api/social-media/media with raw bytes; returns the media id.
std::string upload(World& w, const std::string& key, const std::string& bytes, const std::string& expectedMime) {
  auto r = w.host.request("POST", "/api/social-media/media", key, bytes, "application/octet-stream");
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(str(r.json(), "mimeType") == expectedMime);
  CHECK(r.json().at("size").to_number<std::int64_t>() == static_cast<std::int64_t>(bytes.size()));
  return str(r.json(), "id");
}

int countRequests(const GraphApi& graph, const std::string& prefix) {
  const auto all = graph.requests();
  return static_cast<int>(
      std::count_if(all.begin(), all.end(), [&](const std::string& r) { return r.rfind(prefix, 0) == 0; }));
}

int countKind(const GraphApi& graph, const std::string& kind) {
  const auto all = graph.items();
  return static_cast<int>(
      std::count_if(all.begin(), all.end(), [&](const GraphApi::Item& i) { return i.kind == kind; }));
}

bool isLive(const GraphApi& graph, const std::string& owner, const std::string& id) {
  for (const auto& item : graph.livePosts(owner))
    if (item.id == id) return true;
  return false;
}

/// No token or authorization code the emulator ever issued appears in `body`.
void checkNoTokens(const GraphApi& graph, const std::string& what, const std::string& body) {
  for (const auto& token : graph.issuedTokens()) {
    INFO(what << " must not contain an issued token or code");
    CHECK(body.find(token) == std::string::npos);
  }
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", std::gmtime(&now));
  return day;
}

std::int64_t parseUtc(const std::string& iso) {
  std::tm tm{};
  REQUIRE(strptime(iso.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
  return static_cast<std::int64_t>(timegm(&tm));
}

double num(const json::value& v) { return v.to_number<double>(); }

}  // namespace

TEST_CASE(
    "meta connect: one Facebook connection per Page, one Instagram connection per linked IG account, no token shown",
    "[meta]") {
  MetaWorld m;
  const auto admin = m.admin();
  const auto& pages = m.graph.pages();
  REQUIRE(pages.size() == 3);

  const auto facebook = connect(m, admin, "facebook");
  REQUIRE(facebook.size() == pages.size());
  for (const auto& page : pages) {
    const auto id = connectionFor(facebook, page.id);
    auto c = m.w.host.get("/api/social-media/connections/" + id, admin);
    REQUIRE(c.status == 200);
    CHECK(str(c.json(), "accountName") == page.name);
    CHECK(str(c.json(), "status") == "active");
    // The permissions the user granted, as /me/permissions lists them.
    std::set<std::string> granted;
    const auto view = c.json();
    for (const auto& scope : view.at("scopes").as_array()) granted.insert(std::string(scope.as_string()));
    CHECK(granted.count("pages_manage_posts") == 1);
    CHECK(granted.count("pages_show_list") == 1);
    CHECK(view.at("canRefresh").as_bool() == false);  // Page tokens have no refresh token
  }

  const auto instagram = connect(m, admin, "instagram");
  std::set<std::string> linked;
  for (const auto& page : pages)
    if (!page.igUserId.empty()) linked.insert(page.igUserId);
  REQUIRE(linked.size() == 2);  // the emulator's Pages 1 and 3
  REQUIRE(instagram.size() == linked.size());
  for (const auto& page : pages) {
    if (page.igUserId.empty()) continue;
    const auto id = connectionFor(instagram, page.igUserId);
    auto c = m.w.host.get("/api/social-media/connections/" + id, admin);
    REQUIRE(c.status == 200);
    CHECK(str(c.json(), "accountName") == page.igUsername);
    CHECK(str(c.json(), "status") == "active");
  }
  // The Login dialog asked for the Instagram permissions the last time.
  const auto scopes = m.graph.lastConsentScopes();
  CHECK(std::find(scopes.begin(), scopes.end(), "instagram_content_publish") != scopes.end());
  // Graph paged /me/accounts one Page at a time: the plugins followed paging.next.
  CHECK(countRequests(m.graph, std::string("GET /") + graphVersion + "/me/accounts") >= 2 * 3);

  // Tokens (user and Page, and the codes) never leave the host through the API.
  checkNoTokens(m.graph, "connections", m.w.host.get("/api/social-media/connections", admin).body);
  checkNoTokens(m.graph, "health", m.w.host.get("/api/social-media/health", admin).body);
  checkNoTokens(m.graph, "audit", m.w.host.get("/api/audit", admin).body);
  for (const auto& c : facebook)
    checkNoTokens(m.graph, "connection", m.w.host.get("/api/social-media/connections/" + str(c, "id"), admin).body);
  for (const auto& c : instagram)
    checkNoTokens(m.graph, "connection", m.w.host.get("/api/social-media/connections/" + str(c, "id"), admin).body);
  const auto logText = m.w.host.logText();
  for (const auto& token : m.graph.issuedTokens()) {
    INFO("the host log must not contain an issued token");
    CHECK(logText.find(token) == std::string::npos);
  }

  // Org B sees and touches none of it.
  const auto other = m.w.b.byRole["ADMIN"].key;
  CHECK(m.w.host.get("/api/social-media/connections", other).json().as_array().empty());
  const auto aPage = connectionFor(facebook, pages[0].id);
  CHECK(m.w.host.get("/api/social-media/connections/" + aPage, other).status == 404);
  CHECK(m.w.host.request("DELETE", "/api/social-media/connections/" + aPage, other).status == 404);
  CHECK(m.w.host.request("POST", "/api/social-media/connections/" + aPage + "/refresh", other).status == 404);
  CHECK(m.w.host.get("/api/social-media/connections/" + aPage, admin).status == 200);
  CHECK(m.w.host.get("/api/social-media/connections", admin).json().as_array().size() == 5);

  // A disconnects one Page: it is gone for A too, and can no longer be posted to.
  CHECK(m.w.host.request("DELETE", "/api/social-media/connections/" + aPage, admin).status == 204);
  CHECK(m.w.host.get("/api/social-media/connections/" + aPage, admin).status == 404);
  CHECK(m.w.host.get("/api/social-media/connections", admin).json().as_array().size() == 4);
  CHECK(postJson(m.w, admin, {{"content", "to a gone Page"}, {"targets", {aPage}}}).status == 404);
  CHECK(countKind(m.graph, "post") == 0);
}

TEST_CASE(
    "meta facebook: text, link, photo, several photos and a chunked video reach the Page as sent; delete removes a "
    "post",
    "[meta]") {
  MetaWorld m;
  const auto admin = m.admin();
  const auto& page = m.graph.pages()[0];
  const auto connection = connectionFor(connect(m, admin, "facebook"), page.id);
  const json::array target{json::value(connection)};

  SECTION("text") {
    const auto t = publishOne(m.w, admin, {{"content", "Hello Page from MarketSage"}, {"targets", target}});
    REQUIRE(str(t, "status") == "published");
    const auto item = m.graph.item(str(t, "postId"));
    CHECK(item.kind == "post");
    CHECK(item.ownerId == page.id);
    CHECK(item.message == "Hello Page from MarketSage");
    CHECK(item.link.empty());
    CHECK(item.published);
    CHECK(str(t, "url") == "https://www.facebook.com/" + page.id + "/posts/" + item.id.substr(item.id.find('_') + 1));
    CHECK(m.graph.livePosts(page.id).size() == 1);

    // Delete: gone at the platform, and the post says so.
    std::string postId;
    const auto second = publishOne(m.w, admin, {{"content", "to be deleted"}, {"targets", target}}, &postId);
    REQUIRE(str(second, "status") == "published");
    REQUIRE(isLive(m.graph, page.id, str(second, "postId")));
    auto removed = m.w.host.request("DELETE", "/api/social-media/posts/" + postId, admin);
    INFO(removed.body);
    REQUIRE(removed.status == 200);
    CHECK(str(removed.json(), "status") == "deleted");
    CHECK(removed.json().at("notDeleted").as_array().empty());
    CHECK(m.graph.item(str(second, "postId")).deleted);
    CHECK(!isLive(m.graph, page.id, str(second, "postId")));
    CHECK(countRequests(m.graph, std::string("DELETE /") + graphVersion + "/" + str(second, "postId")) == 1);
    CHECK(isLive(m.graph, page.id, item.id));  // the other post stays
    CHECK(str(getPost(m.w, admin, postId).at("results").at(0), "status") == "deleted");
  }
  SECTION("link") {
    const auto t = publishOne(
        m.w, admin, {{"content", "Read this"}, {"link", "https://example.com/article?id=7"}, {"targets", target}});
    REQUIRE(str(t, "status") == "published");
    const auto item = m.graph.item(str(t, "postId"));
    CHECK(item.kind == "post");
    CHECK(item.message == "Read this");
    CHECK(item.link == "https://example.com/article?id=7");
  }
  SECTION("one photo, uploaded to the media library first") {
    const auto photo = jpegBytes(640, 480, 1);
    const auto media = upload(m.w, admin, photo, "image/jpeg");
    const auto t = publishOne(m.w, admin, {{"content", "A photo"}, {"targets", target}, {"media", {media}}});
    REQUIRE(str(t, "status") == "published");
    const auto post = m.graph.item(str(t, "postId"));
    CHECK(post.kind == "post");
    CHECK(post.ownerId == page.id);
    REQUIRE(post.children.size() == 1);
    const auto received = m.graph.item(post.children[0]);
    CHECK(received.kind == "photo");
    CHECK(received.message == "A photo");
    CHECK(received.bytes == photo.size());
    CHECK(received.sha256 == sha256Hex(photo));
    CHECK(str(t, "url") == "https://www.facebook.com/" + page.id + "/posts/" + post.id.substr(post.id.find('_') + 1));
    CHECK(countKind(m.graph, "photo") == 1);
  }
  SECTION("three photos: unpublished photos, then one feed post with attached_media") {
    std::vector<std::string> photos, mediaIds;
    for (int i = 0; i < 3; ++i) {
      photos.push_back(jpegBytes(800, 600, 10 + i, 2000 + 500 * i));
      mediaIds.push_back(upload(m.w, admin, photos.back(), "image/jpeg"));
    }
    const auto t = publishOne(
        m.w, admin, {{"content", "An album"}, {"targets", target}, {"media", {mediaIds[0], mediaIds[1], mediaIds[2]}}});
    REQUIRE(str(t, "status") == "published");
    const auto post = m.graph.item(str(t, "postId"));
    CHECK(post.kind == "post");
    CHECK(post.message == "An album");
    REQUIRE(post.children.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      const auto photo = m.graph.item(post.children[i]);
      INFO("photo " << i);
      CHECK(photo.kind == "photo");
      CHECK(!photo.published);
      CHECK(photo.publishedAs == post.id);
      CHECK(photo.bytes == photos[i].size());
      CHECK(photo.sha256 == sha256Hex(photos[i]));  // in the order given
    }
    CHECK(countKind(m.graph, "photo") == 3);
    CHECK(m.graph.livePosts(page.id).size() == 1);
  }
  SECTION("a video larger than a chunk: upload_phase start, transfers, finish") {
    const int chunk = m.graph.videoChunkBytes;
    const auto video = mp4Bytes(static_cast<std::size_t>(chunk) * 2 + 1234);
    const auto media = upload(m.w, admin, video, "video/mp4");
    const auto t = publishOne(m.w, admin,
                              {{"content", "Our video"},
                               {"targets", target},
                               {"media", {media}},
                               {"options", {{"facebook", {{"title", "Launch"}}}}}});
    INFO(json::serialize(t));
    REQUIRE(str(t, "status") == "published");
    const auto item = m.graph.item(str(t, "postId"));
    CHECK(item.kind == "video");
    CHECK(item.ownerId == page.id);
    CHECK(item.published);
    CHECK(item.message == "Our video");
    CHECK(item.link == "Launch");  // the emulator keeps the video title there
    CHECK(item.bytes == video.size());
    CHECK(item.sha256 == sha256Hex(video));
    // start + 3 transfers + finish
    CHECK(countRequests(m.graph, std::string("POST /") + graphVersion + "/" + page.id + "/videos") == 5);
    CHECK(str(t, "url") == "https://www.facebook.com/" + page.id + "/videos/" + item.id + "/");
  }
  SECTION("a published photo post is deleted at the Page") {
    std::string postId;
    const auto t = publishOne(m.w, admin,
                              {{"content", "short-lived photo"},
                               {"targets", target},
                               {"media", {upload(m.w, admin, jpegBytes(320, 240, 7), "image/jpeg")}}},
                              &postId);
    REQUIRE(str(t, "status") == "published");
    REQUIRE(isLive(m.graph, page.id, str(t, "postId")));
    auto removed = m.w.host.request("DELETE", "/api/social-media/posts/" + postId, admin);
    INFO(removed.body);
    REQUIRE(removed.status == 200);
    CHECK(str(removed.json(), "status") == "deleted");
    CHECK(m.graph.item(str(t, "postId")).deleted);
    CHECK(m.graph.livePosts(page.id).empty());
    // Deleting again is not a second platform call that could hit something else.
    const int calls = m.graph.apiCalls();
    const auto again = m.w.host.request("DELETE", "/api/social-media/posts/" + postId, admin);
    CHECK(again.status != 500);
    CHECK(m.graph.apiCalls() == calls);
  }
  SECTION("native scheduling: Facebook holds the post unpublished until scheduled_publish_time") {
    const std::time_t when = std::time(nullptr) + 3600;
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&when));
    const auto t = publishOne(m.w, admin,
                              {{"content", "Later, natively"},
                               {"targets", target},
                               {"scheduledTime", text},
                               {"options", {{"facebook", {{"nativeScheduling", true}}}}}});
    INFO(json::serialize(t));
    REQUIRE(str(t, "status") == "published");  // handed over: Facebook owns the schedule now
    const auto item = m.graph.item(str(t, "postId"));
    CHECK(item.kind == "post");
    CHECK(item.message == "Later, natively");
    CHECK(!item.published);
    CHECK(item.scheduledPublishTime == static_cast<long long>(when));
    CHECK(m.graph.livePosts(page.id).empty());
  }
  SECTION("a transient 500 is retried: the post exists once") {
    m.graph.failNext(1);
    const auto t = publishOne(m.w, admin, {{"content", "second time lucky"}, {"targets", target}});
    INFO(json::serialize(t));
    REQUIRE(str(t, "status") == "published");
    CHECK(t.at("attempts").to_number<std::int64_t>() == 2);
    CHECK(m.graph.livePosts(page.id).size() == 1);
    CHECK(countKind(m.graph, "post") == 1);
    CHECK(m.graph.item(str(t, "postId")).message == "second time lucky");
  }
  SECTION("refused before any call: a link post that also carries media") {
    const auto media = upload(m.w, admin, jpegBytes(100, 100, 3), "image/jpeg");
    const int calls = m.graph.apiCalls();
    const auto t = publishOne(
        m.w, admin, {{"content", "x"}, {"link", "https://example.com"}, {"targets", target}, {"media", {media}}});
    CHECK(str(t, "status") == "failed");
    CHECK(str(t, "errorKind") == "invalid_input");
    CHECK(m.graph.apiCalls() == calls);
    CHECK(m.graph.items().empty());
  }
  checkNoTokens(m.graph, "posts", m.w.host.get("/api/social-media/posts", admin).body);
}

TEST_CASE("meta instagram: image, carousel and Reel go through containers fetched from signed host URLs", "[meta]") {
  MetaWorld m;
  const auto admin = m.admin();
  const auto& page = m.graph.pages()[0];
  REQUIRE(!page.igUserId.empty());
  const auto connection = connectionFor(connect(m, admin, "instagram"), page.igUserId);
  const json::array target{json::value(connection)};
  const std::string hostUrl = "http://127.0.0.1:" + std::to_string(m.w.host.port()) + "/";

  SECTION("one image") {
    const auto image = jpegBytes(1080, 1080, 21);
    const auto media = upload(m.w, admin, image, "image/jpeg");
    const auto t = publishOne(m.w, admin, {{"content", "First #insta post"}, {"targets", target}, {"media", {media}}});
    INFO(json::serialize(t));
    REQUIRE(str(t, "status") == "published");
    const auto item = m.graph.item(str(t, "postId"));
    CHECK(item.kind == "ig_media");
    CHECK(item.ownerId == page.igUserId);
    CHECK(item.mediaType == "IMAGE");
    CHECK(item.message == "First #insta post");
    CHECK(item.bytes == image.size());
    CHECK(item.sha256 == sha256Hex(image));  // fetched from the host through the signed URL
    CHECK(item.mediaUrl.rfind(hostUrl + "media/", 0) == 0);
    CHECK(item.mediaUrl.find("signature=") != std::string::npos);
    CHECK(str(t, "url") == "https://www.instagram.com/p/Emu" + item.id.substr(item.id.size() - 8) + "/");
    CHECK(m.graph.livePosts(page.igUserId).size() == 1);
    CHECK(countRequests(m.graph, std::string("POST /") + graphVersion + "/" + page.igUserId + "/media_publish") == 1);
  }
  SECTION("a carousel of three images") {
    std::vector<std::string> images, ids;
    for (int i = 0; i < 3; ++i) {
      images.push_back(jpegBytes(1080, 1350, 30 + i, 1500 + 300 * i));
      ids.push_back(upload(m.w, admin, images.back(), "image/jpeg"));
    }
    const auto t =
        publishOne(m.w, admin, {{"content", "Swipe"}, {"targets", target}, {"media", {ids[0], ids[1], ids[2]}}});
    INFO(json::serialize(t));
    REQUIRE(str(t, "status") == "published");
    const auto item = m.graph.item(str(t, "postId"));
    CHECK(item.kind == "ig_media");
    CHECK(item.mediaType == "CAROUSEL");
    CHECK(item.message == "Swipe");
    REQUIRE(item.children.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      const auto child = m.graph.item(item.children[i]);
      INFO("carousel item " << i);
      CHECK(child.kind == "container");
      CHECK(child.carouselItem);
      CHECK(child.sha256 == sha256Hex(images[i]));
      CHECK(child.mediaUrl.rfind(hostUrl + "media/", 0) == 0);
    }
    CHECK(m.graph.livePosts(page.igUserId).size() == 1);
    CHECK(str(t, "url").rfind("https://www.instagram.com/p/", 0) == 0);
  }
  SECTION("a Reel from an MP4, its container polled until FINISHED") {
    const auto video = mp4Bytes(20000);
    const auto media = upload(m.w, admin, video, "video/mp4");
    const auto t = publishOne(m.w, admin, {{"content", "Reel time"}, {"targets", target}, {"media", {media}}});
    INFO(json::serialize(t));
    REQUIRE(str(t, "status") == "published");
    const auto item = m.graph.item(str(t, "postId"));
    CHECK(item.kind == "ig_media");
    CHECK(item.mediaType == "REELS");
    CHECK(item.message == "Reel time");
    CHECK(item.bytes == video.size());
    CHECK(item.sha256 == sha256Hex(video));
    // The container was read while IN_PROGRESS, then FINISHED: at least pollsUntilReady + 1 reads.
    std::string container;
    for (const auto& i : m.graph.items())
      if (i.kind == "container" && i.publishedAs == item.id) container = i.id;
    REQUIRE(!container.empty());
    CHECK(countRequests(m.graph, std::string("GET /") + graphVersion + "/" + container) >= m.graph.pollsUntilReady + 1);
    CHECK(str(t, "url") == "https://www.instagram.com/reel/Emu" + item.id.substr(item.id.size() - 8) + "/");
  }
  SECTION("a Reel uploaded from the file (upload: resumable) to rupload_base") {
    const auto video = mp4Bytes(15000);
    const auto media = upload(m.w, admin, video, "video/mp4");
    const auto t = publishOne(m.w, admin,
                              {{"content", "resumable reel"},
                               {"targets", target},
                               {"media", {media}},
                               {"options", {{"instagram", {{"upload", "resumable"}}}}}});
    INFO(json::serialize(t));
    REQUIRE(str(t, "status") == "published");
    const auto item = m.graph.item(str(t, "postId"));
    CHECK(item.mediaType == "REELS");
    CHECK(item.mediaUrl.empty());  // nothing fetched by URL: the bytes came through rupload
    CHECK(item.bytes == video.size());
    CHECK(item.sha256 == sha256Hex(video));
    std::string container;
    for (const auto& i : m.graph.items())
      if (i.kind == "container" && i.publishedAs == item.id) container = i.id;
    REQUIRE(!container.empty());
    CHECK(countRequests(m.graph, std::string("POST /ig-api-upload/") + graphVersion + "/" + container) == 1);
  }
  SECTION("a 500 on media_publish is retried: one IG media, no duplicate") {
    const auto first = publishOne(m.w, admin,
                                  {{"content", "one"},
                                   {"targets", target},
                                   {"media", {upload(m.w, admin, jpegBytes(1080, 1080, 50), "image/jpeg")}}});
    REQUIRE(str(first, "status") == "published");
    // Learn where media_publish falls in one publish's calls, then fail exactly that call next time.
    const auto media = upload(m.w, admin, jpegBytes(1080, 1080, 51), "image/jpeg");
    const auto log = m.graph.requests();
    std::size_t firstCall = 0;
    for (std::size_t i = 0; i < log.size(); ++i)
      if (log[i] == std::string("GET /") + graphVersion + "/" + page.igUserId + "/content_publishing_limit")
        firstCall = i;
    int nth = 0;
    for (std::size_t i = firstCall; i < log.size(); ++i)
      if (log[i] == std::string("POST /") + graphVersion + "/" + page.igUserId + "/media_publish")
        nth = static_cast<int>(i - firstCall) + 1;
    REQUIRE(nth > 0);
    m.graph.failCall(nth);
    const auto t = publishOne(m.w, admin, {{"content", "two"}, {"targets", target}, {"media", {media}}});
    INFO(json::serialize(t));
    REQUIRE(str(t, "status") == "published");
    CHECK(t.at("attempts").to_number<std::int64_t>() == 2);
    CHECK(m.graph.livePosts(page.igUserId).size() == 2);
    CHECK(countKind(m.graph, "ig_media") == 2);
    CHECK(m.graph.item(str(t, "postId")).message == "two");
  }
  SECTION("the 24-hour publishing quota used up: the target waits (rate_limited), nothing is published") {
    m.graph.publishingQuota = 1;
    const auto first = publishOne(m.w, admin,
                                  {{"content", "the day's one"},
                                   {"targets", target},
                                   {"media", {upload(m.w, admin, jpegBytes(1080, 1080, 52), "image/jpeg")}}});
    REQUIRE(str(first, "status") == "published");
    const auto media = upload(m.w, admin, jpegBytes(1080, 1080, 53), "image/jpeg");
    const auto sent =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto r = postJson(m.w, admin, {{"content", "over quota"}, {"targets", target}, {"media", {media}}});
    INFO(r.body);
    REQUIRE((r.status == 201 || r.status == 202));
    const auto result = r.json().at("results").at(0);
    CHECK(str(result, "status") == "queued");
    CHECK(str(result, "errorKind") == "rate_limited");
    // content_publishing_limit said quota_duration = 86400 s: no container is made meanwhile.
    CHECK(parseUtc(str(result, "nextAttemptAt")) >= sent + 86400 - 60);
    CHECK(countKind(m.graph, "container") == 1);
    CHECK(m.graph.livePosts(page.igUserId).size() == 1);
  }
  SECTION("refused before any call: a PNG, and no media at all") {
    const auto png = upload(m.w, admin, pngBytes(1080, 1080), "image/png");
    const int calls = m.graph.apiCalls();
    const auto withPng = publishOne(m.w, admin, {{"content", "png"}, {"targets", target}, {"media", {png}}});
    CHECK(str(withPng, "status") == "failed");
    CHECK(str(withPng, "errorKind") == "invalid_input");
    const auto textOnly = publishOne(m.w, admin, {{"content", "just words"}, {"targets", target}});
    CHECK(str(textOnly, "status") == "failed");
    CHECK(str(textOnly, "errorKind") == "invalid_input");
    CHECK(countKind(m.graph, "container") == 0);
    CHECK(countRequests(m.graph, std::string("POST /") + graphVersion + "/" + page.igUserId + "/media") == 0);
    CHECK(m.graph.apiCalls() == calls);
  }
  SECTION("a container that ends in ERROR fails the target, nothing is published") {
    m.graph.nextContainerEnds("ERROR");
    const auto video = mp4Bytes(9000);
    const auto media = upload(m.w, admin, video, "video/mp4");
    const auto t = publishOne(m.w, admin, {{"content", "broken reel"}, {"targets", target}, {"media", {media}}});
    CHECK(str(t, "status") == "failed");
    CHECK(m.graph.livePosts(page.igUserId).empty());
    CHECK(countKind(m.graph, "ig_media") == 0);
  }
}

TEST_CASE("meta analytics: Page and IG insights as the emulator computes them, summed per platform and in totals",
          "[meta]") {
  // Two emulators: the Graph emulator keeps one set of granted permissions per user and replaces it
  // at every Login (Meta accumulates them), so a Facebook Login after an Instagram one would take
  // away instagram_* from the Page tokens. See the report; one emulator per plugin sidesteps that.
  MetaWorld m(3, true);
  GraphApi& igGraph = *m.separateInstagram;
  const auto admin = m.admin();
  const auto& pages = m.graph.pages();
  const auto facebook = connect(m, admin, "facebook");
  const auto instagram = connect(m, admin, "instagram");
  const auto page = connectionFor(facebook, pages[0].id);
  const auto ig = connectionFor(instagram, igGraph.pages()[0].igUserId);

  const auto a = publishOne(m.w, admin, {{"content", "post a"}, {"targets", {page}}});
  const auto b = publishOne(m.w, admin, {{"content", "post b"}, {"targets", {page}}});
  const auto media = upload(m.w, admin, jpegBytes(1080, 1080, 40), "image/jpeg");
  const auto c = publishOne(m.w, admin, {{"content", "ig post"}, {"targets", {ig}}, {"media", {media}}});
  INFO(json::serialize(a));
  REQUIRE(str(a, "status") == "published");
  REQUIRE(str(b, "status") == "published");
  REQUIRE(str(c, "status") == "published");

  GraphApi::Stats sa, sb, sc;
  sa.views = 500, sa.reach = 400, sa.reactions = 40, sa.comments = 6, sa.shares = 4, sa.clicks = 9;
  sb.views = 200, sb.reach = 150, sb.reactions = 10, sb.comments = 2, sb.shares = 1, sb.clicks = 3;
  sc.views = 900, sc.reach = 700, sc.reactions = 80, sc.comments = 12, sc.shares = 5, sc.saves = 7;
  m.graph.setStats(str(a, "postId"), sa);
  m.graph.setStats(str(b, "postId"), sb);
  igGraph.setStats(str(c, "postId"), sc);
  // Analytics answer from the stored history: a refresh takes it now.
  REQUIRE(m.w.host.request("POST", "/api/social-media/analytics/refresh", admin, std::string("{}")).status == 200);

  const auto day = today();
  auto r = m.w.host.get("/api/social-media/analytics?platforms=facebook,instagram&start=" + day + "&end=" + day, admin);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto out = r.json();
  checkNoTokens(m.graph, "analytics", r.body);
  checkNoTokens(igGraph, "analytics", r.body);

  // One day: the Page's reach that day is the reach of its live posts (GraphInsights.cpp).
  const double fbReach = GraphApi::metricValue("page_total_media_view_unique", sa) +
                         GraphApi::metricValue("page_total_media_view_unique", sb);
  const double fbEngagement =
      GraphApi::metricValue("page_post_engagements", sa) + GraphApi::metricValue("page_post_engagements", sb);
  const double igReach = GraphApi::metricValue("reach", sc);
  const double igEngagement = GraphApi::metricValue("total_interactions", sc);
  const auto& fb = out.at("facebook");
  const auto& insta = out.at("instagram");
  CHECK(num(fb.at("totalReach")) == fbReach);
  CHECK(num(fb.at("totalEngagement")) == fbEngagement);
  CHECK(num(fb.at("engagementRate")) == Approx(100.0 * fbEngagement / fbReach).margin(0.005));  // percent, 2 decimals
  CHECK(r.body.find("E0") == std::string::npos);                                                // plain numbers
  CHECK(num(insta.at("totalReach")) == igReach);
  CHECK(num(insta.at("totalEngagement")) == igEngagement);
  CHECK(num(out.at("totals").at("totalReach")) == fbReach + igReach);
  CHECK(num(out.at("totals").at("totalEngagement")) == fbEngagement + igEngagement);
  CHECK(fb.at("accounts").as_array().size() == 3);
  CHECK(insta.at("accounts").as_array().size() == 2);
  for (const auto& account : fb.at("accounts").as_array()) {
    INFO(json::serialize(account));
    CHECK(!account.as_object().contains("error"));
  }
  for (const auto& account : insta.at("accounts").as_array()) {
    INFO(json::serialize(account));
    CHECK(!account.as_object().contains("error"));
  }

  // Post insights: the busier Facebook post first, with the emulator's numbers.
  const auto& top = fb.at("topPosts").as_array();
  REQUIRE(top.size() == 2);
  CHECK(str(top.at(0), "postId") == str(a, "postId"));
  CHECK(top.at(0).at("metrics").at("likes").to_number<std::int64_t>() == sa.reactions);
  CHECK(top.at(0).at("metrics").at("reach").to_number<std::int64_t>() ==
        GraphApi::metricValue("post_total_media_view_unique", sa));
  CHECK(top.at(0).at("metrics").at("clicks").to_number<std::int64_t>() == GraphApi::metricValue("post_clicks", sa));
  CHECK(str(top.at(0), "url") == str(a, "url"));
  const auto& igTop = insta.at("topPosts").as_array();
  REQUIRE(igTop.size() == 1);
  CHECK(str(igTop.at(0), "postId") == str(c, "postId"));
  CHECK(igTop.at(0).at("metrics").at("reach").to_number<std::int64_t>() == GraphApi::metricValue("reach", sc));
  CHECK(igTop.at(0).at("metrics").at("likes").to_number<std::int64_t>() == GraphApi::metricValue("likes", sc));

  // Only current metric names were asked for (the emulator refuses deprecated ones).
  for (const auto& req : m.graph.requests()) CHECK(req.find("page_impressions") == std::string::npos);
  CHECK(countRequests(m.graph, std::string("GET /") + graphVersion + "/" + pages[0].id + "/insights") >= 1);
  CHECK(countRequests(igGraph, std::string("GET /") + graphVersion + "/" + igGraph.pages()[0].igUserId + "/insights") >=
        1);
  CHECK(countRequests(igGraph, std::string("GET /") + graphVersion + "/" + str(c, "postId") + "/insights") >= 1);

  // Org B's analytics see nothing of A's.
  auto other = m.w.host.get("/api/social-media/analytics?platforms=facebook,instagram&start=" + day + "&end=" + day,
                            m.w.b.byRole["ADMIN"].key);
  REQUIRE(other.status == 200);
  CHECK(num(other.json().at("totals").at("totalReach")) == 0);
  CHECK(!other.json().as_object().contains("facebook"));
}

TEST_CASE("meta token expiry: Graph refuses every token → the post's target fails, the connection is expired",
          "[meta]") {
  MetaWorld m;
  const auto admin = m.admin();
  const auto& page = m.graph.pages()[0];
  const auto connection = connectionFor(connect(m, admin, "facebook"), page.id);
  const auto before = publishOne(m.w, admin, {{"content", "while it works"}, {"targets", {connection}}});
  REQUIRE(str(before, "status") == "published");

  m.graph.expireAllTokens();
  std::string postId;
  const auto t = publishOne(m.w, admin, {{"content", "after expiry"}, {"targets", {connection}}}, &postId);
  INFO(json::serialize(t));
  CHECK(str(t, "status") == "failed");
  CHECK(t.at("postId").is_null());
  CHECK(m.graph.livePosts(page.id).size() == 1);  // only the first one

  auto c = m.w.host.get("/api/social-media/connections/" + connection, admin);
  REQUIRE(c.status == 200);
  CHECK(str(c.json(), "status") == "expired");
  auto health = m.w.host.get("/api/social-media/health/facebook", admin);
  REQUIRE(health.status == 200);
  bool seen = false;
  const auto healthList = health.json();
  for (const auto& h : healthList.as_array()) {
    if (str(h, "connectionId") != connection) continue;
    seen = true;
    CHECK(str(h, "status") == "expired");
    CHECK(!h.at("lastError").is_null());
  }
  CHECK(seen);
  checkNoTokens(m.graph, "health", health.body);
  checkNoTokens(m.graph, "post", m.w.host.get("/api/social-media/posts/" + postId, admin).body);
  checkNoTokens(m.graph, "errors", m.w.host.get("/api/social-media/errors", admin).body);

  // The expired connection is not used silently afterwards: the next post is refused or fails,
  // and nothing new appears on the Page.
  auto again = postJson(m.w, admin, {{"content", "still expired"}, {"targets", {connection}}});
  INFO(again.body);
  if (again.status == 201 || again.status == 202) {
    const auto post = waitSettled(m.w, admin, str(again.json(), "id"));
    CHECK(str(post.at("results").at(0), "status") == "failed");
  } else {
    CHECK(again.status == 409);
  }
  CHECK(m.graph.livePosts(page.id).size() == 1);
  // Still expired (the platform said so): using it once more does not turn it into "invalid".
  CHECK(str(m.w.host.get("/api/social-media/connections/" + connection, admin).json(), "status") == "expired");
}

TEST_CASE("meta token refused: a revoked session or a removed permission makes the connection invalid", "[meta]") {
  MetaWorld m;
  const auto admin = m.admin();
  const auto& page = m.graph.pages()[0];
  const auto connection = connectionFor(connect(m, admin, "facebook"), page.id);
  const bool revoke = GENERATE(true, false);
  if (revoke)
    m.graph.revokeAllTokens();
  else
    m.graph.removePermission("pages_manage_posts");
  const auto t = publishOne(m.w, admin, {{"content", "refused"}, {"targets", {connection}}});
  INFO(json::serialize(t));
  CHECK(str(t, "status") == "failed");
  CHECK(str(t, "errorKind") == "auth_invalid");
  if (!revoke) CHECK(str(t, "error").find("pages_manage_posts") != std::string::npos);
  CHECK(countKind(m.graph, "post") == 0);
  auto c = m.w.host.get("/api/social-media/connections/" + connection, admin);
  REQUIRE(c.status == 200);
  CHECK(str(c.json(), "status") == "invalid");
  const auto health = m.w.host.get("/api/social-media/health/facebook", admin);
  const auto list = health.json();
  for (const auto& h : list.as_array())
    if (str(h, "connectionId") == connection) CHECK(str(h, "status") == "invalid");
  checkNoTokens(m.graph, "health", health.body);
  checkNoTokens(m.graph, "post", json::serialize(t));
}

TEST_CASE("meta rate limit: a throttled Page call queues the target until Graph's regain time, without hammering",
          "[meta]") {
  MetaWorld m(1);
  const auto admin = m.admin();
  const auto& page = m.graph.pages()[0];
  const auto connection = connectionFor(connect(m, admin, "facebook"), page.id);
  m.graph.regainAccessMinutes = 2;
  const int code = GENERATE(80001, 4);
  INFO("throttling code " << code);
  m.graph.rateLimitNext(1, code);

  const auto sent = std::chrono::system_clock::now();
  auto r = postJson(m.w, admin, {{"content", "when the limit allows"}, {"targets", {connection}}});
  INFO(r.body);
  REQUIRE(r.status == 202);
  const auto target = r.json().at("results").at(0);
  CHECK(str(target, "status") == "queued");
  CHECK(str(target, "errorKind") == "rate_limited");
  REQUIRE(target.as_object().contains("nextAttemptAt"));
  const auto next = parseUtc(str(target, "nextAttemptAt"));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(sent.time_since_epoch()).count();
  // X-Business-Use-Case-Usage of the Page says estimated_time_to_regain_access = 2 minutes.
  CHECK(next >= now + 100);
  CHECK(next <= now + 150);

  // Meanwhile the host leaves Graph alone, and the target keeps waiting (not failed).
  const int calls = m.graph.apiCalls();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until) {
    const auto post = getPost(m.w, admin, str(r.json(), "id"));
    CHECK(str(post.at("results").at(0), "status") == "queued");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  CHECK(m.graph.apiCalls() == calls);
  CHECK(m.graph.livePosts(page.id).empty());
  CHECK(countKind(m.graph, "post") == 0);
  // The connection is still good (not expired, not invalid).
  CHECK(str(m.w.host.get("/api/social-media/connections/" + connection, admin).json(), "status") == "active");
  // Health says what is going on: Meta is throttling this Page until nextAttemptAt.
  const auto health = m.w.host.get("/api/social-media/health/facebook", admin);
  REQUIRE(health.status == 200);
  const auto healthList = health.json();
  INFO(health.body);
  int seen = 0;
  for (const auto& h : healthList.as_array()) {
    if (str(h, "connectionId") != connection) continue;
    ++seen;
    CHECK(str(h, "status") == "rate_limited");
    CHECK(h.as_object().contains("rateLimitedUntil"));
  }
  CHECK(seen == 1);  // the connection is in the answer: the checks above ran
}

TEST_CASE("meta rate limit: Instagram's 80002 on the first call queues the target for the regain time", "[meta]") {
  MetaWorld m(1);
  const auto admin = m.admin();
  const auto& page = m.graph.pages()[0];
  const auto connection = connectionFor(connect(m, admin, "instagram"), page.igUserId);
  const auto media = upload(m.w, admin, jpegBytes(1080, 1080, 60), "image/jpeg");
  m.graph.regainAccessMinutes = 4;
  m.graph.rateLimitNext(1, 80002);
  const auto sent =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto r = postJson(m.w, admin, {{"content", "throttled reel"}, {"targets", {connection}}, {"media", {media}}});
  INFO(r.body);
  REQUIRE(r.status == 202);
  const auto target = r.json().at("results").at(0);
  CHECK(str(target, "status") == "queued");
  CHECK(str(target, "errorKind") == "rate_limited");
  REQUIRE(target.as_object().contains("nextAttemptAt"));
  const auto next = parseUtc(str(target, "nextAttemptAt"));
  CHECK(next >= sent + 220);
  CHECK(next <= sent + 270);
  const int calls = m.graph.apiCalls();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until) {
    CHECK(str(getPost(m.w, admin, str(r.json(), "id")).at("results").at(0), "status") == "queued");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  CHECK(m.graph.apiCalls() == calls);
  CHECK(countKind(m.graph, "container") == 0);
}

TEST_CASE("meta tenancy: another organization cannot see, delete or post to A's Meta posts and connections", "[meta]") {
  MetaWorld m;
  const auto admin = m.admin();
  const auto& page = m.graph.pages()[0];
  // Instagram first: the emulator's Login replaces the granted permissions, and the Facebook post
  // below needs pages_manage_posts.
  const auto igConnection = connectionFor(connect(m, admin, "instagram"), page.igUserId);
  const auto facebook = connect(m, admin, "facebook");
  const auto connection = connectionFor(facebook, page.id);
  std::string postId;
  const auto t = publishOne(m.w, admin, {{"content", "A's post"}, {"targets", {connection}}}, &postId);
  REQUIRE(str(t, "status") == "published");
  const auto platformId = str(t, "postId");

  const auto other = m.w.b.byRole["ADMIN"].key;
  CHECK(m.w.host.get("/api/social-media/posts/" + postId, other).status == 404);
  CHECK(m.w.host.request("DELETE", "/api/social-media/posts/" + postId, other).status == 404);
  CHECK(m.w.host.get("/api/social-media/posts", other).json().as_array().empty());
  CHECK(m.w.host.get("/api/social-media/connections/" + connection, other).status == 404);
  CHECK(m.w.host.request("DELETE", "/api/social-media/connections/" + connection, other).status == 404);
  CHECK(m.w.host.get("/api/social-media/connections/" + igConnection, other).status == 404);
  CHECK(m.w.host.request("DELETE", "/api/social-media/connections/" + igConnection, other).status == 404);
  CHECK(m.w.host.request("POST", "/api/social-media/connections/" + igConnection + "/refresh", other).status == 404);
  CHECK(postJson(m.w, other, {{"content", "B via A's IG"}, {"targets", {igConnection}}}).status == 404);
  CHECK(m.w.host.get("/api/social-media/health/instagram", other).json().as_array().empty());
  CHECK(postJson(m.w, other, {{"content", "B via A's Page"}, {"targets", {connection}}}).status == 404);
  CHECK(postJson(m.w, other, {{"content", "B on facebook"}, {"platforms", {"facebook"}}}).status == 400);
  auto health = m.w.host.get("/api/social-media/health", other);
  REQUIRE(health.status == 200);
  CHECK(health.json().as_array().empty());
  CHECK(m.w.host.get("/api/social-media/errors", other).json().as_array().empty());

  // Nothing happened at the platform: A's post is live, nothing else was created.
  CHECK(isLive(m.graph, page.id, platformId));
  CHECK(m.graph.items().size() == 1);
  CHECK(str(getPost(m.w, admin, postId).at("results").at(0), "status") == "published");
  CHECK(m.w.host.get("/api/social-media/connections/" + connection, admin).status == 200);
  CHECK(m.w.host.get("/api/social-media/connections/" + igConnection, admin).status == 200);
  CHECK(m.w.host.get("/api/social-media/connections", admin).json().as_array().size() == 5);
  // A guest of A cannot touch it either.
  CHECK(m.w.host.request("DELETE", "/api/social-media/posts/" + postId, m.w.a.byRole["GUEST"].key).status == 403);
  CHECK(isLive(m.graph, page.id, platformId));
}

#endif  // MARKETSAGE_WITH_META
