#pragma once
/// Calling platform plugins from the host: finding the plugin, mapping the ABI's error kinds to
/// the REST API's answers, and reading the shared JSON shapes (Token, accounts).

#include "connections/ConnectionStore.h"
#include "core/Problem.h"
#include "plugins/Plugin.h"

#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::app { class Host; }

namespace marketsage::platforms {

/// The enabled plugin for `platform` that supports `op`: 404 when no such platform is enabled,
/// 400 when it cannot do `op`.
std::shared_ptr<const plugins::Plugin> requirePlugin(app::Host& host, const std::string& platform, plugins::Operation op);

/// The REST answer for a failed plugin call, as sdk-docs/README.md promises plugin authors:
/// 422 content refused (invalid input or a permanent refusal), 409 the connection needs to be
/// reconnected, 429 rate limited and 503 transient (both with Retry-After), 400 not supported,
/// 502 a plugin that broke the ABI.
Problem problemFor(const plugins::CallResult& result, const std::string& platform);

/// Calls `op` and returns its result, or throws problemFor() of it.
plugins::CallResult callPlugin(const plugins::Plugin& plugin, plugins::Operation op, const boost::json::value& request);

/// A Token reply (sdk-docs/json-schemas.md), nullopt when it has no accessToken.
std::optional<connections::Tokens> tokensFrom(const boost::json::value& reply);

/// The accounts a token can act for: list_accounts when the plugin has it, else the token's own
/// account. Throws Problem when there is none.
std::vector<connections::Account> listAccounts(const plugins::Plugin& plugin, const connections::Tokens& tokens,
                                               const boost::json::value& tokenReply);

}  // namespace marketsage::platforms
