/*
 * ms_sdk — small C helpers for MarketSage plugins written in C. See ms_sdk.h.
 * C99 and the C standard library only; compiled into the plugin, nothing exported.
 */
#include "ms_sdk.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Written once by init() ([main-thread]), only read afterwards. */
static const ms_host* g_host;

void msdk_init(const ms_host* host) { g_host = host; }
const ms_host* msdk_host(void) { return g_host; }

/* ------------------------------------------------------------------------------------------ */
/* msdk_buf                                                                                     */
/* ------------------------------------------------------------------------------------------ */

int msdk_buf_append(msdk_buf* b, const char* data, size_t len) {
  size_t need;
  if (b->failed) return -1;
  if (len == 0 && b->data != NULL) return 0;
  if ((data == NULL && len > 0) || len > SIZE_MAX - b->len - 1) {
    b->failed = MSDK_BUF_NO_MEMORY;
    return -1;
  }
  if (b->limit != 0 && b->len + len > b->limit) {
    b->failed = MSDK_BUF_TOO_LONG;
    return -1;
  }
  need = b->len + len + 1;
  if (need > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    char* grown;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    grown = (char*)realloc(b->data, cap);
    if (grown == NULL) {
      b->failed = MSDK_BUF_NO_MEMORY;
      return -1;
    }
    b->data = grown;
    b->cap = cap;
  }
  if (len > 0) memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int msdk_buf_add(msdk_buf* b, const char* text) { return text ? msdk_buf_append(b, text, strlen(text)) : 0; }

int msdk_buf_printf(msdk_buf* b, const char* format, ...) {
  char small[256];
  va_list args;
  int n;
  va_start(args, format);
  n = vsnprintf(small, sizeof small, format, args);
  va_end(args);
  if (n < 0) return -1;
  if ((size_t)n < sizeof small) return msdk_buf_append(b, small, (size_t)n);
  {
    char* big = (char*)malloc((size_t)n + 1);
    int rc;
    if (big == NULL) {
      b->failed = MSDK_BUF_NO_MEMORY;
      return -1;
    }
    va_start(args, format);
    vsnprintf(big, (size_t)n + 1, format, args);
    va_end(args);
    rc = msdk_buf_append(b, big, (size_t)n);
    free(big);
    return rc;
  }
}

void msdk_buf_clear(msdk_buf* b) {
  b->len = 0;
  b->failed = MSDK_BUF_OK;
  if (b->data) b->data[0] = '\0';
}

void msdk_buf_free(msdk_buf* b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

const char* msdk_buf_str(const msdk_buf* b) { return b->data ? b->data : ""; }

static int buf_sink_write(void* ctx, const char* data, size_t len) {
  return msdk_buf_append((msdk_buf*)ctx, data, len);
}

ms_sink msdk_buf_sink(msdk_buf* b) {
  ms_sink s;
  s.struct_size = sizeof s;
  s.ctx = b;
  s.write = buf_sink_write;
  return s;
}

/* ------------------------------------------------------------------------------------------ */
/* msdk_json_*                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is not one (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_sequence(const unsigned char* s, size_t n) {
  const unsigned char c = s[0];
  size_t need, i;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF)
    need = 1;
  else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (n < need + 1) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (i = 2; i <= need; ++i)
    if ((s[i] & 0xC0) != 0x80) return 0;
  return need + 1;
}

void msdk_json_quote(msdk_buf* b, const char* text, size_t len) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char* s = (const unsigned char*)text;
  size_t i = 0, run = 0; /* run: start of the bytes not yet copied */
  if (text == NULL) len = 0;
  msdk_buf_append(b, "\"", 1);
  while (i < len) {
    const unsigned char c = s[i];
    const char* escape = NULL;
    char unicode[7];
    size_t seq;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      seq = utf8_sequence(s + i, len - i);
      if (seq > 0) {
        i += seq;
        continue;
      }
      escape = "\\ufffd"; /* not UTF-8: replaced, so that the text stays valid JSON */
    } else if (c == '"') {
      escape = "\\\"";
    } else if (c == '\\') {
      escape = "\\\\";
    } else if (c == '\n') {
      escape = "\\n";
    } else if (c == '\r') {
      escape = "\\r";
    } else if (c == '\t') {
      escape = "\\t";
    } else if (c == '\b') {
      escape = "\\b";
    } else if (c == '\f') {
      escape = "\\f";
    } else {
      unicode[0] = '\\';
      unicode[1] = 'u';
      unicode[2] = '0';
      unicode[3] = '0';
      unicode[4] = hex[c >> 4];
      unicode[5] = hex[c & 15];
      unicode[6] = '\0';
      escape = unicode;
    }
    msdk_buf_append(b, text + run, i - run);
    msdk_buf_add(b, escape);
    ++i;
    run = i;
  }
  msdk_buf_append(b, text ? text + run : "", i - run);
  msdk_buf_append(b, "\"", 1);
}

/* A comma before a new element, unless it opens a container or follows a key or a comma. */
static void separate(msdk_buf* b) {
  char last;
  if (b->len == 0) return;
  last = b->data[b->len - 1];
  if (last != '{' && last != '[' && last != ':' && last != ',') msdk_buf_append(b, ",", 1);
}

void msdk_json_begin_object(msdk_buf* b) {
  separate(b);
  msdk_buf_append(b, "{", 1);
}
void msdk_json_end_object(msdk_buf* b) { msdk_buf_append(b, "}", 1); }
void msdk_json_begin_array(msdk_buf* b) {
  separate(b);
  msdk_buf_append(b, "[", 1);
}
void msdk_json_end_array(msdk_buf* b) { msdk_buf_append(b, "]", 1); }

void msdk_json_key(msdk_buf* b, const char* name) {
  separate(b);
  msdk_json_quote(b, name, name ? strlen(name) : 0);
  msdk_buf_append(b, ":", 1);
}

void msdk_json_string(msdk_buf* b, const char* text) {
  if (text == NULL) {
    msdk_json_null(b);
    return;
  }
  msdk_json_string_n(b, text, strlen(text));
}

void msdk_json_string_n(msdk_buf* b, const char* text, size_t len) {
  separate(b);
  msdk_json_quote(b, text, len);
}

void msdk_json_int(msdk_buf* b, long long value) {
  separate(b);
  msdk_buf_printf(b, "%lld", value);
}

void msdk_json_bool(msdk_buf* b, int value) {
  separate(b);
  msdk_buf_add(b, value ? "true" : "false");
}

void msdk_json_null(msdk_buf* b) {
  separate(b);
  msdk_buf_add(b, "null");
}

void msdk_json_raw(msdk_buf* b, const char* json, size_t len) {
  separate(b);
  msdk_buf_append(b, json, len);
}

void msdk_json_time(msdk_buf* b, int64_t unix_ms) {
  separate(b);
  msdk_buf_append(b, "\"", 1);
  msdk_time_format(unix_ms, b); /* digits, '-', ':', '.', 'T' and 'Z': nothing to escape */
  msdk_buf_append(b, "\"", 1);
}

void msdk_json_field_string(msdk_buf* b, const char* name, const char* value) {
  msdk_json_key(b, name);
  msdk_json_string(b, value);
}
void msdk_json_field_string_n(msdk_buf* b, const char* name, const char* value, size_t len) {
  msdk_json_key(b, name);
  msdk_json_string_n(b, value, len);
}
void msdk_json_field_int(msdk_buf* b, const char* name, long long value) {
  msdk_json_key(b, name);
  msdk_json_int(b, value);
}
void msdk_json_field_bool(msdk_buf* b, const char* name, int value) {
  msdk_json_key(b, name);
  msdk_json_bool(b, value);
}
void msdk_json_field_raw(msdk_buf* b, const char* name, const char* json, size_t len) {
  msdk_json_key(b, name);
  msdk_json_raw(b, json, len);
}
void msdk_json_field_time(msdk_buf* b, const char* name, int64_t unix_ms) {
  msdk_json_key(b, name);
  msdk_json_time(b, unix_ms);
}

/* ------------------------------------------------------------------------------------------ */
/* msdk_doc                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* "/thread/2/content" -> "thread.2.content" (RFC 6901 ~1 and ~0 decoded); "" -> "the request". */
static void field_name(const char* pointer, char* out, size_t size) {
  size_t n = 0;
  const char* p = pointer ? pointer : "";
  if (*p == '\0') {
    snprintf(out, size, "the request");
    return;
  }
  if (*p == '/') ++p;
  for (; *p != '\0' && n + 1 < size; ++p) {
    char c = *p;
    if (c == '/') {
      c = '.';
    } else if (c == '~' && (p[1] == '0' || p[1] == '1')) {
      c = p[1] == '1' ? '/' : '~';
      ++p;
    }
    out[n++] = c;
  }
  out[n] = '\0';
}

void msdk_doc_problem(msdk_doc* d, const char* pointer, const char* message) {
  if (d->failed) return;
  d->failed = 1;
  snprintf(d->error, sizeof d->error, "%s", message ? message : "invalid request");
  snprintf(d->field, sizeof d->field, "%s", pointer ? pointer : "");
}

void msdk_doc_field_problem(msdk_doc* d, const char* pointer, const char* what) {
  char name[96], message[256];
  if (d->failed) return;
  field_name(pointer, name, sizeof name);
  snprintf(message, sizeof message, "%s %s", name, what);
  msdk_doc_problem(d, pointer, message);
}

int msdk_doc_parse(msdk_doc* d, const char* json, size_t len) {
  memset(d, 0, sizeof *d);
  if (g_host == NULL) {
    msdk_doc_problem(d, "", "msdk_init() was not called");
    return 0;
  }
  if (json != NULL && len > 0) d->doc = g_host->json_parse(g_host, json, len);
  if (d->doc == NULL) {
    msdk_doc_problem(d, "", "the request is not valid JSON");
    return 0;
  }
  return 1;
}

int msdk_doc_parse_object(msdk_doc* d, const char* json, size_t len) {
  if (!msdk_doc_parse(d, json, len)) {
    d->failed = 0;
    msdk_doc_problem(d, "", "the request must be a JSON object");
    return 0;
  }
  if (msdk_doc_type(d, "") != MS_JSON_OBJECT) {
    msdk_doc_problem(d, "", "the request must be a JSON object");
    return 0;
  }
  return 1;
}

void msdk_doc_free(msdk_doc* d) {
  if (d->doc != NULL && g_host != NULL) g_host->json_free(g_host, d->doc);
  d->doc = NULL;
}

int32_t msdk_doc_type(const msdk_doc* d, const char* pointer) {
  if (d->doc == NULL || g_host == NULL) return MS_JSON_NONE;
  return g_host->json_doc_get(g_host, d->doc, pointer ? pointer : "", NULL);
}

int32_t msdk_doc_get(const msdk_doc* d, const char* pointer, msdk_buf* out) {
  ms_sink s = msdk_buf_sink(out);
  if (d->doc == NULL || g_host == NULL) return MS_JSON_NONE;
  return g_host->json_doc_get(g_host, d->doc, pointer ? pointer : "", &s);
}

/* Checks presence: returns the type, or MS_JSON_NONE (with a problem when required) for absent
 * and null values. */
static int32_t present(msdk_doc* d, const char* pointer, int flags) {
  int32_t type = msdk_doc_type(d, pointer);
  if (type == MS_JSON_NONE || type == MS_JSON_NULL) {
    if (flags & MSDK_REQUIRED) msdk_doc_field_problem(d, pointer, "is required");
    return MS_JSON_NONE;
  }
  return type;
}

/* A sink that refuses more than `max` bytes in total. */
typedef struct bounded {
  msdk_buf* out;
  size_t max, written;
  int over;
} bounded;

static int bounded_write(void* ctx, const char* data, size_t len) {
  bounded* b = (bounded*)ctx;
  if (b->over || len > b->max - b->written) {
    b->over = 1;
    return -1;
  }
  b->written += len;
  return msdk_buf_append(b->out, data, len);
}

/* Reads the value at `pointer` into `out` (cleared), refusing more than `max` bytes. Returns the
 * type; *over says whether it was refused for its size. */
static int32_t read_bounded(const msdk_doc* d, const char* pointer, size_t max, msdk_buf* out, int* over) {
  bounded b;
  ms_sink s;
  int32_t type;
  b.out = out;
  b.max = max;
  b.written = 0;
  b.over = 0;
  s.struct_size = sizeof s;
  s.ctx = &b;
  s.write = bounded_write;
  msdk_buf_clear(out);
  type = d->doc && g_host ? g_host->json_doc_get(g_host, d->doc, pointer, &s) : MS_JSON_NONE;
  *over = b.over || out->failed;
  return type;
}

int msdk_doc_string(msdk_doc* d, const char* pointer, int flags, size_t max_len, msdk_buf* out) {
  int over = 0;
  int32_t type = present(d, pointer, flags);
  char what[64];
  msdk_buf_clear(out);
  if (type == MS_JSON_NONE) return 0;
  if (type != MS_JSON_STRING) {
    msdk_doc_field_problem(d, pointer, "must be a string");
    return 0;
  }
  read_bounded(d, pointer, max_len, out, &over);
  if (over) {
    msdk_buf_clear(out);
    snprintf(what, sizeof what, "is longer than %lu bytes", (unsigned long)max_len);
    msdk_doc_field_problem(d, pointer, what);
    return 0;
  }
  if ((flags & MSDK_REQUIRED) && out->len == 0) {
    msdk_doc_field_problem(d, pointer, "is required");
    return 0;
  }
  if (out->data == NULL) msdk_buf_append(out, "", 0);
  return 1;
}

/* Integer text (JSON number, or digits) to long long. 1 = ok, 0 = not an integer, -1 = out of
 * the long long range. */
static int parse_integer(const char* text, int allow_fraction_form, long long* out) {
  char* end = NULL;
  long long v;
  if (*text == '\0') return 0;
  if (strpbrk(text, ".eE") != NULL) {
    double x;
    if (!allow_fraction_form) return 0;
    errno = 0;
    x = strtod(text, &end);
    if (*end != '\0' || end == text) return 0;
    if (errno == ERANGE || x < -9.2e18 || x > 9.2e18) return -1;
    v = (long long)x;
    if ((double)v != x) return 0; /* 12.5 */
    *out = v;
    return 1;
  }
  errno = 0;
  v = strtoll(text, &end, 10);
  if (*end != '\0' || end == text) return 0;
  if (errno == ERANGE) return -1;
  *out = v;
  return 1;
}

static void int_problem(msdk_doc* d, const char* pointer, long long min, long long max) {
  char what[96];
  if (min == LLONG_MIN && max == LLONG_MAX)
    snprintf(what, sizeof what, "must be an integer");
  else
    snprintf(what, sizeof what, "must be an integer from %lld to %lld", min, max);
  msdk_doc_field_problem(d, pointer, what);
}

int msdk_doc_int(msdk_doc* d, const char* pointer, int flags, long long min, long long max, long long* out) {
  msdk_buf text = {0};
  int over = 0, ok;
  long long v = 0;
  int32_t type = present(d, pointer, flags);
  if (type == MS_JSON_NONE) return 0;
  if (type != MS_JSON_NUMBER && !(type == MS_JSON_STRING && (flags & MSDK_NUMERIC_STRING))) {
    int_problem(d, pointer, min, max);
    return 0;
  }
  read_bounded(d, pointer, 64, &text, &over);
  ok = over ? -1 : parse_integer(msdk_buf_str(&text), type == MS_JSON_NUMBER, &v);
  msdk_buf_free(&text);
  if (ok != 1 || v < min || v > max) {
    int_problem(d, pointer, min, max);
    return 0;
  }
  *out = v;
  return 1;
}

int msdk_doc_bool(msdk_doc* d, const char* pointer, int flags, int* out) {
  msdk_buf text = {0};
  int over = 0;
  int32_t type = present(d, pointer, flags);
  if (type == MS_JSON_NONE) return 0;
  if (type != MS_JSON_BOOL) {
    msdk_doc_field_problem(d, pointer, "must be true or false");
    return 0;
  }
  read_bounded(d, pointer, 8, &text, &over);
  *out = strcmp(msdk_buf_str(&text), "true") == 0;
  msdk_buf_free(&text);
  return 1;
}

int msdk_doc_array(msdk_doc* d, const char* pointer, int flags, size_t max_count, size_t* count) {
  int64_t n;
  char what[64];
  int32_t type = present(d, pointer, flags);
  if (type == MS_JSON_NONE) return 0;
  if (type != MS_JSON_ARRAY) {
    msdk_doc_field_problem(d, pointer, "must be an array");
    return 0;
  }
  n = g_host->json_doc_count(g_host, d->doc, pointer);
  if (n < 0 || (uint64_t)n > (uint64_t)max_count) {
    snprintf(what, sizeof what, "has more than %lu elements", (unsigned long)max_count);
    msdk_doc_field_problem(d, pointer, what);
    return 0;
  }
  *count = (size_t)n;
  return 1;
}

int msdk_doc_object(msdk_doc* d, const char* pointer, int flags) {
  int32_t type = present(d, pointer, flags);
  if (type == MS_JSON_NONE) return 0;
  if (type != MS_JSON_OBJECT) {
    msdk_doc_field_problem(d, pointer, "must be an object");
    return 0;
  }
  return 1;
}

ms_status msdk_doc_fail(const msdk_doc* d, const ms_reply* reply) {
  return msdk_fail(reply, MS_ERR_INVALID_INPUT, d->failed ? d->error : "invalid request");
}

/* ------------------------------------------------------------------------------------------ */
/* Replies and errors                                                                           */
/* ------------------------------------------------------------------------------------------ */

ms_status msdk_reply_json(const ms_reply* reply, const msdk_buf* json) {
  if (json->failed == MSDK_BUF_NO_MEMORY) return msdk_fail(reply, MS_ERR_TRANSIENT, "out of memory");
  if (json->failed != MSDK_BUF_OK)
    return msdk_fail(reply, MS_ERR_PERMANENT, "the reply is larger than the plugin allows");
  if (json->len > 0 && reply->write(reply, json->data, json->len) != 0)
    return msdk_fail(reply, MS_ERR_PERMANENT, "the reply is larger than the host accepts");
  return MS_OK;
}

ms_status msdk_reply_text(const ms_reply* reply, const char* json) {
  size_t len = json ? strlen(json) : 0;
  if (len > 0 && reply->write(reply, json, len) != 0)
    return msdk_fail(reply, MS_ERR_PERMANENT, "the reply is larger than the host accepts");
  return MS_OK;
}

ms_status msdk_fail(const ms_reply* reply, ms_status kind, const char* message) {
  reply->error(reply, message, NULL, 0);
  return kind;
}

ms_status msdk_fail_details(const ms_reply* reply, ms_status kind, const char* message, const char* platform_code,
                            int32_t retry_after_seconds) {
  reply->error(reply, message, platform_code, retry_after_seconds > 0 ? retry_after_seconds : 0);
  return kind;
}

ms_status msdk_invalid(const ms_reply* reply, const char* field, const char* message) {
  msdk_buf out = {0};
  msdk_json_begin_object(&out);
  msdk_json_key(&out, "issues");
  msdk_json_begin_array(&out);
  msdk_json_begin_object(&out);
  if (field != NULL && field[0] != '\0') msdk_json_field_string(&out, "field", field);
  msdk_json_field_string(&out, "message", message ? message : "invalid");
  msdk_json_end_object(&out);
  msdk_json_end_array(&out);
  msdk_json_end_object(&out);
  if (!out.failed) reply->write(reply, out.data, out.len);
  msdk_buf_free(&out);
  reply->error(reply, NULL, NULL, 0);
  return MS_ERR_INVALID_INPUT;
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP                                                                                         */
/* ------------------------------------------------------------------------------------------ */

void msdk_http_request_init(ms_http_request* request, const char* method, const char* url) {
  memset(request, 0, sizeof *request);
  request->struct_size = sizeof *request;
  request->method = method;
  request->url = url;
}

void msdk_answer_clear(msdk_answer* a) {
  a->sent = MS_OK;
  a->status = 0;
  a->request_sent = 0;
  msdk_buf_clear(&a->body);
  msdk_buf_clear(&a->headers);
  msdk_buf_clear(&a->error);
}

void msdk_answer_free(msdk_answer* a) {
  msdk_buf_free(&a->body);
  msdk_buf_free(&a->headers);
  msdk_buf_free(&a->error);
  a->sent = MS_OK;
  a->status = 0;
}

ms_status msdk_http(const ms_http_request* request, msdk_answer* a) {
  ms_http_response resp;
  ms_sink body, headers, error;
  msdk_answer_clear(a);
  if (a->body.limit == 0) a->body.limit = MSDK_DEFAULT_BODY_LIMIT;
  if (a->headers.limit == 0) a->headers.limit = MSDK_DEFAULT_HEADERS_LIMIT;
  if (a->error.limit == 0) a->error.limit = MSDK_DEFAULT_ERROR_LIMIT;
  if (g_host == NULL) {
    msdk_buf_add(&a->error, "msdk_init() was not called");
    a->sent = MS_ERR_PERMANENT;
    return a->sent;
  }
  body = msdk_buf_sink(&a->body);
  headers = msdk_buf_sink(&a->headers);
  error = msdk_buf_sink(&a->error);
  memset(&resp, 0, sizeof resp);
  resp.struct_size = sizeof resp;
  resp.body = &body;
  resp.headers = &headers;
  resp.error = &error;
  a->sent = g_host->http(g_host, request, &resp);
  a->status = resp.status;
  a->request_sent = resp.request_sent != 0;
  return a->sent;
}

int msdk_answer_header(const msdk_answer* a, const char* name, msdk_buf* out) {
  msdk_buf pointer = {0};
  ms_sink s = msdk_buf_sink(out);
  int32_t type = MS_JSON_NONE;
  const char* p;
  msdk_buf_clear(out);
  if (g_host == NULL || a->headers.len == 0 || name == NULL) return 0;
  msdk_buf_append(&pointer, "/", 1);
  for (p = name; *p; ++p) { /* RFC 6901: '~' is "~0", '/' is "~1" */
    if (*p == '~')
      msdk_buf_add(&pointer, "~0");
    else if (*p == '/')
      msdk_buf_add(&pointer, "~1");
    else
      msdk_buf_append(&pointer, p, 1);
  }
  if (!pointer.failed) type = g_host->json_get(g_host, a->headers.data, a->headers.len, pointer.data, &s);
  msdk_buf_free(&pointer);
  return type == MS_JSON_STRING;
}

ms_status msdk_http_kind(int32_t status) {
  if (status >= 200 && status < 300) return MS_OK;
  if (status == 429) return MS_ERR_RATE_LIMITED;
  if (status == 401) return MS_ERR_AUTH_EXPIRED;
  if (status == 403) return MS_ERR_AUTH_INVALID;
  if (status == 0 || status == 408 || (status >= 500 && status < 600)) return MS_ERR_TRANSIENT;
  return MS_ERR_PERMANENT;
}

ms_status msdk_answer_kind(const msdk_answer* a) {
  if (a->sent == MS_ERR_TRANSIENT) return MS_ERR_TRANSIENT;
  if (a->sent != MS_OK) return MS_ERR_PERMANENT;
  return msdk_http_kind(a->status);
}

int msdk_answer_outcome_unknown(const msdk_answer* a) {
  if (a->sent == MS_OK) return a->status == 502 || a->status == 503 || a->status == 504;
  return a->sent == MS_ERR_TRANSIENT && a->request_sent;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d) {
  long long era;
  unsigned yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned)(y - era * 400);
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

/* An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110) in seconds since 1970; -1 if not. */
static long long http_date(const char* text) {
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  char month[4] = {0};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  const char* comma = strchr(text, ',');
  const char* found;
  if (comma == NULL) return -1;
  if (sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d GMT", &day, month, &year, &hour, &minute, &second) != 6) return -1;
  found = strlen(month) == 3 ? strstr(months, month) : NULL;
  if (found == NULL || (found - months) % 3 != 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return -1;
  return days_from_civil(year, (unsigned)((found - months) / 3 + 1), (unsigned)day) * 86400 + hour * 3600 +
         minute * 60 + second;
}

int32_t msdk_answer_retry_after(const msdk_answer* a) {
  msdk_buf value = {0};
  long long seconds = 0;
  const char* text;
  if (!msdk_answer_header(a, "retry-after", &value)) {
    msdk_buf_free(&value);
    return 0;
  }
  text = msdk_buf_str(&value);
  while (*text == ' ' || *text == '\t') ++text;
  if (*text >= '0' && *text <= '9') {
    for (; *text >= '0' && *text <= '9'; ++text)
      if (seconds < INT32_MAX) seconds = seconds * 10 + (*text - '0');
  } else {
    long long at = http_date(text);
    if (at >= 0 && g_host != NULL) seconds = at - g_host->now_unix_ms(g_host) / 1000;
  }
  msdk_buf_free(&value);
  if (seconds < 0) return 0;
  return seconds > INT32_MAX ? INT32_MAX : (int32_t)seconds;
}

ms_status msdk_answer_fail(const msdk_answer* a, const ms_reply* reply, ms_status kind, const char* message,
                           const char* platform_code) {
  char text[64];
  int32_t retry = 0;
  ms_status k = kind != MS_OK ? kind : msdk_answer_kind(a);
  if (k == MS_OK) return MS_OK;
  if (a->sent == MS_OK && (k == MS_ERR_RATE_LIMITED || (k == MS_ERR_TRANSIENT && a->status == 503)))
    retry = msdk_answer_retry_after(a);
  if (message == NULL) {
    if (a->sent != MS_OK) {
      message = a->error.len ? msdk_buf_str(&a->error) : "the platform could not be reached";
    } else {
      snprintf(text, sizeof text, "the platform answered HTTP %d", (int)a->status);
      message = text;
    }
  }
  reply->error(reply, message, platform_code, retry);
  return k;
}

/* ------------------------------------------------------------------------------------------ */
/* Settings, URLs, parameters                                                                   */
/* ------------------------------------------------------------------------------------------ */

int msdk_setting_string(const char* pointer, msdk_buf* out) {
  ms_sink s = msdk_buf_sink(out);
  msdk_buf_clear(out);
  if (g_host == NULL) return 0;
  return g_host->setting(g_host, pointer, &s) == MS_JSON_STRING && out->len > 0 && !out->failed;
}

int msdk_request_setting_string(const char* request, size_t request_len, const char* pointer, msdk_buf* out) {
  msdk_buf path = {0};
  ms_sink s = msdk_buf_sink(out);
  int found = 0;
  msdk_buf_clear(out);
  if (g_host != NULL && request != NULL && pointer != NULL && *pointer == '/') {
    msdk_buf_add(&path, "/app");
    msdk_buf_add(&path, pointer);
    found = !path.failed && g_host->json_get(g_host, request, request_len, msdk_buf_str(&path), &s) == MS_JSON_STRING &&
            !out->failed;
    msdk_buf_free(&path);
  }
  return found || msdk_setting_string(pointer, out);
}

long long msdk_setting_int(const char* pointer, long long fallback) {
  msdk_buf text = {0};
  ms_sink s = msdk_buf_sink(&text);
  long long v = fallback;
  text.limit = 64;
  if (g_host != NULL && g_host->setting(g_host, pointer, &s) == MS_JSON_NUMBER && !text.failed &&
      parse_integer(msdk_buf_str(&text), 1, &v) != 1)
    v = fallback;
  msdk_buf_free(&text);
  return v;
}

int msdk_url(const char* setting, const char* fallback, const char* path, msdk_buf* out) {
  if (!msdk_setting_string(setting, out)) {
    if (fallback == NULL || *fallback == '\0') return 0;
    msdk_buf_add(out, fallback);
  }
  while (out->len > 0 && out->data[out->len - 1] == '/') out->data[--out->len] = '\0';
  msdk_buf_add(out, path);
  return !out->failed;
}

void msdk_url_encode(msdk_buf* out, const char* text, size_t len) {
  ms_sink s = msdk_buf_sink(out);
  if (g_host != NULL) g_host->url_encode(g_host, text ? text : "", text ? len : 0, &s);
}

void msdk_url_param(msdk_buf* out, const char* name, const char* value) {
  if (out->len > 0 && out->data[out->len - 1] != '?' && out->data[out->len - 1] != '&') msdk_buf_append(out, "&", 1);
  msdk_url_encode(out, name, name ? strlen(name) : 0);
  msdk_buf_append(out, "=", 1);
  msdk_url_encode(out, value, value ? strlen(value) : 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Clock, sleep, log                                                                            */
/* ------------------------------------------------------------------------------------------ */

ms_status msdk_sleep_ms(uint32_t ms) { return g_host ? g_host->sleep_ms(g_host, ms) : MS_ERR_TRANSIENT; }

ms_status msdk_time_parse(const char* text, size_t len, int64_t* unix_ms) {
  if (g_host == NULL || text == NULL) return MS_ERR_INVALID_INPUT;
  return g_host->time_parse(g_host, text, len, unix_ms);
}

void msdk_time_format(int64_t unix_ms, msdk_buf* out) {
  ms_sink s = msdk_buf_sink(out);
  if (g_host != NULL) g_host->time_format(g_host, unix_ms, &s);
}

int64_t msdk_now_ms(void) { return g_host ? g_host->now_unix_ms(g_host) : 0; }

void msdk_log(int32_t level, const char* format, ...) {
  char line[1024];
  va_list args;
  if (g_host == NULL) return;
  va_start(args, format);
  vsnprintf(line, sizeof line, format, args);
  va_end(args);
  g_host->log(g_host, level, line);
}
