// The platform error log over real HTTP (GET /api/social-media/errors, POST …/errors/{id}/resolve,
// the open errors on GET /api/social-media/health): what each kind of platform failure logs, how
// the same error folds, how errors resolve by hand and by themselves, and that another
// organization sees and reaches none of them.
#include "integration/Posting.h"
#include "integration/TestPlatform.h"

#include <chrono>
#include <set>
#include <thread>

using namespace harness;
namespace json = boost::json;

namespace {

std::string errorsConfig(int waitSeconds = 10) {
  return R"({"publishing": {"waitSeconds": )" + std::to_string(waitSeconds) +
         R"(, "retryBaseMillis": 200, "pollMillis": 100, "workers": 2}})";
}

json::array errorsOf(World& w, const std::string& key, const std::string& query = "") {
  auto r = w.host.get("/api/social-media/errors" + query, key);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").find("application/json") != std::string::npos);
  return r.json().as_array();
}

/// The items of `errors` for `connectionId` (empty: those of no connection) of `type`.
std::vector<json::value> ofType(const json::array& errors, const std::string& type,
                                const std::string& connectionId = "") {
  std::vector<json::value> out;
  for (const auto& e : errors) {
    const bool sameConnection = connectionId.empty()
                                    ? e.at("connectionId").is_null()
                                    : !e.at("connectionId").is_null() && str(e, "connectionId") == connectionId;
    if (str(e, "errorType") == type && sameConnection) out.push_back(e);
  }
  return out;
}

/// Exactly the product contract's names (plus resolvedAt and count).
void checkShape(const json::value& item, const std::string& organizationId) {
  std::set<std::string> names;
  for (const auto& [name, value] : item.as_object()) names.insert(std::string(name));
  CHECK(names == std::set<std::string>{"id", "platform", "organizationId", "connectionId", "errorType", "message",
                                       "timestamp", "resolved", "resolvedAt", "count"});
  CHECK(str(item, "organizationId") == organizationId);
}

/// Polls until `predicate` holds of the organization's errors (at most 10 s).
template <typename Predicate>
json::array waitForErrors(World& w, const std::string& key, Predicate predicate) {
  json::array errors;
  for (int i = 0; i < 100; ++i) {
    errors = errorsOf(w, key);
    if (predicate(errors)) return errors;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(json::serialize(errors));
  FAIL("the errors never came to the expected state");
  return errors;
}

std::string userConnection(World& w, const std::string& key) {
  return connectionFor(connectionsOf(w, key, "oauthtest"), "u-1");
}

}  // namespace

TEST_CASE("errors: a rate-limited publish logs a rate_limit error, resolved when the post goes out", "[errors]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), errorsConfig(1));
  const auto admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  const auto connection = userConnection(w, admin);
  CHECK(errorsOf(w, admin).empty());

  emulator.failNextPosts(1, 429, 3);
  auto r = postJson(w, admin, {{"content", "after the limit"}, {"targets", {connection}}});
  REQUIRE(r.status == 202);
  const auto postId = str(r.json(), "id");
  // While the post waits for the platform's reset, the error is open.
  auto open =
      waitForErrors(w, admin, [&](const json::array& e) { return !ofType(e, "rate_limit", connection).empty(); });
  const auto item = ofType(open, "rate_limit", connection).front();
  checkShape(item, w.a.id);
  CHECK(str(item, "platform") == "oauthtest");
  CHECK(item.at("resolved") == false);
  CHECK(item.at("resolvedAt").is_null());
  CHECK(item.at("count") == 1);
  CHECK(!str(item, "message").empty());
  CHECK(errorsOf(w, admin, "?resolved=false").size() == 1);
  CHECK(errorsOf(w, admin, "?resolved=true").empty());
  CHECK(errorsOf(w, admin, "?platform=oauthtest2").empty());
  CHECK(errorsOf(w, admin, "?platform=oauthtest").size() == 1);
  // The connection's health shows it.
  auto health = w.host.get("/api/social-media/health/oauthtest", admin).json();
  bool seen = false;
  for (const auto& h : health.as_array()) {
    if (str(h, "connectionId") != connection) continue;
    seen = true;
    CHECK(h.at("openErrors") == 1);
    REQUIRE(h.at("recentErrors").as_array().size() == 1);
    CHECK(str(h.at("recentErrors").at(0), "id") == str(item, "id"));
  }
  CHECK(seen);

  // The retry publishes: the condition cleared, and so did the error.
  CHECK(str(waitSettled(w, admin, postId).at("results").at(0), "status") == "published");
  const auto after = errorsOf(w, admin);
  REQUIRE(after.size() == 1);
  CHECK(str(after.at(0), "id") == str(item, "id"));
  CHECK(after.at(0).at("resolved") == true);
  CHECK(after.at(0).at("resolvedAt").is_string());
  CHECK(errorsOf(w, admin, "?resolved=false").empty());
  const auto healthAfter = w.host.get("/api/social-media/health/oauthtest", admin).json();
  for (const auto& h : healthAfter.as_array()) CHECK(h.at("openErrors") == 0);
  // Another organization sees none of it.
  CHECK(errorsOf(w, w.b.byRole["ADMIN"].key).empty());
}

TEST_CASE("errors: api errors fold, resolve by hand or on the next success; other organizations get 404", "[errors]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), errorsConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  const auto connection = userConnection(w, admin);
  emulator.refusePostsContaining("REFUSED");

  // Two refusals of the same kind: one open item, counted twice.
  for (const char* text : {"REFUSED one", "REFUSED two"}) {
    auto r = postJson(w, admin, {{"content", text}, {"targets", {connection}}});
    REQUIRE((r.status == 201 || r.status == 202));
    CHECK(str(waitSettled(w, admin, str(r.json(), "id")).at("results").at(0), "status") == "failed");
  }
  auto errors = errorsOf(w, admin);
  REQUIRE(errors.size() == 1);
  auto item = errors.at(0);
  checkShape(item, w.a.id);
  CHECK(str(item, "errorType") == "api");
  CHECK(str(item, "connectionId") == connection);
  CHECK(item.at("count") == 2);
  const auto health = w.host.get("/api/social-media/health/oauthtest", admin).json();
  for (const auto& h : health.as_array()) {
    if (str(h, "connectionId") != connection) continue;
    CHECK(h.at("openErrors") == 1);
    CHECK(h.at("recentErrors").at(0).at("count") == 2);
    CHECK(str(h, "lastError") == str(item, "message"));
  }

  // A successful publish on the connection resolves it by itself.
  auto ok = postJson(w, admin, {{"content", "fine"}, {"targets", {connection}}});
  CHECK(str(waitSettled(w, admin, str(ok.json(), "id")).at("results").at(0), "status") == "published");
  errors = errorsOf(w, admin);
  REQUIRE(errors.size() == 1);
  CHECK(errors.at(0).at("resolved") == true);

  // The same failure again is a new open item.
  auto again = postJson(w, admin, {{"content", "REFUSED three"}, {"targets", {connection}}});
  waitSettled(w, admin, str(again.json(), "id"));
  const auto open = errorsOf(w, admin, "?resolved=false");
  REQUIRE(open.size() == 1);
  const auto id = str(open.at(0), "id");
  CHECK(id != str(item, "id"));
  CHECK(open.at(0).at("count") == 1);
  // Newest first.
  CHECK(str(errorsOf(w, admin).at(0), "id") == id);
  CHECK(errorsOf(w, admin, "?limit=1").size() == 1);

  // Another organization: not listed, 404 on resolve; roles without the permission: 403.
  const auto path = "/api/social-media/errors/" + id + "/resolve";
  CHECK(errorsOf(w, w.b.byRole["ADMIN"].key).empty());
  auto foreign = w.host.request("POST", path, w.b.byRole["ADMIN"].key, "");
  CHECK(foreign.status == 404);
  CHECK(foreign.header("content-type").find("application/problem+json") != std::string::npos);
  CHECK(w.host.request("POST", path, w.a.byRole["USER"].key, "").status == 403);
  CHECK(w.host.get("/api/social-media/errors", w.a.byRole["GUEST"].key).status == 403);
  CHECK(w.host.request("POST", "/api/social-media/errors/no-such-error/resolve", admin, "").status == 404);
  CHECK(w.host.get("/api/social-media/errors?resolved=maybe", admin).status == 400);
  CHECK(w.host.get("/api/social-media/errors?limit=many", admin).status == 400);

  // By hand: answers the item, resolved; resolving again answers the same.
  auto resolved = w.host.request("POST", path, admin, "");
  REQUIRE(resolved.status == 200);
  const auto view = resolved.json();
  checkShape(view, w.a.id);
  CHECK(str(view, "id") == id);
  CHECK(view.at("resolved") == true);
  CHECK(view.at("resolvedAt").is_string());
  auto twice = w.host.request("POST", path, admin, "");
  REQUIRE(twice.status == 200);
  CHECK(twice.json().at("resolvedAt") == view.at("resolvedAt"));
  CHECK(errorsOf(w, admin, "?resolved=false").empty());
  CHECK(errorsOf(w, admin, "?resolved=true").size() == 2);
  // Still unseen by the other organization, and audited for this one.
  CHECK(errorsOf(w, w.b.byRole["ADMIN"].key).empty());
  CHECK(w.host.get("/api/audit", admin).body.find("error.resolved") != std::string::npos);
}

TEST_CASE(
    "errors: a refused refresh logs a token error, a failed code exchange an oauth error; reconnecting "
    "resolves both",
    "[errors]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), errorsConfig());
  const auto admin = w.a.byRole["ADMIN"].key;

  // A callback whose code the platform does not know: the exchange fails.
  auto back = consent(w, admin);
  const auto codeAt = back.find("code=");
  REQUIRE(codeAt != std::string::npos);
  back.insert(codeAt + 5, "forged");
  const auto failed = w.host.get(pathOf(back), "");
  REQUIRE(failed.status == 302);
  CHECK(failed.header("location").find("error=") != std::string::npos);
  auto errors = errorsOf(w, admin);
  REQUIRE(ofType(errors, "oauth").size() == 1);
  const auto oauthError = ofType(errors, "oauth").front();
  checkShape(oauthError, w.a.id);
  CHECK(oauthError.at("connectionId").is_null());
  CHECK(str(oauthError, "message").find("code exchange failed") != std::string::npos);

  // Connected; then the platform refuses the refresh token (the first use wants a refresh).
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  const auto connection = userConnection(w, admin);
  CHECK(errorsOf(w, admin, "?resolved=false").empty());  // the connect resolved the oauth error
  emulator.revokeAllRefreshTokens();
  auto refused = w.host.request("POST", "/api/social-media/connections/" + connection + "/refresh", admin, "");
  CHECK(refused.status == 409);
  errors = errorsOf(w, admin, "?resolved=false");
  REQUIRE(ofType(errors, "token", connection).size() == 1);
  const auto tokenError = ofType(errors, "token", connection).front();
  CHECK(str(tokenError, "message").find("refresh failed") != std::string::npos);
  // A publish on the expired connection fails without calling the platform: no second item.
  auto post = postJson(w, admin, {{"content", "while expired"}, {"targets", {connection}}});
  if (post.status == 201 || post.status == 202) waitSettled(w, admin, str(post.json(), "id"));
  errors = errorsOf(w, admin, "?resolved=false");
  CHECK(ofType(errors, "token", connection).size() == 1);
  CHECK(ofType(errors, "api", connection).empty());
  // No token of the platform's anywhere in the log.
  const auto body = w.host.get("/api/social-media/errors", admin).body;
  for (const auto& token : emulator.issuedTokens()) CHECK(body.find(token) == std::string::npos);

  // Reconnecting resolves the token error.
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  CHECK(errorsOf(w, admin, "?resolved=false").empty());
  const auto all = errorsOf(w, admin);
  CHECK(all.size() == 2);
  for (const auto& e : all) CHECK(e.at("resolved") == true);
  CHECK(errorsOf(w, w.b.byRole["ADMIN"].key).empty());
}

TEST_CASE("errors: an access token the platform drops logs a token error; health counts the open errors", "[errors]") {
  OAuthEmulator emulator;
  World w(oauthEnv(emulator), errorsConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  REQUIRE(w.host.get(pathOf(consent(w, admin)), "").status == 302);
  // The page's own token has no refresh token: when the platform drops it, the check says so.
  const auto page = connectionFor(connectionsOf(w, admin, "oauthtest"), "p-1");
  REQUIRE(w.host.get("/api/social-media/health/oauthtest?live=true", admin).status == 200);
  emulator.expireAllAccessTokens();
  auto health = w.host.get("/api/social-media/health/oauthtest?live=true", admin);
  REQUIRE(health.status == 200);
  auto errors = errorsOf(w, admin, "?resolved=false");
  INFO(json::serialize(errors));
  REQUIRE(ofType(errors, "token", page).size() == 1);
  std::size_t openForPage = 0;
  for (const auto& e : errors) openForPage += !e.at("connectionId").is_null() && str(e, "connectionId") == page;
  const auto items = health.json();
  for (const auto& h : items.as_array()) {
    if (str(h, "connectionId") == page) CHECK(h.at("openErrors").as_int64() == static_cast<std::int64_t>(openForPage));
  }
  // The user connection refreshed and answered: nothing open for it.
  CHECK(ofType(errors, "token", userConnection(w, admin)).empty());
}
