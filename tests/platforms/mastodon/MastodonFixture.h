// The mastodon plugin loaded by the host's loader with no instance of its own: like the host, each
// call carries "app" (the app registered on the emulated instance: its client id and secret,
// api_base and auth_base).
#pragma once

#include <catch2/catch.hpp>

#include "../common/LoadedPlugin.h"
#include "../common/UrlQuery.h"
#include "MastodonEmulator.h"

#include <boost/json.hpp>

#include <map>
#include <string>

namespace json = boost::json;
using marketsage::plugins::CallResult;
using marketsage::plugins::ErrorKind;
using marketsage::plugins::Operation;

inline constexpr const char* redirectUri = "https://host.example/api/auth/callback/mastodon";

using marketsage::test::queryOf;

struct MastodonFixture {
  MastodonFixture();

  emulators::MastodonInstance m;
  marketsage::test::LoadedPlugin loaded;  ///< no api_base: the instance comes with "app"
  json::object app;                       ///< what register_app answered
  std::string token;                      ///< a token of the account through that app

  /// Calls the plugin with "app" added to `request`.
  CallResult call(Operation op, json::object request) const;
  /// publish with "app", called again with each pending reply's resume merged in.
  CallResult publishSettled(json::object request, int* pendings = nullptr) const;
  /// A Post for the account, carrying `token` and an idempotency key.
  json::object post(const std::string& content) const;
  /// The account's live statuses.
  size_t liveStatuses() const;
};
