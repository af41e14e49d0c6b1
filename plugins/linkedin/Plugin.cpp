// The LinkedIn plugin's descriptor, entry symbol and capability tables.
#include "LinkedIn.h"

namespace linkedin {

// Capability functions, one file per area.
ms_status authorizeUrl(const char*, size_t, const ms_reply*);
ms_status exchangeCode(const char*, size_t, const ms_reply*);
ms_status refreshToken(const char*, size_t, const ms_reply*);
ms_status revokeToken(const char*, size_t, const ms_reply*);
ms_status listAccounts(const char*, size_t, const ms_reply*);
ms_status checkToken(const char*, size_t, const ms_reply*);
ms_status validate(const char*, size_t, const ms_reply*);
ms_status publish(const char*, size_t, const ms_reply*);
ms_status upload(const char*, size_t, const ms_reply*);
ms_status deletePost(const char*, size_t, const ms_reply*);
ms_status accountInsights(const char*, size_t, const ms_reply*);
ms_status postInsights(const char*, size_t, const ms_reply*);
ms_status apiVersionInfo(const char*, size_t, const ms_reply*);
ms_status reconcile(const char*, size_t, const ms_reply*);

namespace {

const ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchangeCode, refreshToken, revokeToken};
const ms_accounts_ext accounts = {sizeof(ms_accounts_ext), listAccounts};
const ms_validate_ext validation = {sizeof(ms_validate_ext), validate};
const ms_publish_ext publishing = {sizeof(ms_publish_ext), publish};
const ms_media_ext media = {sizeof(ms_media_ext), upload};
const ms_delete_ext deletion = {sizeof(ms_delete_ext), deletePost};
const ms_insights_ext insights = {sizeof(ms_insights_ext), accountInsights, postInsights};
const ms_health_ext health = {sizeof(ms_health_ext), checkToken};
const ms_api_version_ext version = {sizeof(ms_api_version_ext), apiVersionInfo};
const ms_reconcile_ext reconciliation = {sizeof(ms_reconcile_ext), reconcile};

constexpr marketsage::sdk::ExtensionEntry extensions[] = {
    {MS_EXT_OAUTH, &oauth},         {MS_EXT_ACCOUNTS, &accounts},
    {MS_EXT_VALIDATE, &validation}, {MS_EXT_PUBLISH, &publishing},
    {MS_EXT_MEDIA, &media},         {MS_EXT_DELETE, &deletion},
    {MS_EXT_INSIGHTS, &insights},   {MS_EXT_HEALTH, &health},
    {MS_EXT_API_VERSION, &version}, {MS_EXT_RECONCILE, &reconciliation}};

const ms_plugin_descriptor descriptor = {
    sizeof(ms_plugin_descriptor),
    "linkedin",
    "LinkedIn (members and company pages)",
    "1.2.0",
    marketsage::sdk::capabilitiesOf(extensions),
    MS_PLUGIN_STABLE,
    "Publishes to LinkedIn members and organization pages through the versioned REST API.",
    "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api"};

ms_status init(const ms_host* h) {
  host = marketsage::sdk::Host(h);
  return MS_OK;
}
void deinit() {}

const void* getExtension(const char* id) { return marketsage::sdk::findExtension(extensions, id); }

}  // namespace
}  // namespace linkedin

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &linkedin::descriptor,
    linkedin::init,       linkedin::deinit,     linkedin::getExtension};
