#include "TwitterFixture.h"

#include "Tokens.h"

#include <Poco/URI.h>

#include <random>

TwitterFixture::TwitterFixture()
    : loaded(TWITTER_PLUGIN, "twitter",
             {{"api_base", x.url()},
              {"auth_base", x.url() + "/"},  // a trailing slash must not matter
              {"client_id", emulators::XApi::clientId},
              {"client_secret", emulators::XApi::clientSecret},
              {"chunk_size", 1024 * 1024},
              {"http_timeout_ms", 1000}},  // SlowAnswer faults outlast it
             {}) {
  token = x.issueToken();
}

CallResult TwitterFixture::publishSettled(json::object request, int* pendings) const {
  const auto done = loaded.publishSettled(std::move(request));
  if (pendings) *pendings += done.pendingRounds;
  return done.result;  // still pending after 50 rounds: the caller's assertions say so
}

json::object TwitterFixture::post(const std::string& content) const {
  return {{"accessToken", token},
          {"account", {{"id", emulators::XApi::userId}, {"metadata", {{"username", emulators::XApi::username}}}}},
          {"content", content}};
}

json::object TwitterFixture::media(const std::string& kind, const std::string& mimeType, const std::string& path,
                                   size_t size) {
  return {{"id", "host-" + kind}, {"kind", kind}, {"mimeType", mimeType}, {"path", path}, {"size", size}};
}

Pkce::Pkce() {
  std::mt19937_64 random{std::random_device{}()};
  verifier = "verifier-" + std::to_string(random()) + "-" + std::to_string(random()) + "-0123456789abcdef";
  challenge = marketsage::test::pkceS256(verifier);
}

std::string TwitterFixture::consent(const Pkce& pkce, const std::string& redirectUri) const {
  auto url = call(Operation::AuthorizeUrl, {{"redirectUri", redirectUri},
                                            {"state", "st&te 1"},
                                            {"codeChallenge", pkce.challenge},
                                            {"codeChallengeMethod", "S256"}});
  REQUIRE(url.ok());
  const auto callback = queryOf(x.approve(std::string(url.json.at("url").as_string())));
  REQUIRE(callback.count("code"));
  CHECK(callback.at("state") == "st&te 1");
  return callback.at("code");
}

json::value TwitterFixture::connect() const {
  const Pkce pkce;
  const auto code = consent(pkce, "https://host/cb");
  auto token = call(Operation::ExchangeCode,
                    {{"code", code}, {"redirectUri", "https://host/cb"}, {"codeVerifier", pkce.verifier}});
  REQUIRE(token.ok());
  return token.json;
}
