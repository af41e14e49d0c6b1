// Organization page insights: organizationalEntityShareStatistics (daily, Rest.li 2.0 query) and
// networkSizes for the follower count; post insights from the same statistics per share/ugcPost.
// Member analytics need LinkedIn's restricted member-analytics products: NOT_SUPPORTED.
#include "LinkedIn.h"

#include <chrono>
#include <map>
#include <set>

namespace linkedin {
namespace {

constexpr long long kDayMs = 86400000;
constexpr size_t kMaxPosts = 100;

/// The standard metric names and the share-statistics fields they come from.
struct Metric {
  const char* name;
  const char* field;
};
constexpr Metric kShareMetrics[] = {{"impressions", "impressionCount"}, {"reach", "uniqueImpressionsCount"},
                                    {"clicks", "clickCount"},           {"likes", "likeCount"},
                                    {"comments", "commentCount"},       {"shares", "shareCount"}};

using Metrics = std::map<std::string, long long>;

/// Days since 1970-01-01 of a "YYYY-MM-DD" request field.
long long epochDay(std::string_view json, const char* pointer) {
  const auto text = host.requiredString(json, pointer, 10);
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3)
    throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " must be YYYY-MM-DD");
  const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!date.ok()) throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " is not a date");
  return std::chrono::sys_days(date).time_since_epoch().count();
}

std::string isoDate(long long epochMs) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{epochMs / kDayMs}}};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()));
  return text;
}

/// The requested metric names; empty = all.
std::set<std::string> wantedMetrics(std::string_view json) {
  std::set<std::string> names;
  const auto type = host.get(json, "/metrics").type;
  if (type == MS_JSON_NONE || type == MS_JSON_NULL) return names;
  if (type != MS_JSON_ARRAY || host.get(json, "/metrics/50").present())
    throw Error(MS_ERR_INVALID_INPUT, "/metrics must be a short array");
  for (size_t i = 0, n = host.count(json, "/metrics"); i < n; ++i)
    names.insert(host.requiredString(json, "/metrics/" + std::to_string(i), 50));
  return names;
}

/// Reads totalShareStatistics at `pointer` into standard metrics, adding into `into`.
void addShareStatistics(const std::string& body, const std::string& pointer, Metrics& into) {
  for (const auto& metric : kShareMetrics)
    if (auto value = host.integer(body, (pointer + "/" + metric.field).c_str())) into[metric.name] += *value;
  into["engagement"] = into["clicks"] + into["likes"] + into["comments"] + into["shares"];
}

std::string metricsJson(const Metrics& metrics, const std::set<std::string>& wanted) {
  auto out = Json::object();
  for (const auto& [name, value] : metrics)
    if (wanted.empty() || wanted.count(name)) out.field(name, value);
  return out.str();
}

std::string organizationOf(std::string_view json) {
  auto urn = authorUrn(json);
  if (!isOrganization(urn))
    throw Error(
        MS_ERR_NOT_SUPPORTED,
        "LinkedIn gives statistics for organization pages; member analytics need a restricted LinkedIn product");
  return urn;
}

long long followers(const std::string& organization, const std::string& token) {
  const auto r =
      callApi("GET", "/rest/networkSizes/" + encodeUrn(organization) + "?edgeType=COMPANY_FOLLOWED_BY_MEMBER", token,
              "rw_organization_admin");
  return host.integer(r.body, "/firstDegreeSize").value_or(0);
}

/// Rest.li 2.0 List(...) of encoded URNs.
std::string restliList(const std::vector<std::string>& urns) {
  std::string out = "List(";
  for (size_t i = 0; i < urns.size(); ++i) out += (i ? "," : "") + encodeUrn(urns[i]);
  return out + ")";
}

}  // namespace

ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto startDay = epochDay(json, "/start"), endDay = epochDay(json, "/end");
    if (endDay < startDay) throw Error(MS_ERR_INVALID_INPUT, "/end is before /start");
    const auto wanted = wantedMetrics(json);
    const auto organization = organizationOf(json);

    // Each statistic is read on its own: one the token may not read is reported as unavailable
    // and the others still count.
    Metrics totals;
    auto daily = Json::array();
    auto unavailable = Json::array();
    std::string elements = "[]";
    marketsage::sdk::optionalPart(unavailable, "shareStatistics", [&] {
      const auto r = callApi("GET",
                             "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=" +
                                 encodeUrn(organization) +
                                 "&timeIntervals=(timeRange:(start:" + std::to_string(startDay * kDayMs) +
                                 ",end:" + std::to_string((endDay + 1) * kDayMs) + "),timeGranularityType:DAY)",
                             token, "rw_organization_admin");
      for (size_t i = 0, n = host.count(r.body, "/elements"); i < n; ++i) {
        const auto at = "/elements/" + std::to_string(i);
        Metrics day;
        addShareStatistics(r.body, at + "/totalShareStatistics", day);
        for (const auto& [name, value] : day) totals[name] += value;
        const auto dayStart = host.integer(r.body, (at + "/timeRange/start").c_str()).value_or(0);
        daily.pushRaw(Json::object().field("date", isoDate(dayStart)).raw("metrics", metricsJson(day, wanted)));
      }
      if (const auto list = host.get(r.body, "/elements"); list.type == MS_JSON_ARRAY) elements = list.text;
    });
    if (wanted.empty() || wanted.count("followers")) {
      marketsage::sdk::optionalPart(unavailable, "followers",
                                    [&] { totals["followers"] = followers(organization, token); });
    }
    auto out = Json::object()
                   .raw("metrics", metricsJson(totals, wanted))
                   .raw("daily", daily)
                   .raw("extra", Json::object().raw("shareStatistics", elements));
    if (!unavailable.empty()) out.raw("unavailable", unavailable);
    return out.str();
  });
}

ms_status postInsights(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    if (host.get(json, "/postIds").type != MS_JSON_ARRAY ||
        host.get(json, ("/postIds/" + std::to_string(kMaxPosts)).c_str()).present())
      throw Error(MS_ERR_INVALID_INPUT, "/postIds must be an array of at most 100 post URNs");
    std::vector<std::string> shares, ugcPosts, order;
    for (size_t i = 0, n = host.count(json, "/postIds"); i < n; ++i) {
      auto urn = host.requiredString(json, "/postIds/" + std::to_string(i), 200);
      if (urn.rfind("urn:li:share:", 0) == 0)
        shares.push_back(urn);
      else if (urn.rfind("urn:li:ugcPost:", 0) == 0)
        ugcPosts.push_back(urn);
      else
        throw Error(MS_ERR_INVALID_INPUT, "post ids are urn:li:share or urn:li:ugcPost URNs");
      order.push_back(urn);
    }
    const auto wanted = wantedMetrics(json);
    const auto organization = organizationOf(json);

    // Lifetime statistics of each post, one query per URN type, as the API takes them.
    std::map<std::string, Metrics> byPost;
    for (const auto& [parameter, urns] : {std::pair{"shares", &shares}, std::pair{"ugcPosts", &ugcPosts}}) {
      if (urns->empty()) continue;
      const auto field = std::string(parameter) == "shares" ? "share" : "ugcPost";
      const auto r = callApi("GET",
                             "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=" +
                                 encodeUrn(organization) + "&" + parameter + "=" + restliList(*urns),
                             token, "rw_organization_admin");
      for (size_t i = 0, n = host.count(r.body, "/elements"); i < n; ++i) {
        const auto at = "/elements/" + std::to_string(i);
        if (auto urn = host.string(r.body, (at + "/" + field).c_str()))
          addShareStatistics(r.body, at + "/totalShareStatistics", byPost[*urn]);
      }
    }
    auto posts = Json::array();
    for (const auto& urn : order)
      posts.pushRaw(Json::object().field("postId", urn).raw("metrics", metricsJson(byPost[urn], wanted)));
    return Json::object().raw("posts", posts).str();
  });
}

}  // namespace linkedin
