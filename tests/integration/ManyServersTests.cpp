// Platforms with many servers (plugin ABI 1.4, register_app): each organization gets its own app
// on each server it names, the server URL is held to the media URL guard, and the dashboard's
// platform list tells an instance platform (Mastodon) from a credential one whose sessions refresh
// (Bluesky: oauth for refresh only).
#if defined(MARKETSAGE_WITH_MASTODON) && defined(MARKETSAGE_WITH_BLUESKY)

#include "MastodonEmulator.h"
#include "integration/TestPlatform.h"
#include "integration/World.h"

using namespace harness;
namespace json = boost::json;
using emulators::MastodonInstance;

namespace {

std::string allowLoopback() { return R"({"media":{"fetchAllowHosts":["127.0.0.1"]}})"; }

int connectStatus(World& w, const std::string& key, const std::string& query) {
  return w.host.request("GET", "/api/social-media/connect/mastodon" + query, key).status;
}

}  // namespace

TEST_CASE("each organization registers its own app on a Mastodon instance; the instance URL is guarded",
          "[mastodon][apps]") {
  MastodonInstance m;
  World w(bundledPluginsEnv(), allowLoopback());
  const auto& adminA = w.a.byRole["ADMIN"].key;
  const auto& adminB = w.b.byRole["ADMIN"].key;

  // No instance, an internal one, one that is not a URL: refused before anything is registered.
  CHECK(connectStatus(w, adminA, "") == 400);
  CHECK(connectStatus(w, adminA, "?instance=https://10.1.2.3") == 400);
  CHECK(connectStatus(w, adminA, "?instance=https://169.254.169.254") == 400);
  CHECK(connectStatus(w, adminA, "?instance=ftp://127.0.0.1") == 400);
  CHECK(connectStatus(w, adminA, "?instance=" + m.url() + "%3Fx%3D1") == 400);
  CHECK(m.apps().empty());

  // Two organizations on one instance: two apps, each used only by its own organization.
  REQUIRE(connectStatus(w, adminA, "?instance=" + m.url()) == 302);
  REQUIRE(connectStatus(w, adminB, "?instance=" + m.url() + "/") == 302);
  REQUIRE(connectStatus(w, adminA, "?instance=" + m.url()) == 302);
  const auto apps = m.apps();
  REQUIRE(apps.size() == 2);
  CHECK(apps[0].clientId != apps[1].clientId);

  // Listed with its instance, never with its secret.
  const auto listed = w.host.get("/api/social-media/apps", adminA);
  REQUIRE(listed.status == 200);
  const auto list = listed.json();
  REQUIRE(list.as_array().size() == 1);
  const auto& app = list.as_array().front();
  CHECK(str(app, "instance") == m.url());
  CHECK(str(app, "platform") == "mastodon");
  CHECK(listed.body.find(apps[0].clientSecret) == std::string::npos);
  CHECK(listed.body.find(apps[1].clientSecret) == std::string::npos);
  const auto stored = rawDatabase(w);
  CHECK(stored.find(apps[0].clientSecret) == std::string::npos);
  CHECK(stored.find(apps[1].clientSecret) == std::string::npos);
  // A GUEST may not connect at all (403, not a registration).
  CHECK(connectStatus(w, w.a.byRole["GUEST"].key, "?instance=" + m.url()) == 403);
  CHECK(m.apps().size() == 2);
}

TEST_CASE("the dashboard's platform list: Mastodon asks for a server, Bluesky for an app password",
          "[bluesky][mastodon]") {
  World w(bundledPluginsEnv());
  const auto platforms = w.host.get("/api/social-media/platforms", w.a.byRole["USER"].key);
  REQUIRE(platforms.status == 200);
  int seen = 0;
  const auto list = platforms.json();
  for (const auto& p : list.as_array()) {
    INFO(json::serialize(p));
    if (str(p, "id") == "mastodon") {
      ++seen;
      CHECK(str(p, "connect") == "instance");
      CHECK(p.at("configured") == true);  // no operator app: each organization's is registered on its server
    } else if (str(p, "id") == "bluesky") {
      ++seen;
      CHECK(str(p, "connect") == "credential");
      CHECK(p.at("configured") == true);
    }
  }
  CHECK(seen == 2);
}

#endif
