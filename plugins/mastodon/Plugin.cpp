// The Mastodon plugin's entry: descriptor, lifecycle and extension tables.
#include "Mastodon.h"

namespace mastodon {
namespace {

const ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchangeCode, nullptr, revoke};
const ms_accounts_ext accounts = {sizeof(ms_accounts_ext), listAccounts};
const ms_validate_ext validation = {sizeof(ms_validate_ext), validate};
const ms_publish_ext publishing = {sizeof(ms_publish_ext), publish};
const ms_media_ext media = {sizeof(ms_media_ext), uploadMedia};
const ms_delete_ext deletion = {sizeof(ms_delete_ext), deletePost};
const ms_insights_ext insights = {sizeof(ms_insights_ext), accountInsights, postInsights};
const ms_health_ext health = {sizeof(ms_health_ext), checkToken};
const ms_api_version_ext version = {sizeof(ms_api_version_ext), apiVersion};
const ms_reconcile_ext reconciliation = {sizeof(ms_reconcile_ext), reconcile};
const ms_app_registration_ext registration = {sizeof(ms_app_registration_ext), registerApp};

constexpr sdk::ExtensionEntry extensions[] = {{MS_EXT_OAUTH, &oauth},
                                              {MS_EXT_ACCOUNTS, &accounts},
                                              {MS_EXT_VALIDATE, &validation},
                                              {MS_EXT_PUBLISH, &publishing},
                                              {MS_EXT_MEDIA, &media},
                                              {MS_EXT_DELETE, &deletion},
                                              {MS_EXT_INSIGHTS, &insights},
                                              {MS_EXT_HEALTH, &health},
                                              {MS_EXT_API_VERSION, &version},
                                              {MS_EXT_RECONCILE, &reconciliation},
                                              {MS_EXT_APP_REGISTRATION, &registration}};

const ms_plugin_descriptor descriptor = {
    sizeof(ms_plugin_descriptor),
    "mastodon",
    "Mastodon",
    "1.0.0",
    sdk::capabilitiesOf(extensions),
    MS_PLUGIN_STABLE,
    "Statuses, threads, polls and media on any Mastodon instance, with an app registered per instance.",
    "https://docs.joinmastodon.org/client/intro/"};

ms_status init(const ms_host* h) {
  host = sdk::Host(h);
  initApi();
  return MS_OK;
}

void deinit() { deinitApi(); }

const void* getExtension(const char* id) { return sdk::findExtension(extensions, id); }

}  // namespace
}  // namespace mastodon

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &mastodon::descriptor,
    mastodon::init,       mastodon::deinit,     mastodon::getExtension};
