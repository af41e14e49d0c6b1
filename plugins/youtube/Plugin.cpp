// The YouTube plugin's descriptor, entry symbol and capability tables.
#include "YouTube.h"

namespace youtube {

ms_status authorizeUrl(const char*, size_t, const ms_reply*);
ms_status exchangeCode(const char*, size_t, const ms_reply*);
ms_status refreshToken(const char*, size_t, const ms_reply*);
ms_status revokeToken(const char*, size_t, const ms_reply*);
ms_status listAccounts(const char*, size_t, const ms_reply*);
ms_status checkToken(const char*, size_t, const ms_reply*);
ms_status validate(const char*, size_t, const ms_reply*);
ms_status publish(const char*, size_t, const ms_reply*);
ms_status deletePost(const char*, size_t, const ms_reply*);
ms_status accountInsights(const char*, size_t, const ms_reply*);
ms_status postInsights(const char*, size_t, const ms_reply*);
ms_status reconcile(const char*, size_t, const ms_reply*);

namespace {

const ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchangeCode, refreshToken, revokeToken};
const ms_accounts_ext accounts = {sizeof(ms_accounts_ext), listAccounts};
const ms_validate_ext validation = {sizeof(ms_validate_ext), validate};
const ms_publish_ext publishing = {sizeof(ms_publish_ext), publish};
const ms_delete_ext deletion = {sizeof(ms_delete_ext), deletePost};
const ms_insights_ext insights = {sizeof(ms_insights_ext), accountInsights, postInsights};
const ms_health_ext health = {sizeof(ms_health_ext), checkToken};
const ms_reconcile_ext reconciliation = {sizeof(ms_reconcile_ext), reconcile};

constexpr marketsage::sdk::ExtensionEntry extensions[] = {
    {MS_EXT_OAUTH, &oauth},        {MS_EXT_ACCOUNTS, &accounts},       {MS_EXT_VALIDATE, &validation},
    {MS_EXT_PUBLISH, &publishing}, {MS_EXT_DELETE, &deletion},         {MS_EXT_INSIGHTS, &insights},
    {MS_EXT_HEALTH, &health},      {MS_EXT_RECONCILE, &reconciliation}};

const ms_plugin_descriptor descriptor = {
    sizeof(ms_plugin_descriptor),
    "youtube",
    "YouTube (channels)",
    "1.0.0",
    marketsage::sdk::capabilitiesOf(extensions),
    MS_PLUGIN_STABLE,
    "Uploads videos to YouTube channels through the YouTube Data API v3 (resumable uploads).",
    "https://developers.google.com/youtube/v3/docs/videos/insert"};

ms_status init(const ms_host* h) {
  host = marketsage::sdk::Host(h);
  return MS_OK;
}
void deinit() {}

const void* getExtension(const char* id) { return marketsage::sdk::findExtension(extensions, id); }

}  // namespace
}  // namespace youtube

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &youtube::descriptor,
    youtube::init,        youtube::deinit,      youtube::getExtension};
