// The Pinterest plugin's descriptor, entry symbol and capability tables.
#include "Pinterest.h"

namespace pinterest {

ms_status authorizeUrl(const char*, size_t, const ms_reply*);
ms_status exchangeCode(const char*, size_t, const ms_reply*);
ms_status refreshToken(const char*, size_t, const ms_reply*);
ms_status listAccounts(const char*, size_t, const ms_reply*);
ms_status checkToken(const char*, size_t, const ms_reply*);
ms_status validate(const char*, size_t, const ms_reply*);
ms_status publish(const char*, size_t, const ms_reply*);
ms_status deletePost(const char*, size_t, const ms_reply*);
ms_status accountInsights(const char*, size_t, const ms_reply*);
ms_status postInsights(const char*, size_t, const ms_reply*);
ms_status reconcile(const char*, size_t, const ms_reply*);

namespace {

/// API v5 is the current major version; Pinterest has announced no end of it (v3 and v4 were
/// retired with notice). The version can be pinned by setting api_version.
ms_status apiVersion(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    host.objectRequest(req, len);
    return Json::object().field("version", host.setting("/api_version", "v5")).str();
  });
}

// Pinterest documents no token revocation endpoint in API v5: revoke is NULL (the host forgets
// the token; the user removes the app at pinterest.com/settings/security).
const ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchangeCode, refreshToken, nullptr};
const ms_accounts_ext accounts = {sizeof(ms_accounts_ext), listAccounts};
const ms_validate_ext validation = {sizeof(ms_validate_ext), validate};
const ms_publish_ext publishing = {sizeof(ms_publish_ext), publish};
const ms_delete_ext deletion = {sizeof(ms_delete_ext), deletePost};
const ms_insights_ext insights = {sizeof(ms_insights_ext), accountInsights, postInsights};
const ms_health_ext health = {sizeof(ms_health_ext), checkToken};
const ms_reconcile_ext reconciliation = {sizeof(ms_reconcile_ext), reconcile};
const ms_api_version_ext version = {sizeof(ms_api_version_ext), apiVersion};

constexpr marketsage::sdk::ExtensionEntry extensions[] = {
    {MS_EXT_OAUTH, &oauth},        {MS_EXT_ACCOUNTS, &accounts},        {MS_EXT_VALIDATE, &validation},
    {MS_EXT_PUBLISH, &publishing}, {MS_EXT_DELETE, &deletion},          {MS_EXT_INSIGHTS, &insights},
    {MS_EXT_HEALTH, &health},      {MS_EXT_RECONCILE, &reconciliation}, {MS_EXT_API_VERSION, &version}};

const ms_plugin_descriptor descriptor = {
    sizeof(ms_plugin_descriptor),
    "pinterest",
    "Pinterest (boards)",
    "1.0.0",
    marketsage::sdk::capabilitiesOf(extensions),
    MS_PLUGIN_STABLE,
    "Publishes image, carousel and video Pins to Pinterest boards through the Pinterest API v5.",
    "https://developers.pinterest.com/docs/api/v5/"};

ms_status init(const ms_host* h) {
  host = marketsage::sdk::Host(h);
  return MS_OK;
}
void deinit() {}

const void* getExtension(const char* id) { return marketsage::sdk::findExtension(extensions, id); }

}  // namespace
}  // namespace pinterest

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &pinterest::descriptor,
    pinterest::init,      pinterest::deinit,    pinterest::getExtension};
