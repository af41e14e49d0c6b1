// reconcile (ABI 1.2): did an upload whose last answer was lost make the video? The upload
// session knows for certain (a status query answers 200/201 with the video once it is complete,
// 308 while bytes are missing — then no video exists and a re-send finishes that session). When
// the session is gone, the channel's uploads playlist (channels.list contentDetails, then
// playlistItems.list, newest first) is searched for the title and description since the attempt.
#include "YouTube.h"

namespace youtube {
namespace {

constexpr long long kMarginMs = 5 * 60 * 1000;  // uploads this much before the attempt may still be its own
constexpr int kMaxPages = 4;                    // 200 uploads read at most

std::string unknown(const std::string& reason) {
  return Json::object().field("outcome", "unknown").field("reason", reason).str();
}
std::string notFound() { return Json::object().field("outcome", "not_found").str(); }

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
}

}  // namespace

ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto channel = host.requiredString(json, "/account/id", 100);
    const auto video = readVideo(json);
    const auto attemptedAt = host.parseTime(host.requiredString(json, "/attemptedAt", 64));
    if (!attemptedAt) throw Error(MS_ERR_INVALID_INPUT, "/attemptedAt must be an RFC 3339 time");
    if (auto live = optionalString(json, "/resume/postIds/0", 200); !live.empty())
      return Json::object()
          .field("outcome", "found")
          .field("postId", live)
          .field("url", watchUrl(live, video.shorts))
          .str();

    // 1. The session of the attempt.
    const auto session = optionalString(json, "/resume/uploadSession", 8192);
    const auto total = host.integer(json, "/resume/uploadSize").value_or(0);
    if (!session.empty() && isApiSession(session) && total > 0) {
      const auto status = querySession(session, token, total);
      if (status.result == MS_OK && (status.status == 200 || status.status == 201)) {
        const auto found = finishUpload(video, token, status);  // sets the thumbnail and playlist it had to
        const auto id = host.string(found, "/postId").value_or("");
        return Json::object()
            .field("outcome", "found")
            .field("postId", id)
            .field("url", watchUrl(id, video.shorts))
            .str();
      }
      if (status.result == MS_OK && status.status == 308) return notFound();  // bytes missing: no video yet
      if (status.result != MS_OK || (status.status != 404 && status.status != 410)) fail(status, "upload status");
    }

    // 2. The channel's uploads, newest first.
    const auto channels = call("GET", "/youtube/v3/channels?part=contentDetails&id=" + host.urlEncode(channel), token,
                               cost::list, "channels.list");
    const auto uploads = host.string(channels.body, "/items/0/contentDetails/relatedPlaylists/uploads").value_or("");
    if (uploads.empty())
      return unknown("YouTube does not show this channel's uploads playlist: check the channel for this video");
    std::string pageToken;
    for (int page = 0; page < kMaxPages; ++page) {
      const auto r = call("GET",
                          "/youtube/v3/playlistItems?part=snippet&maxResults=50&playlistId=" + host.urlEncode(uploads) +
                              (pageToken.empty() ? std::string() : "&pageToken=" + host.urlEncode(pageToken)),
                          token, cost::list, "playlistItems.list");
      const auto listing = host.parse(r.body);
      bool older = false;
      for (size_t i = 0, n = listing.count("/items"); i < n; ++i) {
        const auto at = "/items/" + std::to_string(i) + "/snippet";
        const auto published = host.parseTime(listing.string((at + "/publishedAt").c_str()).value_or("")).value_or(0);
        if (published < *attemptedAt - kMarginMs) {
          older = true;
          continue;
        }
        if (trimmed(listing.string((at + "/title").c_str()).value_or("")) != trimmed(video.title) ||
            trimmed(listing.string((at + "/description").c_str()).value_or("")) != trimmed(video.description))
          continue;
        const auto id = listing.string((at + "/resourceId/videoId").c_str()).value_or("");
        if (!id.empty())
          return Json::object()
              .field("outcome", "found")
              .field("postId", id)
              .field("url", watchUrl(id, video.shorts))
              .str();
      }
      pageToken = listing.string("/nextPageToken").value_or("");
      if (older || pageToken.empty()) return notFound();
    }
    return unknown("the channel has more uploads since the attempt than the plugin reads (" +
                   std::to_string(kMaxPages * 50) + ")");
  });
}

}  // namespace youtube
