// Pieces shared by the LinkedIn plugin's files: request reading, settings, the REST call with
// LinkedIn's mandatory headers, and the one mapping of LinkedIn errors to ABI error kinds.
#pragma once

#include <marketsage/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace linkedin {

using marketsage::sdk::Error;
using marketsage::sdk::HttpRequest;
using marketsage::sdk::HttpResponse;
using marketsage::sdk::Json;

extern marketsage::sdk::Host host;

// ---- request reading (every failure is MS_ERR_INVALID_INPUT, before any network call) ----

/// The string at `pointer`, "" when absent; present but not a string (or too long) is refused.
std::string optionalString(std::string_view json, const char* pointer, size_t maxLength = 4096);
/// The access token of a request.
std::string accessToken(std::string_view json);
/// account.id of a request: a member or organization URN.
std::string authorUrn(std::string_view json);
bool isOrganization(std::string_view urn);

// ---- settings ----

std::string apiBase();                             ///< api_base, default https://api.linkedin.com
std::string authBase();                            ///< auth_base, default https://www.linkedin.com
std::string requiredSetting(const char* pointer);  ///< MS_ERR_PERMANENT when not configured

// ---- calls ----

/// One call to LinkedIn's API at api_base + `path`. /rest/ paths carry LinkedIn-Version and
/// X-Restli-Protocol-Version. Answers the response when it is 2xx, otherwise throws the mapped
/// error; `permission` is the scope the call needs, named when LinkedIn answers 403.
HttpResponse callApi(const std::string& method, const std::string& path, const std::string& token,
                     const std::string& permission, const std::string& jsonBody = {});
/// The same call answering whatever arrived, for callers that classify failures themselves;
/// `headers` are added to the usual ones.
HttpResponse sendApi(const std::string& method, const std::string& path, const std::string& token,
                     const std::string& jsonBody = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
/// http_timeout_ms: the network timeout of every call (0 = the host's default).
uint32_t httpTimeoutMs();
/// The scope that lets `authorUrn` post: w_organization_social or w_member_social.
std::string writePermission(const std::string& authorUrn);
/// Throws the ABI error matching a failed LinkedIn answer (see README "Errors").
[[noreturn]] void fail(const HttpResponse& response, const std::string& permission);
/// The public URL of a post: https://www.linkedin.com/feed/update/{urn}/
std::string postUrl(const std::string& urn);
/// A URN percent-encoded as one path segment or query value.
std::string encodeUrn(std::string_view urn);
/// Seconds before media LinkedIn is processing are looked at again: poll_interval_ms (default
/// 2000), at least 1 s.
int pollSeconds();
/// How long LinkedIn may process media before the plugin gives up: upload_timeout_seconds (600).
long long uploadTimeoutMs();

// ---- content (PostContent.cpp) ----

struct MediaItem {
  std::string kind, mimeType, path, altText, platformMediaId, field;
  std::string hostId;  ///< the host's media id ("id"), when the request gives one
  long long size = 0, width = 0, height = 0;
  double durationSeconds = 0;
};
struct Post {
  std::string content, link, title, description, visibility = "PUBLIC";
  std::vector<MediaItem> media;
  bool hasThread = false, scheduled = false;
};
using marketsage::sdk::Issue;
/// Reads the Post of a publish/validate request; wrong shapes are MS_ERR_INVALID_INPUT.
Post readPost(std::string_view json);
/// The commentary as LinkedIn counts it: characters (code points) against 3000.
struct TextLength {
  size_t used = 0, limit = 0;
};
TextLength commentaryLength(const Post& post);
/// Everything LinkedIn would refuse about `post` (empty = publishable).
std::vector<Issue> checkPost(const Post& post);
/// Appends what LinkedIn would refuse about one media file to `issues`.
void checkMedia(const MediaItem& media, std::vector<Issue>& issues);
/// `text` with the little-text reserved characters backslash-escaped, as the Posts API requires.
std::string escapeLittleText(std::string_view text);
/// Reads one Media object at `pointer` (upload requests use "").
MediaItem readMedia(std::string_view json, const std::string& pointer);

// ---- media (Media.cpp) ----

/// The stage shown while LinkedIn processes media (a pending reply's "stage").
inline constexpr const char* kProcessingStage = "LinkedIn is processing the media";

struct UploadedMedia {
  std::string urn;     ///< urn:li:image|video|document
  bool ready = false;  ///< AVAILABLE already; otherwise LinkedIn is still processing it
};
/// Uploads one file for `ownerUrn` through the Images, Videos or Documents API and asks its
/// status once, without waiting for LinkedIn's processing.
UploadedMedia uploadMedia(const MediaItem& media, const std::string& ownerUrn, const std::string& token);
/// Whether LinkedIn has `urn` AVAILABLE (GET /rest/{images|videos|documents}/{urn});
/// PROCESSING_FAILED is MS_ERR_PERMANENT with LinkedIn's reason.
bool mediaReady(const MediaItem& media, const std::string& urn, const std::string& ownerUrn, const std::string& token);
/// The URN of a media item uploaded by an earlier call, "" when none: its platformMediaId (the
/// host uploaded it), else resume.media[mediaKey(media)] (an earlier publish call did).
std::string knownMediaUrn(std::string_view request, const MediaItem& media);
/// The key of a media item in resume.media: the host's media id, else its JSON pointer.
std::string mediaKey(const MediaItem& media);

}  // namespace linkedin
