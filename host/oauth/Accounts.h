#pragma once
/// What a plugin's token and account answers mean to the host (sdk-docs/json-schemas.md): the
/// Token reply, and the accounts a token can act for.

#include "connections/ConnectionStore.h"
#include "plugins/Plugin.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace marketsage::oauth {

/// A Token reply (sdk-docs/json-schemas.md), nullopt when it has no accessToken.
std::optional<connections::Tokens> tokensFrom(const boost::json::value& reply);

/// What list_accounts answered: the accounts, and those of the named ones the platform refused.
struct AccountListing {
  std::vector<connections::Account> accounts;
  boost::json::array refused;  ///< [{"account", "reason"}], for named accounts only
};

/// The accounts a token can act for: list_accounts when the plugin has it, else the token's own
/// account. `named`: the accounts the user names, for platforms that cannot list them (a Telegram
/// bot's chats); the plugin checks each and says why it refuses the others. Throws PlatformError when the
/// platform refuses, Problem when there is none: 422 with the refusals (member "refused") when every named one was
/// refused. `request`: what the call carries besides the token (the organization's "app").
AccountListing listAccounts(const plugins::Plugin& plugin, const connections::Tokens& tokens,
                            const boost::json::value& tokenReply, const std::vector<std::string>& named = {},
                            boost::json::object request = {});

}  // namespace marketsage::oauth
