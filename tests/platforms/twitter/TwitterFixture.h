// The twitter plugin loaded by the host's loader, its settings pointing at an X API emulator.
#pragma once

#include <catch2/catch.hpp>

#include "../common/LoadedPlugin.h"
#include "../common/UrlQuery.h"
#include "XEmulator.h"

#include <boost/json.hpp>

#include <map>
#include <string>

namespace json = boost::json;
using marketsage::plugins::CallResult;
using marketsage::plugins::ErrorKind;
using marketsage::plugins::Operation;

/// PKCE pair (RFC 7636): a verifier and its S256 challenge.
struct Pkce {
  std::string verifier, challenge;
  Pkce();
};

using marketsage::test::queryOf;

struct TwitterFixture {
  TwitterFixture();

  emulators::XApi x;
  marketsage::test::LoadedPlugin loaded;  ///< after `x`: its settings name the emulator
  std::string token;                      ///< a valid access token with every default scope

  CallResult call(Operation op, const json::object& request) const { return loaded.call(op, request); }
  /// Raw request text, passed unvalidated (bad-input tests).
  CallResult callText(Operation op, std::string_view request) const { return loaded.callText(op, request); }
  /// publish, called again with each pending reply's resume merged into the request (as the host
  /// does) until it answers something else; `pendings` counts the pending replies.
  CallResult publishSettled(json::object request, int* pendings = nullptr) const;
  /// A Post for the emulator's user, carrying `token`.
  json::object post(const std::string& content) const;
  /// authorize_url through the plugin, then the user's consent at the emulator: the callback's code.
  std::string consent(const Pkce& pkce, const std::string& redirectUri) const;
  /// The whole connect flow (consent, then the code exchanged with its verifier): the Token reply.
  json::value connect() const;
  /// A file of `bytes` bytes under a temporary folder removed with the fixture.
  std::string file(const std::string& name, size_t bytes) const { return loaded.file(name, bytes); }
  /// A Media item of the Post/upload schema for `path`.
  static json::object media(const std::string& kind, const std::string& mimeType, const std::string& path, size_t size);
};
