// The emulator refuses what X refuses (weighted length, alt text, redirect_uri), answering as X
// does, and the plugin sends only what X accepts.
#include "TwitterFixture.h"
#include "WeightedLength.h"
#include "XText.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace {

std::string repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

struct Answer {
  int status = 0;
  json::value body;
};

/// One JSON call to the emulator, as X's clients make it.
Answer send(const emulators::XApi& x, const std::string& method, const std::string& path, const std::string& body,
            const std::string& authorization) {
  const Poco::URI uri(x.url() + path);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", authorization);
  request.setContentType(method == "POST" && path == "/2/oauth2/token" ? "application/x-www-form-urlencoded"
                                                                       : "application/json");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::string text;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), text);
  return {static_cast<int>(response.getStatus()), text.empty() ? json::value() : json::parse(text)};
}

Answer postTweet(const TwitterFixture& f, const std::string& text) {
  return send(f.x, "POST", "/2/tweets", json::serialize(json::object{{"text", text}}), "Bearer " + f.token);
}

const std::string tooLong =
    "Your Tweet text is too long. For more information on how Twitter determines text length see "
    "https://github.com/twitter/twitter-text.";

}  // namespace

TEST_CASE("the emulator's own count follows docs.x.com's examples and twitter-text's URL rules", "[strict][length]") {
  using emulators::xWeightedLength;
  CHECK(xWeightedLength("Hello, world! 👋") == 16);    // docs.x.com's parseTweet example
  CHECK(xWeightedLength("café") == 4);                // NFC ...
  CHECK(xWeightedLength("cafe\u0301") == 4);          // ... so the decomposed form counts the same
  CHECK(xWeightedLength("\u1112\u1161\u11AB") == 2);  // Hangul jamo compose to one syllable
  CHECK(xWeightedLength("日本語") == 6);
  CHECK(xWeightedLength("👾") == 2);
  CHECK(xWeightedLength("🙋🏽") == 2);                   // skin tone
  CHECK(xWeightedLength("👨‍🎤") == 2);                // ZWJ
  CHECK(xWeightedLength("👨‍👩‍👧‍👦") == 2);  // 4 emoji + 3 ZWJ
  CHECK(xWeightedLength("🇯🇵") == 2);
  CHECK(xWeightedLength("1️⃣") == 2);
  CHECK(xWeightedLength("\u2014\u2019\u2033") == 3);  // the light punctuation ranges
  CHECK(xWeightedLength("https://example.com") == 23);
  CHECK(xWeightedLength("https://example.com/very/long/path?with=query") == 23);
  CHECK(xWeightedLength("see https://x.com/a.") == 4 + 23 + 1);  // a final dot ends the sentence
  CHECK(xWeightedLength("(https://en.wikipedia.org/wiki/Primer_(film))") == 1 + 23 + 1);
  CHECK(xWeightedLength("example.com") == 23);  // no scheme needed ...
  CHECK(xWeightedLength("www.example.de") == 23);
  CHECK(xWeightedLength("example.de/x") == 23);
  CHECK(xWeightedLength("example.co") == 23);
  CHECK(xWeightedLength("example.de") == 10);             // ... but a lone name.cc is text
  CHECK(xWeightedLength("(example.com)") == 1 + 23 + 1);  // after punctuation too
  CHECK(xWeightedLength("Link:example.com") == 5 + 23);
  CHECK(xWeightedLength("file.txt") == 8);                       // not a TLD
  CHECK(xWeightedLength("mail me@example.com") == 19);           // an address is no URL
  CHECK(xWeightedLength("https://localhost:8080/admin") == 28);  // no TLD: text, even with a scheme
  CHECK(xWeightedLength("http://192.168.0.1/x") == 20);
}

TEST_CASE("POST /2/tweets refuses more than 280 weighted characters with X's 400", "[strict][length]") {
  TwitterFixture f;
  CHECK(postTweet(f, repeat("a", 280)).status == 201);
  const Answer latin = postTweet(f, repeat("b", 281));
  CHECK(latin.status == 400);
  CHECK(latin.body.at("title") == "Invalid Request");
  CHECK(latin.body.at("type") == "https://api.twitter.com/2/problems/invalid-request");
  CHECK(latin.body.at("errors").at(0).at("message").as_string() == tooLong);
  CHECK(postTweet(f, repeat("c", 560)).status == 400);  // what the emulator used to accept

  CHECK(postTweet(f, repeat("字", 140)).status == 201);
  CHECK(postTweet(f, repeat("字", 141)).status == 400);
  CHECK(postTweet(f, repeat("😀", 140)).status == 201);
  CHECK(postTweet(f, repeat("😀", 141)).status == 400);
  CHECK(postTweet(f, repeat("d", 256) + " https://example.com/" + repeat("p", 300)).status == 201);  // 256 + 1 + 23
  CHECK(postTweet(f, repeat("e", 257) + " https://example.com/" + repeat("p", 300)).status == 400);
  CHECK(postTweet(f, repeat("e\u0301", 280)).status == 201);  // NFC: 280 é
  CHECK(f.x.tweetsCreated() == 5);
}

TEST_CASE("POST /2/media/metadata refuses alt text over 1,000 characters", "[strict][media]") {
  TwitterFixture f;
  auto request = TwitterFixture::media("image", "image/png", f.file("a.png", 1000), 1000);
  request["accessToken"] = f.token;
  request["account"] = {{"id", emulators::XApi::userId}};
  auto uploaded = f.call(Operation::UploadMedia, request);
  REQUIRE(uploaded.ok());
  const std::string id(uploaded.json.at("platformMediaId").as_string());
  const auto metadata = [&](const std::string& text) {
    return send(f.x, "POST", "/2/media/metadata",
                json::serialize(json::object{{"id", id}, {"metadata", {{"alt_text", {{"text", text}}}}}}),
                "Bearer " + f.token);
  };
  CHECK(metadata(repeat("é", 1000)).status == 200);  // characters, not bytes
  const Answer refused = metadata(repeat("a", 1001));
  CHECK(refused.status == 400);
  CHECK(refused.body.at("errors").at(0).at("parameters").as_object().contains("metadata.alt_text.text"));
  CHECK(metadata(repeat("a", 4000)).status == 400);  // what the emulator used to accept
  CHECK(f.x.upload(id)->altText == repeat("é", 1000));
}

TEST_CASE("the token endpoint refuses a redirect_uri other than the one of /authorize", "[strict][oauth]") {
  TwitterFixture f;
  const Pkce pkce;
  const auto code = f.consent(pkce, "https://host/api/auth/callback/twitter");
  auto r = f.call(
      Operation::ExchangeCode,
      {{"code", code}, {"redirectUri", "https://host/api/auth/callback/other"}, {"codeVerifier", pkce.verifier}});
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.platformCode == "invalid_request");
  CHECK(r.message.find("redirect uri did not match") != std::string::npos);

  SECTION("X's body: 400 invalid_request naming the redirect uri") {
    const auto code2 = f.consent(pkce, "https://host/cb");
    const std::string basic = "Basic eC1jbGllbnQtaWQ6eC1jbGllbnQtc2VjcmV0";  // base64("x-client-id:x-client-secret")
    const auto form = [&](const std::string& redirect) {
      return "grant_type=authorization_code&code=" + code2 + "&redirect_uri=" + redirect +
             "&code_verifier=" + pkce.verifier;
    };
    const Answer wrong =
        send(f.x, "POST", "/2/oauth2/token", form("https%3A%2F%2Fhost%2Fcb%2F"), basic);  // one more slash
    CHECK(wrong.status == 400);
    CHECK(wrong.body.at("error") == "invalid_request");
    CHECK(std::string(wrong.body.at("error_description").as_string()).find("redirect uri") != std::string::npos);
  }
}

TEST_CASE("the plugin never counts a post shorter than X does, and counts the common ones alike", "[strict][length]") {
  // What the plugin lets through must fit at X: its count may only err on the long side.
  const std::vector<std::string> same = {
      "Hello, world! 👋", "日本語のテキスト", "한국어", "Ünïcödé ÀÉÎÕÜ", "quotes “like” these — and ‘these’",
      "👍🏽 👨‍👩‍👧‍👦 🇫🇷🇯🇵 1️⃣ ❤️",
      "https://example.com/a/very/long/path?with=query&and=more", "see http://x.co.", "visit example.com now",
      "www.example.co.uk/path and sub.example.org", "file.txt and v1.2", "mail me@example.com", "$TSLA #tags @people",
      "https://example.com:8080/x", "HTTPS://EXAMPLE.COM/UPPER", "https://localhost:8080/admin/a/long/path/indeed",
      "http://192.168.0.1/router/settings/page", "https://intranet.corp/a/long/internal/path", "example.de",
      "example.io",
      // a URL need not start a word: after ( : or a quote, X still counts 23
      "(example.com)", "Link:example.com", "“example.com”", "my_site.example.com", "www.example.com.x", "example.com?",
      "example.com/a(b", "x.com-foo", "https://example.com/path<br>more-stuff-here"};
  for (const auto& text : same) {
    CAPTURE(text);
    CHECK(twitter::weightedLength(text).value() == emulators::xWeightedLength(text));
  }
  const std::vector<std::string> conservative = {"cafe\u0301 decomposed", "(https://example.com/in/parens)",
                                                 "https://en.wikipedia.org/wiki/Primer_(film)",
                                                 "https://example.com/café"};
  for (const auto& text : conservative) {
    CAPTURE(text);
    CHECK(twitter::weightedLength(text).value() >= emulators::xWeightedLength(text));
  }
}

TEST_CASE("posts the plugin validates at 280 are accepted by X; 281 never leaves the plugin", "[strict][length]") {
  TwitterFixture f;
  const std::vector<std::string> full = {repeat("a", 280), repeat("字", 140), repeat("😀", 139) + "ok",
                                         repeat("x", 256) + " https://example.com/" + repeat("p", 100),
                                         repeat("y", 270) + " file.txt!"};
  for (const auto& text : full) {
    CAPTURE(text);
    REQUIRE(emulators::xWeightedLength(text) == 280);
    CHECK(f.call(Operation::Publish, f.post(text)).ok());
  }
  for (const auto& text :
       {repeat("a", 281), repeat("字", 141), repeat("z", 250) + " https://localhost/" + repeat("q", 20)}) {  // 289 at X
    CAPTURE(text);
    CHECK(f.call(Operation::Publish, f.post(text)).kind == ErrorKind::InvalidInput);
  }
  CHECK(f.x.tweetsCreated() == static_cast<int>(full.size()));
}

TEST_CASE("alt text: the plugin refuses 1,001 characters itself and sends 1,000 that X keeps", "[strict][media]") {
  TwitterFixture f;
  auto request = TwitterFixture::media("image", "image/png", f.file("a.png", 2000), 2000);
  request["accessToken"] = f.token;
  request["account"] = {{"id", emulators::XApi::userId}};
  request["altText"] = repeat("ü", 1001);
  CHECK(f.call(Operation::UploadMedia, request).kind == ErrorKind::InvalidInput);
  request["altText"] = repeat("ü", 1000);
  auto r = f.call(Operation::UploadMedia, request);
  REQUIRE(r.ok());
  CHECK(f.x.upload(std::string(r.json.at("platformMediaId").as_string()))->altText == repeat("ü", 1000));
}
