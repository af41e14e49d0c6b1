// A Bluesky emulator with two accounts, plus the bluesky plugin loaded from its .so and pointed at
// the emulator (api_base and plc_base; the PDS comes from each DID document).
#pragma once

#include "BlueskyEmulator.h"

#include "../common/LoadedPlugin.h"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace bluesky_test {

namespace json = boost::json;
using marketsage::plugins::CallResult;
using marketsage::plugins::ErrorKind;
using marketsage::plugins::Operation;

constexpr const char* kAlice = "alice.bsky.social";
constexpr const char* kAlicePassword = "abcd-efgh-ijkl-mnop";
constexpr const char* kBob = "bob.example.com";
constexpr const char* kBobPassword = "bbbb-cccc-dddd-eeee";
constexpr const char* kSubmittedAt = "2026-12-01T10:00:00Z";

class BlueskyFixture {
 public:
  explicit BlueskyFixture(json::object settings = {});

  emulators::BlueskyApi bluesky;
  std::string alice, bob;  ///< DIDs

  CallResult call(Operation op, const json::object& request) const;
  CallResult callText(Operation op, std::string_view request) const;
  /// list_accounts for Alice: her account entry (id, name, tokens, metadata).
  json::object connectAlice();
  /// The Account of Alice's connection as the host stores it (id, name, metadata).
  json::object account() const;
  std::string accessToken, refreshToken;
  /// A publish request for Alice.
  json::object post(const std::string& content, json::array media = {}, json::object options = {},
                    const std::string& key = "ms-target-1") const;
  json::object image(const std::string& name, size_t bytes, const std::string& alt = "", long long width = 0,
                     long long height = 0) const;
  std::string logs() const;
  /// Alice's live posts.
  std::vector<emulators::BlueskyApi::Record> live() const;

 private:
  marketsage::test::LoadedPlugin plugin_;  // after `bluesky`: its settings name the emulator
  json::object metadata_;
};

inline std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

}  // namespace bluesky_test
