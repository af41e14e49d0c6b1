// X's weighted length (twitter-text v3) and the other limits checked offline by validate.
#include "TwitterFixture.h"
#include "WeightedLength.h"

using twitter::weightedLength;

namespace {
std::string repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}
}  // namespace

TEST_CASE("weighted length: Latin weighs 1, CJK 2, emoji sequences 2, URLs 23", "[validate][length]") {
  CHECK(weightedLength("hello") == 5);
  CHECK(weightedLength("") == 0);
  CHECK(weightedLength("café") == 4);                // U+00E9 is in 0-4351
  CHECK(weightedLength("日本語") == 6);              // CJK weighs 2
  CHECK(weightedLength("한국어") == 6);              // Hangul syllables too
  CHECK(weightedLength("\u2014\u201C\u2033") == 3);  // dashes, quotes, primes of the light ranges
  CHECK(weightedLength("\u2030") == 2);              // per mille sign: between the ranges
  CHECK(weightedLength("😀") == 2);
  CHECK(weightedLength("👍🏽") == 2);                   // skin tone modifier
  CHECK(weightedLength("👨‍👩‍👧‍👦") == 2);  // ZWJ family: one sequence
  CHECK(weightedLength("🇫🇷🇯🇵") == 4);                       // two flags
  CHECK(weightedLength("1️⃣") == 2);                    // keycap
  CHECK(weightedLength("❤️") == 2);                     // dingbat + variation selector
  CHECK(weightedLength("https://example.com/a/very/long/path?with=query&and=more") == 23);
  CHECK(weightedLength("see http://x.co.") == 4 + 23 + 1);  // the final dot is not part of the URL
  CHECK(weightedLength("visit example.com now") == 6 + 23 + 4);
  CHECK(weightedLength("file.txt") == 8);               // not a known TLD: plain text
  CHECK_FALSE(weightedLength("\xC3\x28").has_value());  // invalid UTF-8
}

TEST_CASE("validate: 280 weighted characters per post, counted as X counts them", "[validate]") {
  TwitterFixture f;
  auto validate = [&](const std::string& text) { return f.call(Operation::Validate, {{"content", text}}); };
  CHECK(validate(repeat("a", 280)).ok());
  CHECK(validate(repeat("a", 281)).kind == ErrorKind::InvalidInput);
  CHECK(validate(repeat("字", 140)).ok());
  auto tooLong = validate(repeat("字", 141));
  REQUIRE(tooLong.kind == ErrorKind::InvalidInput);
  CHECK(tooLong.json.at("issues").at(0).at("field").as_string() == "/content");
  CHECK(validate(repeat("😀", 140)).ok());
  CHECK(validate(repeat("😀", 141)).kind == ErrorKind::InvalidInput);
  // 257 + a 200-character URL counted as 23 = 280
  CHECK(validate(repeat("a", 256) + " https://example.com/" + repeat("p", 180)).ok());
  CHECK(validate(repeat("a", 257) + " https://example.com/" + repeat("p", 180)).kind == ErrorKind::InvalidInput);
  auto thread = f.call(Operation::Validate,
                       {{"content", "ok"}, {"thread", {{{"content", "fine"}}, {{"content", repeat("b", 300)}}}}});
  REQUIRE(thread.kind == ErrorKind::InvalidInput);
  CHECK(thread.json.at("issues").at(0).at("field").as_string() == "/thread/1/content");
  CHECK(validate("").kind == ErrorKind::InvalidInput);  // neither text nor media
}

TEST_CASE("validate: media count, mixing and sizes", "[validate]") {
  TwitterFixture f;
  auto image = TwitterFixture::media("image", "image/png", "/tmp/a.png", 1000);
  auto video = TwitterFixture::media("video", "video/mp4", "/tmp/v.mp4", 1000);
  auto withMedia = [&](json::array media) { return f.call(Operation::Validate, {{"content", "x"}, {"media", media}}); };
  CHECK(withMedia({image, image, image, image}).ok());
  CHECK(withMedia({image, image, image, image, image}).kind == ErrorKind::InvalidInput);
  CHECK(withMedia({video}).ok());
  CHECK(withMedia({video, video}).kind == ErrorKind::InvalidInput);
  CHECK(withMedia({image, video}).kind == ErrorKind::InvalidInput);
  CHECK(withMedia({TwitterFixture::media("image", "image/png", "/tmp/a.png", 6 * 1024 * 1024)}).kind ==
        ErrorKind::InvalidInput);
  CHECK(withMedia({TwitterFixture::media("gif", "image/gif", "/tmp/a.gif", 14 * 1024 * 1024)}).ok());
  CHECK(withMedia({TwitterFixture::media("video", "video/mp4", "/tmp/v.mp4", 600LL * 1024 * 1024)}).kind ==
        ErrorKind::InvalidInput);
  CHECK(withMedia({TwitterFixture::media("document", "application/pdf", "/tmp/d.pdf", 10)}).kind ==
        ErrorKind::InvalidInput);
}

TEST_CASE("validate: polls have 2-4 options of at most 25 characters and last 5-10080 minutes", "[validate]") {
  TwitterFixture f;
  auto poll = [&](json::array options, int minutes) {
    return f.call(Operation::Validate,
                  {{"content", "Q?"}, {"options", {{"poll", {{"options", options}, {"durationMinutes", minutes}}}}}});
  };
  CHECK(poll({"yes", "no"}, 60).ok());
  CHECK(poll({"a", "b", "c", "d"}, 10080).ok());
  CHECK(poll({"only"}, 60).kind == ErrorKind::InvalidInput);
  CHECK(poll({"a", "b", "c", "d", "e"}, 60).kind == ErrorKind::InvalidInput);
  CHECK(poll({"yes", repeat("n", 26)}, 60).kind == ErrorKind::InvalidInput);
  CHECK(poll({"yes", "no"}, 4).kind == ErrorKind::InvalidInput);
  CHECK(poll({"yes", "no"}, 10081).kind == ErrorKind::InvalidInput);
}

TEST_CASE("every function refuses malformed input with INVALID_INPUT and no network call", "[validate][input]") {
  TwitterFixture f;
  const auto tokensBefore = f.x.issuedTokens().size();
  for (const auto op :
       {Operation::AuthorizeUrl, Operation::ExchangeCode, Operation::RefreshToken, Operation::RevokeToken,
        Operation::ListAccounts, Operation::Validate, Operation::Publish, Operation::UploadMedia, Operation::DeletePost,
        Operation::AccountInsights, Operation::PostInsights, Operation::CheckToken}) {
    CAPTURE(marketsage::plugins::toString(op));
    CHECK(f.callText(op, std::string_view("")).kind == ErrorKind::InvalidInput);
    CHECK(f.callText(op, std::string_view("[1,2]")).kind == ErrorKind::InvalidInput);
    CHECK(f.callText(op, std::string_view("{\"accessToken\":5,\"content\":[]}")).kind == ErrorKind::InvalidInput);
  }
  CHECK(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"postId", "../users/me"}}).kind ==
        ErrorKind::InvalidInput);
  CHECK(f.x.tweets().empty());
  CHECK(f.x.issuedTokens().size() == tokensBefore);  // no OAuth call happened
}

TEST_CASE("validate: length is the first post's weighted length against 280, over the limit too",
          "[validate][length]") {
  TwitterFixture f;
  const auto lengthOf = [](const CallResult& r) {
    const auto& length = r.json.at("length");
    return std::tuple{length.at("used").as_int64(), length.at("limit").as_int64(),
                      std::string(length.at("unit").as_string())};
  };
  // A URL weighs 23, an emoji 2, "abc" 3, the two spaces 1 each.
  auto mixed = f.call(Operation::Validate, {{"content", "https://example.com/a/long/path/to/somewhere 😀 abc"}});
  REQUIRE(mixed.ok());
  CHECK(lengthOf(mixed) == std::tuple{23 + 1 + 2 + 1 + 3, 280, std::string("weighted")});
  // The link is appended after a space, as published.
  auto linked = f.call(Operation::Validate, {{"content", "abc"}, {"link", "https://example.com/launch"}});
  REQUIRE(linked.ok());
  CHECK(lengthOf(linked) == std::tuple{3 + 1 + 23, 280, std::string("weighted")});
  // Over the limit: refused, and counted the same way.
  auto over = f.call(Operation::Validate, {{"content", repeat("字", 141)}});
  REQUIRE(over.kind == ErrorKind::InvalidInput);
  CHECK(lengthOf(over) == std::tuple{282, 280, std::string("weighted")});
  // A thread: the first part's length; a later part over the limit is an issue of its own.
  auto thread = f.call(Operation::Validate, {{"content", "1/2 😀"}, {"thread", {{{"content", repeat("b", 300)}}}}});
  REQUIRE(thread.kind == ErrorKind::InvalidInput);
  CHECK(lengthOf(thread) == std::tuple{6, 280, std::string("weighted")});
  CHECK(thread.json.at("issues").at(0).at("field").as_string() == "/thread/0/content");
}
