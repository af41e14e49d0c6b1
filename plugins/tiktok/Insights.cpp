// Insights: per video, POST /v2/video/query/ (like, comment, share and view counts; scope
// video.list, at most 20 ids a call); per account, /v2/user/info/ stats fields (followers,
// likes, videos; scope user.info.stats). Both are lifetime counters: TikTok's Display API has no
// date ranges (https://developers.tiktok.com/doc/tiktok-api-v2-video-query,
// https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info).
#include "TikTok.h"

#include <map>
#include <set>

namespace tiktok {
namespace {

constexpr size_t kMaxPosts = 100, kIdsPerCall = 20;

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
    const auto text = host.optionalString(json, pointer, 10).value_or("");
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
    host.requiredString(json, "/account/id", 200);
    checkDates(json);
    const auto wanted = wantedMetrics(json);
    std::map<std::string, long long> metrics;
    auto extra = Json::object().field("lifetime", true);
    auto unavailable = Json::array();
    marketsage::sdk::optionalPart(unavailable, "followers", [&] {
      const auto r = call("GET", "/v2/user/info/?fields=open_id,follower_count,following_count,likes_count,video_count",
                          token, "user/info (stats)");
      const auto doc = host.parse(r.body);
      if (auto v = doc.integer("/data/user/follower_count")) metrics["followers"] = *v;
      if (auto v = doc.integer("/data/user/likes_count")) extra.field("likesCount", *v);
      if (auto v = doc.integer("/data/user/video_count")) extra.field("videoCount", *v);
      if (auto v = doc.integer("/data/user/following_count")) extra.field("followingCount", *v);
    });
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
      auto list = Json::array();
      for (size_t i = from; i < ids.size() && i < from + kIdsPerCall; ++i) list.push(ids[i]);
      const auto r = call("POST", "/v2/video/query/?fields=id,like_count,comment_count,share_count,view_count", token,
                          "video/query", Json::object().raw("filters", Json::object().raw("video_ids", list)).str());
      const auto doc = host.parse(r.body);
      for (size_t i = 0, n = doc.count("/data/videos"); i < n; ++i) {
        const auto at = "/data/videos/" + std::to_string(i);
        const auto id = doc.string((at + "/id").c_str()).value_or("");
        if (id.empty()) continue;
        auto& metrics = byVideo[id];
        if (auto v = doc.integer((at + "/view_count").c_str())) metrics["videoViews"] = *v;
        if (auto v = doc.integer((at + "/like_count").c_str())) metrics["likes"] = *v;
        if (auto v = doc.integer((at + "/comment_count").c_str())) metrics["comments"] = *v;
        if (auto v = doc.integer((at + "/share_count").c_str())) metrics["shares"] = *v;
      }
    }
    auto posts = Json::array();
    for (const auto& id : ids)
      if (const auto it = byVideo.find(id); it != byVideo.end())
        posts.pushRaw(Json::object().field("postId", id).raw("metrics", metricsJson(it->second, wanted)));
    return Json::object().raw("posts", posts).str();
  });
}

}  // namespace tiktok
