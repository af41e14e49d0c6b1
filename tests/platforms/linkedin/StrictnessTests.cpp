// The emulator refuses what LinkedIn refuses (unregistered redirect_uri, scopes the app lacks, a
// different redirect_uri at the token endpoint, commentary over 3,000 characters), answering as
// LinkedIn does, and the plugin sends what LinkedIn requires.
#include "../common/UrlQuery.h"
#include "LinkedInFixture.h"

#include <catch2/catch.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

using namespace linkedin_test;

namespace {

const std::string kCallback = "https://host.example/api/auth/callback/linkedin";

struct Answer {
  int status = 0;
  std::string location, body;
};

Answer send(const std::string& method, const std::string& url, const std::string& body = {},
            const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  const Poco::URI uri(url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  Answer answer;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), answer.body);
  answer.status = static_cast<int>(response.getStatus());
  answer.location = response.get("Location", "");
  return answer;
}

using marketsage::test::queryOf;

/// The plugin's authorize URL for `redirect` (default scopes unless `scopes` is given).
std::string authorizeUrl(const LinkedInFixture& f, const std::string& redirect, json::array scopes = {}) {
  json::object request{
      {"redirectUri", redirect}, {"state", "st-7"}, {"codeChallenge", "c"}, {"codeChallengeMethod", "S256"}};
  if (!scopes.empty()) request["scopes"] = scopes;
  auto r = f.call(Operation::AuthorizeUrl, request);
  REQUIRE(r.ok());
  return json::value_to<std::string>(r.json.at("url"));
}

/// POST /rest/posts as the member, with `commentary` as sent.
Answer postCommentary(const LinkedInFixture& f, const std::string& commentary) {
  const json::object post{{"author", kMember},
                          {"commentary", commentary},
                          {"visibility", "PUBLIC"},
                          {"distribution", {{"feedDistribution", "MAIN_FEED"}}},
                          {"lifecycleState", "PUBLISHED"}};
  return send("POST", f.linkedin.url() + "/rest/posts", json::serialize(post),
              {{"Authorization", "Bearer " + f.token},
               {"LinkedIn-Version", kApiVersion},
               {"X-Restli-Protocol-Version", "2.0.0"},
               {"Content-Type", "application/json"}});
}

std::string repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("authorization: only an Authorized Redirect URL, exactly; LinkedIn shows its page and does not redirect",
          "[linkedin][strict]") {
  LinkedInFixture f;
  f.linkedin.setRedirectUris({kCallback});
  const auto back = queryOf(LinkedInFixture::consent(authorizeUrl(f, kCallback)));
  CHECK_FALSE(back.at("code").empty());
  for (const std::string& other : std::vector<std::string>{
           kCallback + "/", "https://host.example/api/auth/callback/LinkedIn",
           "http://host.example/api/auth/callback/linkedin", kCallback + "?x=1", "https://attacker.example/cb"}) {
    CAPTURE(other);
    const Answer refused = send("GET", authorizeUrl(f, other));
    CHECK(refused.status == 400);
    CHECK(refused.location.empty());
    CHECK(refused.body == "The redirect_uri does not match the registered value");
  }
}

TEST_CASE("authorization: with no URL registered, one with a fragment or no scheme is still refused",
          "[linkedin][strict]") {
  LinkedInFixture f;
  CHECK(send("GET", authorizeUrl(f, kCallback)).status == 302);
  CHECK(send("GET", authorizeUrl(f, kCallback + "#linkedin")).status == 400);
  CHECK(send("GET", authorizeUrl(f, "/api/auth/callback/linkedin")).status == 400);
}

TEST_CASE("authorization: a scope the app does not have comes back as unauthorized_scope_error", "[linkedin][strict]") {
  LinkedInFixture f;
  // The plugin's default scopes are all within the app's products.
  CHECK(queryOf(LinkedInFixture::consent(authorizeUrl(f, kCallback))).count("code") == 1);

  const auto refused = [&](json::array scopes) {
    return queryOf(LinkedInFixture::consent(authorizeUrl(f, kCallback, std::move(scopes))));
  };
  auto retired = refused({"openid", "r_liteprofile"});  // a scope LinkedIn retired: unknown to the app
  CHECK(retired.at("error") == "unauthorized_scope_error");
  CHECK(retired.at("error_description") == "Scope &quot;r_liteprofile&quot; is not authorized for your application");
  CHECK(retired.at("state") == "st-7");
  CHECK(retired.count("code") == 0);
  CHECK(refused({"openid,profile"}).at("error") == "unauthorized_scope_error");  // space-delimited, not commas

  f.linkedin.setAppScopes("openid profile email w_member_social");  // no Community Management API
  auto withoutPages = refused({});
  CHECK(withoutPages.at("error_description") ==
        "Scope &quot;r_organization_social&quot; is not authorized for your application");
}

TEST_CASE("accessToken: the redirect_uri must be the authorization request's, exactly", "[linkedin][strict]") {
  LinkedInFixture f;
  const auto back = queryOf(LinkedInFixture::consent(authorizeUrl(f, kCallback)));
  auto r = f.call(Operation::ExchangeCode,
                  {{"code", back.at("code")}, {"redirectUri", kCallback + "/"}, {"codeVerifier", "v"}});
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.platformCode == "invalid_request");
  CHECK(r.message.find("redirect uri") != std::string::npos);
  CHECK(f.call(Operation::ExchangeCode, {{"code", back.at("code")}, {"redirectUri", kCallback}, {"codeVerifier", "v"}})
            .ok());
}

TEST_CASE("Posts API: commentary over 3,000 characters is a 400 in LinkedIn's shape", "[linkedin][strict]") {
  LinkedInFixture f;
  CHECK(postCommentary(f, repeat("é", 3000)).status == 201);                      // characters, not bytes
  CHECK(postCommentary(f, repeat("a", 2990) + repeat("\\(", 10)).status == 201);  // an escape is one character
  const Answer refused = postCommentary(f, repeat("b", 3001));
  CHECK(refused.status == 400);
  const auto body = json::parse(refused.body);
  CHECK(body.at("status") == 400);
  CHECK(body.at("errorDetailType") == "com.linkedin.common.error.BadRequest");
  CHECK(body.at("message") ==
        "com.linkedin.content.common.exception.BadRequestResponseException: ShareCommentary text length (3001 "
        "characters) exceeded the "
        "maximum allowed (3000 characters)");
  CHECK(body.at("errorDetails").at("inputErrors").at(0).at("code") == "FIELD_ARRAY_SIZE_TOO_HIGH");
  CHECK(f.linkedin.posts().size() == 2);
}

TEST_CASE("the plugin publishes 3,000 characters, reserved ones escaped, and refuses 3,001 itself",
          "[linkedin][strict]") {
  LinkedInFixture f;
  const std::string text = repeat("(x) ", 750);  // 3,000 characters, 1,500 of them escaped on the way
  auto published =
      f.call(Operation::Publish, {{"accessToken", f.token}, {"account", f.account(kMember)}, {"content", text}});
  REQUIRE(published.ok());
  CHECK(f.linkedin.posts().back().commentary == text);
  auto tooLong =
      f.call(Operation::Publish, {{"accessToken", f.token}, {"account", f.account(kMember)}, {"content", text + "!"}});
  CHECK(tooLong.kind == ErrorKind::InvalidInput);
  CHECK(f.linkedin.posts().size() == 1);
}
