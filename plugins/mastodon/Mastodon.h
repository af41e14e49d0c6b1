// Shared by every capability of the Mastodon plugin: the instance's URLs and limits, HTTP, the
// one place where Mastodon's answers become ABI error kinds, and every capability function.
#pragma once

#include <marketsage/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mastodon {

namespace sdk = marketsage::sdk;
using sdk::Error;

/// The host table, set once by init() and only read afterwards.
extern sdk::Host host;

/// Granular scopes asked for when the host names none (docs.joinmastodon.org/api/oauth-scopes).
inline constexpr const char* defaultScopes = "write:statuses write:media read:accounts read:statuses";

// ---- Settings. There is no default instance: api_base / auth_base come from the registered app
// ("app" of the request) or from the plugin's settings.

std::string apiBase();   ///< the instance, e.g. https://mastodon.social; MS_ERR_PERMANENT "no instance"
std::string authBase();  ///< auth_base, default = api_base (Mastodon serves /oauth on the instance)
/// "https://mastodon.social/" → "https://mastodon.social"; MS_ERR_INVALID_INPUT unless http(s)
/// scheme + host[:port] with no path, query or credentials.
std::string instanceUrl(std::string_view text);
/// The host part of an instance URL ("mastodon.social"), for @user@host names.
std::string instanceHost(const std::string& base);

/// The instance's limits: /api/v2/instance configuration (docs.joinmastodon.org/methods/instance).
struct Limits {
  long long maxCharacters = 500, maxMediaAttachments = 4, charactersPerUrl = 23;
  long long imageSizeLimit = 16 * 1024 * 1024, videoSizeLimit = 99 * 1024 * 1024;
  long long pollMaxOptions = 4, pollMaxCharactersPerOption = 50, pollMinExpiration = 300, pollMaxExpiration = 2629746;
  std::vector<std::string> mimeTypes;  ///< supported_mime_types; empty = unknown (not checked)
};
/// The instance's limits, read from GET /api/v2/instance at most once an hour per instance.
Limits instanceLimits();
/// What is known without a network call (validate): the last limits read for this instance by
/// this process, else Mastodon's defaults.
Limits knownLimits();

// ---- HTTP

void initApi();    ///< init(): the limits cache
void deinitApi();  ///< deinit()

/// A request to the instance, with the bearer token when given.
sdk::HttpRequest apiRequest(const std::string& method, const std::string& url, const std::string& token);
/// Sends `request` (http_timeout_ms setting when it names none) and answers whatever arrived.
sdk::HttpResponse exchange(sdk::HttpRequest request);
/// Sends `request` and answers it when 2xx; throws the mapped Error otherwise.
sdk::HttpResponse send(const sdk::HttpRequest& request);
/// Maps a failed exchange to the ABI's kinds (README, "Errors").
[[noreturn]] void fail(const sdk::HttpResponse& response);
/// Seconds until X-RateLimit-Reset (an ISO 8601 time), at least 1; 0 when absent.
int32_t resetSeconds(const sdk::HttpResponse& response);
/// Mastodon's own words: {"error": "…", "error_description"?: "…"}, else "HTTP <status>".
std::string errorText(const sdk::HttpResponse& response);

// ---- Requests

std::string accessToken(std::string_view json);
/// A Mastodon id (statuses, accounts, media): 1 to 32 characters of [0-9A-Za-z_-] (snowflakes
/// on Mastodon, other ids on compatible servers).
std::string requiredId(std::string_view json, const std::string& pointer);
bool isId(std::string_view text);
std::vector<std::string> stringArray(std::string_view json, const std::string& pointer, size_t maxItems);

// ---- Posts (Content.cpp)

struct Poll {
  std::vector<std::string> options;
  long long expiresIn = 86400;
  bool multiple = false, hideTotals = false;
};
struct Post {
  std::vector<std::string> parts;  ///< the status text, then each thread part's
  struct Media {
    std::string hostId, platformId, kind, mimeType, path, altText;
    long long size = 0;
  };
  std::vector<Media> media;  ///< of the first status
  std::string visibility, spoilerText, language, inReplyToId;
  bool sensitive = false;
  std::optional<Poll> poll;
};
/// The request's post; MS_ERR_INVALID_INPUT when wrongly shaped.
Post parsePost(std::string_view json);
/// Characters Mastodon counts for `text` (URLs as charactersPerUrl, @user@domain as @user).
long long countCharacters(std::string_view text, const Limits& limits);
/// Every limit `post` breaks.
std::vector<sdk::Issue> checkLimits(const Post& post, const Limits& limits);

// ---- Capabilities

ms_status registerApp(const char* request, size_t length, const ms_reply* reply);
ms_status authorizeUrl(const char* request, size_t length, const ms_reply* reply);
ms_status exchangeCode(const char* request, size_t length, const ms_reply* reply);
ms_status revoke(const char* request, size_t length, const ms_reply* reply);
ms_status listAccounts(const char* request, size_t length, const ms_reply* reply);
ms_status checkToken(const char* request, size_t length, const ms_reply* reply);
ms_status accountInsights(const char* request, size_t length, const ms_reply* reply);
ms_status validate(const char* request, size_t length, const ms_reply* reply);
ms_status publish(const char* request, size_t length, const ms_reply* reply);
ms_status uploadMedia(const char* request, size_t length, const ms_reply* reply);
ms_status deletePost(const char* request, size_t length, const ms_reply* reply);
ms_status postInsights(const char* request, size_t length, const ms_reply* reply);
ms_status reconcile(const char* request, size_t length, const ms_reply* reply);
ms_status apiVersion(const char* request, size_t length, const ms_reply* reply);

}  // namespace mastodon
