/*
 * ms_sdk — small C helpers for MarketSage plugins written in C (C99, ABI 1.2).
 *
 * Not part of the ABI: two files (this header and ms_sdk.c) that you compile INTO your plugin,
 * next to your own sources. They need plugin.h and the C standard library, nothing else:
 *
 *     gcc -std=c99 -Wall -Werror -shared -fPIC -fvisibility=hidden \
 *         -I plugin-api -I sdk-docs/c-sdk my_plugin.c sdk-docs/c-sdk/ms_sdk.c -o libmy.so
 *
 * What is here (every name starts with msdk_ / MSDK_):
 *
 *   msdk_init          keep the host table (call it first in your init())
 *   msdk_buf           a growable, optionally bounded byte buffer that is also an ms_sink
 *   msdk_json_*        build JSON text safely: objects, arrays, fields, escaped strings
 *   msdk_doc           read a JSON document (a request, a platform answer) parsed once by the
 *                      host: strings, integers, booleans, arrays, with size bounds; the first
 *                      problem is kept as a ready-made error message
 *   msdk_reply_*, msdk_fail*, msdk_invalid
 *                      write the reply JSON and the error details through ms_reply
 *   msdk_http, msdk_answer_*, msdk_http_kind
 *                      one HTTP exchange through the host, and the mapping of its answer to an
 *                      ABI error kind (429 + Retry-After -> MS_ERR_RATE_LIMITED with the seconds...)
 *   msdk_setting_*, msdk_url, msdk_url_param
 *                      settings, base URLs and query/form parameters
 *   msdk_sleep_ms, msdk_time_parse, msdk_time_format, msdk_now_ms, msdk_log
 *                      thin wrappers of the host services
 *
 * Rules:
 *  - Every function is [thread-safe] once msdk_init() has run: the only global is the host
 *    pointer, written in init() and read afterwards.
 *  - Buffers, documents and answers are locals of one call: zero-initialise them
 *    (`msdk_buf b = {0};`) and free them before returning.
 *  - Functions that append to a buffer never fail loudly: a buffer that runs out of memory or
 *    over its limit stops growing and sets `failed` (sticky until msdk_buf_clear). Check
 *    `failed` once, before you use the text, or let msdk_reply_json() do it.
 *  - Nothing here is exported from your plugin: the functions are marked hidden, so the
 *    library still exports exactly one symbol, marketsage_plugin_entry.
 */
#ifndef MARKETSAGE_MS_SDK_H
#define MARKETSAGE_MS_SDK_H

#include <marketsage/plugin.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(_WIN32)
#define MSDK_API __attribute__((visibility("hidden")))
#define MSDK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MSDK_API
#define MSDK_PRINTF(fmt, args)
#endif

/* ------------------------------------------------------------------------------------------ */
/* Set-up                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/** Keeps `host` for every other function. Call it first thing in your init(). */
MSDK_API void msdk_init(const ms_host* host);
/** The host table given to msdk_init() (NULL before). */
MSDK_API const ms_host* msdk_host(void);

/* ------------------------------------------------------------------------------------------ */
/* msdk_buf: a growable byte buffer, always NUL-terminated, usable as an ms_sink               */
/* ------------------------------------------------------------------------------------------ */

/** Why a buffer stopped growing. */
enum { MSDK_BUF_OK = 0, MSDK_BUF_NO_MEMORY = 1, MSDK_BUF_TOO_LONG = 2 };

typedef struct msdk_buf {
  char* data;   /**< The bytes, NUL-terminated; NULL while nothing was ever written. */
  size_t len;   /**< Bytes in data, without the terminating NUL. */
  size_t cap;   /**< Allocated bytes. */
  size_t limit; /**< Most bytes the buffer may hold; 0 = no limit but memory. Set it before use. */
  int failed;   /**< MSDK_BUF_OK, or why an append was refused (sticky). */
} msdk_buf;

/** Appends `len` bytes. Returns 0, or -1 (and sets `failed`) when out of memory or over `limit`:
 *  then nothing of this piece is kept. */
MSDK_API int msdk_buf_append(msdk_buf* b, const char* data, size_t len);
/** Appends NUL-terminated `text` (NULL appends nothing). */
MSDK_API int msdk_buf_add(msdk_buf* b, const char* text);
/** Appends printf-formatted text. */
MSDK_API int msdk_buf_printf(msdk_buf* b, const char* format, ...) MSDK_PRINTF(2, 3);
/** Empties the buffer and forgets a failure; keeps the memory and the limit. */
MSDK_API void msdk_buf_clear(msdk_buf* b);
/** Releases the memory; the buffer is zeroed (its limit too) and may be reused. */
MSDK_API void msdk_buf_free(msdk_buf* b);
/** The text as a C string: "" for an empty buffer, never NULL. */
MSDK_API const char* msdk_buf_str(const msdk_buf* b);
/** An ms_sink that appends to `b`, to hand to a host service. It refuses (returns non-zero to the
 *  host) what msdk_buf_append refuses. Valid while `b` is. */
MSDK_API ms_sink msdk_buf_sink(msdk_buf* b);

/* ------------------------------------------------------------------------------------------ */
/* msdk_json_*: writing JSON into a buffer                                                     */
/* ------------------------------------------------------------------------------------------ */
/*
 * Elements are separated automatically: a key or a value gets a comma before it unless the
 * buffer is empty or its last byte is '{', '[', ':' or ','. So
 *
 *     msdk_json_begin_object(&b);
 *     msdk_json_field_string(&b, "postId", id);
 *     msdk_json_key(&b, "postIds");
 *     msdk_json_begin_array(&b);
 *     msdk_json_string(&b, "1"); msdk_json_string(&b, "2");
 *     msdk_json_end_array(&b);
 *     msdk_json_end_object(&b);          ->  {"postId":"…","postIds":["1","2"]}
 *
 * Strings are escaped by this file, without a host call: quotes, backslashes and control
 * characters are escaped, and bytes that are not valid UTF-8 become U+FFFD, so whatever the
 * input the result is valid JSON.
 */

/** Appends `text` (`len` bytes) as a JSON string literal, quotes included; no comma logic. */
MSDK_API void msdk_json_quote(msdk_buf* b, const char* text, size_t len);

MSDK_API void msdk_json_begin_object(msdk_buf* b);
MSDK_API void msdk_json_end_object(msdk_buf* b);
MSDK_API void msdk_json_begin_array(msdk_buf* b);
MSDK_API void msdk_json_end_array(msdk_buf* b);
/** `"name":` — follow it with exactly one value. */
MSDK_API void msdk_json_key(msdk_buf* b, const char* name);
/** A string value; NULL writes null. */
MSDK_API void msdk_json_string(msdk_buf* b, const char* text);
/** A string value of `len` bytes (may contain NUL bytes). */
MSDK_API void msdk_json_string_n(msdk_buf* b, const char* text, size_t len);
MSDK_API void msdk_json_int(msdk_buf* b, long long value);
MSDK_API void msdk_json_bool(msdk_buf* b, int value);
MSDK_API void msdk_json_null(msdk_buf* b);
/** JSON text that is already valid (an object you built, a value read from a document). */
MSDK_API void msdk_json_raw(msdk_buf* b, const char* json, size_t len);
/** A time as an RFC 3339 UTC string value, "2026-12-25T10:00:00Z" (host time_format). */
MSDK_API void msdk_json_time(msdk_buf* b, int64_t unix_ms);

/** Fields: a key and its value in one call. msdk_json_field_string with NULL writes null. */
MSDK_API void msdk_json_field_string(msdk_buf* b, const char* name, const char* value);
MSDK_API void msdk_json_field_string_n(msdk_buf* b, const char* name, const char* value, size_t len);
MSDK_API void msdk_json_field_int(msdk_buf* b, const char* name, long long value);
MSDK_API void msdk_json_field_bool(msdk_buf* b, const char* name, int value);
MSDK_API void msdk_json_field_raw(msdk_buf* b, const char* name, const char* json, size_t len);
MSDK_API void msdk_json_field_time(msdk_buf* b, const char* name, int64_t unix_ms);

/* ------------------------------------------------------------------------------------------ */
/* msdk_doc: reading a JSON document parsed once (ABI 1.1 json_parse)                          */
/* ------------------------------------------------------------------------------------------ */
/*
 *     msdk_doc req;
 *     msdk_buf token = {0};
 *     if (!msdk_doc_parse_object(&req, request, request_len)) return msdk_doc_fail(&req, reply);
 *     msdk_doc_string(&req, "/accessToken", MSDK_REQUIRED, 8192, &token);
 *     ...read every field...
 *     if (req.failed) status = msdk_doc_fail(&req, reply);  // "accessToken is required", …
 *     msdk_doc_free(&req);
 *
 * Readers return 1 when they stored a value, 0 otherwise: when the field is absent (or JSON
 * null) and optional — no problem — or when it is required and absent, of another type, or
 * beyond its bound — then the problem is recorded in the document (the first one only) as a
 * message naming the field: "thread.2.content must be a string of at most 500 bytes".
 */

/** Flags of the readers. */
enum {
  MSDK_OPTIONAL = 0,      /**< Absent or null is fine (the reader returns 0, output untouched). */
  MSDK_REQUIRED = 1,      /**< Absent or null is a problem; for strings, so is "". */
  MSDK_NUMERIC_STRING = 2 /**< msdk_doc_int: also accept a string holding an integer ("42"), as
                               platforms send ids and counters both ways. */
};

typedef struct msdk_doc {
  ms_json_doc* doc; /**< The host's parsed document; NULL when the text was not valid JSON. */
  int failed;       /**< 1 once a problem was recorded. */
  char error[256];  /**< The first problem, for people: "accessToken is required". */
  char field[128];  /**< The JSON pointer it concerns ("/accessToken"), or "" for the whole. */
} msdk_doc;

/** Parses `len` bytes of JSON (NULL is allowed). Returns 1 when valid; otherwise records "the
 *  request is not valid JSON" and returns 0. Always call msdk_doc_free() afterwards. */
MSDK_API int msdk_doc_parse(msdk_doc* d, const char* json, size_t len);
/** msdk_doc_parse, and the document must be a JSON object ("the request must be a JSON object"):
 *  the first check of every capability function. */
MSDK_API int msdk_doc_parse_object(msdk_doc* d, const char* json, size_t len);
/** Releases the document (safe on a zeroed or already freed one). */
MSDK_API void msdk_doc_free(msdk_doc* d);

/** MS_JSON_* type of the value at `pointer` ("" = the whole document); MS_JSON_NONE if absent. */
MSDK_API int32_t msdk_doc_type(const msdk_doc* d, const char* pointer);
/** The value at `pointer` appended to `out` as the host writes it (strings unescaped, other
 *  values as JSON text). Returns its MS_JSON_* type. No bound, no problem recorded. */
MSDK_API int32_t msdk_doc_get(const msdk_doc* d, const char* pointer, msdk_buf* out);

/** A string of at most `max_len` bytes into `out`, which is cleared first (so it is empty when
 *  nothing was read). Strings are unescaped, so they may contain NUL bytes: use out->len. */
MSDK_API int msdk_doc_string(msdk_doc* d, const char* pointer, int flags, size_t max_len, msdk_buf* out);
/** An integer in [min, max] (a JSON number without fraction). `out` is untouched when nothing is
 *  read, so initialise it with your default. */
MSDK_API int msdk_doc_int(msdk_doc* d, const char* pointer, int flags, long long min, long long max, long long* out);
/** true or false, stored as 1 or 0 (`out` untouched when nothing is read). */
MSDK_API int msdk_doc_bool(msdk_doc* d, const char* pointer, int flags, int* out);
/** An array of at most `max_count` elements; its length is stored in `count`. */
MSDK_API int msdk_doc_array(msdk_doc* d, const char* pointer, int flags, size_t max_count, size_t* count);
/** An object (for a nested value such as "/account"). */
MSDK_API int msdk_doc_object(msdk_doc* d, const char* pointer, int flags);

/** Records a problem of your own (kept only if none was recorded before); `pointer` may be "". */
MSDK_API void msdk_doc_problem(msdk_doc* d, const char* pointer, const char* message);
/** The same, the message being the field's name and `what`: ("/thread/0/content", "is longer
 *  than 500 characters") records "thread.0.content is longer than 500 characters". */
MSDK_API void msdk_doc_field_problem(msdk_doc* d, const char* pointer, const char* what);
/** Fails the call with the recorded problem: reply->error(message) and MS_ERR_INVALID_INPUT. */
MSDK_API ms_status msdk_doc_fail(const msdk_doc* d, const ms_reply* reply);

/* ------------------------------------------------------------------------------------------ */
/* Replies and errors                                                                          */
/* ------------------------------------------------------------------------------------------ */

/** Writes the whole buffer as the reply. MS_OK; MS_ERR_TRANSIENT ("out of memory") when the
 *  buffer failed for lack of memory; MS_ERR_PERMANENT when it went over its limit or the host
 *  refused the size. Error details are set on failure. */
MSDK_API ms_status msdk_reply_json(const ms_reply* reply, const msdk_buf* json);
/** Writes a constant piece of JSON text ("{}"). Same results. */
MSDK_API ms_status msdk_reply_text(const ms_reply* reply, const char* json);
/** reply->error(message, NULL, 0) and returns `kind`: `return msdk_fail(reply, MS_ERR_PERMANENT, "…");` */
MSDK_API ms_status msdk_fail(const ms_reply* reply, ms_status kind, const char* message);
/** The same with the platform's own code and a wait in seconds (0 = unknown). */
MSDK_API ms_status msdk_fail_details(const ms_reply* reply, ms_status kind, const char* message,
                                     const char* platform_code, int32_t retry_after_seconds);
/** Refuses content with one validation issue: writes {"issues":[{"field":…,"message":…}]} as the
 *  reply (nothing else may have been written), sets no error message (the host shows the issue
 *  as "field: message"), and returns MS_ERR_INVALID_INPUT. `field` is a JSON pointer, or NULL
 *  or "" for none: pass a msdk_doc's `field` and `error` as they are. */
MSDK_API ms_status msdk_invalid(const ms_reply* reply, const char* field, const char* message);

/* ------------------------------------------------------------------------------------------ */
/* HTTP through the host, and HTTP answers as ABI error kinds                                 */
/* ------------------------------------------------------------------------------------------ */

/** Largest answer kept by default: body, headers and the host's failure reason. Set a field's
 *  `limit` before msdk_http() to change it. An answer over its limit fails the exchange with
 *  MS_ERR_PERMANENT (the host's "a response sink refused the data"). */
#define MSDK_DEFAULT_BODY_LIMIT ((size_t)16 << 20)
#define MSDK_DEFAULT_HEADERS_LIMIT ((size_t)64 << 10)
#define MSDK_DEFAULT_ERROR_LIMIT ((size_t)4 << 10)

/** One HTTP answer. Zero-initialise; free with msdk_answer_free(). */
typedef struct msdk_answer {
  ms_status sent;   /**< What host->http() returned: MS_OK when an answer arrived. */
  int32_t status;   /**< HTTP status; 0 when no answer arrived. */
  int request_sent; /**< (1.2) 1 when the whole request went out: with no complete answer the
                         platform may have acted on it (see msdk_answer_outcome_unknown). */
  msdk_buf body;    /**< The body. */
  msdk_buf headers; /**< The headers as one JSON object, lower-case names: {"retry-after":"30"}. */
  msdk_buf error;   /**< Why no answer arrived (the host's one-line reason). */
} msdk_answer;

/** Zeroes `request` and sets struct_size, method and url: fill in headers and body after. */
MSDK_API void msdk_http_request_init(ms_http_request* request, const char* method, const char* url);
/** Sends `request` through host->http(), collecting the answer into `answer` (cleared first;
 *  limits kept). Returns answer->sent. A 4xx or 5xx is MS_OK here: look at answer->status, or
 *  hand the answer to msdk_answer_fail(). */
MSDK_API ms_status msdk_http(const ms_http_request* request, msdk_answer* answer);
/** Empties the answer for the next exchange (keeps memory and limits). */
MSDK_API void msdk_answer_clear(msdk_answer* answer);
/** Releases the answer's buffers. */
MSDK_API void msdk_answer_free(msdk_answer* answer);
/** A response header (lower-case `name`) appended to `out` (cleared first); 1 when present. */
MSDK_API int msdk_answer_header(const msdk_answer* answer, const char* name, msdk_buf* out);

/** The ABI kind of an HTTP status: 2xx -> MS_OK; 429 -> MS_ERR_RATE_LIMITED; 401 ->
 *  MS_ERR_AUTH_EXPIRED (the host refreshes the token and retries once; if it cannot, the user
 *  reconnects); 403 -> MS_ERR_AUTH_INVALID; 0 (no answer), 408 and 5xx -> MS_ERR_TRANSIENT;
 *  other 4xx, and 1xx/3xx -> MS_ERR_PERMANENT. Refine it when your platform says more (a 401
 *  "token revoked" is MS_ERR_AUTH_INVALID; a 400 invalid_grant from a token endpoint too). */
MSDK_API ms_status msdk_http_kind(int32_t http_status);
/** The ABI kind of a whole exchange: msdk_http_kind(status) when an answer arrived; when none
 *  did, MS_ERR_TRANSIENT if the host could not reach the platform (network, TLS, timeout), and
 *  MS_ERR_PERMANENT if it refused the request (a bad URL, typically a misconfigured base URL)
 *  or the answer went over a limit — retrying would not help. */
MSDK_API ms_status msdk_answer_kind(const msdk_answer* answer);
/** (1.2) 1 when the exchange leaves unknown whether the platform acted on the request: it went
 *  out whole and no complete answer came back (timeout after sending, connection reset or
 *  closed), or a gateway answered 502, 503 or 504. For the call that creates a post, fail with
 *  MS_ERR_OUTCOME_UNKNOWN then — never MS_ERR_TRANSIENT, which the host retries and which could
 *  post twice: msdk_answer_fail(a, reply, MS_ERR_OUTCOME_UNKNOWN, …). 0 otherwise (an answer
 *  arrived, or nothing reached the platform). */
MSDK_API int msdk_answer_outcome_unknown(const msdk_answer* answer);
/** Seconds to wait from the Retry-After header (delta-seconds, or an HTTP date counted from
 *  now); 0 when absent, unreadable or past. Only meaningful for 429 and 503. */
MSDK_API int32_t msdk_answer_retry_after(const msdk_answer* answer);
/** Fails the call with the answer's kind (msdk_answer_kind, or `kind` when it is not MS_OK: pass
 *  MS_OK to use the mapping as is) and details: `message` (NULL: the host's reason when no
 *  answer arrived, else "the platform answered HTTP <status>"), `platform_code` (may be NULL)
 *  and, for 429 and 503 only, the Retry-After seconds. Returns the kind; MS_OK (and nothing
 *  recorded) for a 2xx answer when `kind` is MS_OK. */
MSDK_API ms_status msdk_answer_fail(const msdk_answer* answer, const ms_reply* reply, ms_status kind,
                                    const char* message, const char* platform_code);

/* ------------------------------------------------------------------------------------------ */
/* Settings, URLs, parameters                                                                  */
/* ------------------------------------------------------------------------------------------ */

/** The string setting at `pointer` ("/client_id") into `out` (cleared first); 1 when present
 *  and non-empty. */
MSDK_API int msdk_setting_string(const char* pointer, msdk_buf* out);
/** (ABI 1.3) The string at `pointer` of the request's "app" (the organization's own platform app the
 *  host chose for this call: "/client_id", "/client_secret", "/api_base" …), else the setting at
 *  `pointer`, into `out` (cleared first); 1 when either gives one. Use it for app credentials and
 *  base URLs so that one plugin serves every organization's app. */
MSDK_API int msdk_request_setting_string(const char* request, size_t request_len, const char* pointer, msdk_buf* out);
/** The integer setting at `pointer`, or `fallback` when absent or not an integer. */
MSDK_API long long msdk_setting_int(const char* pointer, long long fallback);
/** Base URL + path into `out` (cleared first): the string setting `setting` ("/api_base"), or
 *  `fallback` (may be NULL) when absent; trailing slashes of the base are dropped, so
 *  "http://127.0.0.1:9001/" + "/posts" gives "http://127.0.0.1:9001/posts". Returns 1, or 0
 *  when neither the setting nor a fallback gives a base. */
MSDK_API int msdk_url(const char* setting, const char* fallback, const char* path, msdk_buf* out);
/** Appends a URL path segment or query value, percent-encoded by the host (space = %20). */
MSDK_API void msdk_url_encode(msdk_buf* out, const char* text, size_t len);
/** Appends "name=value" (value percent-encoded) to a query string or form body, preceded by
 *  '&' unless `out` is empty or ends with '?' or '&'. */
MSDK_API void msdk_url_param(msdk_buf* out, const char* name, const char* value);

/* ------------------------------------------------------------------------------------------ */
/* Clock, sleep, log                                                                           */
/* ------------------------------------------------------------------------------------------ */

/** Waits `ms` milliseconds (the host caps it at 60000). MS_OK, or MS_ERR_TRANSIENT when the host
 *  is stopping: end your call with that status, the work will be retried. */
MSDK_API ms_status msdk_sleep_ms(uint32_t ms);
/** RFC 3339 date-time ("2026-12-25T10:00:00Z", "2026-12-25T11:00:00.250+01:00"; a zone is
 *  required) to milliseconds since 1970 UTC. MS_OK, or MS_ERR_INVALID_INPUT. */
MSDK_API ms_status msdk_time_parse(const char* text, size_t len, int64_t* unix_ms);
/** Appends `unix_ms` as RFC 3339 UTC: "2026-12-25T10:00:00Z" (".mmm" when not a whole second). */
MSDK_API void msdk_time_format(int64_t unix_ms, msdk_buf* out);
/** Wall clock, milliseconds since 1970 UTC. */
MSDK_API int64_t msdk_now_ms(void);
/** One log line, printf-formatted (at most 1 KiB). Never log tokens. */
MSDK_API void msdk_log(int32_t level, const char* format, ...) MSDK_PRINTF(2, 3);

#ifdef __cplusplus
}
#endif

#endif /* MARKETSAGE_MS_SDK_H */
