/*
 * MarketSage Social Host — platform plugin ABI, version 1.4 (1.0 to 1.3 plugins load unchanged).
 *
 * This header is the whole contract between the host and a platform plugin. It compiles as C99
 * and as C++ and needs nothing but the C standard library. A plugin is one shared library that
 * exports exactly one symbol, `marketsage_plugin_entry` (see ms_plugin_entry), built for example
 * with:
 *
 *     gcc -std=c99 -Wall -Werror -shared -fPIC -fvisibility=hidden -I plugin-api my_plugin.c -o libmy.so
 *
 * Rules that hold for every function in this file (stated once, CLAP style):
 *
 *  - Strings. `const char *` parameters are NUL-terminated UTF-8, owned by the caller and valid
 *    only for the duration of the call; copy what you need to keep. JSON payloads travel as
 *    (pointer, length) pairs of UTF-8 text, not NUL-terminated.
 *  - Output. Nobody returns memory. Whoever receives bytes hands the producer a sink
 *    (ms_sink / ms_reply) and the producer writes into it, so the host's and the plugin's
 *    allocators never mix and nobody frees the other side's memory.
 *  - Sizes. Every struct that crosses the boundary starts with `struct_size` (the entry starts
 *    with the ABI version, then its size), set by whoever fills the struct to sizeof() as
 *    compiled by them. Fields are only ever appended. A reader copies min(struct_size, sizeof)
 *    into a zeroed local (ms_struct_copy) or tests a field with MS_HAS_FIELD before touching
 *    it, and treats a missing field as absent/zero/NULL.
 *  - Versions. The host loads a plugin built against ABI major.minor when major is equal and
 *    minor is lower or equal (ms_abi_compatible): a 1.0 plugin works in every 1.y host.
 *  - Errors. Functions that can fail return an ms_status: MS_OK (0) or a negative MS_ERR_* kind.
 *  - No C++ exception, longjmp or abort may leave a plugin function. The host catches what it
 *    can, but a plugin that lets one escape fails `marketsage plugins check`.
 *  - Threads. Every function carries a tag:
 *      [main-thread]  called by the host while no other call into this plugin is running;
 *      [thread-safe]  may be called from any thread, concurrently with itself and with every
 *                     other [thread-safe] function (the host serves requests on a thread pool).
 */
#ifndef MARKETSAGE_PLUGIN_H
#define MARKETSAGE_PLUGIN_H

/* A C header (plain C plugins include it too): typedef, <stdint.h>, NULL and (void) must stay.
   NOLINTBEGIN(modernize-use-using,modernize-deprecated-headers,modernize-use-nullptr,modernize-redundant-void-arg) */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Versions                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/// ABI version this header describes. Bump MINOR when fields, functions or extensions are
/// appended; MAJOR only for an incompatible change (never planned).
#define MS_ABI_VERSION_MAJOR 1
#define MS_ABI_VERSION_MINOR 4

/// Name of the one symbol a plugin exports.
#define MS_PLUGIN_ENTRY_SYMBOL "marketsage_plugin_entry"

/// Marks the entry symbol as exported even when the plugin is built with -fvisibility=hidden.
#if defined(_WIN32)
#define MS_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define MS_EXPORT __attribute__((visibility("default")))
#else
#define MS_EXPORT
#endif

/// True when a host implementing ABI host_major.host_minor can load a plugin built against
/// plugin_major.plugin_minor: same major, plugin minor not newer than the host's.
/// The one and only version check; host and plugin both call it.
static inline int ms_abi_compatible(uint32_t host_major, uint32_t host_minor, uint32_t plugin_major,
                                    uint32_t plugin_minor) {
  return plugin_major == host_major && plugin_minor <= host_minor;
}

/// True when the struct at `ptr` (whose first field is `uint32_t struct_size`) is large enough to
/// contain `field` of `type`. Use before reading any field added after ABI 1.0.
#ifdef __cplusplus
#define MS_HAS_FIELD(ptr, type, field) \
  ((ptr) != nullptr && (ptr)->struct_size >= offsetof(type, field) + sizeof(type::field))
#else
#define MS_HAS_FIELD(ptr, type, field) \
  ((ptr) != NULL && (ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))
#endif

/// Copies a sized struct received from the other side into `dst` (a local of `dst_size` bytes):
/// zeroes `dst`, then copies min(src->struct_size, dst_size) bytes, so fields the sender does not
/// know stay zero/NULL. `src` must start with `uint32_t struct_size`; NULL leaves `dst` zeroed.
/// Returns the number of bytes copied.
static inline size_t ms_struct_copy(void* dst, size_t dst_size, const void* src) {
  uint32_t src_size = 0;
  size_t n = 0;
  memset(dst, 0, dst_size);
  if (src != NULL) {
    memcpy(&src_size, src, sizeof src_size);
    n = src_size;
    if (n > dst_size) n = dst_size;
    memcpy(dst, src, n);
  }
  return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Status codes: the one error model                                                           */
/* ------------------------------------------------------------------------------------------ */

/// Result of every fallible call. The host maps each kind to its HTTP answer, its retry policy and
/// the connection's health. Any other value is a plugin bug: the host logs it and treats the call
/// as a non-retryable failure.
typedef int32_t ms_status;

enum {
  MS_OK = 0,                   ///< Success; the reply holds the documented JSON.
  MS_ERR_INVALID_INPUT = -1,   ///< The request is malformed or the content breaks platform limits.
                               ///< Not retried. Always the answer to empty/invalid/oversized input.
  MS_ERR_AUTH_EXPIRED = -2,    ///< The token expired; the host refreshes it (if it can) and retries.
  MS_ERR_AUTH_INVALID = -3,    ///< The token is revoked/invalid or lacks a scope; the user must
                               ///< reconnect. Not retried.
  MS_ERR_RATE_LIMITED = -4,    ///< The platform throttled us; give retry_after_seconds in the
                               ///< error details (0 = unknown). Retried after that delay.
  MS_ERR_TRANSIENT = -5,       ///< Network failure, timeout, 5xx: retried with backoff.
  MS_ERR_PERMANENT = -6,       ///< The platform refused for good (content rejected, post gone...).
  MS_ERR_NOT_SUPPORTED = -7,   ///< This platform cannot do this (e.g. no revoke endpoint).
  MS_ERR_OUTCOME_UNKNOWN = -8  ///< (1.2) The request that creates the post went out but no complete
                               ///< answer came back (timeout after sending, connection lost, a
                               ///< gateway's 502/503/504), or the platform refused a re-send as a
                               ///< duplicate: the post may exist. Never retried blindly: the host
                               ///< reconciles (MS_EXT_RECONCILE) or asks a human. Only for publish.
};

/// Lowest (most negative) status code ABI 1.2 defines; anything outside [MS_ERR_LAST, 0] is unknown.
#define MS_ERR_LAST MS_ERR_OUTCOME_UNKNOWN

/* ------------------------------------------------------------------------------------------ */
/* Sinks: how bytes travel without mixing allocators                                           */
/* ------------------------------------------------------------------------------------------ */

/// A byte sink provided by whoever receives data. The producer calls write() zero or more times;
/// the pieces are concatenated. The sink and its ctx are owned by the receiver and valid for the
/// duration of the call they were passed to.
typedef struct ms_sink {
  uint32_t struct_size;  ///< sizeof(ms_sink) as compiled by the receiver.
  void* ctx;             ///< Receiver's private state, passed back to write().
  /// Appends `len` bytes (may be 0; `data` may be NULL when len is 0); the receiver copies them.
  /// Returns 0 on success, non-zero when the receiver refuses more (out of memory, over its
  /// limit): stop writing. Called only during the call the sink was passed to.
  int (*write)(void* ctx, const char* data, size_t len);
} ms_sink;

/// Where a plugin function puts its answer. Provided by the host for one call only; do not keep
/// the pointer after returning.
typedef struct ms_reply {
  uint32_t struct_size;  ///< sizeof(ms_reply) as compiled by the host.
  void* host_data;       ///< Host's private state; do not touch.
  /// Appends UTF-8 JSON text to the reply (the documented output of the function). May be called
  /// several times; pieces are concatenated; the whole must be one JSON value. Returns 0, or
  /// non-zero when the reply exceeds the host's limit (stop and return an error).
  int (*write)(const struct ms_reply* reply, const char* data, size_t len);
  /// Records why the call fails; use together with returning a negative ms_status.
  /// `message`: short human-readable reason (no secrets) or NULL. `platform_code`: the
  /// platform's own error code/subcode as text (e.g. "190/463") or NULL.
  /// `retry_after_seconds`: for MS_ERR_RATE_LIMITED / MS_ERR_TRANSIENT, how long to wait (0 =
  /// unknown). Calling it again overwrites the previous details. The reply JSON, if any, is kept
  /// and shown to the host as extra details (e.g. validation issues).
  void (*error)(const struct ms_reply* reply, const char* message, const char* platform_code,
                int32_t retry_after_seconds);
} ms_reply;

/* ------------------------------------------------------------------------------------------ */
/* Host services: the routine table a plugin receives in init() (SQLite extension style)       */
/* ------------------------------------------------------------------------------------------ */

/// Log levels for ms_host.log.
enum { MS_LOG_DEBUG = 0, MS_LOG_INFO = 1, MS_LOG_WARN = 2, MS_LOG_ERROR = 3 };

/// Types returned by ms_host.json_get and ms_host.setting. MS_JSON_NONE means "absent" (or the
/// document is not valid JSON).
enum {
  MS_JSON_NONE = 0,
  MS_JSON_NULL = 1,
  MS_JSON_BOOL = 2,
  MS_JSON_NUMBER = 3,
  MS_JSON_STRING = 4,
  MS_JSON_ARRAY = 5,
  MS_JSON_OBJECT = 6
};

/// Flags for ms_host.base64_encode.
enum {
  MS_BASE64_URL = 1,        ///< Use the URL-safe alphabet ('-', '_') of RFC 4648 section 5.
  MS_BASE64_NO_PADDING = 2  ///< Omit trailing '=' (as PKCE and JWT want).
};

/// One outgoing HTTP request. Filled and owned by the plugin; read by the host during the call.
/// The body is sent as: `body` bytes, then the byte range of `body_file`, then `body_tail` bytes.
/// Each part may be absent. The file is streamed, never loaded whole: use it for media uploads,
/// including each chunk of a chunked/resumable protocol (file offset + length), and put multipart
/// boundaries/headers in `body` and `body_tail`. The host computes Content-Length.
/// (1.2) One piece of a request body: bytes in memory, or a byte range of a file streamed from
/// disk (a multipart/form-data body with several files, each between its part headers).
typedef struct ms_body_part {
  const char* data;      ///< Bytes to send when `file` is NULL.
  size_t data_len;       ///< Bytes of `data`.
  const char* file;      ///< Path of a file to stream, or NULL.
  uint64_t file_offset;  ///< First byte of the file to send.
  uint64_t file_length;  ///< Bytes to send from the offset; 0 = up to the end of the file.
} ms_body_part;

typedef struct ms_http_request {
  uint32_t struct_size;  ///< sizeof(ms_http_request) as compiled by the plugin.
  const char* method;    ///< "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD".
  const char* url;       ///< Absolute http:// or https:// URL, already percent-encoded.
  /// Request headers as a NULL-terminated list of alternating names and values:
  /// {"Authorization", "Bearer x", "Content-Type", "application/json", NULL}. May be NULL.
  /// The host logs them with Authorization, Cookie and token-like values redacted.
  const char* const* headers;
  const char* body;           ///< First body part, or NULL.
  size_t body_len;            ///< Bytes of `body`.
  const char* body_file;      ///< Path of a file to stream after `body`, or NULL.
  uint64_t body_file_offset;  ///< First byte of the file to send.
  uint64_t body_file_length;  ///< Bytes to send from the offset; 0 = up to the end of the file.
  const char* body_tail;      ///< Last body part, or NULL.
  size_t body_tail_len;       ///< Bytes of `body_tail`.
  uint32_t timeout_ms;        ///< Network timeout (connect, and each wait for data); 0 = host
                              ///< default (30 s).
  /// (1.2) More body, sent after `body_tail` in order: several files in one request (a Telegram
  /// album, a multipart form with many files), each streamed. NULL/0 = none.
  const ms_body_part* body_parts;
  size_t body_part_count;  ///< Elements of `body_parts` (at most 64).
} ms_http_request;

/// Where the host puts the HTTP answer. Filled by the plugin (struct_size and sinks), completed by
/// the host (status). Redirects are never followed: a 3xx comes back as is, with its Location
/// header, and the plugin decides.
typedef struct ms_http_response {
  uint32_t struct_size;  ///< sizeof(ms_http_response) as compiled by the plugin.
  int32_t status;        ///< [out] HTTP status code, or 0 when no response arrived.
  const ms_sink* body;   ///< Receives the response body; NULL discards it.
  /// Receives the response headers as one JSON object with lower-case names and string values,
  /// repeated headers joined by ", ": {"retry-after":"30","x-rate-limit-remaining":"0"}.
  /// Read it with json_get. NULL discards them.
  const ms_sink* headers;
  const ms_sink* error;  ///< Receives a one-line reason when http() fails; NULL discards it.
  /// (1.2) [out] 1 when the whole request went out before the exchange ended — so when no complete
  /// answer came back, the platform may have acted on it (MS_ERR_OUTCOME_UNKNOWN for a create);
  /// 0 when it failed before (nothing reached the platform: safe to send again).
  int32_t request_sent;
} ms_http_response;

/// A JSON document parsed once by the host (ABI 1.1), for reading many values out of it without
/// parsing it again each time. Opaque; made by ms_host.json_parse, released by ms_host.json_free.
typedef struct ms_json_doc ms_json_doc;

/// The services the host offers. Owned by the host; the pointer given to init() and every
/// function pointer in it stay valid until deinit() returns. Every function is [thread-safe].
/// Later minors only append functions; since a host never loads a plugin built for a newer minor,
/// every function of the header a plugin was built with is present and non-NULL.
typedef struct ms_host {
  uint32_t struct_size;  ///< sizeof(ms_host) as compiled by the host.
  uint32_t abi_major;    ///< ABI version the host implements.
  uint32_t abi_minor;
  void* host_data;           ///< Host's private state; do not touch.
  const char* host_name;     ///< e.g. "marketsage".
  const char* host_version;  ///< e.g. "0.1.0".

  /// Writes one log line attributed to this plugin. `message` must not contain secrets; the host
  /// redacts bearer tokens and configured secrets it recognises, but do not rely on it.
  void (*log)(const struct ms_host* host, int32_t level, const char* message);

  /// Looks up the plugin's settings (its section of the host configuration, with environment
  /// overrides applied): a JSON object with at least "enabled" and, when configured, "api_base",
  /// "auth_base", "client_id", "client_secret" and plugin-specific keys.
  /// `pointer` is an RFC 6901 JSON pointer into that object ("/api_base"; "" = the whole object).
  /// A string value is written to `out` unescaped, without quotes; any other value as JSON text.
  /// Returns the value's MS_JSON_* type, MS_JSON_NONE (nothing written) when absent. If `out`
  /// refuses the value (too long for it), the type is still returned: your sink knows it refused.
  /// Settings do not change while the plugin is loaded.
  int32_t (*setting)(const struct ms_host* host, const char* pointer, const ms_sink* out);

  /// Performs one HTTP request (TLS, timeouts, proxy, metrics and log redaction are the host's
  /// job). Blocks until the answer is read. Returns MS_OK when a response arrived, whatever its
  /// status (read response->status); MS_ERR_INVALID_INPUT when the request is malformed (bad URL
  /// or scheme, unreadable file or range); MS_ERR_TRANSIENT when no answer arrived (connection,
  /// TLS, timeout); MS_ERR_PERMANENT when a response sink refused the data.
  ms_status (*http)(const struct ms_host* host, const ms_http_request* request, ms_http_response* response);

  /// Wall-clock time, milliseconds since 1970-01-01T00:00:00Z.
  int64_t (*now_unix_ms)(const struct ms_host* host);
  /// Monotonic time in nanoseconds since an arbitrary origin; for measuring durations.
  int64_t (*monotonic_ns)(const struct ms_host* host);
  /// Fills `out` with `len` cryptographically secure random bytes. Returns MS_OK or MS_ERR_TRANSIENT.
  ms_status (*random_bytes)(const struct ms_host* host, void* out, size_t len);

  /// SHA-256 of `len` bytes at `data` into out[32].
  void (*sha256)(const struct ms_host* host, const void* data, size_t len, uint8_t out[32]);
  /// HMAC-SHA256 of `data` keyed with `key` into out[32] (e.g. Facebook appsecret_proof).
  void (*hmac_sha256)(const struct ms_host* host, const void* key, size_t key_len, const void* data, size_t len,
                      uint8_t out[32]);
  /// Writes `len` bytes at `data` as base64 (MS_BASE64_* flags) to `out`.
  void (*base64_encode)(const struct ms_host* host, const void* data, size_t len, uint32_t flags, const ms_sink* out);
  /// Writes `text` percent-encoded for a URL query value or path segment (everything but
  /// RFC 3986 unreserved characters is encoded; space becomes %20) to `out`.
  void (*url_encode)(const struct ms_host* host, const char* text, size_t len, const ms_sink* out);

  /// Reads one value out of a JSON document, so a C plugin needs no JSON parser: `pointer` is an
  /// RFC 6901 JSON pointer ("/media/0/path"; "" = the whole document). Output and return value as
  /// for setting(). Returns MS_JSON_NONE when the value is absent or `json` is not valid JSON.
  int32_t (*json_get)(const struct ms_host* host, const char* json, size_t json_len, const char* pointer,
                      const ms_sink* out);
  /// Writes `text` as a JSON string literal, quotes included, escaping as needed, to `out`.
  void (*json_quote)(const struct ms_host* host, const char* text, size_t len, const ms_sink* out);

  /* ---- ABI 1.1. Present when host->abi_minor >= 1 (always, for a plugin built with 1.1). ---- */

  /// Blocks the calling thread for `ms` milliseconds (capped at 60000), e.g. between polls of an
  /// upload the platform is still processing. Returns early, with MS_ERR_TRANSIENT, when the host
  /// is shutting down; MS_OK otherwise.
  ms_status (*sleep_ms)(const struct ms_host* host, uint32_t ms);
  /// Parses an RFC 3339 date-time ("2026-12-25T10:00:00Z", "2026-12-25T11:00:00.250+01:00") into
  /// milliseconds since 1970-01-01T00:00:00Z. MS_OK, or MS_ERR_INVALID_INPUT (nothing written).
  ms_status (*time_parse)(const struct ms_host* host, const char* text, size_t len, int64_t* out_unix_ms);
  /// Writes `unix_ms` to `out` as RFC 3339 in UTC: "2026-12-25T10:00:00Z", with ".mmm" when the
  /// time is not a whole second.
  void (*time_format)(const struct ms_host* host, int64_t unix_ms, const ms_sink* out);
  /// Parses `json` once: the handle answers json_doc_get and json_doc_count without parsing again
  /// (json_get parses the whole document on every call). NULL when `json` is not valid JSON.
  /// The handle belongs to the caller until json_free; it is [thread-safe] to read concurrently.
  ms_json_doc* (*json_parse)(const struct ms_host* host, const char* json, size_t len);
  /// json_get on a parsed document: output and return value as for json_get.
  int32_t (*json_doc_get)(const struct ms_host* host, const ms_json_doc* doc, const char* pointer, const ms_sink* out);
  /// Number of elements of the array, or members of the object, at `pointer`; -1 when absent or
  /// neither.
  int64_t (*json_doc_count)(const struct ms_host* host, const ms_json_doc* doc, const char* pointer);
  /// Releases a document from json_parse (NULL is allowed).
  void (*json_free)(const struct ms_host* host, ms_json_doc* doc);
} ms_host;

/* ------------------------------------------------------------------------------------------ */
/* The plugin: descriptor, entry symbol, capability extensions                                 */
/* ------------------------------------------------------------------------------------------ */

/// Capability flags announced in ms_plugin_descriptor.capabilities. Each flag promises that
/// get_extension() returns the matching extension with all its required functions.
enum {
  MS_CAP_OAUTH = 1u << 0,             ///< MS_EXT_OAUTH: authorize URL, code exchange, refresh, revoke.
  MS_CAP_ACCOUNTS = 1u << 1,          ///< MS_EXT_ACCOUNTS: accounts (pages, channels...) a token can act for.
  MS_CAP_VALIDATE = 1u << 2,          ///< MS_EXT_VALIDATE: check content against limits, no network.
  MS_CAP_PUBLISH = 1u << 3,           ///< MS_EXT_PUBLISH: publish text, links, media, threads/carousels.
  MS_CAP_MEDIA = 1u << 4,             ///< MS_EXT_MEDIA: upload media (streamed, chunked when needed).
  MS_CAP_DELETE = 1u << 5,            ///< MS_EXT_DELETE: delete a published post.
  MS_CAP_INSIGHTS = 1u << 6,          ///< MS_EXT_INSIGHTS: account and post metrics over a date range.
  MS_CAP_HEALTH = 1u << 7,            ///< MS_EXT_HEALTH: cheap token health check.
  MS_CAP_API_VERSION = 1u << 8,       ///< MS_EXT_API_VERSION (ABI 1.1): the pinned platform API version
                                      ///< and until when the platform serves it.
  MS_CAP_RECONCILE = 1u << 9,         ///< MS_EXT_RECONCILE (ABI 1.2): whether a post of unknown outcome exists.
  MS_CAP_APP_REGISTRATION = 1u << 10  ///< MS_EXT_APP_REGISTRATION (ABI 1.4): register an app on one of many servers.
};

/// Maturity of a plugin, shown by `marketsage plugins list`.
enum { MS_PLUGIN_STABLE = 0, MS_PLUGIN_EXPERIMENTAL = 1 };

/// What the plugin is. Static data owned by the plugin, valid while the library is loaded;
/// readable before init(). id, name, version and capabilities are required; the fields after
/// them are optional: a descriptor whose struct_size ends before them is read as stable, with no
/// description and no homepage.
typedef struct ms_plugin_descriptor {
  uint32_t struct_size;     ///< sizeof(ms_plugin_descriptor) as compiled by the plugin.
  const char* id;           ///< Unique platform id: [a-z0-9_-]{1,32}, e.g. "facebook".
                            ///< Also the key of its section in the host configuration.
  const char* name;         ///< Display name, e.g. "Facebook Pages".
  const char* version;      ///< The plugin's own version, e.g. "1.2.0".
  uint32_t capabilities;    ///< MS_CAP_* flags.
  int32_t status;           ///< MS_PLUGIN_STABLE or MS_PLUGIN_EXPERIMENTAL.
  const char* description;  ///< One sentence, or NULL.
  const char* homepage;     ///< URL of the plugin's documentation, or NULL.
} ms_plugin_descriptor;

/// Every capability function has this shape: read the request JSON (`request`, `request_len`
/// bytes of UTF-8, owned by the host, valid for the call; may be NULL with length 0), write the
/// answer JSON to `reply`, return MS_OK or an MS_ERR_* kind (with reply->error() details).
/// Must answer MS_ERR_INVALID_INPUT, without any network call, to empty, non-JSON, wrongly
/// shaped or oversized input. The JSON schemas are in sdk-docs/.
///
/// (1.3) The organization's own app. An organization may register its own app with a platform
/// (its client id and secret, and for a platform with many servers its base URLs). The host then
/// adds "app" to every request it makes for that organization — authorize_url, exchange_code,
/// refresh, revoke, list_accounts and every call made with a connection's token — holding the
/// settings of that app under the names of the plugin's settings: {"client_id": "…",
/// "client_secret": "…" (empty for a public client), "api_base?": "…", "auth_base?": "…", …}.
/// Read a setting from "app" first and from ms_host.setting() when "app" lacks it (the C++ SDK's
/// guard(request, length, reply, body) does this for Host::setting; the C SDK has
/// msdk_request_setting_string). Without "app" the instance's app (your settings) applies. Keep
/// per-app state (quotas, caches) keyed by the client id in use. The host sends "app" only to
/// plugins built against 1.3 or later; an organization cannot register an app for an older one.
/// [thread-safe]
typedef ms_status (*ms_call_fn)(const char* request, size_t request_len, const ms_reply* reply);

/// Versioned extension ids for get_extension(). A later incompatible revision would get a new id
/// ("/2") while "/1" stays available.
#define MS_EXT_OAUTH "marketsage.oauth/1"
#define MS_EXT_ACCOUNTS "marketsage.accounts/1"
#define MS_EXT_VALIDATE "marketsage.validate/1"
#define MS_EXT_PUBLISH "marketsage.publish/1"
#define MS_EXT_MEDIA "marketsage.media/1"
#define MS_EXT_DELETE "marketsage.delete/1"
#define MS_EXT_INSIGHTS "marketsage.insights/1"
#define MS_EXT_HEALTH "marketsage.health/1"
#define MS_EXT_API_VERSION "marketsage.api_version/1"
#define MS_EXT_RECONCILE "marketsage.reconcile/1"
#define MS_EXT_APP_REGISTRATION "marketsage.app_registration/1"

/// MS_EXT_OAUTH. authorize_url and exchange_code are required. refresh may be NULL (since 1.1)
/// when the platform gives no refresh tokens: the host then never offers a refresh, and asks
/// check_token instead when one is requested. revoke may be NULL (the platform cannot revoke:
/// the host just forgets the token).
typedef struct ms_oauth_ext {
  uint32_t struct_size;
  ms_call_fn authorize_url;  ///< Build the consent-page URL (state + PKCE challenge given).
  ms_call_fn exchange_code;  ///< Trade the callback's code for a token.
  ms_call_fn refresh;        ///< Trade a refresh token for a new token; may be NULL (1.1).
  ms_call_fn revoke;         ///< Revoke a token at the platform; may be NULL.
} ms_oauth_ext;

/// MS_EXT_ACCOUNTS.
typedef struct ms_accounts_ext {
  uint32_t struct_size;
  ms_call_fn list_accounts;  ///< Accounts (pages, organizations, channels) a token can act for.
} ms_accounts_ext;

/// MS_EXT_VALIDATE. Must not do any network call. The reply is {"issues": [...]} with MS_OK or
/// MS_ERR_INVALID_INPUT, optionally with "length": {"used": N, "limit": M, "unit": "characters" |
/// "weighted" | "utf16" | "bytes"}: the post's main text (a thread's first part) as the platform
/// counts it, for the host's live counter (sdk-docs/json-schemas.md, validate).
typedef struct ms_validate_ext {
  uint32_t struct_size;
  ms_call_fn validate;  ///< Check a post against the platform's limits.
} ms_validate_ext;

/// MS_EXT_PUBLISH. (1.2) The request carries "idempotencyKey", the same on every attempt of one
/// target: send it wherever the platform honours one. When the platform is still processing
/// (a video, a container), answer MS_OK with {"pending": {"retryAfterSeconds": N, "resume": {…},
/// "stage?": "…"}} instead of waiting: the host calls publish again after N seconds with that
/// "resume", and no thread waits meanwhile.
typedef struct ms_publish_ext {
  uint32_t struct_size;
  ms_call_fn publish;  ///< Publish a post (text, link, media, thread/carousel, options).
} ms_publish_ext;

/// MS_EXT_MEDIA.
typedef struct ms_media_ext {
  uint32_t struct_size;
  ms_call_fn upload;  ///< Upload one media file (streamed from its path) ahead of publish.
} ms_media_ext;

/// MS_EXT_DELETE.
typedef struct ms_delete_ext {
  uint32_t struct_size;
  ms_call_fn delete_post;  ///< Delete a published post.
} ms_delete_ext;

/// MS_EXT_INSIGHTS. At least one of the two functions is non-NULL.
typedef struct ms_insights_ext {
  uint32_t struct_size;
  ms_call_fn account_insights;  ///< Metrics of an account over [start, end]; may be NULL.
  ms_call_fn post_insights;     ///< Metrics of posts over [start, end]; may be NULL.
} ms_insights_ext;

/// MS_EXT_HEALTH.
typedef struct ms_health_ext {
  uint32_t struct_size;
  ms_call_fn check_token;  ///< Cheapest call proving a token still works.
} ms_health_ext;

/// MS_EXT_API_VERSION (ABI 1.1). For plugins that pin a platform API version with a shelf life
/// (LinkedIn serves each monthly version about a year; a Graph API version lives about two).
/// The host asks it at start and in `plugins list` and /api/health, and warns within 60 days of
/// the end. Must not do any network call.
typedef struct ms_api_version_ext {
  uint32_t struct_size;
  /// Request: {} (the plugin reads its settings). Reply: {"version": "202611", "releasedAt?":
  /// "2026-11-01", "sunsetAt?": "2027-11-01"} — dates as YYYY-MM-DD; no sunsetAt when unknown.
  ms_call_fn api_version;
} ms_api_version_ext;

/// MS_EXT_RECONCILE (ABI 1.2). Looks at the platform to tell whether a post the host may have
/// created exists: after MS_ERR_OUTCOME_UNKNOWN, and for attempts a crashed host left unfinished.
/// Request: the publish request of the target (with "idempotencyKey" and "resume" as given to the
/// attempt) plus "attemptedAt" (RFC 3339, when the attempt began). Reply:
///   {"outcome": "found", "postId", "url?", "postIds?"}  — it exists (postIds: every part of a
///                                                          thread found live, in order)
///   {"outcome": "not_found"}                            — safe to send again
///   {"outcome": "unknown", "reason"}                    — the platform cannot tell
/// A thread found only in part answers "found" with the live parts in postIds; the host sends the
/// rest. Errors as for any call (an expired token is refreshed and the call repeated).
typedef struct ms_reconcile_ext {
  uint32_t struct_size;
  ms_call_fn reconcile;
} ms_reconcile_ext;

/// MS_EXT_APP_REGISTRATION (ABI 1.4). For a platform with many servers where anyone may register
/// an app on a server (Mastodon's POST /api/v1/apps). The organization names the server when it
/// connects (GET /api/social-media/connect/<id>?instance=https://…); the first time that
/// organization uses that server, the host asks register_app, seals the answer under the
/// organization's key and from then on sends it as "app" (with "api_base" and "auth_base" set to
/// the server) in every call for that server: authorize_url, exchange_code, list_accounts, refresh,
/// revoke and every call made with a connection's token.
/// Request: {"instance": "https://server", "redirectUri": "https://host/api/auth/callback/<id>",
///           "scopes?": ["…"]}.
/// Reply: the app's settings under the names of the plugin's settings: {"client_id": "…",
///        "client_secret": "…", …any other setting to remember}. A server that refuses is
///        MS_ERR_PERMANENT (or the usual kinds for a rate limit or an outage).
typedef struct ms_app_registration_ext {
  uint32_t struct_size;
  ms_call_fn register_app;
} ms_app_registration_ext;

/// The exported entry symbol's type. Define exactly one, const, with MS_EXPORT:
///
///     MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
///         MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry),
///         &descriptor, my_init, my_deinit, my_get_extension};
///
/// Every field is required. Static data owned by the plugin, valid while the library is loaded.
typedef struct ms_plugin_entry {
  uint32_t abi_major;    ///< MS_ABI_VERSION_MAJOR the plugin was built with. Checked first.
  uint32_t abi_minor;    ///< MS_ABI_VERSION_MINOR the plugin was built with.
  uint32_t struct_size;  ///< sizeof(ms_plugin_entry) as compiled by the plugin.
  const ms_plugin_descriptor* descriptor;
  /// Called once after loading, before anything else except reading the descriptor. `host` stays
  /// valid until deinit() returns: keep the pointer. Must succeed with empty settings (report
  /// missing configuration from the calls that need it) and must not do network calls.
  /// Returns MS_OK; any other value makes the host skip the plugin (deinit is not called).
  /// [main-thread]
  ms_status (*init)(const ms_host* host);
  /// Called once before unloading, after every other call has returned. Release everything.
  /// [main-thread]
  void (*deinit)(void);
  /// Returns the extension struct for `id` (an MS_EXT_* string, never NULL), or NULL when the
  /// plugin does not implement it (unknown ids included). The returned struct is static data
  /// owned by the plugin, valid until deinit(). Called after init().
  /// [thread-safe]
  const void* (*get_extension)(const char* id);
} ms_plugin_entry;

#ifdef __cplusplus
}
#endif

/* NOLINTEND(modernize-use-using,modernize-deprecated-headers,modernize-use-nullptr,modernize-redundant-void-arg) */
#endif /* MARKETSAGE_PLUGIN_H */
