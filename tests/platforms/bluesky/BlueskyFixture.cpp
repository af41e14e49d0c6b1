#include "BlueskyFixture.h"

namespace bluesky_test {

BlueskyFixture::BlueskyFixture(json::object settings)
    : plugin_(BLUESKY_PLUGIN, "bluesky",
              {{"api_base", bluesky.url()}, {"plc_base", bluesky.url()}, {"http_timeout_ms", 1000}}, settings) {
  alice = bluesky.addAccount(kAlice, kAlicePassword);
  bob = bluesky.addAccount(kBob, kBobPassword);
}

CallResult BlueskyFixture::call(Operation op, const json::object& request) const { return plugin_.call(op, request); }

CallResult BlueskyFixture::callText(Operation op, std::string_view request) const {
  return plugin_.callText(op, request);
}

json::object BlueskyFixture::connectAlice() {
  const auto r = call(Operation::ListAccounts, {{"accessToken", kAlicePassword}, {"accounts", {kAlice}}});
  REQUIRE(r.ok());
  const auto& accounts = r.json.at("accounts").as_array();
  REQUIRE(accounts.size() == 1);
  auto entry = accounts[0].as_object();
  accessToken = str(entry.at("accessToken"));
  refreshToken = str(entry.at("refreshToken"));
  metadata_ = entry.at("metadata").as_object();
  return entry;
}

json::object BlueskyFixture::account() const { return {{"id", alice}, {"name", kAlice}, {"metadata", metadata_}}; }

json::object BlueskyFixture::post(const std::string& content, json::array media, json::object options,
                                  const std::string& key) const {
  return {{"accessToken", accessToken}, {"account", account()},  {"content", content},         {"media", media},
          {"options", options},         {"idempotencyKey", key}, {"submittedAt", kSubmittedAt}};
}

json::object BlueskyFixture::image(const std::string& name, size_t bytes, const std::string& alt, long long width,
                                   long long height) const {
  auto m = plugin_.media("image", "image/png", bytes, name);
  if (!alt.empty()) m["altText"] = alt;
  if (width > 0) m["width"] = width;
  if (height > 0) m["height"] = height;
  return m;
}

std::string BlueskyFixture::logs() const { return plugin_.logs(); }

std::vector<emulators::BlueskyApi::Record> BlueskyFixture::live() const {
  std::vector<emulators::BlueskyApi::Record> out;
  for (const auto& r : bluesky.posts(alice))
    if (!r.deleted) out.push_back(r);
  return out;
}

}  // namespace bluesky_test
