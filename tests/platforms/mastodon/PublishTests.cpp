// POST /api/v1/statuses: text, options, polls, threads; the instance's own limits; delete and
// metrics.
#include "MastodonFixture.h"

TEST_CASE("publish posts a status with its options and answers its id and URL", "[mastodon][publish]") {
  MastodonFixture f;
  auto post = f.post("Hello from MarketSage");
  post["link"] = "https://example.com/launch";
  post["options"] = {
      {"visibility", "unlisted"}, {"spoilerText", "launch news"}, {"language", "en"}, {"sensitive", true}};
  auto r = f.call(Operation::Publish, post);
  REQUIRE(r.ok());
  const std::string id(r.json.at("postId").as_string());
  CHECK(r.json.at("url").as_string() == f.m.url() + "/@marketsage/" + id);
  const auto s = f.m.status(id);
  REQUIRE(s);
  CHECK(s->text == "Hello from MarketSage https://example.com/launch");
  CHECK(s->visibility == "unlisted");
  CHECK(s->spoilerText == "launch news");
  CHECK(s->language == "en");
  CHECK(s->sensitive);
  CHECK(s->idempotencyKey == "ms-target-Hello fr");
}

TEST_CASE("a poll reaches the instance; one it would refuse is refused first", "[mastodon][publish]") {
  MastodonFixture f;
  auto post = f.post("Tabs or spaces?");
  post["options"] = {{"poll", {{"options", {"Tabs", "Spaces"}}, {"expiresIn", 3600}, {"multiple", true}}}};
  auto r = f.call(Operation::Publish, post);
  REQUIRE(r.ok());
  const auto s = f.m.status(std::string(r.json.at("postId").as_string()));
  REQUIRE(s);
  CHECK(s->pollOptions == std::vector<std::string>{"Tabs", "Spaces"});
  CHECK(s->pollExpiresIn == 3600);
  CHECK(s->pollMultiple);

  auto bad = f.post("Pick one");
  bad["options"] = {{"poll", {{"options", {"A", "B", "C", "D", "E"}}, {"expiresIn", 60}}}};
  auto refused = f.call(Operation::Publish, bad);
  CHECK(refused.kind == ErrorKind::InvalidInput);
  CHECK(f.m.statusesCreated() == 1);
}

TEST_CASE("the limits are the instance's own, read from /api/v2/instance", "[mastodon][publish][validate]") {
  MastodonFixture f;
  auto limits = emulators::MastodonInstance::Limits{};
  limits.maxCharacters = 30;
  f.m.setLimits(limits);
  // 22 characters + a URL counted as 23 = 45 > 30
  auto post = f.post("A long launch message");
  post["link"] = "https://example.com/a/very/long/path/that/counts/as/23";
  auto r = f.call(Operation::Publish, post);
  CHECK(r.kind == ErrorKind::InvalidInput);
  CHECK(r.message.find("longer than 30 characters") != std::string::npos);
  CHECK(f.m.statusesCreated() == 0);

  SECTION("validate counts the way Mastodon does, offline, with the limits last read") {
    auto v = f.call(Operation::Validate, {{"content", "@ann@other.example https://example.com/x"}});
    REQUIRE(v.ok());
    CHECK(v.json.at("length").at("used").as_int64() == 4 + 1 + 23);  // "@ann", " ", the URL
    CHECK(v.json.at("length").at("limit").as_int64() == 30);
    // StatusLengthValidator shortens the text's URLs, not the content warning's: 5 + 36 > 30.
    auto warned = f.call(Operation::Validate,
                         {{"content", "short"}, {"options", {{"spoilerText", "https://example.com/a/long/path/xx"}}}});
    CHECK(warned.kind == ErrorKind::InvalidInput);
    CHECK(warned.json.at("length").at("used").as_int64() == 5 + 34);
    // Trailing punctuation is outside the URL or mention and counts: 23 + 1, " ", 4 + 1.
    auto ended = f.call(Operation::Validate, {{"content", "https://example.com/launch. @ann@other.example,"}});
    REQUIRE(ended.ok());
    CHECK(ended.json.at("length").at("used").as_int64() == 24 + 1 + 5);
    auto over = f.call(Operation::Validate, {{"content", std::string(31, 'x')}});
    CHECK(over.kind == ErrorKind::InvalidInput);
    CHECK(over.json.at("issues").as_array().size() == 1);
  }
}

TEST_CASE("validate refuses what Mastodon would", "[mastodon][validate]") {
  MastodonFixture f;
  for (const auto& options : {json::object{{"visibility", "friends"}}, json::object{{"language", "English"}},
                              json::object{{"poll", {{"options", {"only one"}}, {"expiresIn", 3600}}}}}) {
    auto r = f.call(Operation::Validate, {{"content", "x"}, {"options", options}});
    CHECK(r.kind == ErrorKind::InvalidInput);
  }
  CHECK(f.call(Operation::Validate, {{"content", ""}}).kind == ErrorKind::InvalidInput);
  // Status validates the text's presence unless it has media: blank text, or a poll alone, is refused.
  CHECK(f.call(Operation::Validate, {{"content", " \n "}}).kind == ErrorKind::InvalidInput);
  CHECK(f.call(Operation::Validate,
               {{"content", ""}, {"options", {{"poll", {{"options", {"Yes", "No"}}, {"expiresIn", 3600}}}}}})
            .kind == ErrorKind::InvalidInput);
  // LanguagesHelper takes regional variants
  for (const auto* language : {"pt-BR", "zh-TW", "sr-Latn", "ast"})
    CHECK(f.call(Operation::Validate, {{"content", "x"}, {"options", {{"language", language}}}}).ok());
  // PollValidator: duplicate_options
  auto twice =
      f.call(Operation::Validate,
             {{"content", "x"}, {"options", {{"poll", {{"options", {"Yes", "No", "Yes"}}, {"expiresIn", 3600}}}}}});
  CHECK(twice.kind == ErrorKind::InvalidInput);
  CHECK(f.call(Operation::Validate, {{"content", std::string(500, 'x')}}).ok());
}

TEST_CASE("a thread is a chain of replies, each with its own idempotency key; a failed part resumes",
          "[mastodon][publish][thread]") {
  MastodonFixture f;
  const auto foreign = f.m.seedForeignStatus("someone else's status");
  auto post = f.post("1/3 A thread");
  post["thread"] = {{{"content", "2/3"}}, {{"content", "3/3"}}};
  post["options"] = {{"inReplyToId", foreign}};
  f.m.faultNextCreates({marketsage::test::CreateFault::None, marketsage::test::CreateFault::RefuseWithoutCreate});
  // (the host would reconcile first; here part 2 is known not to exist)
  auto failed = f.call(Operation::Publish, post);
  REQUIRE(failed.kind == ErrorKind::OutcomeUnknown);  // a 503 from a gateway: the part may be live
  const auto& partial = failed.json.as_object();
  REQUIRE(partial.at("postIds").as_array().size() == 1);
  CHECK(partial.at("failedPart").as_int64() == 1);

  post["resume"] = {{"postIds", partial.at("postIds")}};
  auto done = f.call(Operation::Publish, post);
  REQUIRE(done.ok());
  const auto& ids = done.json.at("postIds").as_array();
  REQUIRE(ids.size() == 3);
  CHECK(f.m.status(std::string(ids[0].as_string()))->inReplyToId == foreign);
  CHECK(f.m.status(std::string(ids[1].as_string()))->inReplyToId == ids[0].as_string());
  CHECK(f.m.status(std::string(ids[2].as_string()))->inReplyToId == ids[1].as_string());
  CHECK(f.m.status(std::string(ids[2].as_string()))->idempotencyKey == "ms-target-1/3 A th-2");
  CHECK(f.m.statusesCreated() == 3);
}

TEST_CASE("delete removes the status, and a status already gone is fine", "[mastodon][delete]") {
  MastodonFixture f;
  auto r = f.call(Operation::Publish, f.post("Short-lived"));
  REQUIRE(r.ok());
  const std::string id(r.json.at("postId").as_string());
  json::object request = {{"accessToken", f.token}, {"postId", id}};
  CHECK(f.call(Operation::DeletePost, request).ok());
  CHECK(f.m.status(id)->deleted);
  CHECK(f.call(Operation::DeletePost, request).ok());
}

TEST_CASE("insights: favourites, reblogs and replies per status; followers of the account", "[mastodon][insights]") {
  MastodonFixture f;
  auto r = f.call(Operation::Publish, f.post("Count me"));
  REQUIRE(r.ok());
  const std::string id(r.json.at("postId").as_string());
  f.m.setCounts(id, 7, 3, 2);
  f.m.setFollowers(321);
  auto posts = f.call(Operation::PostInsights,
                      {{"accessToken", f.token}, {"postIds", {id}}, {"start", "2026-01-01"}, {"end", "2026-12-31"}});
  REQUIRE(posts.ok());
  const auto& metrics = posts.json.at("posts").at(0).at("metrics");
  CHECK(metrics.at("likes").as_int64() == 7);
  CHECK(metrics.at("shares").as_int64() == 3);
  CHECK(metrics.at("comments").as_int64() == 2);
  CHECK(metrics.at("engagement").as_int64() == 12);
  auto account =
      f.call(Operation::AccountInsights, {{"accessToken", f.token}, {"start", "2026-01-01"}, {"end", "2026-12-31"}});
  REQUIRE(account.ok());
  CHECK(account.json.at("metrics").at("followers").as_int64() == 321);
}
