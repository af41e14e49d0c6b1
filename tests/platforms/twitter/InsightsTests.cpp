// Metrics (GET /2/tweets, GET /2/users/me), delete and health.
#include "TwitterFixture.h"

namespace {
std::string publish(TwitterFixture& f, const std::string& text) {
  auto r = f.call(Operation::Publish, f.post(text));
  REQUIRE(r.ok());
  return std::string(r.json.at("postId").as_string());
}

emulators::XApi::Metrics sample() {
  emulators::XApi::Metrics m;
  m.likes = 10, m.replies = 3, m.retweets = 4, m.quotes = 1, m.bookmarks = 2, m.impressions = 900;
  m.urlLinkClicks = 7, m.userProfileClicks = 5;
  return m;
}
}  // namespace

TEST_CASE("post insights map X's public and private metrics to the standard names", "[insights]") {
  TwitterFixture f;
  const auto id = publish(f, "measured");
  f.x.setMetrics(id, sample());
  auto r = f.call(Operation::PostInsights, {{"accessToken", f.token},
                                            {"account", {{"id", emulators::XApi::userId}}},
                                            {"postIds", {id}},
                                            {"start", "2026-01-01"},
                                            {"end", "2026-12-31"}});
  REQUIRE(r.ok());
  const auto& post = r.json.at("posts").at(0);
  CHECK(post.at("postId").as_string() == id);
  const auto& m = post.at("metrics");
  CHECK(m.at("likes").as_int64() == 10);
  CHECK(m.at("comments").as_int64() == 3);
  CHECK(m.at("shares").as_int64() == 5);  // retweets + quotes
  CHECK(m.at("impressions").as_int64() == 900);
  CHECK(m.at("clicks").as_int64() == 12);      // link + profile clicks
  CHECK(m.at("engagement").as_int64() == 30);  // likes + comments + shares + clicks
  CHECK(post.at("extra").at("non_public_metrics").at("url_link_clicks").as_int64() == 7);
  CHECK(post.at("extra").at("public_metrics").at("bookmark_count").as_int64() == 2);

  SECTION("only the metrics asked for") {
    auto some = f.call(Operation::PostInsights, {{"accessToken", f.token},
                                                 {"account", {{"id", emulators::XApi::userId}}},
                                                 {"postIds", {id}},
                                                 {"start", "2026-01-01"},
                                                 {"end", "2026-12-31"},
                                                 {"metrics", {"likes"}}});
    REQUIRE(some.ok());
    CHECK(some.json.at("posts").at(0).at("metrics").as_object().size() == 1);
  }
}

TEST_CASE("post insights fall back to public metrics where X refuses the private ones", "[insights]") {
  TwitterFixture f;
  const auto old = publish(f, "an old post");
  f.x.setMetrics(old, sample());
  f.x.ageTweet(old, 45);  // private metrics are kept 30 days
  const auto foreign = f.x.seedForeignTweet("not ours");
  f.x.setMetrics(foreign, sample());
  const auto recent = publish(f, "a recent post of ours");
  f.x.setMetrics(recent, sample());
  auto r = f.call(Operation::PostInsights, {{"accessToken", f.token},
                                            {"account", {{"id", emulators::XApi::userId}}},
                                            {"postIds", {old, foreign, "999", recent}},
                                            {"start", "2026-01-01"},
                                            {"end", "2026-12-31"}});
  REQUIRE(r.ok());
  const auto& posts = r.json.at("posts").as_array();
  REQUIRE(posts.size() == 3);                          // the unknown id is left out
  CHECK(posts[0].at("postId").as_string() == recent);  // kept its private metrics
  CHECK(posts[0].at("metrics").at("clicks").as_int64() == 12);
  for (const auto& post : {posts[1], posts[2]}) {
    CHECK((post.at("postId").as_string() == old || post.at("postId").as_string() == foreign));
    CHECK(post.at("metrics").at("likes").as_int64() == 10);
    CHECK(post.at("metrics").at("impressions").as_int64() == 900);  // public impression_count
    CHECK_FALSE(post.at("metrics").as_object().contains("clicks"));
    CHECK_FALSE(post.at("extra").as_object().contains("non_public_metrics"));
  }
}

TEST_CASE("account insights answer the followers count", "[insights]") {
  TwitterFixture f;
  f.x.setFollowers(1234);
  auto r = f.call(Operation::AccountInsights, {{"accessToken", f.token},
                                               {"account", {{"id", emulators::XApi::userId}}},
                                               {"start", "2026-01-01"},
                                               {"end", "2026-01-31"}});
  REQUIRE(r.ok());
  CHECK(r.json.at("metrics").at("followers").as_int64() == 1234);
  CHECK(r.json.at("extra").at("following").as_int64() == 12);
}

TEST_CASE("delete_post deletes the post; a post already gone is PERMANENT", "[delete]") {
  TwitterFixture f;
  const auto id = publish(f, "short-lived");
  REQUIRE(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"postId", id}}).ok());
  CHECK(f.x.tweet(id)->deleted);
  auto again = f.call(Operation::DeletePost, {{"accessToken", f.token}, {"postId", id}});
  CHECK(again.kind == ErrorKind::Permanent);
}

TEST_CASE("check_token answers healthy with the user id", "[health]") {
  TwitterFixture f;
  auto r = f.call(Operation::CheckToken, {{"accessToken", f.token}});
  REQUIRE(r.ok());
  CHECK(r.json.at("healthy").as_bool());
  CHECK(r.json.at("accountId").as_string() == emulators::XApi::userId);
}
