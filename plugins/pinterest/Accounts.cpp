// The user's boards as accounts (GET /v5/boards, pages of 250 followed by `bookmark`) and the
// token check (GET /v5/user_account).
// https://developers.pinterest.com/docs/api/v5/boards-list, .../user_account-get
#include "Pinterest.h"

namespace pinterest {
namespace {

constexpr int kMaxPages = 20;  // 5,000 boards at most

}  // namespace

ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto user = call("GET", "/v5/user_account", token, "user_account");
    const auto username = host.string(user.body, "/username").value_or("");
    const auto picture = host.string(user.body, "/profile_image").value_or("");
    auto accounts = Json::array();
    std::string bookmark;
    for (int page = 0; page < kMaxPages; ++page) {
      const auto r = call(
          "GET",
          "/v5/boards?page_size=250" + (bookmark.empty() ? std::string() : "&bookmark=" + host.urlEncode(bookmark)),
          token, "boards.list");
      const auto list = host.parse(r.body);
      for (size_t i = 0, n = list.count("/items"); i < n; ++i) {
        const auto at = "/items/" + std::to_string(i);
        const auto id = list.string((at + "/id").c_str()).value_or("");
        if (id.empty()) continue;
        auto metadata = Json::object()
                            .field("owner", list.string((at + "/owner/username").c_str()).value_or(username))
                            .field("privacy", list.string((at + "/privacy").c_str()).value_or("PUBLIC"));
        if (auto pins = list.integer((at + "/pin_count").c_str())) metadata.field("pinCount", *pins);
        auto account = Json::object()
                           .field("id", id)
                           .field("name", list.string((at + "/name").c_str()).value_or(id))
                           .field("type", "other");
        if (!picture.empty()) account.field("pictureUrl", picture);
        accounts.pushRaw(account.raw("metadata", metadata));
      }
      bookmark = list.string("/bookmark").value_or("");
      if (bookmark.empty()) break;
    }
    return Json::object().raw("accounts", accounts).str();
  });
}

ms_status checkToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    call("GET", "/v5/user_account", token, "user_account");
    auto out = Json::object().field("healthy", true);
    if (auto board = host.optionalString(json, "/account/id", 100)) out.field("accountId", *board);
    return out.str();
  });
}

}  // namespace pinterest
