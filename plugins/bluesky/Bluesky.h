// Pieces shared by the Bluesky plugin's files: request reading, settings, the XRPC call and the one
// mapping of XRPC errors to ABI error kinds, identity resolution, and post text (graphemes, facets,
// record keys).
#pragma once

#include <marketsage/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bluesky {

using marketsage::sdk::Document;
using marketsage::sdk::Error;
using marketsage::sdk::HttpRequest;
using marketsage::sdk::HttpResponse;
using marketsage::sdk::Issue;
using marketsage::sdk::Json;

extern marketsage::sdk::Host host;

inline constexpr const char* kPostCollection = "app.bsky.feed.post";

// ---- request reading (every failure is MS_ERR_INVALID_INPUT, before any network call) ----

/// The request parsed once; refused unless it is a JSON object.
Document objectRequest(const char* request, size_t length);
/// The string at `pointer`, "" when absent or null; another type (or too long) is refused.
std::string optionalString(const Document& json, const char* pointer, size_t maxLength = 4096);
/// A non-empty string at `pointer`.
std::string requiredString(const Document& json, const char* pointer, size_t maxLength = 4096);

/// The connection a call acts for: the session's access JWT, the account's DID and its PDS.
struct Session {
  std::string accessJwt, did, handle, pds;
};
/// accessToken, account.id (a DID) and account.metadata.pds of a request.
Session sessionOf(const Document& json);

// ---- settings ----

std::string apiBase();  ///< api_base (handle resolution, the entryway), default https://bsky.social
std::string plcBase();  ///< plc_base (did:plc documents), default https://plc.directory
std::string appBase();  ///< app_base (public post URLs), default https://bsky.app
long long integerSetting(const char* pointer, long long fallback);

// ---- XRPC ----

/// One XRPC answer: the HTTP exchange and the error body {"error","message"} when there is one.
struct Answer {
  HttpResponse http;
  bool ok = false;  ///< a 2xx answer arrived
  std::string error, message;
  int retryAfter = 0;  ///< from ratelimit-reset (unix seconds) or retry-after
};
/// GET `base`/xrpc/`nsid`?`query` with an optional bearer.
Answer xrpcGet(const std::string& base, const std::string& nsid, const std::string& query, const std::string& bearer);
/// POST `base`/xrpc/`nsid` with a JSON body (empty: no body).
Answer xrpcPost(const std::string& base, const std::string& nsid, const std::string& jsonBody,
                const std::string& bearer);
/// POST `base`/xrpc/`nsid` with a prepared request (a streamed blob).
Answer xrpcSend(const std::string& base, const std::string& nsid, HttpRequest request);
/// Throws the ABI error of a failed answer. `what` names the call for people.
[[noreturn]] void fail(const Answer& answer, const std::string& what);
/// `text` cut to a readable length.
std::string shorten(std::string text, size_t limit = 300);

// ---- identity (Accounts.cpp) ----

/// handle → DID (com.atproto.identity.resolveHandle on api_base); "" when it does not resolve.
std::string resolveHandle(const std::string& handle);
/// DID → its PDS endpoint (service #atproto_pds of the DID document) and its handle.
struct Identity {
  std::string did, pds, handle;
};
Identity resolveDid(const std::string& did);
bool isDid(std::string_view text);
bool isHandle(std::string_view text);

// ---- text (Text.cpp) ----

inline constexpr size_t kGraphemeLimit = 300;      ///< app.bsky.feed.post text maxGraphemes
inline constexpr size_t kTextBytes = 3000;         ///< app.bsky.feed.post text maxLength (UTF-8 bytes)
inline constexpr long long kImageBytes = 1000000;  ///< app.bsky.embed.images image maxSize
inline constexpr size_t kMaxImages = 4;
inline constexpr size_t kAltTextGraphemes = 2000;

bool validUtf8(std::string_view text);
/// Extended grapheme clusters of UTF-8 `text`, approximated without ICU: combining marks,
/// variation selectors, emoji modifiers, tags and ZWJ sequences join the cluster before them;
/// regional indicators pair up; CR LF is one.
size_t graphemes(std::string_view text);

/// One rich-text facet: a byte range of the text and its feature.
struct Facet {
  size_t start = 0, end = 0;  ///< UTF-8 byte offsets, end exclusive
  std::string type;           ///< "link", "mention", "tag"
  std::string value;          ///< uri, handle (mentions; resolved to a DID later) or tag without '#'
};
/// Links (http/https URLs), mentions (@handle.domain) and hashtags (#tag) of `text`.
std::vector<Facet> detectFacets(std::string_view text);

/// A TID record key: 53 bits of microseconds since the epoch, 10 bits of clock id, in the
/// base32-sortable alphabet (13 characters).
std::string tid(uint64_t micros, uint32_t clockId);
/// 10 bits of a hash of `key` (FNV-1a): the clock id of a target's record keys.
uint32_t clockIdOf(std::string_view key);
/// The parts of an at:// URI: at://<did>/<collection>/<rkey>.
struct AtUri {
  std::string did, collection, rkey;
};
std::optional<AtUri> parseAtUri(std::string_view uri);
/// The payload's "exp" of a JWT, 0 when it cannot be read.
long long jwtExpiry(std::string_view jwt);

}  // namespace bluesky
