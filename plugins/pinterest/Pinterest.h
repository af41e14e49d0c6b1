// Pieces shared by the Pinterest plugin's files: settings, the API v5 call, the one mapping of
// Pinterest's errors to ABI error kinds, and the Pin a post becomes.
#pragma once

#include <marketsage/plugin.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pinterest {

using marketsage::sdk::Error;
using marketsage::sdk::HttpRequest;
using marketsage::sdk::HttpResponse;
using marketsage::sdk::Issue;
using marketsage::sdk::Json;

extern marketsage::sdk::Host host;

// ---- settings and request reading ----

std::string apiBase();   ///< api_base, default https://api.pinterest.com (the API and /v5/oauth/token)
std::string authBase();  ///< auth_base, default https://www.pinterest.com (the consent page /oauth/)
std::string requiredSetting(const char* pointer);  ///< MS_ERR_PERMANENT when not configured
uint32_t httpTimeoutMs();                          ///< http_timeout_ms (0 = the host's default)
std::string accessToken(std::string_view json);    ///< the request's accessToken (required)
std::string pinUrl(const std::string& pinId);      ///< https://www.pinterest.com/pin/<id>/
/// `text` cut to `limit` bytes without splitting a UTF-8 sequence.
std::string shorten(std::string text, size_t limit = 300);

// ---- calls ----

/// One request to api_base + `path` with the bearer token; `jsonBody` sets Content-Type
/// application/json. Answers whatever arrived.
HttpResponse send(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& jsonBody = {});
/// The same, throwing the mapped error unless 2xx.
HttpResponse call(const std::string& method, const std::string& path, const std::string& token, const char* what,
                  const std::string& jsonBody = {});
/// Seconds to wait after a 429: Retry-After, else x-ratelimit-reset, else 60.
int32_t retryAfter(const HttpResponse& r);
/// Throws the ABI error matching a failed Pinterest answer ({"code", "message"}; README "Errors").
[[noreturn]] void fail(const HttpResponse& response, const std::string& what);

// ---- the Pin a post becomes (Pin.cpp) ----

inline constexpr size_t kTitleLimit = 100, kDescriptionLimit = 500, kAltTextLimit = 500, kLinkLimit = 2048;
inline constexpr size_t kMaxCarouselImages = 5;

struct MediaItem {
  std::string id, kind, mimeType, path, url, altText;
  long long size = 0;
};
struct Pin {
  std::string boardId, title, description, link, altText, coverImageUrl, boardSectionId;
  std::vector<MediaItem> images;
  MediaItem video;
  bool hasVideo = false;
  long long keyFrameSeconds = -1;  ///< cover_image_key_frame_time (-1: not given)
  std::vector<Issue> issues;       ///< everything Pinterest would refuse (empty = publishable)
  size_t descriptionLength = 0;    ///< characters (code points) of description
};
/// Reads and checks a Post (wrong shapes are MS_ERR_INVALID_INPUT; limits go to `issues`).
Pin readPin(std::string_view json);
/// POST /v5/pins body; `mediaId` for a video Pin.
std::string pinBody(const Pin& pin, const std::string& mediaId = {});
/// "field: message" of every issue, joined.
std::string issuesText(const Pin& pin);

}  // namespace pinterest
