// The X (Twitter) plugin's entry: descriptor, lifecycle and extension tables.
#include "Capabilities.h"
#include "Common.h"

#include <string_view>

namespace twitter {
namespace {

const ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchangeCode, refresh, revoke};
const ms_accounts_ext accounts = {sizeof(ms_accounts_ext), listAccounts};
const ms_validate_ext validation = {sizeof(ms_validate_ext), validate};
const ms_publish_ext publishing = {sizeof(ms_publish_ext), publish};
const ms_media_ext media = {sizeof(ms_media_ext), uploadMedia};
const ms_delete_ext deletion = {sizeof(ms_delete_ext), deletePost};
const ms_insights_ext insights = {sizeof(ms_insights_ext), accountInsights, postInsights};
const ms_health_ext health = {sizeof(ms_health_ext), checkToken};
const ms_reconcile_ext reconciliation = {sizeof(ms_reconcile_ext), reconcile};

constexpr sdk::ExtensionEntry extensions[] = {
    {MS_EXT_OAUTH, &oauth},        {MS_EXT_ACCOUNTS, &accounts}, {MS_EXT_VALIDATE, &validation},
    {MS_EXT_PUBLISH, &publishing}, {MS_EXT_MEDIA, &media},       {MS_EXT_DELETE, &deletion},
    {MS_EXT_INSIGHTS, &insights},  {MS_EXT_HEALTH, &health},     {MS_EXT_RECONCILE, &reconciliation}};

const ms_plugin_descriptor descriptor = {sizeof(ms_plugin_descriptor),
                                         "twitter",
                                         "X (Twitter)",
                                         "1.2.0",
                                         sdk::capabilitiesOf(extensions),
                                         MS_PLUGIN_STABLE,
                                         "Posts, threads, polls and media on X through the X API v2.",
                                         "https://docs.x.com/x-api"};

ms_status init(const ms_host* h) {
  host = sdk::Host(h);
  return MS_OK;
}

void deinit() {}

const void* getExtension(const char* id) { return sdk::findExtension(extensions, id); }

}  // namespace
}  // namespace twitter

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &twitter::descriptor,
    twitter::init,        twitter::deinit,      twitter::getExtension};
