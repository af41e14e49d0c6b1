// The Telegram plugin's descriptor, entry symbol and capability tables. A credential platform:
// "accounts" without "oauth" — the user gives a bot token and names the chats (json-schemas.md,
// list_accounts); no refresh, no revoke.
#include "Telegram.h"

namespace telegram {

ms_status listAccounts(const char*, size_t, const ms_reply*);
ms_status checkToken(const char*, size_t, const ms_reply*);
ms_status validate(const char*, size_t, const ms_reply*);
ms_status publish(const char*, size_t, const ms_reply*);
ms_status deletePost(const char*, size_t, const ms_reply*);
ms_status accountInsights(const char*, size_t, const ms_reply*);

namespace {

const ms_accounts_ext accounts = {sizeof(ms_accounts_ext), listAccounts};
const ms_validate_ext validation = {sizeof(ms_validate_ext), validate};
const ms_publish_ext publishing = {sizeof(ms_publish_ext), publish};
const ms_delete_ext deletion = {sizeof(ms_delete_ext), deletePost};
const ms_insights_ext insights = {sizeof(ms_insights_ext), accountInsights, nullptr};
const ms_health_ext health = {sizeof(ms_health_ext), checkToken};

constexpr marketsage::sdk::ExtensionEntry extensions[] = {{MS_EXT_ACCOUNTS, &accounts},  {MS_EXT_VALIDATE, &validation},
                                                          {MS_EXT_PUBLISH, &publishing}, {MS_EXT_DELETE, &deletion},
                                                          {MS_EXT_INSIGHTS, &insights},  {MS_EXT_HEALTH, &health}};

const ms_plugin_descriptor descriptor = {
    sizeof(ms_plugin_descriptor),
    "telegram",
    "Telegram (channels and groups, Bot API)",
    "1.0.0",
    marketsage::sdk::capabilitiesOf(extensions),
    MS_PLUGIN_STABLE,
    "Posts text, photos, videos, documents and albums to Telegram channels and groups through a bot.",
    "https://core.telegram.org/bots/api"};

ms_status init(const ms_host* h) {
  host = marketsage::sdk::Host(h);
  return MS_OK;
}
void deinit() {}

const void* getExtension(const char* id) { return marketsage::sdk::findExtension(extensions, id); }

}  // namespace
}  // namespace telegram

extern "C" MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry), &telegram::descriptor,
    telegram::init,       telegram::deinit,     telegram::getExtension};
