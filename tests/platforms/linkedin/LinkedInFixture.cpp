#include "LinkedInFixture.h"

namespace linkedin_test {

using namespace marketsage::plugins;

LinkedInFixture::LinkedInFixture(json::object settings)
    : plugin_(LINKEDIN_PLUGIN, "linkedin",
              {{"api_base", linkedin.url()},
               {"auth_base", linkedin.url()},
               {"client_id", emulators::LinkedInApi::clientId},
               {"client_secret", emulators::LinkedInApi::clientSecret},
               {"api_version", kApiVersion},
               {"poll_interval_ms", 5},
               {"http_timeout_ms", 1000}},  // SlowAnswer faults outlast it
              settings) {
  linkedin.addOrganization("2414183", "Acme Corp");
  linkedin.addOrganization("1000", "Someone Else's Page", false);
  linkedin.setProcessingPolls(1, 2);
  token = linkedin.issueToken();
}

CallResult LinkedInFixture::call(Operation op, const json::object& request) const { return plugin_.call(op, request); }

CallResult LinkedInFixture::callText(Operation op, std::string_view request) const {
  return plugin_.callText(op, request);
}

CallResult LinkedInFixture::publishSettled(json::object request, int* pendings) const {
  const auto done = plugin_.publishSettled(std::move(request));
  if (pendings) *pendings += done.pendingRounds;
  return done.result;  // still pending after 50 rounds: the caller's assertions say so
}

std::string LinkedInFixture::file(const std::string& name, size_t bytes) const { return plugin_.file(name, bytes); }

json::object LinkedInFixture::media(const std::string& kind, const std::string& mimeType, size_t bytes,
                                    const std::string& name) const {
  return plugin_.media(kind, mimeType, bytes, name);
}

std::string LinkedInFixture::consent(const std::string& authorizeUrl) {
  return marketsage::test::LoadedPlugin::consent(authorizeUrl);
}

std::string LinkedInFixture::logs() const { return plugin_.logs(); }

std::string LinkedInFixture::lastPostBody() const {
  const auto posts = linkedin.posts();
  return posts.empty() ? std::string() : posts.back().body;
}

}  // namespace linkedin_test
