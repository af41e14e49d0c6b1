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
  static ms_status exchange(const char* req, size_t len, const ms_reply* reply) { return call(req, len, reply, exchangeCode); }
  static ms_status refresh(const char* req, size_t len, const ms_reply* reply) { return call(req, len, reply, refreshToken); }
  static ms_status revoke(const char* req, size_t len, const ms_reply* reply) { return call(req, len, reply, revokeToken); }
  static ms_status health(const char* req, size_t len, const ms_reply* reply) { return call(req, len, reply, checkToken); }

  static constexpr ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchange, refresh, revoke};
  static constexpr ms_health_ext healthCheck = {sizeof(ms_health_ext), health};
};

/// delete_post: DELETE /{id} with the account's token. Graph refuses ids that are gone or cannot
/// be deleted; that answer comes back as PERMANENT with Graph's message.
inline ms_status deleteNode(const char* req, size_t len, const ms_reply* reply) {
  return call(req, len, reply, [](std::string_view r) {
    const auto id = graphId(requiredString(r, "/postId"), "postId");
    Graph(requiredString(r, "/accessToken")).del("/" + id);
    return std::string("{}");
  });
}

inline constexpr uint32_t kCapabilities =
    MS_CAP_OAUTH | MS_CAP_ACCOUNTS | MS_CAP_VALIDATE | MS_CAP_PUBLISH | MS_CAP_DELETE | MS_CAP_INSIGHTS | MS_CAP_HEALTH;

/// The capability functions that differ between the Meta plugins.
struct PlatformCalls {
  ms_call_fn listAccounts, validate, publish, accountInsights, postInsights;
};

/// Every extension of a Meta plugin (kCapabilities) and its get_extension().
template <const char* Scopes, const PlatformCalls& Calls>
struct Extensions {
  using Login = LoginExtensions<Scopes>;
  static constexpr ms_accounts_ext accounts = {sizeof(ms_accounts_ext), Calls.listAccounts};
  static constexpr ms_validate_ext validate = {sizeof(ms_validate_ext), Calls.validate};
  static constexpr ms_publish_ext publish = {sizeof(ms_publish_ext), Calls.publish};
  static constexpr ms_delete_ext deletion = {sizeof(ms_delete_ext), deleteNode};
  static constexpr ms_insights_ext insights = {sizeof(ms_insights_ext), Calls.accountInsights, Calls.postInsights};

  /// The struct for `id`, NULL for ids this plugin does not implement.
  static constexpr sdk::ExtensionEntry table[] = {
      {MS_EXT_OAUTH, &Login::oauth}, {MS_EXT_ACCOUNTS, &accounts}, {MS_EXT_VALIDATE, &validate},
      {MS_EXT_PUBLISH, &publish},    {MS_EXT_DELETE, &deletion},   {MS_EXT_INSIGHTS, &insights},
      {MS_EXT_HEALTH, &Login::healthCheck}};

  /// The struct for `id`, NULL for ids this plugin does not implement.
  static const void* find(const char* id) { return sdk::findExtension(table, id); }
};

}  // namespace marketsage::meta

/// Defines the one exported symbol of a Meta plugin from its descriptor and Extensions<…> type.
#define MARKETSAGE_META_PLUGIN_ENTRY(descriptor, extensions)                                                              \
  extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {                                                   \
      MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &(descriptor), marketsage::meta::initPlugin, \
      marketsage::meta::deinitPlugin, extensions::find}

#endif  // MARKETSAGE_META_PLUGIN_HPP
