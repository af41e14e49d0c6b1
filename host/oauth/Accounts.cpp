#include "oauth/Accounts.h"

#include "core/Problem.h"
#include "core/Time.h"
#include "plugins/PlatformError.h"

#include <boost/json.hpp>

namespace marketsage::oauth {
namespace {

std::optional<std::string> stringField(const boost::json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->as_string());
}

}  // namespace

std::optional<connections::Tokens> tokensFrom(const boost::json::value& reply) {
  if (!reply.is_object()) return std::nullopt;
  const auto& object = reply.as_object();
  connections::Tokens tokens;
  auto access = stringField(object, "accessToken");
  if (!access || access->empty()) return std::nullopt;
  tokens.accessToken = std::move(*access);
  tokens.refreshToken = stringField(object, "refreshToken");
  if (const auto* expiresIn = object.if_contains("expiresIn"); expiresIn != nullptr && expiresIn->is_number()) {
    tokens.expiresAt = time::nowMillis() + static_cast<std::int64_t>(expiresIn->to_number<double>() * 1000);
  }
  if (const auto* scopes = object.if_contains("scopes"); scopes != nullptr && scopes->is_array()) {
    for (const auto& scope : scopes->as_array()) {
      if (scope.is_string()) tokens.scopes.emplace_back(scope.as_string());
    }
  }
  return tokens;
}

AccountListing listAccounts(const plugins::Plugin& plugin, const connections::Tokens& tokens,
                            const boost::json::value& tokenReply, const std::vector<std::string>& named,
                            boost::json::object request) {
  AccountListing listing;
  auto& accounts = listing.accounts;
  auto accountFrom = [](const boost::json::object& object) {
    connections::Account account;
    account.id = stringField(object, "id").value_or("");
    account.name = stringField(object, "name").value_or(account.id);
    boost::json::object metadata;
    if (const auto* m = object.if_contains("metadata"); m != nullptr && m->is_object()) metadata = m->as_object();
    for (const char* key : {"type", "pictureUrl"}) {
      if (auto v = stringField(object, key)) metadata[key] = *v;
    }
    account.metadata = boost::json::serialize(metadata);
    return account;
  };
  if (plugin.supports(plugins::Operation::ListAccounts)) {
    request["accessToken"] = tokens.accessToken;
    if (!named.empty()) request["accounts"] = boost::json::value_from(named);
    const auto reply = plugins::callOrThrow(plugin, plugins::Operation::ListAccounts, request);
    if (const auto* refused = reply.json.is_object() ? reply.json.as_object().if_contains("refused") : nullptr;
        refused && refused->is_array()) {
      for (const auto& entry : refused->as_array()) {
        if (!entry.is_object()) continue;
        listing.refused.push_back(
            {{"account", stringField(entry.as_object(), "account").value_or("")},
             {"reason", stringField(entry.as_object(), "reason").value_or("refused by the platform")}});
      }
    }
    const auto* list = reply.json.is_object() ? reply.json.as_object().if_contains("accounts") : nullptr;
    if (list != nullptr && list->is_array()) {
      for (const auto& entry : list->as_array()) {
        if (!entry.is_object()) continue;
        auto account = accountFrom(entry.as_object());
        if (account.id.empty()) continue;
        // A per-account token (a Facebook Page's, a Bluesky session's) replaces the user's for that
        // account; since ABI 1.4 with its own refreshToken and expiresIn.
        if (auto own = tokensFrom(entry)) {
          if (own->scopes.empty()) own->scopes = tokens.scopes;
          account.tokens = std::move(*own);
        }
        accounts.push_back(std::move(account));
      }
    }
  } else if (const auto* own = tokenReply.is_object() ? tokenReply.as_object().if_contains("account") : nullptr;
             own != nullptr && own->is_object()) {
    auto account = accountFrom(own->as_object());
    if (!account.id.empty()) accounts.push_back(std::move(account));
  }
  if (accounts.empty() && !listing.refused.empty()) {
    throw Problem(422, "accounts-refused", "No account can be connected",
                  plugin.id() + ": none of the named accounts can be posted to")
        .extend("refused", boost::json::serialize(listing.refused));
  }
  if (accounts.empty())
    throw Problem(502, "no-accounts", "No accounts", plugin.id() + ": the token can act for no account");
  return listing;
}

}  // namespace marketsage::oauth
