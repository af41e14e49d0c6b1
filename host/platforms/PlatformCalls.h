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

/// What list_accounts answered: the accounts, and those of the named ones the platform refused.
struct AccountListing {
  std::vector<connections::Account> accounts;
  boost::json::array refused;  ///< [{"account", "reason"}], for named accounts only
};

/// The accounts a token can act for: list_accounts when the plugin has it, else the token's own
/// account. `named`: the accounts the user names, for platforms that cannot list them (a Telegram
/// bot's chats); the plugin checks each and says why it refuses the others. Throws Problem when
/// there is none: 422 with the refusals (member "refused") when every named one was refused.
AccountListing listAccounts(const plugins::Plugin& plugin, const connections::Tokens& tokens, const boost::json::value& tokenReply,
                            const std::vector<std::string>& named = {});

}  // namespace marketsage::platforms
