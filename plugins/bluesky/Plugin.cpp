// The Bluesky plugin's descriptor, entry symbol and capability tables. A credential platform: the
// user names a handle and gives an app password (list_accounts signs in with createSession); the
// sessions it gets are refreshed with refreshSession, which is why the plugin offers the oauth
// extension — for refresh and revoke only: Bluesky's OAuth (PAR, PKCE, DPoP) is not implemented,
// and authorize_url / exchange_code say so.
#include "Bluesky.h"

namespace bluesky {

ms_status listAccounts(const char*, size_t, const ms_reply*);
ms_status refresh(const char*, size_t, const ms_reply*);
ms_status revoke(const char*, size_t, const ms_reply*);
ms_status checkToken(const char*, size_t, const ms_reply*);
ms_status accountInsights(const char*, size_t, const ms_reply*);
ms_status validate(const char*, size_t, const ms_reply*);
ms_status publish(const char*, size_t, const ms_reply*);
ms_status reconcile(const char*, size_t, const ms_reply*);
ms_status deletePost(const char*, size_t, const ms_reply*);
ms_status postInsights(const char*, size_t, const ms_reply*);

namespace {

ms_status authorizeUrl(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&]() -> std::string {
    const auto json = objectRequest(req, len);
    for (const char* field : {"/redirectUri", "/state", "/codeChallenge"}) requiredString(json, field, 4096);
    throw Error(MS_ERR_NOT_SUPPORTED,
                "Bluesky connects with a handle and an app password: POST /api/social-media/connect/bluesky "
                "{\"credential\": \"<app password>\", \"accounts\": [\"<handle>\"]}");
  });
}

ms_status exchangeCode(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&]() -> std::string {
    const auto json = objectRequest(req, len);
    for (const char* field : {"/code", "/redirectUri", "/codeVerifier"}) requiredString(json, field, 4096);
    throw Error(MS_ERR_NOT_SUPPORTED, "Bluesky connects with an app password, not an authorization code");
  });
}

ms_status apiVersion(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    objectRequest(req, len);
    // XRPC methods are not versioned; what has a shelf life is the sign-in: app passwords, which
    // Bluesky keeps "for now" beside OAuth (no date announced, so no sunsetAt).
    return Json::object()
        .field("version", host.setting("/api_version", "xrpc-2024 (app-password sessions)"))
        .field("estimated", true)
        .str();
  });
}

const ms_oauth_ext oauth = {sizeof(ms_oauth_ext), authorizeUrl, exchangeCode, refresh, revoke};
const ms_accounts_ext accounts = {sizeof(ms_accounts_ext), listAccounts};
const ms_validate_ext validation = {sizeof(ms_validate_ext), validate};
const ms_publish_ext publishing = {sizeof(ms_publish_ext), publish};
const ms_delete_ext deletion = {sizeof(ms_delete_ext), deletePost};
const ms_insights_ext insights = {sizeof(ms_insights_ext), accountInsights, postInsights};
const ms_health_ext health = {sizeof(ms_health_ext), checkToken};
const ms_reconcile_ext reconciling = {sizeof(ms_reconcile_ext), reconcile};
const ms_api_version_ext version = {sizeof(ms_api_version_ext), apiVersion};

constexpr marketsage::sdk::ExtensionEntry extensions[] = {
    {MS_EXT_OAUTH, &oauth},        {MS_EXT_ACCOUNTS, &accounts},     {MS_EXT_VALIDATE, &validation},
    {MS_EXT_PUBLISH, &publishing}, {MS_EXT_DELETE, &deletion},       {MS_EXT_INSIGHTS, &insights},
    {MS_EXT_HEALTH, &health},      {MS_EXT_RECONCILE, &reconciling}, {MS_EXT_API_VERSION, &version}};

const ms_plugin_descriptor descriptor = {
    sizeof(ms_plugin_descriptor),
    "bluesky",
    "Bluesky (AT Protocol)",
    "1.0.0",
    marketsage::sdk::capabilitiesOf(extensions),
    MS_PLUGIN_STABLE,
    "Posts text with rich-text facets, images, link cards and threads to Bluesky accounts signed in with an app "
    "password.",
    "https://docs.bsky.app/"};

ms_status init(const ms_host* h) {
  host = marketsage::sdk::Host(h);
  return MS_OK;
}
void deinit() {}

const void* getExtension(const char* id) { return marketsage::sdk::findExtension(extensions, id); }

}  // namespace
}  // namespace bluesky

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &bluesky::descriptor,
    bluesky::init,        bluesky::deinit,      bluesky::getExtension};
