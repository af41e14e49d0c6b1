// reconcile (ABI 1.2): did a Pin request whose answer was lost make the Pin? Pinterest takes no
// idempotency key, so the board's Pins (GET /v5/boards/{board_id}/pins, newest first) are searched
// for one made since a little before the attempt with the same title, description and link.
// https://developers.pinterest.com/docs/api/v5/boards-list_pins
#include "Pinterest.h"

namespace pinterest {
namespace {

constexpr long long kMarginMs = 5 * 60 * 1000;  // Pins this much before the attempt may still be its own
constexpr int kMaxPages = 3;                    // 300 Pins read at most

/// created_at in ms, 0 when unreadable. The API reference shows "2020-01-01T20:10:40-00:00"
/// (https://developers.pinterest.com/docs/api/v5/boards-list_pins); answers without a zone are UTC.
long long createdAt(std::string text) {
  if (text.size() >= 19 && text.back() != 'Z' && text.find_first_of("+-", 19) == std::string::npos) text += "Z";
  return host.parseTime(text).value_or(0);
}

}  // namespace

ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto pin = readPin(json);
    const auto attemptedAt = host.parseTime(host.requiredString(json, "/attemptedAt", 64));
    if (!attemptedAt) throw Error(MS_ERR_INVALID_INPUT, "/attemptedAt must be an RFC 3339 time");
    if (auto live = host.optionalString(json, "/resume/postIds/0", 100); live && !live->empty())
      return Json::object().field("outcome", "found").field("postId", *live).field("url", pinUrl(*live)).str();
    if (pin.boardId.empty()) throw Error(MS_ERR_INVALID_INPUT, "the request names no board");
    std::string bookmark;
    for (int page = 0; page < kMaxPages; ++page) {
      const auto r = call("GET",
                          "/v5/boards/" + host.urlEncode(pin.boardId) + "/pins?page_size=100" +
                              (bookmark.empty() ? std::string() : "&bookmark=" + host.urlEncode(bookmark)),
                          token, "boards.list_pins");
      const auto list = host.parse(r.body);
      bool older = false;
      for (size_t i = 0, n = list.count("/items"); i < n; ++i) {
        const auto at = "/items/" + std::to_string(i);
        auto field = [&](const char* name) { return list.string((at + name).c_str()).value_or(""); };
        // An unreadable created_at is no evidence that the listing went past the attempt.
        if (const auto created = createdAt(field("/created_at")); created != 0 && created < *attemptedAt - kMarginMs) {
          older = true;
          continue;
        }
        if (field("/title") != pin.title || field("/description") != pin.description) continue;
        if (!pin.link.empty() && field("/link") != pin.link) continue;
        const auto id = field("/id");
        if (!id.empty())
          return Json::object().field("outcome", "found").field("postId", id).field("url", pinUrl(id)).str();
      }
      bookmark = list.string("/bookmark").value_or("");
      if (older || bookmark.empty()) return Json::object().field("outcome", "not_found").str();
    }
    return Json::object()
        .field("outcome", "unknown")
        .field("reason", "the board has too many recent Pins to search: look for this Pin on the board")
        .str();
  });
}

}  // namespace pinterest
