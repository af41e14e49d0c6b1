/*
 * webhook — the MarketSage example plugin, in plain C99.
 *
 * It talks to a minimal "webhook platform" (described in README.md next to this file): posts are
 * published by POSTing JSON to <api_base>/posts, media are uploaded in chunks to <api_base>/media,
 * tokens come from an OAuth 2.0 server at <auth_base> with PKCE. Everything goes through the host
 * services (HTTP, JSON, encoding, clock), reached through the small C helper library
 * sdk-docs/c-sdk/ms_sdk.h, compiled into the plugin. So the plugin needs only plugin.h, the
 * helper library and the C library.
 *
 * Build:  gcc -std=c99 -Wall -Werror -shared -fPIC -fvisibility=hidden -I plugin-api -I sdk-docs/c-sdk \
 *             sdk-docs/example-plugin/webhook.c sdk-docs/c-sdk/ms_sdk.c -o libwebhook.so
 *
 * Reading order: the platform calls and their error mapping, then validate, publish, delete,
 * health, media upload, OAuth, and last the descriptor and the entry symbol.
 */
#include "ms_sdk.h"

#include <stdio.h>
#include <string.h>

/* Bounds of every input: no real value comes near them, and an oversized one is invalid input. */
#define MAX_TOKEN 8192   /* bytes of an access or refresh token */
#define MAX_ID 256       /* bytes of an id */
#define MAX_URL 4096     /* bytes of a URL or a file path */
#define MAX_THREAD 25    /* follow-up parts of a thread */
#define MAX_MEDIA 10     /* media of one post */

/* ---------------------------------------------------------------------------------------- */
/* Talking to the platform                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* Sends one request to the platform: optional bearer token, optional JSON or form body,
 * optionally a byte range of a file streamed after it (never loaded into memory), and one optional
 * header of the call's own (Content-Range of a chunk, Idempotency-Key of a post). */
static ms_status platform_call(const char *method, const char *url, const char *token, const char *content_type,
                               const msdk_buf *body, const char *file, uint64_t offset, uint64_t length,
                               const char *extra_header, const char *extra_value, msdk_answer *answer) {
  const char *headers[9];
  int n = 0;
  msdk_buf bearer = {0};
  ms_http_request req;
  ms_status sent;

  headers[n++] = "Accept";
  headers[n++] = "application/json";
  if (token != NULL) {
    msdk_buf_printf(&bearer, "Bearer %s", token);
    headers[n++] = "Authorization";
    headers[n++] = msdk_buf_str(&bearer);
  }
  if (content_type != NULL) {
    headers[n++] = "Content-Type";
    headers[n++] = content_type;
  }
  if (extra_header != NULL && extra_value != NULL) {
    headers[n++] = extra_header;
    headers[n++] = extra_value;
  }
  headers[n] = NULL;

  msdk_http_request_init(&req, method, url);
  req.headers = headers;
  if (body != NULL) {
    req.body = body->data;
    req.body_len = body->len;
  }
  req.body_file = file;
  req.body_file_offset = offset;
  req.body_file_length = length;
  sent = msdk_http(&req, answer);
  msdk_buf_free(&bearer);
  return sent;
}

/* Turns an answer that is not 2xx into the call's error, with the platform's own message and
 * code from its error body {"error": {"code": "…", "message": "…"}} (OAuth: {"error": "…"}).
 * The SDK maps statuses to kinds (429 + Retry-After, 401, 403, 408/5xx...); the platform's codes
 * refine it: a 401 other than "token_expired" is a token the platform does not know, which no
 * refresh cures. `kind` overrides the mapping (MS_OK: keep it). Returns MS_OK for 2xx. */
static ms_status platform_error(const msdk_answer *a, const ms_reply *reply, ms_status kind) {
  msdk_doc body = {0};
  msdk_buf message = {0}, code = {0};
  ms_status status;

  if (kind == MS_OK && msdk_answer_kind(a) == MS_OK) return MS_OK;
  if (a->sent == MS_OK && msdk_doc_parse(&body, a->body.data, a->body.len)) {
    if (!msdk_doc_string(&body, "/error/message", MSDK_OPTIONAL, 500, &message))
      msdk_doc_string(&body, "/message", MSDK_OPTIONAL, 500, &message);
    if (!msdk_doc_string(&body, "/error/code", MSDK_OPTIONAL, 100, &code))
      msdk_doc_string(&body, "/error", MSDK_OPTIONAL, 100, &code);
  }
  msdk_doc_free(&body);
  if (kind == MS_OK && a->sent == MS_OK && a->status == 401 && code.len > 0 && strcmp(code.data, "token_expired") != 0)
    kind = MS_ERR_AUTH_INVALID;
  status = msdk_answer_fail(a, reply, kind, message.len ? message.data : NULL, code.len ? code.data : NULL);
  msdk_buf_free(&message);
  msdk_buf_free(&code);
  return status;
}

/* <api_base> + path into `url`; fails the call when the operator did not configure it. */
static ms_status api_url(const char *path, msdk_buf *url, const ms_reply *reply) {
  if (msdk_url("/api_base", NULL, path, url)) return MS_OK;
  return msdk_fail(reply, MS_ERR_PERMANENT, "api_base is not configured for the webhook plugin");
}

/* ---------------------------------------------------------------------------------------- */
/* validate: the checks every post passes before anything is sent. No network.               */
/* ---------------------------------------------------------------------------------------- */

/* Number of Unicode code points in UTF-8 text (the host only passes valid UTF-8). */
static size_t utf8_length(const char *s, size_t len) {
  size_t i, n = 0;
  for (i = 0; i < len; ++i)
    if (((unsigned char)s[i] & 0xC0) != 0x80) ++n;
  return n;
}

/* Checks one part of a post: "" (the post itself) or "/thread/N". A part needs text or media;
 * thread parts carry text only (the host passes them as the client wrote them, and uploads
 * media of the post itself only). */
static void check_part(msdk_doc *req, const char *prefix, long long max_length) {
  char pointer[64], what[64];
  msdk_buf content = {0};
  size_t media = 0;

  snprintf(pointer, sizeof pointer, "%s/content", prefix);
  msdk_doc_string(req, pointer, MSDK_OPTIONAL, (size_t)max_length * 4, &content); /* <= 4 bytes a code point */
  if (utf8_length(content.data, content.len) > (size_t)max_length) {
    snprintf(what, sizeof what, "is longer than %lld characters", max_length);
    msdk_doc_field_problem(req, pointer, what);
  }
  snprintf(pointer, sizeof pointer, "%s/media", prefix);
  if (prefix[0] == '\0') {
    msdk_doc_array(req, pointer, MSDK_OPTIONAL, (size_t)msdk_setting_int("/max_media", 4), &media);
  } else if (msdk_doc_array(req, pointer, MSDK_OPTIONAL, MAX_MEDIA, &media) && media > 0) {
    msdk_doc_field_problem(req, pointer, "is not supported: thread parts carry text only");
  }
  if (content.len > 0 || media > 0) {
    /* fine */
  } else if (prefix[0] == '\0') {
    msdk_doc_problem(req, "/content", "a post needs content or media");
  } else {
    msdk_doc_field_problem(req, prefix, "needs content");
  }
  msdk_buf_free(&content);
}

/* The checks validate() and publish() share: the first problem is recorded in `req`. */
static void check_post(msdk_doc *req) {
  long long max_length = msdk_setting_int("/max_length", 5000);
  msdk_buf text = {0};
  size_t parts = 0, i;
  int64_t when = 0;
  int silent = 0;
  char prefix[32];

  if (max_length <= 0 || max_length > 1000000) max_length = 5000;
  check_part(req, "", max_length);
  msdk_doc_string(req, "/link", MSDK_OPTIONAL, MAX_URL, &text);
  msdk_doc_array(req, "/thread", MSDK_OPTIONAL, MAX_THREAD, &parts);
  for (i = 0; i < parts; ++i) {
    snprintf(prefix, sizeof prefix, "/thread/%lu", (unsigned long)i);
    if (msdk_doc_object(req, prefix, MSDK_REQUIRED)) check_part(req, prefix, max_length);
  }
  /* Native scheduling: the host passes scheduledTime (RFC 3339) when the client asked for it. */
  if (msdk_doc_string(req, "/scheduledTime", MSDK_OPTIONAL, 64, &text) &&
      msdk_time_parse(text.data, text.len, &when) != MS_OK)
    msdk_doc_field_problem(req, "/scheduledTime", "must be an RFC 3339 date-time");
  msdk_doc_bool(req, "/options/silent", MSDK_OPTIONAL, &silent); /* options.webhook.silent */
  msdk_buf_free(&text);
}

static ms_status validate(const char *request, size_t len, const ms_reply *reply) {
  msdk_doc req;
  ms_status status = MS_OK;
  if (msdk_doc_parse_object(&req, request, len)) check_post(&req);
  /* Refused content is answered as an issue {"field", "message"}: the host shows it per target. */
  if (req.failed) status = msdk_invalid(reply, req.field, req.error);
  else status = msdk_reply_text(reply, "{\"issues\":[]}");
  msdk_doc_free(&req);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* publish: the post, then each thread part as a reply to the previous one.                   */
/* ---------------------------------------------------------------------------------------- */

/* Publishes part `part` (0 = the post, k = thread part k-1) as a reply to `reply_to` (or NULL);
 * its id and URL go to `id` and `url`. Sets *processing (and creates nothing) when the platform
 * is still processing a media file of the part.
 *
 * Exactly once: each part carries the Idempotency-Key "<idempotencyKey>-<part>", the same on every
 * attempt, and the platform answers a key it has seen with the post it made then. So a request
 * that went out and got no answer (or a gateway's 502/503/504) is safe to send again: it stays
 * MS_ERR_TRANSIENT and the host retries it. Without a key (or on a platform that honours none) the
 * post may exist and a re-send could post twice: that is MS_ERR_OUTCOME_UNKNOWN, and the host
 * reconciles or asks a person. */
static ms_status publish_part(msdk_doc *req, size_t part, const char *token, const char *reply_to, msdk_buf *id,
                              msdk_buf *url, int *processing, const ms_reply *reply) {
  char prefix[32], pointer[64];
  msdk_buf body = {0}, value = {0}, endpoint = {0}, key = {0}, code = {0};
  msdk_answer a = {0};
  msdk_doc answer = {0};
  size_t media = 0, i;
  int silent = 0;
  int64_t when = 0;
  ms_status status;

  if (part == 0) prefix[0] = '\0';
  else snprintf(prefix, sizeof prefix, "/thread/%lu", (unsigned long)(part - 1));

  /* {"account", "text", "link"?, "replyTo"?, "media": [ids], "publishAt"?, "silent"?} */
  msdk_json_begin_object(&body);
  msdk_doc_string(req, "/account/id", MSDK_REQUIRED, MAX_ID, &value);
  msdk_json_field_string(&body, "account", value.data);
  snprintf(pointer, sizeof pointer, "%s/content", prefix);
  msdk_doc_string(req, pointer, MSDK_OPTIONAL, (size_t)-1, &value);
  msdk_json_field_string_n(&body, "text", msdk_buf_str(&value), value.len);
  if (part == 0 && msdk_doc_string(req, "/link", MSDK_OPTIONAL, MAX_URL, &value))
    msdk_json_field_string(&body, "link", value.data);
  if (reply_to != NULL) msdk_json_field_string(&body, "replyTo", reply_to);
  msdk_json_key(&body, "media");
  msdk_json_begin_array(&body);
  if (part == 0) msdk_doc_array(req, "/media", MSDK_OPTIONAL, MAX_MEDIA, &media);
  for (i = 0; i < media; ++i) { /* the host uploaded them first (we announce media) */
    snprintf(pointer, sizeof pointer, "/media/%lu/platformMediaId", (unsigned long)i);
    if (msdk_doc_string(req, pointer, MSDK_REQUIRED, MAX_ID, &value)) msdk_json_string(&body, value.data);
  }
  msdk_json_end_array(&body);
  if (part == 0 && msdk_doc_string(req, "/scheduledTime", MSDK_OPTIONAL, 64, &value) &&
      msdk_time_parse(value.data, value.len, &when) == MS_OK)
    msdk_json_field_int(&body, "publishAt", (long long)(when / 1000)); /* the platform wants Unix seconds */
  if (msdk_doc_bool(req, "/options/silent", MSDK_OPTIONAL, &silent) && silent) msdk_json_field_bool(&body, "silent", 1);
  msdk_json_end_object(&body);

  if (req->failed) {
    status = msdk_doc_fail(req, reply);
  } else if (body.failed) {
    status = msdk_fail(reply, MS_ERR_TRANSIENT, "out of memory");
  } else if ((status = api_url("/posts", &endpoint, reply)) == MS_OK) {
    if (msdk_doc_string(req, "/idempotencyKey", MSDK_OPTIONAL, MAX_ID, &key))
      msdk_buf_printf(&key, "-%lu", (unsigned long)part);
    platform_call("POST", endpoint.data, token, "application/json", &body, NULL, 0, 0, "Idempotency-Key",
                  key.len ? key.data : NULL, &a);
    if (a.sent == MS_OK && a.status == 409 && msdk_doc_parse(&answer, a.body.data, a.body.len) &&
        msdk_doc_string(&answer, "/error/code", MSDK_OPTIONAL, 64, &code) && strcmp(code.data, "media_processing") == 0) {
      *processing = 1; /* nothing was created: come back when the media are ready */
      goto done;
    }
    msdk_doc_free(&answer);
    status = platform_error(&a, reply, msdk_answer_outcome_unknown(&a) && key.len == 0 ? MS_ERR_OUTCOME_UNKNOWN : MS_OK);
    if (status == MS_OK) {
      msdk_doc_parse(&answer, a.body.data, a.body.len);
      if (!msdk_doc_string(&answer, "/id", MSDK_REQUIRED, MAX_ID, id))
        status = msdk_fail(reply, MS_ERR_PERMANENT, "the platform answered without a post id");
      msdk_doc_string(&answer, "/url", MSDK_OPTIONAL, MAX_URL, url);
    }
  }
done:
  msdk_buf_free(&body);
  msdk_buf_free(&value);
  msdk_buf_free(&endpoint);
  msdk_buf_free(&key);
  msdk_buf_free(&code);
  msdk_answer_free(&a);
  msdk_doc_free(&answer);
  return status;
}

static ms_status publish(const char *request, size_t len, const ms_reply *reply) {
  msdk_doc req;
  msdk_buf token = {0}, account = {0}, id = {0}, url = {0}, first_id = {0}, first_url = {0}, previous = {0}, ids = {0},
           out = {0};
  size_t parts = 0, resumed = 0, part;
  char pointer[64];
  int processing = 0;
  ms_status status = MS_OK;

  /* Read and check everything first: nothing that cannot be published reaches the network. */
  if (msdk_doc_parse_object(&req, request, len)) {
    check_post(&req);
    msdk_doc_string(&req, "/accessToken", MSDK_REQUIRED, MAX_TOKEN, &token);
    msdk_doc_string(&req, "/account/id", MSDK_REQUIRED, MAX_ID, &account);
    msdk_doc_array(&req, "/thread", MSDK_OPTIONAL, MAX_THREAD, &parts);
    /* A retry after a partial failure: these parts are live already; continue after them. */
    msdk_doc_array(&req, "/resume/postIds", MSDK_OPTIONAL, parts + 1, &resumed);
  }
  msdk_json_begin_array(&ids);
  for (part = 0; part < resumed && !req.failed; ++part) {
    snprintf(pointer, sizeof pointer, "/resume/postIds/%lu", (unsigned long)part);
    if (!msdk_doc_string(&req, pointer, MSDK_REQUIRED, MAX_ID, &previous)) break;
    msdk_json_string(&ids, previous.data);
    if (part == 0) msdk_buf_add(&first_id, previous.data);
  }
  if (req.failed) status = msdk_doc_fail(&req, reply);

  for (part = resumed; status == MS_OK && part <= parts; ++part) {
    status = publish_part(&req, part, token.data, previous.len ? previous.data : NULL, &id, &url, &processing, reply);
    if (status != MS_OK || processing) break;
    msdk_json_string(&ids, id.data);
    msdk_buf_clear(&previous);
    msdk_buf_add(&previous, id.data);
    if (part == 0) {
      msdk_buf_add(&first_id, id.data);
      msdk_buf_add(&first_url, url.data);
    }
  }
  msdk_json_end_array(&ids);

  msdk_json_begin_object(&out);
  if (status == MS_OK && processing) {
    /* Not ready: ask the host to come back instead of waiting here (no worker is held). The
     * parts already live travel in resume.postIds, as after a partial failure. */
    msdk_json_key(&out, "pending");
    msdk_json_begin_object(&out);
    msdk_json_field_int(&out, "retryAfterSeconds", msdk_setting_int("/processing_wait_seconds", 5));
    msdk_json_field_string(&out, "stage", "the platform is processing the media");
    msdk_json_key(&out, "resume");
    msdk_json_begin_object(&out);
    msdk_json_field_raw(&out, "postIds", ids.data, ids.len);
    msdk_json_end_object(&out);
    msdk_json_end_object(&out);
    msdk_json_end_object(&out);
    status = msdk_reply_json(reply, &out);
  } else if (status == MS_OK) {
    msdk_json_field_string(&out, "postId", first_id.data);
    if (first_url.len) msdk_json_field_string(&out, "url", first_url.data);
    msdk_json_field_raw(&out, "postIds", ids.data, ids.len);
    msdk_json_end_object(&out);
    status = msdk_reply_json(reply, &out);
  } else if (part > 0 && !req.failed) {
    /* Parts 0..part-1 are live: say so (the error details are already set), so that the host
     * shows them and a retry resumes after them instead of posting them twice. */
    msdk_json_field_raw(&out, "postIds", ids.data, ids.len);
    msdk_json_field_int(&out, "failedPart", (long long)part);
    msdk_json_end_object(&out);
    if (!out.failed) reply->write(reply, out.data, out.len);
  }
  msdk_doc_free(&req);
  msdk_buf_free(&token);
  msdk_buf_free(&account);
  msdk_buf_free(&id);
  msdk_buf_free(&url);
  msdk_buf_free(&first_id);
  msdk_buf_free(&first_url);
  msdk_buf_free(&previous);
  msdk_buf_free(&ids);
  msdk_buf_free(&out);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* delete_post and check_token                                                                */
/* ---------------------------------------------------------------------------------------- */

static ms_status delete_post(const char *request, size_t len, const ms_reply *reply) {
  msdk_doc req;
  msdk_buf token = {0}, id = {0}, path = {0}, url = {0};
  msdk_answer a = {0};
  ms_status status;

  if (msdk_doc_parse_object(&req, request, len)) {
    msdk_doc_string(&req, "/accessToken", MSDK_REQUIRED, MAX_TOKEN, &token);
    msdk_doc_string(&req, "/postId", MSDK_REQUIRED, MAX_ID, &id);
  }
  if (req.failed) {
    status = msdk_doc_fail(&req, reply);
  } else {
    msdk_buf_add(&path, "/posts/");
    msdk_url_encode(&path, id.data, id.len); /* a path segment: "p 1" -> "p%201" */
    if ((status = api_url(path.data, &url, reply)) == MS_OK) {
      platform_call("DELETE", url.data, token.data, NULL, NULL, NULL, 0, 0, NULL, NULL, &a);
      status = platform_error(&a, reply, MS_OK);
    }
    if (status == MS_OK) status = msdk_reply_text(reply, "{}");
  }
  msdk_doc_free(&req);
  msdk_buf_free(&token);
  msdk_buf_free(&id);
  msdk_buf_free(&path);
  msdk_buf_free(&url);
  msdk_answer_free(&a);
  return status;
}

static ms_status check_token(const char *request, size_t len, const ms_reply *reply) {
  msdk_doc req, me = {0};
  msdk_buf token = {0}, url = {0}, id = {0}, out = {0};
  msdk_answer a = {0};
  long long expires_in = -1;
  ms_status status;

  if (msdk_doc_parse_object(&req, request, len)) msdk_doc_string(&req, "/accessToken", MSDK_REQUIRED, MAX_TOKEN, &token);
  if (req.failed) {
    status = msdk_doc_fail(&req, reply);
  } else if ((status = api_url("/me", &url, reply)) == MS_OK) {
    platform_call("GET", url.data, token.data, NULL, NULL, NULL, 0, 0, NULL, NULL, &a); /* the cheapest call */
    status = platform_error(&a, reply, MS_OK);
  }
  if (status == MS_OK) {
    /* {"id", "name", "expiresIn"?}: the token's remaining life, in seconds, as an RFC 3339 time. */
    msdk_doc_parse(&me, a.body.data, a.body.len);
    msdk_doc_string(&me, "/id", MSDK_OPTIONAL, MAX_ID, &id);
    msdk_doc_int(&me, "/expiresIn", MSDK_OPTIONAL | MSDK_NUMERIC_STRING, 0, 100LL * 365 * 86400, &expires_in);
    msdk_json_begin_object(&out);
    msdk_json_field_bool(&out, "healthy", 1);
    if (id.len) msdk_json_field_string(&out, "accountId", id.data);
    if (expires_in >= 0) msdk_json_field_time(&out, "expiresAt", msdk_now_ms() + expires_in * 1000);
    msdk_json_end_object(&out);
    status = msdk_reply_json(reply, &out);
  }
  msdk_doc_free(&req);
  msdk_doc_free(&me);
  msdk_buf_free(&token);
  msdk_buf_free(&url);
  msdk_buf_free(&id);
  msdk_buf_free(&out);
  msdk_answer_free(&a);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* media: a chunked upload streamed from the file, never loaded in memory.                    */
/* ---------------------------------------------------------------------------------------- */

static ms_status upload(const char *request, size_t len, const ms_reply *reply) {
  msdk_doc req, answer = {0};
  msdk_buf token = {0}, path = {0}, mime = {0}, body = {0}, url = {0}, id = {0}, id_path = {0}, out = {0};
  msdk_answer a = {0};
  ms_status status;
  long long size = 0, offset, chunk = msdk_setting_int("/chunk_size", 4 * 1024 * 1024);
  int processing;

  if (msdk_doc_parse_object(&req, request, len)) {
    msdk_doc_string(&req, "/accessToken", MSDK_REQUIRED, MAX_TOKEN, &token);
    msdk_doc_string(&req, "/path", MSDK_REQUIRED, MAX_URL, &path); /* a file the host can read */
    msdk_doc_string(&req, "/mimeType", MSDK_REQUIRED, 255, &mime);
    msdk_doc_int(&req, "/size", MSDK_REQUIRED, 1, 1LL << 40, &size);
  }
  if (req.failed) {
    status = msdk_doc_fail(&req, reply);
    goto done;
  }
  if (chunk <= 0) chunk = 4 * 1024 * 1024;

  /* 1. Create the upload session: {"mimeType", "size"} -> {"id"}. */
  msdk_json_begin_object(&body);
  msdk_json_field_string(&body, "mimeType", mime.data);
  msdk_json_field_int(&body, "size", size);
  msdk_json_end_object(&body);
  if ((status = api_url("/media", &url, reply)) != MS_OK) goto done;
  platform_call("POST", url.data, token.data, "application/json", &body, NULL, 0, 0, NULL, NULL, &a);
  if ((status = platform_error(&a, reply, MS_OK)) != MS_OK) goto done;
  msdk_doc_parse(&answer, a.body.data, a.body.len);
  if (!msdk_doc_string(&answer, "/id", MSDK_REQUIRED, MAX_ID, &id)) {
    status = msdk_fail(reply, MS_ERR_PERMANENT, "the platform answered without a media id");
    goto done;
  }

  /* 2. Send the file chunk by chunk: each PUT streams one byte range of the file. */
  msdk_buf_add(&id_path, "/media/");
  msdk_url_encode(&id_path, id.data, id.len);
  if ((status = api_url(id_path.data, &url, reply)) != MS_OK) goto done;
  for (offset = 0; status == MS_OK && offset < size; offset += chunk) {
    long long n = size - offset < chunk ? size - offset : chunk;
    char range[96];
    snprintf(range, sizeof range, "bytes %lld-%lld/%lld", offset, offset + n - 1, size);
    platform_call("PUT", url.data, token.data, "application/octet-stream", NULL, path.data, (uint64_t)offset,
                  (uint64_t)n, "Content-Range", range, &a);
    status = platform_error(&a, reply, MS_OK);
  }

  /* 3. The last chunk answers 201 when the file is ready, 202 while the platform still processes
   *    it (videos). Do not wait for it here: the media id is good already, and "pending" tells
   *    the host to come back later, holding no worker meanwhile. publish then hears 409
   *    media_processing until the file is ready, and answers "pending" again. */
  processing = status == MS_OK && a.status == 202;
  if (status == MS_OK) {
    msdk_json_begin_object(&out);
    msdk_json_field_string(&out, "platformMediaId", id.data);
    if (processing) {
      msdk_json_key(&out, "pending");
      msdk_json_begin_object(&out);
      msdk_json_field_int(&out, "retryAfterSeconds", msdk_setting_int("/processing_wait_seconds", 5));
      msdk_json_field_string(&out, "stage", "the platform is processing the video");
      msdk_json_end_object(&out);
    }
    msdk_json_end_object(&out);
    status = msdk_reply_json(reply, &out);
  }
done:
  msdk_doc_free(&req);
  msdk_doc_free(&answer);
  msdk_buf_free(&token);
  msdk_buf_free(&path);
  msdk_buf_free(&mime);
  msdk_buf_free(&body);
  msdk_buf_free(&url);
  msdk_buf_free(&id);
  msdk_buf_free(&id_path);
  msdk_buf_free(&out);
  msdk_answer_free(&a);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* oauth: authorization code flow with PKCE.                                                  */
/* ---------------------------------------------------------------------------------------- */

/* <auth_base> + path, or <api_base>/oauth + path when auth_base is not set. */
static ms_status auth_url(const char *path, msdk_buf *url, const ms_reply *reply) {
  msdk_buf oauth_path = {0};
  int found;
  if (msdk_url("/auth_base", NULL, path, url)) return MS_OK;
  msdk_buf_printf(&oauth_path, "/oauth%s", path);
  found = msdk_url("/api_base", NULL, oauth_path.data, url);
  msdk_buf_free(&oauth_path);
  return found ? MS_OK : msdk_fail(reply, MS_ERR_PERMANENT, "auth_base is not configured for the webhook plugin");
}

static ms_status authorize_url(const char *request, size_t len, const ms_reply *reply) {
  msdk_doc req;
  msdk_buf redirect = {0}, state = {0}, challenge = {0}, client = {0}, scopes = {0}, url = {0}, out = {0};
  ms_status status;

  if (msdk_doc_parse_object(&req, request, len)) {
    msdk_doc_string(&req, "/redirectUri", MSDK_REQUIRED, MAX_URL, &redirect);
    msdk_doc_string(&req, "/state", MSDK_REQUIRED, 1024, &state);
    msdk_doc_string(&req, "/codeChallenge", MSDK_REQUIRED, 256, &challenge);
  }
  if (req.failed) {
    status = msdk_doc_fail(&req, reply);
  } else if (!msdk_setting_string("/client_id", &client)) {
    status = msdk_fail(reply, MS_ERR_PERMANENT, "client_id is not configured for the webhook plugin");
  } else if ((status = auth_url("/authorize?", &url, reply)) == MS_OK) {
    if (!msdk_setting_string("/scopes", &scopes)) msdk_buf_add(&scopes, "publish");
    msdk_url_param(&url, "response_type", "code");
    msdk_url_param(&url, "client_id", client.data);
    msdk_url_param(&url, "redirect_uri", redirect.data);
    msdk_url_param(&url, "state", state.data);
    msdk_url_param(&url, "code_challenge", challenge.data);
    msdk_url_param(&url, "code_challenge_method", "S256");
    msdk_url_param(&url, "scope", scopes.data);
    msdk_json_begin_object(&out);
    msdk_json_field_string_n(&out, "url", url.data, url.len);
    msdk_json_end_object(&out);
    status = msdk_reply_json(reply, &out);
  }
  msdk_doc_free(&req);
  msdk_buf_free(&redirect);
  msdk_buf_free(&state);
  msdk_buf_free(&challenge);
  msdk_buf_free(&client);
  msdk_buf_free(&scopes);
  msdk_buf_free(&url);
  msdk_buf_free(&out);
  return status;
}

/* POSTs a token request form and converts the answer to the ABI's Token JSON. */
static ms_status token_request(msdk_buf *form, const ms_reply *reply) {
  msdk_buf client = {0}, secret = {0}, url = {0}, value = {0}, out = {0};
  msdk_answer a = {0};
  msdk_doc answer = {0};
  long long expires_in = -1;
  ms_status status;
  const char *scope, *end;

  if (!msdk_setting_string("/client_id", &client) || !msdk_setting_string("/client_secret", &secret)) {
    status = msdk_fail(reply, MS_ERR_PERMANENT, "client_id and client_secret are not configured for the webhook plugin");
  } else if ((status = auth_url("/token", &url, reply)) == MS_OK) {
    msdk_url_param(form, "client_id", client.data);
    msdk_url_param(form, "client_secret", secret.data);
    platform_call("POST", url.data, NULL, "application/x-www-form-urlencoded", form, NULL, 0, 0, NULL, NULL, &a);
    /* OAuth servers answer a bad code or refresh token with 400 invalid_grant: reconnect. */
    status = platform_error(&a, reply, a.sent == MS_OK && a.status == 400 ? MS_ERR_AUTH_INVALID : MS_OK);
  }
  if (status == MS_OK) {
    msdk_doc_parse(&answer, a.body.data, a.body.len);
    if (!msdk_doc_string(&answer, "/access_token", MSDK_REQUIRED, MAX_TOKEN, &value))
      status = msdk_fail(reply, MS_ERR_PERMANENT, "the token endpoint answered without access_token");
  }
  if (status == MS_OK) {
    msdk_json_begin_object(&out);
    msdk_json_field_string(&out, "accessToken", value.data);
    if (msdk_doc_string(&answer, "/refresh_token", MSDK_OPTIONAL, MAX_TOKEN, &value) && value.len)
      msdk_json_field_string(&out, "refreshToken", value.data);
    if (msdk_doc_int(&answer, "/expires_in", MSDK_OPTIONAL | MSDK_NUMERIC_STRING, 0, 100LL * 365 * 86400, &expires_in))
      msdk_json_field_int(&out, "expiresIn", expires_in);
    if (msdk_doc_string(&answer, "/scope", MSDK_OPTIONAL, 4096, &value) && value.len) {
      msdk_json_key(&out, "scopes"); /* OAuth's space-separated scope list as an array */
      msdk_json_begin_array(&out);
      for (scope = value.data; *scope != '\0'; scope = end) {
        while (*scope == ' ') ++scope;
        for (end = scope; *end != '\0' && *end != ' '; ++end) {
        }
        if (end > scope) msdk_json_string_n(&out, scope, (size_t)(end - scope));
      }
      msdk_json_end_array(&out);
    }
    msdk_json_end_object(&out);
    status = msdk_reply_json(reply, &out);
  }
  msdk_buf_free(&client);
  msdk_buf_free(&secret);
  msdk_buf_free(&url);
  msdk_buf_free(&value);
  msdk_buf_free(&out);
  msdk_answer_free(&a);
  msdk_doc_free(&answer);
  return status;
}

static ms_status exchange_code(const char *request, size_t len, const ms_reply *reply) {
  msdk_doc req;
  msdk_buf code = {0}, redirect = {0}, verifier = {0}, form = {0};
  ms_status status;
  if (msdk_doc_parse_object(&req, request, len)) {
    msdk_doc_string(&req, "/code", MSDK_REQUIRED, 4096, &code);
    msdk_doc_string(&req, "/redirectUri", MSDK_REQUIRED, MAX_URL, &redirect);
    msdk_doc_string(&req, "/codeVerifier", MSDK_REQUIRED, 256, &verifier);
  }
  if (req.failed) {
    status = msdk_doc_fail(&req, reply);
  } else {
    msdk_url_param(&form, "grant_type", "authorization_code");
    msdk_url_param(&form, "code", code.data);
    msdk_url_param(&form, "redirect_uri", redirect.data);
    msdk_url_param(&form, "code_verifier", verifier.data);
    status = token_request(&form, reply);
  }
  msdk_doc_free(&req);
  msdk_buf_free(&code);
  msdk_buf_free(&redirect);
  msdk_buf_free(&verifier);
  msdk_buf_free(&form);
  return status;
}

/* The webhook platform gives refresh tokens. A platform that does not leaves `refresh` NULL in
 * its ms_oauth_ext (ABI 1.1): the host then re-checks the token with check_token instead. */
static ms_status refresh(const char *request, size_t len, const ms_reply *reply) {
  msdk_doc req;
  msdk_buf token = {0}, form = {0};
  ms_status status;
  if (msdk_doc_parse_object(&req, request, len)) msdk_doc_string(&req, "/refreshToken", MSDK_REQUIRED, MAX_TOKEN, &token);
  if (req.failed) {
    status = msdk_doc_fail(&req, reply);
  } else {
    msdk_url_param(&form, "grant_type", "refresh_token");
    msdk_url_param(&form, "refresh_token", token.data);
    status = token_request(&form, reply);
  }
  msdk_doc_free(&req);
  msdk_buf_free(&token);
  msdk_buf_free(&form);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* Descriptor, extensions, entry.                                                             */
/* ---------------------------------------------------------------------------------------- */

static ms_status webhook_init(const ms_host *h) {
  msdk_init(h); /* valid until deinit(); no network here, and no settings required yet */
  msdk_log(MS_LOG_DEBUG, "webhook plugin ready (host %s %s)", h->host_name, h->host_version);
  return MS_OK;
}

static void webhook_deinit(void) { msdk_init(NULL); }

static const ms_oauth_ext oauth_ext = {sizeof(ms_oauth_ext), authorize_url, exchange_code, refresh, NULL /* revoke */};
static const ms_validate_ext validate_ext = {sizeof(ms_validate_ext), validate};
static const ms_publish_ext publish_ext = {sizeof(ms_publish_ext), publish};
static const ms_media_ext media_ext = {sizeof(ms_media_ext), upload};
static const ms_delete_ext delete_ext = {sizeof(ms_delete_ext), delete_post};
static const ms_health_ext health_ext = {sizeof(ms_health_ext), check_token};

static const void *webhook_get_extension(const char *id) {
  if (strcmp(id, MS_EXT_OAUTH) == 0) return &oauth_ext;
  if (strcmp(id, MS_EXT_VALIDATE) == 0) return &validate_ext;
  if (strcmp(id, MS_EXT_PUBLISH) == 0) return &publish_ext;
  if (strcmp(id, MS_EXT_MEDIA) == 0) return &media_ext;
  if (strcmp(id, MS_EXT_DELETE) == 0) return &delete_ext;
  if (strcmp(id, MS_EXT_HEALTH) == 0) return &health_ext;
  return NULL; /* every other id, including ids of later ABI versions */
}

static const ms_plugin_descriptor descriptor = {
    sizeof(ms_plugin_descriptor),
    "webhook",
    "Webhook (SDK example)",
    "1.2.0",
    MS_CAP_OAUTH | MS_CAP_VALIDATE | MS_CAP_PUBLISH | MS_CAP_MEDIA | MS_CAP_DELETE | MS_CAP_HEALTH,
    MS_PLUGIN_EXPERIMENTAL,
    "Publishes posts as JSON to a configured HTTP endpoint; the MarketSage SDK example.",
    NULL /* homepage */};

/* The one exported symbol. */
MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry),
    &descriptor,          webhook_init,         webhook_deinit,
    webhook_get_extension};
