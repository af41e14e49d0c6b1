// What both Meta plugins share at the ABI level: init/deinit, the Facebook Login and health
// extensions (differing only by the default scopes) and get_extension's lookup.
#ifndef MARKETSAGE_META_PLUGIN_HPP
#define MARKETSAGE_META_PLUGIN_HPP

#include "MetaOAuth.hpp"

namespace marketsage::meta {

inline ms_status initPlugin(const ms_host* h) {
  host = sdk::Host(h);
  return MS_OK;
}
inline void deinitPlugin() {}

/// The oauth and health extensions of a plugin whose Login dialog asks for `Scopes` by default.
template <const char* Scopes>
struct LoginExtensions {
  static ms_status authorizeUrl(const char* req, size_t len, const ms_reply* reply) {
    return call(req, len, reply, [](std::string_view r) { return meta::authorizeUrl(r, Scopes); });
  }
  static ms_status exchange(const char* req, size_t len, const ms_reply* reply) {
    return call(req, len, reply, exchangeCode);
  }
  static ms_status refresh(const char* req, size_t len, const ms_reply* reply) {
    return call(req, len, reply, refreshToken);
  }
  static ms_status revoke(const char* req, size_t len, const ms_reply* reply) {
    return call(req, len, reply, revokeToken);
  }
  static ms_status health(const char* req, size_t len, const ms_reply* reply) {
    return call(req, len, reply, checkToken);
  }

  static constexpr ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchange, refresh, revoke};
  static constexpr ms_health_ext healthCheck = {sizeof(ms_health_ext), health};
};

/// Graph API versions with their release dates and the date Meta stops serving them, from the
/// changelog (https://developers.facebook.com/docs/graph-api/changelog/versions). Meta serves a
/// version at least two years; where it has not published the end yet, that is the estimate.
struct GraphVersion {
  const char* version;
  const char* released;
  const char* availableUntil;  ///< "" = not published yet
};
inline constexpr GraphVersion kGraphVersions[] = {
    {"v26.0", "2026-07-29", ""},           {"v25.0", "2026-02-18", "2028-07-29"},
    {"v24.0", "2025-10-08", "2028-02-18"}, {"v23.0", "2025-05-29", "2027-10-08"},
    {"v22.0", "2025-01-21", "2027-05-20"}, {"v21.0", "2024-10-02", "2027-01-21"},
    {"v20.0", "2024-05-21", "2026-09-24"}, {"v19.0", "2024-01-23", "2026-05-21"},
    {"v18.0", "2023-09-12", "2026-01-26"}, {"v17.0", "2023-05-23", "2025-09-12"},
    {"v16.0", "2023-02-02", "2025-05-14"}, {"v15.0", "2022-09-15", "2024-11-20"}};

/// api_version (ABI 1.1): the pinned Graph version and until when Meta serves it.
inline ms_status graphApiVersion(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    host.objectRequest(req, len);  // {} — but malformed input is refused like everywhere
    const auto version = apiVersion();
    auto out = Json::object().field("version", version);
    for (const auto& known : kGraphVersions) {
      if (version != known.version) continue;
      out.field("releasedAt", known.released);
      if (*known.availableUntil != '\0') {
        out.field("sunsetAt", known.availableUntil);
      } else {
        std::string estimate = known.released;  // two years after its release
        estimate.replace(0, 4, std::to_string(std::stoi(estimate.substr(0, 4)) + 2));
        out.field("sunsetAt", estimate).field("estimated", true);
      }
    }
    return out.str();
  });
}

/// delete_post: DELETE /{id} with the account's token. Graph refuses ids that are gone or cannot
/// be deleted; that answer comes back as PERMANENT with Graph's message.
inline ms_status deleteNode(const char* req, size_t len, const ms_reply* reply) {
  return call(req, len, reply, [](std::string_view r) {
    const auto id = graphId(host.requiredString(r, "/postId"), "postId");
    Graph(host.requiredString(r, "/accessToken")).del("/" + id);
    return std::string("{}");
  });
}

/// The capability functions that differ between the Meta plugins.
struct PlatformCalls {
  ms_call_fn listAccounts, validate, publish, accountInsights, postInsights, reconcile;
};

/// Every extension of a Meta plugin, its capability flags and its get_extension().
template <const char* Scopes, const PlatformCalls& Calls>
struct Extensions {
  using Login = LoginExtensions<Scopes>;
  static constexpr ms_accounts_ext accounts = {sizeof(ms_accounts_ext), Calls.listAccounts};
  static constexpr ms_validate_ext validate = {sizeof(ms_validate_ext), Calls.validate};
  static constexpr ms_publish_ext publish = {sizeof(ms_publish_ext), Calls.publish};
  static constexpr ms_delete_ext deletion = {sizeof(ms_delete_ext), deleteNode};
  static constexpr ms_insights_ext insights = {sizeof(ms_insights_ext), Calls.accountInsights, Calls.postInsights};
  static constexpr ms_api_version_ext version = {sizeof(ms_api_version_ext), graphApiVersion};
  static constexpr ms_reconcile_ext reconciliation = {sizeof(ms_reconcile_ext), Calls.reconcile};
  static constexpr sdk::ExtensionEntry table[] = {
      {MS_EXT_OAUTH, &Login::oauth},        {MS_EXT_ACCOUNTS, &accounts},   {MS_EXT_VALIDATE, &validate},
      {MS_EXT_PUBLISH, &publish},           {MS_EXT_DELETE, &deletion},     {MS_EXT_INSIGHTS, &insights},
      {MS_EXT_HEALTH, &Login::healthCheck}, {MS_EXT_API_VERSION, &version}, {MS_EXT_RECONCILE, &reconciliation}};
  /// The descriptor's flags, from the table: each capability is declared once.
  static constexpr uint32_t capabilities = sdk::capabilitiesOf(table);

  /// The struct for `id`, NULL for ids this plugin does not implement.
  static const void* find(const char* id) { return sdk::findExtension(table, id); }
};

}  // namespace marketsage::meta

/// Defines the one exported symbol of a Meta plugin from its descriptor and Extensions<…> type.
#define MARKETSAGE_META_PLUGIN_ENTRY(descriptor, extensions)                                                \
  extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {                                    \
      MS_ABI_VERSION_MAJOR,         MS_ABI_VERSION_MINOR,           sizeof(ms_plugin_entry), &(descriptor), \
      marketsage::meta::initPlugin, marketsage::meta::deinitPlugin, extensions::find}

#endif  // MARKETSAGE_META_PLUGIN_HPP
