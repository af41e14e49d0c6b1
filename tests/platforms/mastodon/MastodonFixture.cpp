#include "MastodonFixture.h"

#include <Poco/URI.h>

MastodonFixture::MastodonFixture()
    : loaded(MASTODON_PLUGIN, "mastodon", {{"http_timeout_ms", 1000}, {"client_name", "MarketSage Test"}}, {}) {
  const auto registered =
      loaded.call(Operation::RegisterApp, {{"instance", m.url() + "/"}, {"redirectUri", redirectUri}});
  REQUIRE(registered.ok());
  app = registered.json.as_object();
  const auto apps = m.apps();
  REQUIRE(apps.size() == 1);
  token = m.issueToken(apps.front());
}

CallResult MastodonFixture::call(Operation op, json::object request) const {
  request["app"] = app;
  return loaded.call(op, request);
}

CallResult MastodonFixture::publishSettled(json::object request, int* pendings) const {
  request["app"] = app;
  const auto done = loaded.publishSettled(std::move(request));
  if (pendings) *pendings += done.pendingRounds;
  return done.result;
}

json::object MastodonFixture::post(const std::string& content) const {
  return {{"accessToken", token},
          {"account", {{"id", emulators::MastodonInstance::accountId}, {"name", "@marketsage@127.0.0.1"}}},
          {"content", content},
          {"media", json::array{}},
          {"options", json::object{}},
          {"idempotencyKey", "ms-target-" + content.substr(0, 8)}};
}

size_t MastodonFixture::liveStatuses() const {
  size_t n = 0;
  for (const auto& s : m.statuses())
    if (!s.deleted && s.accountId == emulators::MastodonInstance::accountId) ++n;
  return n;
}
