// Analytics: each Pin's (GET /v5/pins/{pin_id}/analytics) and the board's followers
// (GET /v5/boards/{board_id}), with the user account's totals (GET /v5/user_account/analytics) as
// extra: Pinterest reports organic analytics per user, not per board, so they are not summed as
// a board's. Pinterest serves analytics of the last 90 days only: earlier start dates are moved
// up to that limit.
// https://developers.pinterest.com/docs/api/v5/pins-analytics, .../user_account-analytics
#include "Pinterest.h"

#include <algorithm>

namespace pinterest {
namespace {

constexpr const char* kMetricTypes = "IMPRESSION,SAVE,OUTBOUND_CLICK,PIN_CLICK";
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMaxDaysBack = 90;

struct Range {
  std::string start, end;
};

/// The request's dates, checked, with the start moved up to 90 days back when earlier.
Range dates(std::string_view json) {
  Range range{host.requiredString(json, "/start", 10), host.requiredString(json, "/end", 10)};
  const auto start = host.parseTime(range.start + "T00:00:00Z");
  const auto end = host.parseTime(range.end + "T00:00:00Z");
  if (!start || !end || *end < *start) throw Error(MS_ERR_INVALID_INPUT, "/start and /end must be dates, in order");
  const auto today = host.nowMs() / kDayMs * kDayMs;
  const auto earliest = today - kMaxDaysBack * kDayMs;
  if (*start < earliest) range.start = host.formatTime(std::min(earliest, *end)).substr(0, 10);
  if (*end > today) range.end = host.formatTime(std::max(today, *start)).substr(0, 10);
  return range;
}

std::string query(const Range& range) {
  return "start_date=" + range.start + "&end_date=" + range.end + "&metric_types=" + kMetricTypes;
}

long long metric(const marketsage::sdk::Document& doc, const std::string& at, const char* name) {
  return doc.integer((at + "/" + name).c_str()).value_or(0);
}

/// Standard metrics from a summary_metrics object at `at`.
Json standardMetrics(const marketsage::sdk::Document& doc, const std::string& at) {
  const auto outbound = metric(doc, at, "OUTBOUND_CLICK"), pinClicks = metric(doc, at, "PIN_CLICK");
  return Json::object()
      .field("impressions", metric(doc, at, "IMPRESSION"))
      .field("saves", metric(doc, at, "SAVE"))
      .field("clicks", outbound + pinClicks)
      .field("outboundClicks", outbound)
      .field("pinClicks", pinClicks);
}

}  // namespace

ms_status postInsights(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto range = dates(json);
    if (host.get(json, "/postIds").type != MS_JSON_ARRAY) throw Error(MS_ERR_INVALID_INPUT, "/postIds is required");
    const auto n = host.count(json, "/postIds");
    if (n > 100) throw Error(MS_ERR_INVALID_INPUT, "/postIds has more than 100 ids");
    std::vector<std::string> ids;
    for (size_t i = 0; i < n; ++i) ids.push_back(host.requiredString(json, "/postIds/" + std::to_string(i), 100));
    auto posts = Json::array();
    for (const auto& id : ids) {
      const auto r =
          send("GET", "/v5/pins/" + host.urlEncode(id) + "/analytics?" + query(range) + "&app_types=ALL", token);
      if (r.result == MS_OK && r.status == 404) continue;  // deleted since: no numbers
      if (r.result != MS_OK || r.status != 200) fail(r, "pins.analytics");
      const auto doc = host.parse(r.body);
      posts.pushRaw(Json::object().field("postId", id).raw("metrics", standardMetrics(doc, "/all/summary_metrics")));
    }
    return Json::object().raw("posts", posts).str();
  });
}

ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto board = host.requiredString(json, "/account/id", 100);
    const auto range = dates(json);
    auto metrics = Json::object();
    auto unavailable = Json::array();
    auto extra = Json::object();
    marketsage::sdk::optionalPart(unavailable, "followers", [&] {
      const auto r = call("GET", "/v5/boards/" + host.urlEncode(board), token, "boards.get");
      if (auto followers = host.integer(r.body, "/follower_count")) metrics.field("followers", *followers);
    });
    marketsage::sdk::optionalPart(unavailable, "userAccount", [&] {
      const auto r = call("GET", "/v5/user_account/analytics?" + query(range), token, "user_account.analytics");
      const auto doc = host.parse(r.body);
      extra.raw("userAccount", standardMetrics(doc, "/all/summary_metrics"));
    });
    extra.field("start", range.start).field("end", range.end);
    auto out = Json::object().raw("metrics", metrics).raw("extra", extra);
    if (!unavailable.empty()) out.raw("unavailable", unavailable);
    return out.str();
  });
}

}  // namespace pinterest
