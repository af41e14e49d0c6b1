// marketsage::plugins::Plugin — a loaded, enabled platform plugin, callable from any thread.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketsage::plugins {

class LoadedPlugin;

/// What a plugin is, as `marketsage plugins list` shows it.
/// The platform API version a plugin pins and how long the platform serves it (api_version).
struct ApiVersionInfo {
  std::string version;
  std::string releasedAt;  ///< YYYY-MM-DD, may be empty
  std::string sunsetAt;    ///< YYYY-MM-DD, empty when unknown
  bool estimated = false;  ///< the platform has not published the date; it follows its policy
};

struct PluginInfo {
  std::string id, name, version;
  int abiMajor = 0, abiMinor = 0;         ///< ABI the plugin was built against.
  std::vector<std::string> capabilities;  ///< "oauth", "accounts", "validate", "publish",
                                          ///< "media", "delete", "insights", "health".
  std::string status;                     ///< "stable" or "experimental".
  bool enabled = false;                   ///< Enabled in the configuration and started.
  std::filesystem::path file;
  std::string description, homepage;         ///< Empty when the plugin gives none.
  std::optional<ApiVersionInfo> apiVersion;  ///< From api_version (ABI 1.1), when enabled.
};

/// Days from `nowMillis` until the pinned API version's sunset (negative: past it); nullopt when
/// the plugin pins none or its sunset is unknown.
std::optional<long> daysToSunset(const PluginInfo& info, std::int64_t nowMillis);
/// A one-line warning when the pinned API version ends within 60 days or has ended; nullopt when
/// there is nothing to warn about.
std::optional<std::string> apiVersionWarning(const PluginInfo& info, std::int64_t nowMillis);

/// The ABI's error kinds (plugin.h MS_ERR_*), plus PluginFault for a plugin that broke the ABI
/// (exception escaped, invalid JSON reply, unknown status code, reply too large). PluginFault is
/// logged by the loader and should be treated like Permanent (no retry) but blamed on the plugin.
enum class ErrorKind {
  Ok,
  InvalidInput,
  AuthExpired,
  AuthInvalid,
  RateLimited,
  Transient,
  Permanent,
  NotSupported,
  OutcomeUnknown,  ///< (1.2) the create request went out, no complete answer: reconcile, never resend blindly
  PluginFault
};
/// "ok", "invalid_input", "auth_expired", "auth_invalid", "rate_limited", "transient",
/// "permanent", "not_supported", "plugin_fault".
std::string_view toString(ErrorKind kind);

/// Every call a plugin may offer; the request/response JSON of each is documented in sdk-docs/.
enum class Operation {
  AuthorizeUrl,     ///< oauth: build the consent URL.
  ExchangeCode,     ///< oauth: code -> token.
  RefreshToken,     ///< oauth: refresh token -> token.
  RevokeToken,      ///< oauth: revoke (optional within the capability).
  ListAccounts,     ///< accounts
  Validate,         ///< validate (no network)
  Publish,          ///< publish
  UploadMedia,      ///< media
  DeletePost,       ///< delete
  AccountInsights,  ///< insights (optional within the capability)
  PostInsights,     ///< insights (optional within the capability)
  CheckToken,       ///< health
  ApiVersion,       ///< api_version (ABI 1.1): the pinned platform API version and its sunset
  Reconcile,        ///< reconcile (ABI 1.2): does a post of unknown outcome exist?
  RegisterApp       ///< register_app (ABI 1.4): register an app on one of a platform's many servers
};
/// The function's name in plugin.h: "authorize_url", "exchange_code", "refresh", "revoke",
/// "list_accounts", "validate", "publish", "upload", "delete_post", "account_insights",
/// "post_insights", "check_token", "api_version", "reconcile", "register_app".
std::string_view toString(Operation op);
/// Every Operation, in declaration order.
const std::vector<Operation>& allOperations();

/// Outcome of one plugin call: the ABI status mapped to ErrorKind, the error details the plugin
/// gave, and its reply JSON (an empty object when it succeeded without writing anything; null
/// when it failed without writing anything).
struct CallResult {
  ErrorKind kind = ErrorKind::Ok;
  std::int32_t status = 0;    ///< Raw status code returned by the plugin (for PluginFault:
                              ///< the unknown code, or MS_ERR_PERMANENT). Decide on `kind`.
  std::string message;        ///< Human-readable reason (no secrets), may be empty.
  std::string platformCode;   ///< The platform's own error code, may be empty.
  int retryAfterSeconds = 0;  ///< For RateLimited/Transient: seconds to wait, 0 = unknown.
  boost::json::value json;    ///< Parsed reply.
  bool ok() const { return kind == ErrorKind::Ok; }
  /// Why it failed, for people: the plugin's message, or the kind's name when it gave none.
  std::string reason() const { return message.empty() ? std::string(toString(kind)) : message; }
};

/// A started plugin. Obtained from PluginRegistry::get(); the shared_ptr keeps the library loaded,
/// so a handle stays usable even while the registry is being destroyed. All members are const and
/// thread-safe: many threads may call() concurrently (the ABI requires plugins to allow it).
class Plugin {
 public:
  explicit Plugin(std::unique_ptr<LoadedPlugin> loaded);
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const PluginInfo& info() const;
  const std::string& id() const { return info().id; }
  /// True when the plugin implements `op` (its capability is announced and the function is set).
  bool supports(Operation op) const;

  /// Calls `op` with `request` serialized as JSON. Never throws because of the plugin: an
  /// unsupported op gives NotSupported, a misbehaving plugin gives PluginFault (logged).
  CallResult call(Operation op, const boost::json::value& request) const;
  /// Same with raw request text, passed through unvalidated (used by `plugins check`).
  CallResult call(Operation op, std::string_view requestText) const;

  /// Internal: the loaded library (used by the registry and `plugins check`).
  LoadedPlugin& loaded() const { return *loaded_; }

 private:
  std::unique_ptr<LoadedPlugin> loaded_;
};

}  // namespace marketsage::plugins
