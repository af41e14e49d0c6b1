// Pieces shared by the YouTube plugin's files: request reading, settings, the Data API call, the
// one mapping of Google errors to ABI error kinds, and the per-project quota count.
#pragma once

#include <marketsage/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace youtube {

using marketsage::sdk::Error;
using marketsage::sdk::HttpRequest;
using marketsage::sdk::HttpResponse;
using marketsage::sdk::Json;

extern marketsage::sdk::Host host;

// ---- request reading (every failure is MS_ERR_INVALID_INPUT, before any network call) ----

/// The string at `pointer`, "" when absent or null; any other type (or too long) is refused.
std::string optionalString(std::string_view json, const char* pointer, size_t maxLength = 4096);
/// The access token of a request.
std::string accessToken(std::string_view json);

// ---- settings ----

std::string apiBase();  ///< api_base, default https://www.googleapis.com
std::string
authBase();  ///< auth_base, default https://accounts.google.com (also replaces https://oauth2.googleapis.com)
std::string requiredSetting(const char* pointer);  ///< MS_ERR_PERMANENT when not configured
long long integerSetting(const char* pointer, long long fallback);
uint32_t httpTimeoutMs();  ///< http_timeout_ms (0 = the host's default)
/// chunk_bytes rounded down to a multiple of 256 KiB, at least 256 KiB (default 8 MiB).
long long chunkBytes();

// ---- quota (Quota.cpp): units counted per Google project (client_id), reset at midnight PT ----

namespace cost {
inline constexpr int list = 1, thumbnailsSet = 50, playlistItemsInsert = 50, videosDelete = 50, search = 100;
}  // namespace cost

/// Seconds from now until the next midnight Pacific (at least 1).
int32_t secondsUntilQuotaReset();
/// Charges `units` to the project before a call goes out. When the day's budget (daily_quota)
/// cannot pay them, nothing is sent: MS_ERR_RATE_LIMITED until midnight Pacific.
void chargeQuota(int units, const char* method);
/// Counts one videos.insert before the session is opened: by default in its own bucket
/// (videos_insert_daily calls a day, 1 per call); with videos_insert_cost set (a project on the
/// older allocation), that many units of the shared budget. Throws like chargeQuota.
void chargeVideosInsert();
/// videos.insert is counted in its own bucket (videos_insert_cost not set).
bool insertHasOwnBucket();
/// Google answered quotaExceeded: the budget the call pays from (the videos.insert bucket when
/// `videosInsert` and it has one, else the shared units) is spent until the reset.
void quotaExhausted(bool videosInsert = false);
/// {"usedUnits", "dailyLimit", "videosInsert"?: {"usedCalls", "dailyLimit"}, "resetsAt"} of the project.
std::string quotaJson();

// ---- calls ----

/// Sends one request to api_base + `path` (or to `absoluteUrl` when it starts with http) with
/// the bearer token; answers whatever arrived. `jsonBody` sets Content-Type application/json.
HttpResponse send(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& jsonBody = {}, std::vector<std::pair<std::string, std::string>> headers = {});
/// The same, charging `units` first and throwing the mapped error unless 2xx.
HttpResponse call(const std::string& method, const std::string& path, const std::string& token, int units,
                  const char* what, const std::string& jsonBody = {});
/// Google's error reason (error.errors[0].reason), "" when none.
std::string errorReason(const HttpResponse& r);
/// Throws the ABI error matching a failed Google answer (see README "Errors").
[[noreturn]] void fail(const HttpResponse& response, const std::string& what);
/// `text` cut to `limit` bytes without splitting a UTF-8 sequence.
std::string shorten(std::string text, size_t limit = 300);
std::string watchUrl(const std::string& videoId, bool shorts);

// ---- posts (Video.cpp) ----

struct MediaItem {
  std::string id, kind, mimeType, path, field;
  long long size = 0, width = 0, height = 0;
  double durationSeconds = 0;
};
using marketsage::sdk::Issue;
inline constexpr size_t kMaxDescriptionBytes = 5000;  ///< snippet.description
/// A publish/validate request as YouTube will receive it.
struct Video {
  std::string content, link;
  std::vector<MediaItem> media;
  int videoIndex = -1, thumbnailIndex = -1;  ///< into media
  std::string title, description, categoryId = "22", privacyStatus = "public", publishAt, playlistId, thumbnailId;
  std::vector<std::string> tags;
  std::optional<bool> madeForKids;
  bool shorts = false, privacyGiven = false, hasThread = false;
  int64_t publishAtMs = 0;
  std::vector<Issue> issues;  ///< everything YouTube would refuse (empty = publishable)
  const MediaItem& video() const { return media[static_cast<size_t>(videoIndex)]; }
  /// snippet.description as YouTube counts it: bytes (UTF-8), at most kMaxDescriptionBytes.
  size_t descriptionBytes() const { return description.size(); }
};
/// Reads and checks a Post (wrong shapes are MS_ERR_INVALID_INPUT; limits go to `issues`).
Video readVideo(std::string_view json);
/// The video resource of videos.insert: {"snippet": …, "status": …}.
std::string videoResource(const Video& video);
/// The thing a human reads first: "field: message" of the first issue.
std::string firstIssue(const Video& video);

// ---- uploads (Publish.cpp) ----

/// Whether `uri` is a resumable session of api_base (a resume field is never trusted further).
bool isApiSession(const std::string& uri);
/// Asks a resumable session how much it has: an empty PUT with Content-Range: bytes */N.
HttpResponse querySession(const std::string& session, const std::string& token, long long total);
/// The first byte the session still needs, from a 308's Range header (bytes=0-x → x+1; none → 0).
long long nextByte(const HttpResponse& r);
/// The reply of a finished upload (postId, url, extra), after the thumbnail and the playlist.
std::string finishUpload(const Video& video, const std::string& token, const HttpResponse& done);

}  // namespace youtube
