// Insights: per video, videos.list part=statistics (views, likes, comments); per channel,
// channels.list part=statistics (subscribers, views, videos). Both are lifetime counters: the
// Data API has no date ranges (those need the YouTube Analytics API and its own scope).
#include "YouTube.h"

#include <map>
#include <set>

namespace youtube {
namespace {

constexpr size_t kMaxPosts = 100;
constexpr size_t kIdsPerCall = 50;  // videos.list takes at most 50 ids

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

void checkDates(std::string_view json) {
  for (const char* pointer : {"/start", "/end"}) {
    const auto text = optionalString(json, pointer, 10);
    if (!text.empty() && (text.size() != 10 || text[4] != '-' || text[7] != '-'))
      throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " must be YYYY-MM-DD");
  }
}

std::string metricsJson(const std::map<std::string, long long>& metrics, const std::set<std::string>& wanted) {
  auto out = Json::object();
  for (const auto& [name, value] : metrics)
    if (wanted.empty() || wanted.count(name)) out.field(name, value);
  return out.str();
}

}  // namespace

ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto channel = host.requiredString(json, "/account/id", 100);
    checkDates(json);
    const auto wanted = wantedMetrics(json);
    const auto r = call("GET", "/youtube/v3/channels?part=statistics&id=" + host.urlEncode(channel), token, cost::list,
                        "channels.list");
    const auto doc = host.parse(r.body);
    if (doc.count("/items") == 0)
      throw Error(MS_ERR_PERMANENT, "YouTube does not know the channel " + channel, "channelNotFound");
    std::map<std::string, long long> metrics;
    auto extra = Json::object().field("lifetime", true);
    auto unavailable = Json::array();
    if (doc.get("/items/0/statistics/hiddenSubscriberCount").text == "true")
      unavailable.pushRaw(
          Json::object().field("name", "followers").field("reason", "the channel hides its subscriber count"));
    else if (auto subscribers = doc.integer("/items/0/statistics/subscriberCount"))
      metrics["followers"] = *subscribers;
    if (auto views = doc.integer("/items/0/statistics/viewCount")) {
      metrics["videoViews"] = *views;
      extra.field("viewCount", *views);
    }
    if (auto videos = doc.integer("/items/0/statistics/videoCount")) extra.field("videoCount", *videos);
    auto out = Json::object().raw("metrics", metricsJson(metrics, wanted)).raw("extra", extra);
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
      throw Error(MS_ERR_INVALID_INPUT, "/postIds must be an array of at most 100 video ids");
    std::vector<std::string> ids;
    for (size_t i = 0, n = host.count(json, "/postIds"); i < n; ++i)
      ids.push_back(host.requiredString(json, "/postIds/" + std::to_string(i), 64));
    checkDates(json);
    const auto wanted = wantedMetrics(json);
    std::map<std::string, std::map<std::string, long long>> byVideo;
    for (size_t from = 0; from < ids.size(); from += kIdsPerCall) {
      std::string list;
      for (size_t i = from; i < ids.size() && i < from + kIdsPerCall; ++i)
        list += (i > from ? "," : "") + host.urlEncode(ids[i]);
      const auto r = call("GET", "/youtube/v3/videos?part=statistics&id=" + list, token, cost::list, "videos.list");
      const auto doc = host.parse(r.body);
      for (size_t i = 0, n = doc.count("/items"); i < n; ++i) {
        const auto at = "/items/" + std::to_string(i);
        const auto id = doc.string((at + "/id").c_str()).value_or("");
        auto& metrics = byVideo[id];
        if (auto v = doc.integer((at + "/statistics/viewCount").c_str())) metrics["videoViews"] = *v;
        if (auto v = doc.integer((at + "/statistics/likeCount").c_str())) metrics["likes"] = *v;
        if (auto v = doc.integer((at + "/statistics/commentCount").c_str())) metrics["comments"] = *v;
      }
    }
    auto posts = Json::array();
    for (const auto& id : ids) {
      const auto it = byVideo.find(id);
      if (it == byVideo.end()) continue;  // deleted or private to others: no figures
      posts.pushRaw(Json::object().field("postId", id).raw("metrics", metricsJson(it->second, wanted)));
    }
    return Json::object().raw("posts", posts).str();
  });
}

}  // namespace youtube
