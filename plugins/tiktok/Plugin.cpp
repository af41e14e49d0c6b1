// The TikTok plugin's descriptor, entry symbol and capability tables.
#include "TikTok.h"

namespace tiktok {

ms_status authorizeUrl(const char*, size_t, const ms_reply*);
ms_status exchangeCode(const char*, size_t, const ms_reply*);
ms_status refreshToken(const char*, size_t, const ms_reply*);
ms_status revokeToken(const char*, size_t, const ms_reply*);
ms_status checkToken(const char*, size_t, const ms_reply*);
ms_status validate(const char*, size_t, const ms_reply*);
ms_status publish(const char*, size_t, const ms_reply*);
ms_status accountInsights(const char*, size_t, const ms_reply*);
ms_status postInsights(const char*, size_t, const ms_reply*);

namespace {

/// The Content Posting and Display APIs are served under /v2/ with no announced end; the
/// setting api_version (default "v2") is what plugins list shows.
ms_status apiVersion(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    host.objectRequest(req, len);
    return Json::object().field("version", host.setting("/api_version", "v2")).str();
  });
}

const ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchangeCode, refreshToken, revokeToken};
const ms_validate_ext validation = {sizeof(ms_validate_ext), validate};
const ms_publish_ext publishing = {sizeof(ms_publish_ext), publish};
const ms_insights_ext insights = {sizeof(ms_insights_ext), accountInsights, postInsights};
const ms_health_ext health = {sizeof(ms_health_ext), checkToken};
const ms_api_version_ext version = {sizeof(ms_api_version_ext), apiVersion};

constexpr marketsage::sdk::ExtensionEntry extensions[] = {
    {MS_EXT_OAUTH, &oauth},       {MS_EXT_VALIDATE, &validation}, {MS_EXT_PUBLISH, &publishing},
    {MS_EXT_INSIGHTS, &insights}, {MS_EXT_HEALTH, &health},       {MS_EXT_API_VERSION, &version}};

const ms_plugin_descriptor descriptor = {sizeof(ms_plugin_descriptor),
                                         "tiktok",
                                         "TikTok",
                                         "1.0.0",
                                         marketsage::sdk::capabilitiesOf(extensions),
                                         MS_PLUGIN_STABLE,
                                         "Direct posts of videos and photos to TikTok through the Content Posting API.",
                                         "https://developers.tiktok.com/doc/content-posting-api-get-started"};

ms_status init(const ms_host* h) {
  host = marketsage::sdk::Host(h);
  return MS_OK;
}
void deinit() {}

const void* getExtension(const char* id) { return marketsage::sdk::findExtension(extensions, id); }

}  // namespace
}  // namespace tiktok

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &tiktok::descriptor,
    tiktok::init,         tiktok::deinit,       tiktok::getExtension};
