// Shared by every capability of the X plugin: request parsing, settings, and the one place where
// X's HTTP answers become ABI error kinds.
#pragma once

#include <marketsage/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twitter {

namespace sdk = marketsage::sdk;
using sdk::Error;

/// The host table, set once by init() and only read afterwards.
extern sdk::Host host;

/// Scopes asked for when the host does not name any (docs.x.com OAuth 2.0 scopes).
inline constexpr const char* defaultScopes = "tweet.read tweet.write users.read offline.access media.write";

// ---- Request parsing: everything is refused with MS_ERR_INVALID_INPUT before any network call.

/// The access token of a request ("/accessToken").
std::string accessToken(std::string_view json);
/// An X id (tweet, user, media): 1 to 19 digits, as the API's path patterns require.
std::string requiredId(std::string_view json, const std::string& pointer);
bool isXId(std::string_view text);
/// The strings of an optional array (absent = empty); refuses non-string items and more than `maxItems`.
std::vector<std::string> stringArray(std::string_view json, const std::string& pointer, size_t maxItems);

// ---- Settings: the real URLs are only defaults.

std::string apiBase();     ///< api_base, default https://api.x.com
std::string authBase();    ///< auth_base, default https://x.com (consent page /i/oauth2/authorize)
std::string uploadBase();  ///< upload_base, default = api_base (v2 media endpoints live on api.x.com)

// ---- HTTP

/// An authenticated request to the API, not sent yet: the bearer token, and the JSON body when given.
sdk::HttpRequest apiRequest(const std::string& method, const std::string& url, const std::string& token,
                            const std::string& jsonBody);
/// One authenticated call to the API. `scope` is the OAuth scope the endpoint needs, named in
/// the error when X refuses the token's permissions. Answers 2xx responses; throws otherwise.
sdk::HttpResponse apiCall(const std::string& method, const std::string& url, const std::string& token,
                          const std::string& jsonBody, const char* scope);
/// Sends `request` (with the http_timeout_ms setting when it names none) and answers whatever
/// arrived, for callers that classify failures themselves.
sdk::HttpResponse exchange(sdk::HttpRequest request);
/// Sends `request` and answers it when 2xx; throws the mapped Error otherwise.
sdk::HttpResponse send(const sdk::HttpRequest& request, const char* scope);
/// Maps a failed exchange to the ABI's kinds (see README, "Errors").
[[noreturn]] void fail(const sdk::HttpResponse& response, const char* scope);

/// The public URL of post `id` of the request's account (https://x.com/<username>/status/<id>;
/// X's id-only form when the account carries no username).
std::string postUrl(std::string_view json, const std::string& id);

/// `items` as a JSON array of strings.
sdk::Json jsonList(const std::vector<std::string>& items);

/// `epochSeconds` as RFC 3339 UTC ("2026-12-25T10:00:00Z").
std::string rfc3339(long long epochSeconds);
/// Now, in seconds since the epoch, from the host's clock.
long long nowSeconds();

}  // namespace twitter
