// Pieces shared by the TikTok plugin's files: settings, the one call to open.tiktokapis.com with
// its error mapping, and the post as TikTok's Content Posting API will receive it.
#pragma once

#include <marketsage/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tiktok {

using marketsage::sdk::Error;
using marketsage::sdk::HttpRequest;
using marketsage::sdk::HttpResponse;
using marketsage::sdk::Issue;
using marketsage::sdk::Json;

extern marketsage::sdk::Host host;

// ---- settings and request reading ----

std::string apiBase();   ///< api_base, default https://open.tiktokapis.com
std::string authBase();  ///< auth_base, default https://www.tiktok.com (the consent page only)
std::string requiredSetting(const char* pointer);  ///< MS_ERR_PERMANENT when not configured
long long integerSetting(const char* pointer, long long fallback);
uint32_t httpTimeoutMs();  ///< http_timeout_ms (0 = the host's default)
std::string accessToken(std::string_view json);
/// `text` cut to `limit` bytes without splitting a UTF-8 sequence.
std::string shorten(std::string text, size_t limit = 300);

// ---- calls ----

/// POST (or GET when `body` is empty and `get`) api_base + `path` with the bearer token and a
/// JSON body (Content-Type application/json; charset=UTF-8); whatever arrived.
HttpResponse send(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& body = {});
/// The same, throwing the mapped error unless TikTok answered 2xx with error.code "ok".
HttpResponse call(const std::string& method, const std::string& path, const std::string& token, const char* what,
                  const std::string& body = {});
/// TikTok's error.code ("ok", "access_token_invalid", "rate_limit_exceeded", …), "" when none.
std::string errorCode(const HttpResponse& r);
bool succeeded(const HttpResponse& r);
/// Throws the ABI error matching a failed TikTok answer (README "Errors"). With `creates`, the
/// call may have made a post: a lost answer or a gateway's 502/503/504 is MS_ERR_OUTCOME_UNKNOWN.
[[noreturn]] void fail(const HttpResponse& r, const std::string& what, bool creates = false);

// ---- the post (Post.cpp) ----

struct MediaItem {
  std::string id, kind, mimeType, path, url, field;
  long long size = 0;
};

/// options.tiktok and the media of a publish/validate request, checked offline.
struct Post {
  std::string content, title, privacyLevel, source = "FILE_UPLOAD";
  std::vector<MediaItem> media;
  bool photo = false;  ///< a photo post (images), else one video
  std::optional<bool> disableComment, disableDuet, disableStitch;
  bool brandContent = false, brandOrganic = false, autoAddMusic = false, aigc = false;
  long long coverTimestampMs = -1, photoCoverIndex = 0;
  std::vector<Issue> issues;
  /// The text TikTok counts against its limit: a video's title (2200), a photo's description (4000).
  size_t textUnits = 0, textLimit = 0;
};
Post readPost(std::string_view json);
/// "field: message" of the first issue.
std::string firstIssue(const Post& post);
/// UTF-16 code units of `text` (TikTok counts "UTF-16 runes").
size_t utf16Length(std::string_view text);

}  // namespace tiktok
