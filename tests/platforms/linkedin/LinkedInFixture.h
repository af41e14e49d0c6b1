// A LinkedIn emulator plus the linkedin plugin loaded from its .so, pointed at the emulator.
#pragma once

#include "LinkedInEmulator.h"

#include "../common/LoadedPlugin.h"

#include <boost/json.hpp>

#include <string>

namespace linkedin_test {

namespace json = boost::json;
using marketsage::plugins::CallResult;
using marketsage::plugins::ErrorKind;
using marketsage::plugins::Operation;

/// A version LinkedIn serves today: three months old.
inline const std::string kApiVersion = emulators::LinkedInApi::versionMonthsAgo(3);
constexpr const char* kOrganization = "urn:li:organization:2414183";
constexpr const char* kMember = "urn:li:person:abc123XYZ";

class LinkedInFixture {
 public:
  /// `settings` are merged over the defaults (api_base/auth_base = emulator, credentials,
  /// api_version, a short poll interval).
  explicit LinkedInFixture(json::object settings = {});

  emulators::LinkedInApi linkedin;
  std::string token;  ///< a valid member token with the default scopes

  CallResult call(Operation op, const json::object& request) const;
  /// The same with raw request text, passed unvalidated (bad-input tests).
  CallResult callText(Operation op, std::string_view request) const;
  /// publish, called again with each pending reply's resume merged into the request (as the host
  /// does) until it answers something else; `pendings` counts the pending replies. Safe on any
  /// thread (no Catch2 macro).
  CallResult publishSettled(json::object request, int* pendings = nullptr) const;
  /// A file of `bytes` bytes in a temporary folder, removed with the fixture.
  std::string file(const std::string& name, size_t bytes) const;
  /// A Media object of the ABI for a new file.
  json::object media(const std::string& kind, const std::string& mimeType, size_t bytes, const std::string& name) const;
  json::object account(const std::string& urn) const { return {{"id", urn}}; }
  /// Follows the authorize URL at the emulator (the member consents) and answers the redirect.
  static std::string consent(const std::string& authorizeUrl);
  /// Every log line the plugin and the loader wrote.
  std::string logs() const;
  /// The JSON text of the last post LinkedIn received.
  std::string lastPostBody() const;

 private:
  marketsage::test::LoadedPlugin plugin_;  // after `linkedin`: its settings name the emulator
};

}  // namespace linkedin_test
