// The emulator answers as the real services do: XRPC error bodies, statuses and rate-limit headers.
#include "BlueskyFixture.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <catch2/catch.hpp>

#include <ctime>
#include <tuple>
#include <vector>

namespace bluesky_test {
namespace {

struct Raw {
  int status = 0;
  json::value body;
  Poco::Net::HTTPResponse response;
};

Raw xrpc(const emulators::BlueskyApi& api, const std::string& method, const std::string& path,
         const std::string& body = {}, const std::string& bearer = {},
         const std::string& contentType = "application/json") {
  const Poco::URI uri(api.url());
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!bearer.empty()) request.set("Authorization", "Bearer " + bearer);
  if (!body.empty()) {
    request.setContentType(contentType);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Raw raw;
  std::string text;
  Poco::StreamCopier::copyToString(session.receiveResponse(raw.response), text);
  raw.status = raw.response.getStatus();
  raw.body = text.empty() ? json::value() : json::parse(text);
  return raw;
}

std::string createBody(const std::string& did, const std::string& rkey) {
  return json::serialize(json::object{
      {"repo", did},
      {"collection", "app.bsky.feed.post"},
      {"rkey", rkey},
      {"record", {{"$type", "app.bsky.feed.post"}, {"text", "hi"}, {"createdAt", "2026-12-01T10:00:00Z"}}}});
}

}  // namespace

TEST_CASE("emulator: sessions, XRPC errors, taken record keys and rate-limit headers", "[bluesky][emulator]") {
  BlueskyFixture f;
  auto r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.server.createSession",
                R"({"identifier":"alice.bsky.social","password":"wrong"})");
  CHECK(r.status == 401);
  CHECK(str(r.body.at("error")) == "AuthenticationRequired");
  r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.server.createSession",
           R"({"identifier":"alice.bsky.social","password":"abcd-efgh-ijkl-mnop"})", "", "text/plain");
  CHECK(r.status == 400);
  r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.server.createSession",
           R"({"identifier":"alice.bsky.social","password":"abcd-efgh-ijkl-mnop"})");
  REQUIRE(r.status == 200);
  const auto access = str(r.body.at("accessJwt"));
  CHECK(str(r.body.at("did")) == f.alice);

  r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.repo.createRecord", createBody(f.alice, "3n3lyfibu22aa"));
  CHECK(r.status == 401);
  CHECK(str(r.body.at("error")) == "AuthMissing");  // no bearer (the reference PDS's auth-verifier)
  // The record as prepare.ts and the lexicon check it: createdAt a datetime with a zone, langs BCP-47.
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, json::value>>{{"createdAt", "2026-12-01 10:00:00"},
                                                        {"createdAt", "2026-12-01T10:00:00"},
                                                        {"langs", {"en_US"}},
                                                        {"langs", {"en", "de", "fr", "it"}}}) {
    auto body = json::parse(createBody(f.alice, "3n3lyfibu22az")).as_object();
    body["record"].as_object()[field] = value;
    r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.repo.createRecord", json::serialize(body), access);
    CHECK(r.status == 400);
    CHECK(str(r.body.at("error")) == "InvalidRequest");
  }
  r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.repo.createRecord", createBody(f.bob, "3n3lyfibu22aa"), access);
  CHECK(r.status == 400);  // another account's repo
  r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.repo.createRecord", createBody(f.alice, "3n3lyfibu22aa"), access);
  REQUIRE(r.status == 200);
  CHECK(str(r.body.at("uri")) == "at://" + f.alice + "/app.bsky.feed.post/3n3lyfibu22aa");
  r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.repo.createRecord", createBody(f.alice, "3n3lyfibu22aa"), access);
  CHECK(r.status == 500);  // a taken key, as the reference PDS answers it
  CHECK(str(r.body.at("error")) == "InternalServerError");
  r = xrpc(f.bluesky, "GET",
           "/xrpc/com.atproto.repo.getRecord?repo=" + f.alice + "&collection=app.bsky.feed.post&rkey=nothere");
  CHECK(r.status == 400);
  CHECK(str(r.body.at("error")) == "RecordNotFound");

  f.bluesky.throttleNextCreates(1, 30);
  r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.repo.createRecord", createBody(f.alice, "3n3lyfibu22ab"), access);
  CHECK(r.status == 429);
  CHECK(str(r.body.at("error")) == "RateLimitExceeded");
  CHECK(r.response.get("ratelimit-remaining") == "0");
  CHECK(r.response.get("ratelimit-policy") == "5000;w=3600");
  CHECK(std::stoll(r.response.get("ratelimit-reset")) > std::time(nullptr));

  f.bluesky.expireAccessTokens();
  r = xrpc(f.bluesky, "GET", "/xrpc/com.atproto.server.getSession", "", access);
  CHECK(r.status == 400);
  CHECK(str(r.body.at("error")) == "ExpiredToken");
  r = xrpc(f.bluesky, "GET", "/xrpc/com.atproto.repo.createRecord", "", access);
  CHECK(r.status == 400);  // a procedure over GET (@atproto/xrpc-server)
  CHECK(str(r.body.at("message")) == "Incorrect HTTP method (GET) expected POST");
  r = xrpc(f.bluesky, "GET", "/" + f.alice);  // the PLC directory
  REQUIRE(r.status == 200);
  CHECK(str(r.body.at("service").at(0).at("serviceEndpoint")) == f.bluesky.url());
}

}  // namespace bluesky_test

namespace bluesky_test {

TEST_CASE("emulator: image blobs are checked as the PDS's blob transactor does (image/*, 1,000,000 bytes)",
          "[bluesky][emulator]") {
  BlueskyFixture f;
  auto r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.server.createSession",
                R"({"identifier":"alice.bsky.social","password":"abcd-efgh-ijkl-mnop"})");
  REQUIRE(r.status == 200);
  const auto access = str(r.body.at("accessJwt"));
  const std::vector<std::tuple<std::string, size_t, std::string>> cases = {
      {"video/mp4", 100, "InvalidMimeType"}, {"image/png", 1000001, "BlobTooLarge"}, {"image/png", 1000000, ""}};
  int n = 0;
  for (const auto& [mime, bytes, error] : cases) {
    r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.repo.uploadBlob", std::string(bytes, static_cast<char>('a' + n)),
             access, mime);
    REQUIRE(r.status == 200);
    auto body = json::parse(createBody(f.alice, "3n3lyfibu22b" + std::string(1, static_cast<char>('a' + n++))));
    body.as_object()["record"].as_object()["embed"] = {{"$type", "app.bsky.embed.images"},
                                                       {"images", {{{"alt", ""}, {"image", r.body.at("blob")}}}}};
    r = xrpc(f.bluesky, "POST", "/xrpc/com.atproto.repo.createRecord", json::serialize(body), access);
    if (error.empty()) {
      CHECK(r.status == 200);
    } else {
      CHECK(r.status == 400);
      CHECK(str(r.body.at("error")) == error);
    }
  }
}

}  // namespace bluesky_test
