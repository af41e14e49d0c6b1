#pragma once
/// The organization's log of platform errors (GET /api/social-media/errors): what failed at which
/// platform and connection, of which type (oauth, api, rate_limit, token), and whether it is over.
/// The same error of one connection, while open, is one row with a count and the time last seen,
/// so a connection failing every minute is one line, not a page. An error resolves by hand
/// (POST …/errors/{id}/resolve) or by itself when the condition clears: a successful call on the
/// connection clears its api, rate_limit and token errors, a successful (re)connect its oauth and
/// token errors ("recovery"). Messages are the plugins' (which hold no secret) with any token the
/// caller names taken out; nothing here ever stores a token.

#include "plugins/Plugin.h"
#include "store/Database.h"
#include "tenants/TenantStore.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::monitoring {

namespace errorType {
inline constexpr const char* oauth = "oauth";
inline constexpr const char* api = "api";
inline constexpr const char* rateLimit = "rate_limit";
inline constexpr const char* token = "token";
}  // namespace errorType

/// The type of a failed call's kind: token for AuthExpired/AuthInvalid, rate_limit for
/// RateLimited, api for the rest; nullopt for Ok.
std::optional<std::string> typeOf(plugins::ErrorKind kind);

/// A failure to log.
struct NewError {
  std::string platform;
  std::optional<std::string> connectionId;  ///< none for a connect that made no connection
  std::string errorType;                    ///< an errorType
  std::string message;                      ///< no secret (cut to 500 bytes, control characters removed)
  std::string platformCode;                 ///< the platform's own code, may be empty
};

/// A logged error.
struct ErrorItem {
  std::string id, organizationId, platform;
  std::optional<std::string> connectionId;
  std::string errorType, message, platformCode;
  std::int64_t count = 1;
  std::int64_t firstSeen = 0, lastSeen = 0;
  bool resolved = false;
  std::optional<std::int64_t> resolvedAt;
  std::optional<std::string> resolvedBy;  ///< "user:<id>" or "recovery"
};

class ErrorLog {
 public:
  explicit ErrorLog(const tenants::TenantStore& tenant) : db_(tenant.database()) {}

  /// Logs `error`, folded into the open row of the same error when there is one. Never throws
  /// (a failure to log is logged): logging must not turn a platform's failure into another.
  void record(const NewError& error) const noexcept;
  /// The same inside `tx` of `organizationId` (the publisher's batch of outcomes); throws.
  static void record(store::Transaction& tx, const std::string& organizationId, const NewError& error);

  /// A successful call on the connection: its open api, rate_limit and token errors resolve.
  /// Never throws.
  void recover(const std::string& connectionId) const noexcept;
  static void recover(store::Transaction& tx, const std::string& organizationId, const std::string& connectionId);
  /// A successful token refresh: the connection's open token errors resolve. Never throws.
  void recoverToken(const std::string& connectionId) const noexcept;
  /// A successful (re)connect on `platform`: the oauth and token errors of these connections, and
  /// the platform's oauth errors that named no connection, resolve. Never throws.
  void recoverConnect(const std::string& platform, const std::vector<std::string>& connectionIds) const noexcept;

  struct Filter {
    std::optional<bool> resolved;
    std::optional<std::string> platform;
    int limit = 100;
  };
  /// Newest (last seen) first.
  std::vector<ErrorItem> list(const Filter& filter) const;
  /// The open errors of every connection (not those without one), newest first.
  std::vector<ErrorItem> open() const;
  std::optional<ErrorItem> find(const std::string& id) const;
  /// Resolves by hand (`by` = "user:<id>"); an error resolved already stays as it was. nullopt
  /// when there is no such error in this organization.
  std::optional<ErrorItem> resolve(const std::string& id, const std::string& by) const;

 private:
  const tenants::ScopedDatabase& db_;
};

}  // namespace marketsage::monitoring
