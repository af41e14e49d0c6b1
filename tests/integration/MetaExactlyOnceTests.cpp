// Exactly once on Facebook Pages and Instagram, over real HTTP: the `marketsage` host, the bundled
// Meta plugins and the Graph emulator, whose calls that make a post go live (POST /{page}/feed,
// /{page}/photos, /{ig-user}/media_publish) meet every fault of tests/emulators/common/CreateFaults
// — answers dropped after the create, gateway 504s, slow answers, resets, 503 refusals, posts that
// land late. Each post must end published once, with the id Graph really has, and say in its
// history that its outcome was unknown and how it was settled.
#if defined(MARKETSAGE_WITH_META)

#include "integration/ExactlyOnce.h"

#include "GraphEmulator.h"

#include <algorithm>
#include <functional>
#include <iostream>
#include <random>
#include <thread>

using namespace harness;
namespace json = boost::json;
using emulators::GraphApi;

namespace {

constexpr const char* kGraphVersion = "v24.0";

/// Plugin calls that give up after one second (slow answers are slower) and quick container polls.
std::string exactlyOnceMetaConfig(const GraphApi& graph) {
  const json::object timeouts{{"api_version", kGraphVersion}, {"http_timeout_ms", 1000}};
  json::object instagram = timeouts;
  instagram["rupload_base"] = graph.url();
  instagram["status_poll_interval_ms"] = 50;
  return exactlyOnceConfig({{"facebook", timeouts}, {"instagram", instagram}});
}

std::map<std::string, std::string> graphEnv(const GraphApi& graph) {
  std::map<std::string, std::string> env{{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_BUNDLED_PLUGIN_DIR},
                                         {"FIELD_ENCRYPTION_KEY", devKey}};
  for (const std::string platform : {"FACEBOOK", "INSTAGRAM"}) {
    for (const std::string base : {"_API_BASE", "_AUTH_BASE"}) env[platform + base] = graph.url();
    env[platform + "_CLIENT_ID"] = GraphApi::appId;
    env[platform + "_CLIENT_SECRET"] = GraphApi::appSecret;
  }
  return env;
}

/// The Meta world of one test: the emulator (late posts land 1 s after their 504) and a host.
struct MetaHost {
  GraphApi graph;
  World w;
  MetaHost() : w(graphEnv(graph), exactlyOnceMetaConfig(graph)) { graph.lateCreateMs = 1000; }
  std::string admin() { return w.a.byRole["ADMIN"].key; }

  /// Connects `platform` through the emulator's Login dialog; the connection of `accountId`.
  std::string connection(const std::string& platform, const std::string& accountId) {
    return connectAccount(w, admin(), platform, accountId);
  }

  /// An image in the host's media library: a JPEG that says `seed` (so every upload differs).
  std::string image(int seed) {
    const std::string jpeg = std::string("\xFF\xD8\xFF\xE0", 4) + "exactly once " + std::to_string(seed) +
                             std::string(1500, 'j') + "\xFF\xD9";
    const auto r = w.host.request("POST", "/api/social-media/media", admin(), jpeg, "application/octet-stream");
    REQUIRE(r.status == 201);
    return str(r.json(), "id");
  }
};

/// One post per fault, each alone in flight so that the fault meets its own create: published,
/// with the id of the item Graph has (`kind`, that content, on `owner`), outcome_unknown in its
/// history, then found by reconcile — or, for a 503 that made nothing, sent again once. Afterwards
/// every content is live exactly once. Returns a line of figures for the log.
std::string publishThroughFaults(MetaHost& m, const std::string& connection, const std::string& owner,
                                 const std::string& kind, const std::vector<Fault>& faults, const std::string& label,
                                 const std::function<json::array(std::size_t)>& mediaOf) {
  int found = 0, resent = 0;
  std::vector<std::string> contents;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    contents.push_back(label + " " + std::to_string(i));
    m.graph.faultNextCreates({faults[i]});
    json::object body{{"content", contents.back()}, {"targets", {connection}}};
    if (const auto media = mediaOf(i); !media.empty()) body["media"] = media;
    const auto r = postJson(m.w, m.admin(), body);
    REQUIRE((r.status == 201 || r.status == 202));
    const auto post = waitSettled(m.w, m.admin(), str(r.json(), "id"));
    const auto target = post.at("results").at(0);
    INFO(nameOf(faults[i]) << " on " << contents.back() << ": " << json::serialize(post));
    REQUIRE(str(target, "status") == "published");
    const auto item = m.graph.item(str(target, "postId"));
    CHECK(item.kind == kind);
    CHECK(item.ownerId == owner);
    CHECK(item.message == contents.back());
    CHECK(item.published);
    CHECK(hasEvent(post, "outcome_unknown"));
    CHECK_FALSE(hasEvent(post, "retry"));  // never sent again blindly: only after a look at the platform
    if (faults[i] == Fault::RefuseWithoutCreate) {
      CHECK(hasEvent(post, "reconciled_not_found"));
      CHECK_FALSE(foundByReconcile(post));
      ++resent;
    } else {
      CHECK(foundByReconcile(post));
      CHECK_FALSE(hasEvent(post, "reconciled_not_found"));
      ++found;
    }
    if (kind == "ig_media") CHECK(hasEvent(post, "processing"));  // containers first, held by no worker
  }
  // Late creations and slow answers are over: what is live now stays.
  std::this_thread::sleep_for(std::chrono::milliseconds(m.graph.lateCreateMs + 500));
  const auto live = m.graph.livePosts(owner);
  long duplicates = 0, losses = 0;
  for (const auto& content : contents) {
    const auto times =
        std::count_if(live.begin(), live.end(), [&](const GraphApi::Item& item) { return item.message == content; });
    duplicates += std::max<long>(0, times - 1);
    losses += times == 0;
  }
  CHECK(duplicates == 0);
  CHECK(losses == 0);
  CHECK(live.size() == contents.size());  // nothing else either
  return std::to_string(faults.size()) + " faults injected; " + std::to_string(found) + " found by reconcile, " +
         std::to_string(resent) + " re-sent after not_found; duplicates " + std::to_string(duplicates) + ", losses " +
         std::to_string(losses);
}

}  // namespace

TEST_CASE("meta exactly once: Facebook text and photo posts under every lost-answer fault", "[exactly-once][meta]") {
  MetaHost m;
  const auto& page = m.graph.pages()[0];
  const auto connection = m.connection("facebook", page.id);
  const auto faults = shuffledCreateFaults(3, 11);  // 18: twice as text, once as a photo
  const auto summary =
      publishThroughFaults(m, connection, page.id, "post", faults, "facebook once", [&](std::size_t i) {
        return i % 3 == 2 ? json::array{json::value(m.image(static_cast<int>(i)))} : json::array{};
      });
  std::cout << "meta exactly once, facebook: " << summary << "\n";
}

TEST_CASE("meta exactly once: Instagram images and carousels under every lost-answer fault", "[exactly-once][meta]") {
  MetaHost m;
  const auto& page = m.graph.pages()[0];
  const auto connection = m.connection("instagram", page.igUserId);
  const auto faults = shuffledCreateFaults(3, 23);  // 18: twice on an image, once on a carousel of two
  const auto summary =
      publishThroughFaults(m, connection, page.igUserId, "ig_media", faults, "instagram once", [&](std::size_t i) {
        json::array media{json::value(m.image(100 + static_cast<int>(i)))};
        if (i % 3 == 2) media.push_back(json::value(m.image(200 + static_cast<int>(i))));
        return media;
      });
  std::cout << "meta exactly once, instagram: " << summary << "\n";
}

// Past the grace a "not found" is trusted and the post sent again; a request landing even later
// then meets Graph's own refusal, so the account still shows the post once.
TEST_CASE("meta exactly once: a post landing after the grace is refused by Graph itself, never a second post",
          "[exactly-once][meta]") {
  MetaHost m;
  const auto& page = m.graph.pages()[0];
  const auto landsLate = [&](const std::string& platform, const std::string& owner, json::object body) {
    body["targets"] = {m.connection(platform, owner)};
    // Well after the 2 s grace (and the poll that follows it, however loaded the machine): the
    // look finds nothing, the post is sent again, and only then does the cut-off request land.
    m.graph.lateCreateMs = 6000;
    m.graph.faultNextCreates({Fault::LateCreate});
    const auto sent = std::chrono::steady_clock::now();
    const auto post = waitSettled(m.w, m.admin(), str(postJson(m.w, m.admin(), body).json(), "id"));
    INFO(json::serialize(post));
    CHECK(str(post.at("results").at(0), "status") == "published");
    CHECK(hasEvent(post, "reconciled_not_found"));
    std::this_thread::sleep_until(
        sent + std::chrono::milliseconds(m.graph.lateCreateMs + 1000));  // the late request has landed
    const auto live = m.graph.livePosts(owner);
    REQUIRE(live.size() == 1);
    CHECK(str(post.at("results").at(0), "postId") == live.front().id);
  };
  SECTION("Facebook: the late text is refused as a duplicate of the re-sent one (#506)") {
    landsLate("facebook", page.id, {{"content", "landing late on the Page"}});
  }
  SECTION("Instagram: the re-send publishes the same container; the late media_publish of it is refused") {
    landsLate("instagram", page.igUserId, {{"content", "landing late on Instagram"}, {"media", {m.image(7)}}});
  }
}

#endif  // MARKETSAGE_WITH_META
