#pragma once
/// The connections of one organization. It is made from a TenantStore and runs its statements
/// through the tenant's ScopedDatabase, so every one carries that organization's scope.
/// Tokens go in sealed by the vault and come out unsealed only through tokens().

#include "connections/Connection.h"
#include "store/Database.h"
#include "tenants/Model.h"
#include "tenants/ScopedDatabase.h"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketsage::vault {
class TokenVault;
}
namespace marketsage::tenants {
class TenantStore;
}

namespace marketsage::connections {

/// An account a token can act for, as the plugin's list_accounts reports it.
struct Account {
  std::string id;
  std::string name;
  std::string metadata = "{}";   ///< JSON object text
  std::optional<Tokens> tokens;  ///< account-specific tokens (e.g. a Facebook Page token)
};

/// The Account of a plugin call (sdk-docs/json-schemas.md): id, name and the stored metadata.
boost::json::object accountJson(const Connection& connection);

/// The columns connectionFrom reads, qualified with a table alias (for a join made elsewhere,
/// such as the publisher's one read of everything an attempt needs).
std::string connectionColumnsOf(const std::string& alias);
/// How many columns connectionColumnsOf names.
inline constexpr std::size_t connectionColumnCount = 20;
/// Reads a connection from `row`, selected with connectionColumnsOf from column `first` on.
Connection connectionFrom(const store::Row& row, std::size_t first = 0);

/// A connection's tokens as stored: sealed, read with the connection so that using them needs
/// no second read. Only ConnectionStore::open makes them clear.
struct SealedTokens {
  std::string accessToken;
  std::optional<std::string> refreshToken;
  std::optional<std::int64_t> expiresAt;
  std::vector<std::string> scopes;
};

class ConnectionStore {
 public:
  ConnectionStore(tenants::TenantStore& tenant, const vault::TokenVault& vault);

  std::vector<Connection> list();
  std::optional<Connection> find(const std::string& id);
  /// The connection, or Problem 404 "no such connection".
  Connection get(const std::string& id);

  /// Stores (or, for an account already connected on this platform, updates in place) one
  /// connection with its tokens sealed, and audits it. `grantId` names the user grant the tokens
  /// belong to when several accounts share it (nullopt: the account's own); `appId` the
  /// organization's platform app it was authorized through (empty: the instance's app).
  /// Returns the connection.
  Connection upsert(const std::string& platform, const Account& account, const Tokens& tokens,
                    const std::optional<std::string>& grantId, const std::string& appId, const tenants::Actor& actor);
  /// Deletes the row (and so its tokens). False when there is no such connection here.
  bool remove(const std::string& id, const tenants::Actor& actor);

  /// The reason a connection whose sealed tokens do not open is marked invalid with.
  static constexpr std::string_view unreadableTokens = "stored token unreadable: reconnect";

  /// The clear tokens of a connection, for one plugin call. nullopt when not found. Tokens that do
  /// not decrypt mark the connection invalid (unreadableTokens) and throw PlatformError (AuthInvalid).
  std::optional<Tokens> tokens(const std::string& id);
  /// The clear tokens of connection `id` from its sealed columns read by the caller; fails as
  /// tokens() does when they do not open.
  Tokens open(const std::string& id, const SealedTokens& sealed);
  /// Stores refreshed tokens (a rotated refresh token replaces the old one in the same write) and
  /// marks the connection active.
  void storeRefreshed(const std::string& id, const Tokens& tokens);
  /// Sets the status and records the error (status "expired"/"invalid" stop automatic refresh).
  /// After connection `id` was refreshed from `before` to `after`: the other connections of the
  /// same platform that held the same refresh token (accounts reached through one user's grant,
  /// e.g. a member and the company pages they administer) get the new tokens too — with rotating
  /// refresh tokens their copy just stopped working. Returns how many were updated.
  int shareRefreshedGrant(const std::string& id, const Tokens& before, const Tokens& after);
  void markFailed(const std::string& id, const std::string& status, const std::string& error);
  void recordSuccess(const std::string& id);

  /// Takes the refresh lease of a grant (Connection::grantId) until `until` (ms) unless another
  /// holder's lease is still running. Works across hosts sharing one database. True when we hold it.
  bool tryLease(const std::string& grantId, const std::string& owner, std::int64_t until);
  void releaseLease(const std::string& grantId, const std::string& owner);

  /// Re-seals every token not under the vault's current key; returns how many fields changed.
  std::size_t resealTokens();

 private:
  tenants::ScopedDatabase db_;
  tenants::TenantStore& tenant_;
  const vault::TokenVault& vault_;
  const std::string organizationId_;
};

}  // namespace marketsage::connections
