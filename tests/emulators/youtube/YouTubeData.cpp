// The Data API resources the plugin reads and writes: channels.list, videos.list, videos.delete,
// playlistItems.insert and playlistItems.list (the channel's uploads playlist, newest first).
#include "YouTubeState.h"

#include <Poco/URI.h>

#include <algorithm>

namespace emulators {
namespace {

constexpr const char* kForceSsl = "https://www.googleapis.com/auth/youtube.force-ssl";

std::map<std::string, std::string> queryOf(const Request& request) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) out[key] = value;
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (const char c : text + ",") {
    if (c == ',') {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  return out;
}

std::string uploadsPlaylistOf(const std::string& channel) {
  return "UU" + channel.substr(std::min<size_t>(2, channel.size()));
}

}  // namespace

void YouTubeApi::State::data(Request& request, Response& response, const std::set<std::string>& scopes,
                             const std::string& path) {
  const auto method = request.getMethod();
  const auto body = marketsage::test::readBody(request);
  auto query = queryOf(request);
  std::lock_guard lock(mutex);
  const bool canRead = hasAny(scopes, {scopeYoutube, scopeReadonly, kForceSsl});
  const bool canWrite = hasAny(scopes, {scopeYoutube, kForceSsl});
  const auto insufficient = [&] {
    sendGoogleError(response, 403, "insufficientPermissions", "Request had insufficient authentication scopes.",
                    "global");
  };
  const auto list = [&](json::array items, const std::string& kind) {
    json::object out{{"kind", kind},
                     {"etag", "etag"},
                     {"pageInfo", json::object{{"totalResults", items.size()}, {"resultsPerPage", items.size()}}}};
    out["items"] = std::move(items);
    marketsage::test::sendJson(response, 200, json::serialize(out));
  };

  if (path == "/youtube/v3/channels" && method == "GET") {
    if (!canRead) return insufficient();
    if (query["part"].empty()) return sendGoogleError(response, 400, "required", "Required parameter: part", "global");
    if (!charge(response, 1)) return;
    const auto parts = query["part"];
    json::array items;
    for (const auto& c : channels) {
      const bool wanted = query["mine"] == "true" ? &c == ownChannel() : query["id"] == c.id;
      if (!wanted) continue;
      json::object item{{"kind", "youtube#channel"}, {"etag", "etag-" + c.id}, {"id", c.id}};
      if (parts.find("snippet") != std::string::npos)
        item["snippet"] = json::object{
            {"title", c.title},
            {"description", ""},
            {"customUrl", c.handle},
            {"publishedAt", "2015-03-01T10:00:00Z"},
            {"thumbnails", json::object{{"default", json::object{{"url", "https://yt3.ggpht.com/" + c.id + "=s88"},
                                                                 {"width", 88},
                                                                 {"height", 88}}}}}};
      if (parts.find("statistics") != std::string::npos) {
        long long count = 0;
        for (const auto& [id, stored] : videos)
          if (!stored.video.id.empty() && stored.video.channelId == c.id && !stored.video.deleted) ++count;
        json::object statistics{{"viewCount", std::to_string(c.views)},
                                {"hiddenSubscriberCount", c.hiddenSubscribers},
                                {"videoCount", std::to_string(c.videos + count)}};
        if (!c.hiddenSubscribers) statistics["subscriberCount"] = std::to_string(c.subscribers);
        item["statistics"] = statistics;
      }
      if (parts.find("contentDetails") != std::string::npos)
        item["contentDetails"] =
            json::object{{"relatedPlaylists", json::object{{"likes", ""}, {"uploads", uploadsPlaylistOf(c.id)}}}};
      items.push_back(item);
    }
    return list(items, "youtube#channelListResponse");
  }
  if (path == "/youtube/v3/videos" && method == "GET") {
    if (!canRead) return insufficient();
    if (query["part"].empty() || query["id"].empty())
      return sendGoogleError(response, 400, "required", "Required parameter: part, id", "global");
    const auto ids = split(query["id"]);
    if (ids.size() > 50)
      return sendGoogleError(response, 400, "invalidParameter", "Too many ids (at most 50)", "youtube.parameter");
    if (!charge(response, 1)) return;
    json::array items;
    for (const auto& id : ids)
      if (auto it = videos.find(id); it != videos.end() && !it->second.video.id.empty() && !it->second.video.deleted)
        items.push_back(resourceOf(it->second, query["part"]));
    return list(items, "youtube#videoListResponse");
  }
  if (path == "/youtube/v3/videos" && method == "DELETE") {
    if (!canWrite) return insufficient();
    if (query["id"].empty()) return sendGoogleError(response, 400, "required", "Required parameter: id", "global");
    if (!charge(response, 50)) return;
    const auto it = videos.find(query["id"]);
    if (it == videos.end() || it->second.video.id.empty() || it->second.video.deleted)
      return sendGoogleError(response, 404, "videoNotFound", "The video that you are trying to delete cannot be found.",
                             "youtube.video");
    if (!ownChannel() || it->second.video.channelId != ownChannel()->id)
      return sendGoogleError(response, 403, "forbidden", "The video that you are trying to delete cannot be deleted.",
                             "youtube.video");
    it->second.video.deleted = true;
    response.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
    response.setContentLength(0);
    response.send().flush();
    return;
  }
  if (path == "/youtube/v3/playlistItems" && method == "POST") {
    if (!canWrite) return insufficient();
    if (query["part"].find("snippet") == std::string::npos)
      return sendGoogleError(response, 400, "required", "Required parameter: part", "global");
    if (request.getContentType().rfind("application/json", 0) != 0)
      return sendGoogleError(response, 400, "parseError", "The request body must be JSON", "global");
    boost::system::error_code error;
    const auto parsed = json::parse(body, error);
    const auto* snippet = !error && parsed.is_object() ? parsed.as_object().if_contains("snippet") : nullptr;
    if (!snippet || !snippet->is_object()) return sendGoogleError(response, 400, "parseError", "Parse Error", "global");
    const auto& s = snippet->as_object();
    const auto playlist =
        s.contains("playlistId") && s.at("playlistId").is_string() ? std::string(s.at("playlistId").as_string()) : "";
    const auto* resource = s.if_contains("resourceId");
    const auto videoId = resource && resource->is_object() && resource->as_object().contains("videoId")
                             ? std::string(resource->as_object().at("videoId").as_string())
                             : std::string();
    if (!charge(response, 50)) return;
    if (!playlists.count(playlist))
      return sendGoogleError(response, 404, "playlistNotFound",
                             "The playlist identified with the request's playlistId parameter cannot be found.",
                             "youtube.playlistItem");
    const auto it = videos.find(videoId);
    if (it == videos.end() || it->second.video.id.empty())
      return sendGoogleError(response, 404, "videoNotFound", "The video that you are trying to add cannot be found.",
                             "youtube.playlistItem");
    it->second.video.playlists.push_back(playlist);
    return marketsage::test::sendJson(
        response, 200,
        json::serialize(json::object{
            {"kind", "youtube#playlistItem"},
            {"id", "PLI" + playlist + "." + videoId},
            {"snippet", json::object{{"playlistId", playlist},
                                     {"resourceId", json::object{{"kind", "youtube#video"}, {"videoId", videoId}}}}}}));
  }
  if (path == "/youtube/v3/playlistItems" && method == "GET") {
    if (!canRead) return insufficient();
    if (!charge(response, 1)) return;
    const auto playlist = query["playlistId"];
    const Channel* owner = nullptr;
    for (const auto& c : channels)
      if (uploadsPlaylistOf(c.id) == playlist) owner = &c;
    if (!owner)
      return sendGoogleError(response, 404, "playlistNotFound",
                             "The playlist identified with the request's playlistId parameter cannot be found.",
                             "youtube.playlistItem");
    const size_t pageSize = std::clamp(query["maxResults"].empty() ? 5 : std::stoi(query["maxResults"]), 0, 50);
    const size_t from = query["pageToken"].empty() ? 0 : std::stoul(query["pageToken"].substr(1));
    std::vector<const StoredVideo*> uploads;  // newest first
    for (auto id = videoOrder.rbegin(); id != videoOrder.rend(); ++id) {
      const auto& stored = videos.at(*id);
      if (stored.video.channelId == owner->id && !stored.video.deleted) uploads.push_back(&stored);
    }
    json::array items;
    for (size_t i = from; i < uploads.size() && i < from + pageSize; ++i) {
      const auto& v = uploads[i]->video;
      items.push_back(json::object{
          {"kind", "youtube#playlistItem"},
          {"id", "UUI" + v.id},
          {"snippet", json::object{{"publishedAt", isoTime(v.createdAtMs)},
                                   {"channelId", v.channelId},
                                   {"title", v.title},
                                   {"description", v.description},
                                   {"playlistId", playlist},
                                   {"position", i},
                                   {"resourceId", json::object{{"kind", "youtube#video"}, {"videoId", v.id}}}}}});
    }
    json::object out{{"kind", "youtube#playlistItemListResponse"},
                     {"items", items},
                     {"pageInfo", json::object{{"totalResults", uploads.size()}, {"resultsPerPage", pageSize}}}};
    if (from + pageSize < uploads.size()) out["nextPageToken"] = "P" + std::to_string(from + pageSize);
    return marketsage::test::sendJson(response, 200, json::serialize(out));
  }
  sendGoogleError(response, 404, "notFound", "Not Found", "global");
}

}  // namespace emulators
