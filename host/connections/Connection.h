#pragma once
/// A connected social account of one organization, as the host sees it. Tokens live only in
/// sealed form (see vault/TokenVault.h) and never leave connections/ unsealed except into a
/// plugin call.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::connections {

/// "active": usable; "expired": the token expired and cannot be refreshed (reconnect);
/// "invalid": the platform refused the token (revoked, scope removed).
namespace status {
inline constexpr const char* active = "active";
inline constexpr const char* expired = "expired";
inline constexpr const char* invalid = "invalid";
}  // namespace status

struct Connection {
  std::string id;
  std::string organizationId;
  std::string platform;
  std::string accountId;
  std::string accountName;
  std::vector<std::string> scopes;
  std::string status = status::active;
  std::optional<std::int64_t> expiresAt;  ///< access token expiry, ms since epoch
  std::string metadata = "{}";            ///< JSON object from the plugin (page category, avatar …)
  std::int64_t createdAt = 0;
  std::int64_t updatedAt = 0;
  std::optional<std::int64_t> lastSyncAt;
  std::optional<std::int64_t> lastSuccessAt;
  std::optional<std::int64_t> refreshedAt;  ///< last successful token refresh
  std::int64_t errorCount = 0;
  std::string lastError;
  std::optional<std::int64_t> lastErrorAt;
  bool hasRefreshToken = false;
  /// The authorization these tokens came from. Accounts reached through one user's grant share it
  /// (and its refresh token); an account with tokens of its own has its own. Refresh is
  /// single-flight per grant.
  std::string grantId;
  /// The organization's own platform app the tokens were issued to (apps/PlatformApp.h); empty
  /// for the instance's app. Refresh and every call use this app until the account reconnects.
  std::string appId;
};

/// Tokens as a plugin returns them: clear text, held only for the length of one call.
struct Tokens {
  std::string accessToken;
  std::optional<std::string> refreshToken;
  std::optional<std::int64_t> expiresAt;
  std::vector<std::string> scopes;
};

}  // namespace marketsage::connections
