// Accounts (the channels of the Google account: channels.list mine=true) and the token check.
#include "YouTube.h"

namespace youtube {

ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto token = accessToken(host.objectRequest(req, len));
    const auto r = call("GET", "/youtube/v3/channels?part=snippet,statistics&mine=true&maxResults=50", token,
                        cost::list, "channels.list");
    const auto page = host.parse(r.body);
    auto accounts = Json::array();
    for (size_t i = 0, n = page.count("/items"); i < n && i < 50; ++i) {
      const auto at = "/items/" + std::to_string(i);
      const auto id = page.string((at + "/id").c_str()).value_or("");
      if (id.empty()) continue;
      auto account = Json::object()
                         .field("id", id)
                         .field("name", page.string((at + "/snippet/title").c_str()).value_or(id))
                         .field("type", "channel");
      for (const char* size :
           {"/snippet/thumbnails/default/url", "/snippet/thumbnails/medium/url", "/snippet/thumbnails/high/url"})
        if (auto url = page.string((at + size).c_str())) {
          account.field("pictureUrl", *url);
          break;
        }
      auto metadata = Json::object();
      if (auto handle = page.string((at + "/snippet/customUrl").c_str())) metadata.field("handle", *handle);
      if (auto subscribers = page.integer((at + "/statistics/subscriberCount").c_str()))
        metadata.field("subscriberCount", *subscribers);
      if (page.get((at + "/statistics/hiddenSubscriberCount").c_str()).text == "true")
        metadata.field("hiddenSubscriberCount", true);
      account.raw("metadata", metadata);
      accounts.pushRaw(account);
    }
    if (accounts.empty())
      throw Error(MS_ERR_PERMANENT,
                  "this Google account has no YouTube channel: create one on youtube.com, then connect again",
                  "noChannel");
    return Json::object().raw("accounts", accounts).str();
  });
}

/// The cheapest authenticated call (channels.list part=id mine=true, 1 unit), and the project's
/// quota as the plugin counts it.
ms_status checkToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto token = accessToken(host.objectRequest(req, len));
    const auto r = call("GET", "/youtube/v3/channels?part=id&mine=true", token, cost::list, "channels.list");
    auto out = Json::object().field("healthy", true);
    if (auto id = host.string(r.body, "/items/0/id")) out.field("accountId", *id);
    return out.raw("quota", quotaJson()).str();
  });
}

}  // namespace youtube
