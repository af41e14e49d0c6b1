/*
 * webhook — the MarketSage example plugin, in plain C99.
 *
 * It talks to a minimal "webhook platform" (described in README.md next to this file): posts are
 * published by POSTing JSON to <api_base>/posts, media are uploaded in chunks to <api_base>/media,
 * tokens come from an OAuth 2.0 server at <auth_base> with PKCE. Everything goes through the host
 * services (HTTP, JSON, encoding), so the plugin needs only plugin.h and the C library.
 *
 * Build:  gcc -std=c99 -Wall -Werror -shared -fPIC -fvisibility=hidden -I plugin-api \
 *             sdk-docs/example-plugin/webhook.c -o libwebhook.so
 */
#include <marketsage/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The host table, set once in init() and only read afterwards: safe to use from any thread. */
static const ms_host *host;

/* ---------------------------------------------------------------------------------------- */
/* A growable buffer that is also an ms_sink: how this plugin receives bytes from the host.   */
/* ---------------------------------------------------------------------------------------- */

typedef struct buf {
  char *data;
  size_t len, cap;
  int failed; /* set when an allocation failed */
} buf;

static int buf_write(void *ctx, const char *data, size_t len) {
  buf *b = (buf *)ctx;
  if (b->failed) return -1;
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *grown;
    while (cap < b->len + len + 1) cap *= 2;
    grown = (char *)realloc(b->data, cap);
    if (grown == NULL) {
      b->failed = 1;
      return -1;
    }
    b->data = grown;
    b->cap = cap;
  }
  if (len > 0) memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0'; /* always NUL-terminated, so b->data is usable as a C string */
  return 0;
}

static ms_sink buf_sink(buf *b) {
  ms_sink s;
  s.struct_size = sizeof s;
  s.ctx = b;
  s.write = buf_write;
  return s;
}

static void buf_add(buf *b, const char *text) { buf_write(b, text, strlen(text)); }
static void buf_clear(buf *b) { b->len = 0; if (b->data) b->data[0] = '\0'; }
static void buf_free(buf *b) { free(b->data); memset(b, 0, sizeof *b); }
static const char *buf_str(const buf *b) { return b->data ? b->data : ""; }

/* Appends `text` as a quoted JSON string. */
static void buf_add_quoted(buf *b, const char *text, size_t len) {
  ms_sink s = buf_sink(b);
  host->json_quote(host, text, len, &s);
}

/* Reads the value at `pointer` of a JSON document into `out` (cleared first); returns its type. */
static int32_t json_get(const char *json, size_t len, const char *pointer, buf *out) {
  ms_sink s = buf_sink(out);
  buf_clear(out);
  return host->json_get(host, json, len, pointer, &s);
}

/* Reads a non-empty string field; returns 1 when present. */
static int get_string(const char *json, size_t len, const char *pointer, buf *out) {
  return json_get(json, len, pointer, out) == MS_JSON_STRING && out->len > 0;
}

/* Reads a setting as a string; returns 1 when present and non-empty. */
static int get_setting(const char *pointer, buf *out) {
  ms_sink s = buf_sink(out);
  buf_clear(out);
  return host->setting(host, pointer, &s) == MS_JSON_STRING && out->len > 0;
}

/* Reads a numeric setting, or `fallback` when absent. */
static long long setting_number(const char *pointer, long long fallback) {
  buf b = {0};
  ms_sink s = buf_sink(&b);
  long long v = fallback;
  if (host->setting(host, pointer, &s) == MS_JSON_NUMBER) v = strtoll(buf_str(&b), NULL, 10);
  buf_free(&b);
  return v;
}

/* Fails the call: records the details and returns the status, so `return fail(...)` reads well. */
static ms_status fail(const ms_reply *reply, ms_status status, const char *message) {
  reply->error(reply, message, NULL, 0);
  return status;
}

/* The request must be one JSON object: the first thing every function checks. */
static int is_object(const char *request, size_t len) {
  return request != NULL && len > 0 && host->json_get(host, request, len, "", NULL) == MS_JSON_OBJECT;
}

/* <setting>, without a trailing slash, + path. Returns 1 on success. */
static int base_url(const char *setting, const char *path, buf *out) {
  if (!get_setting(setting, out)) return 0;
  while (out->len > 0 && out->data[out->len - 1] == '/') out->data[--out->len] = '\0';
  buf_add(out, path);
  return !out->failed;
}

/* ---------------------------------------------------------------------------------------- */
/* HTTP through the host, and the mapping of HTTP answers to the ABI's error kinds.           */
/* ---------------------------------------------------------------------------------------- */

typedef struct http_answer {
  int32_t status; /* HTTP status, 0 when none */
  buf body, headers, error;
} http_answer;

static void answer_free(http_answer *a) {
  buf_free(&a->body);
  buf_free(&a->headers);
  buf_free(&a->error);
}

/* Sends one request. `body_file` (may be NULL) is streamed from [offset, offset + length). */
static ms_status send(const char *method, const char *url, const char *token, const char *content_type,
                      const char *body, const char *body_file, uint64_t offset, uint64_t length,
                      const char *content_range, http_answer *answer) {
  const char *headers[9];
  int n = 0;
  buf auth = {0};
  ms_http_request req;
  ms_http_response resp;
  ms_sink body_sink = buf_sink(&answer->body), header_sink = buf_sink(&answer->headers),
          error_sink = buf_sink(&answer->error);
  ms_status status;

  headers[n++] = "Accept";
  headers[n++] = "application/json";
  if (token != NULL) {
    buf_add(&auth, "Bearer ");
    buf_add(&auth, token);
    headers[n++] = "Authorization";
    headers[n++] = buf_str(&auth);
  }
  if (content_type != NULL) {
    headers[n++] = "Content-Type";
    headers[n++] = content_type;
  }
  if (content_range != NULL) {
    headers[n++] = "Content-Range";
    headers[n++] = content_range;
  }
  headers[n] = NULL;

  memset(&req, 0, sizeof req);
  req.struct_size = sizeof req;
  req.method = method;
  req.url = url;
  req.headers = headers;
  req.body = body;
  req.body_len = body ? strlen(body) : 0;
  req.body_file = body_file;
  req.body_file_offset = offset;
  req.body_file_length = length;

  memset(&resp, 0, sizeof resp);
  resp.struct_size = sizeof resp;
  resp.body = &body_sink;
  resp.headers = &header_sink;
  resp.error = &error_sink;

  status = host->http(host, &req, &resp);
  answer->status = resp.status;
  buf_free(&auth);
  return status;
}

/* Turns a failed HTTP answer into an ABI error with details. Returns MS_OK for 2xx. */
static ms_status map_answer(ms_status sent, http_answer *a, const ms_reply *reply) {
  buf message = {0}, code = {0}, retry = {0};
  int32_t retry_after = 0;
  ms_status status;

  if (sent != MS_OK) { /* no answer: the host says why */
    reply->error(reply, a->error.len ? buf_str(&a->error) : "request failed", NULL, 0);
    return sent;
  }
  if (a->status >= 200 && a->status < 300) return MS_OK;

  /* The platform's error body: {"error": {"code": "...", "message": "..."}}. */
  if (!get_string(a->body.data, a->body.len, "/error/message", &message))
    json_get(a->body.data, a->body.len, "/message", &message);
  json_get(a->body.data, a->body.len, "/error/code", &code);
  if (json_get(a->headers.data, a->headers.len, "/retry-after", &retry) == MS_JSON_STRING)
    retry_after = (int32_t)strtol(buf_str(&retry), NULL, 10);

  if (a->status == 429) {
    status = MS_ERR_RATE_LIMITED;
  } else if (a->status == 401) {
    status = strstr(buf_str(&code), "expired") != NULL ? MS_ERR_AUTH_EXPIRED : MS_ERR_AUTH_INVALID;
  } else if (a->status == 403) {
    status = MS_ERR_AUTH_INVALID;
  } else if (a->status == 408 || a->status >= 500) {
    status = MS_ERR_TRANSIENT;
  } else {
    status = MS_ERR_PERMANENT; /* 400, 404, 409, 413, 422...: the platform refused the content */
  }
  if (message.len == 0) {
    char text[64];
    snprintf(text, sizeof text, "the platform answered HTTP %d", (int)a->status);
    buf_add(&message, text);
  }
  reply->error(reply, buf_str(&message), code.len ? buf_str(&code) : NULL, retry_after);
  buf_free(&message);
  buf_free(&code);
  buf_free(&retry);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* validate: no network.                                                                      */
/* ---------------------------------------------------------------------------------------- */

/* Number of Unicode code points in UTF-8 text. */
static size_t utf8_length(const char *s, size_t len) {
  size_t i, n = 0;
  for (i = 0; i < len; ++i)
    if (((unsigned char)s[i] & 0xC0) != 0x80) ++n;
  return n;
}

/* Checks one post part (content + media) at `prefix` ("" or "/thread/N"). Returns NULL or why not. */
static const char *check_part(const char *request, size_t len, const char *prefix, buf *scratch) {
  char pointer[64];
  int32_t type;
  long long max_length = setting_number("/max_length", 5000);
  int has_content, has_media;

  snprintf(pointer, sizeof pointer, "%s/content", prefix);
  type = json_get(request, len, pointer, scratch);
  if (type != MS_JSON_NONE && type != MS_JSON_STRING) return "content must be a string";
  has_content = type == MS_JSON_STRING && scratch->len > 0;
  if (has_content && utf8_length(scratch->data, scratch->len) > (size_t)max_length)
    return "content is longer than the platform allows";

  snprintf(pointer, sizeof pointer, "%s/media", prefix);
  type = json_get(request, len, pointer, scratch);
  if (type != MS_JSON_NONE && type != MS_JSON_ARRAY) return "media must be an array";
  has_media = type == MS_JSON_ARRAY && strcmp(buf_str(scratch), "[]") != 0;
  if (!has_content && !has_media) return "a post needs content or media";
  return NULL;
}

/* Checks the whole post; writes {"issues": [...]} on failure. */
static ms_status check_post(const char *request, size_t len, const ms_reply *reply) {
  buf scratch = {0};
  const char *why;
  int i;
  char prefix[32];
  int32_t type;

  if (!is_object(request, len)) return fail(reply, MS_ERR_INVALID_INPUT, "the request must be a JSON object");
  why = check_part(request, len, "", &scratch);
  type = json_get(request, len, "/link", &scratch);
  if (why == NULL && type != MS_JSON_NONE && type != MS_JSON_STRING) why = "link must be a string";
  type = json_get(request, len, "/thread", &scratch);
  if (why == NULL && type != MS_JSON_NONE && type != MS_JSON_ARRAY) why = "thread must be an array";
  for (i = 0; why == NULL && type == MS_JSON_ARRAY; ++i) {
    snprintf(prefix, sizeof prefix, "/thread/%d", i);
    if (json_get(request, len, prefix, &scratch) == MS_JSON_NONE) break;
    why = check_part(request, len, prefix, &scratch);
  }
  buf_free(&scratch);
  if (why != NULL) {
    reply->write(reply, "{\"issues\":[{\"message\":\"", 23);
    reply->write(reply, why, strlen(why)); /* our own constant text: nothing to escape */
    reply->write(reply, "\"}]}", 4);
    return fail(reply, MS_ERR_INVALID_INPUT, why);
  }
  return MS_OK;
}

static ms_status validate(const char *request, size_t len, const ms_reply *reply) {
  ms_status status = check_post(request, len, reply);
  if (status == MS_OK) reply->write(reply, "{\"issues\":[]}", 13);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* publish, delete_post, check_token                                                          */
/* ---------------------------------------------------------------------------------------- */

/* The access token every authenticated call needs; returns 0 (and fails the reply) if absent. */
static int need_token(const char *request, size_t len, buf *token, const ms_reply *reply) {
  if (!is_object(request, len) || !get_string(request, len, "/accessToken", token)) {
    fail(reply, MS_ERR_INVALID_INPUT, "accessToken is required");
    return 0;
  }
  if (token->len > 8192) { /* bound every input: no real token is this long */
    fail(reply, MS_ERR_INVALID_INPUT, "accessToken is too long");
    return 0;
  }
  return 1;
}

/* Publishes one part ("" = the main post, else "/thread/N") as a reply to `reply_to` (or NULL). */
static ms_status publish_part(const char *request, size_t len, const char *prefix, const char *token,
                              const char *reply_to, buf *post_id, buf *post_url, const ms_reply *reply) {
  buf body = {0}, url = {0}, value = {0};
  http_answer a = {0};
  char pointer[64];
  int i;
  ms_status status;

  buf_add(&body, "{\"account\":");
  json_get(request, len, "/account/id", &value);
  buf_add_quoted(&body, buf_str(&value), value.len);
  snprintf(pointer, sizeof pointer, "%s/content", prefix);
  buf_add(&body, ",\"text\":");
  json_get(request, len, pointer, &value);
  buf_add_quoted(&body, buf_str(&value), value.len);
  if (prefix[0] == '\0' && get_string(request, len, "/link", &value)) {
    buf_add(&body, ",\"link\":");
    buf_add_quoted(&body, value.data, value.len);
  }
  if (reply_to != NULL) {
    buf_add(&body, ",\"replyTo\":");
    buf_add_quoted(&body, reply_to, strlen(reply_to));
  }
  buf_add(&body, ",\"media\":[");
  for (i = 0;; ++i) {
    snprintf(pointer, sizeof pointer, "%s/media/%d/platformMediaId", prefix, i);
    if (!get_string(request, len, pointer, &value)) break;
    if (i > 0) buf_add(&body, ",");
    buf_add_quoted(&body, value.data, value.len);
  }
  buf_add(&body, "]}");

  if (!base_url("/api_base", "/posts", &url)) {
    status = fail(reply, MS_ERR_PERMANENT, "api_base is not configured for the webhook plugin");
  } else if (body.failed) {
    status = fail(reply, MS_ERR_TRANSIENT, "out of memory");
  } else {
    status = map_answer(send("POST", buf_str(&url), token, "application/json", buf_str(&body), NULL, 0, 0, NULL, &a),
                        &a, reply);
    if (status == MS_OK && !get_string(a.body.data, a.body.len, "/id", post_id))
      status = fail(reply, MS_ERR_PERMANENT, "the platform answered without a post id");
    if (status == MS_OK) get_string(a.body.data, a.body.len, "/url", post_url);
  }
  buf_free(&body);
  buf_free(&url);
  buf_free(&value);
  answer_free(&a);
  return status;
}

static ms_status publish(const char *request, size_t len, const ms_reply *reply) {
  buf token = {0}, id = {0}, url = {0}, first_id = {0}, first_url = {0}, ids = {0}, scratch = {0};
  char prefix[32];
  int i;
  ms_status status = check_post(request, len, reply); /* never send what cannot be published */

  if (status == MS_OK && !need_token(request, len, &token, reply)) status = MS_ERR_INVALID_INPUT;
  if (status == MS_OK && !get_string(request, len, "/account/id", &scratch))
    status = fail(reply, MS_ERR_INVALID_INPUT, "account.id is required");
  if (status == MS_OK) status = publish_part(request, len, "", token.data, NULL, &first_id, &first_url, reply);
  if (status == MS_OK) {
    buf_add_quoted(&ids, first_id.data, first_id.len);
    buf_write(&id, first_id.data, first_id.len);
  }
  /* A thread: each part replies to the previous one. */
  for (i = 0; status == MS_OK; ++i) {
    buf previous = {0};
    snprintf(prefix, sizeof prefix, "/thread/%d", i);
    if (json_get(request, len, prefix, &scratch) == MS_JSON_NONE) break;
    buf_write(&previous, id.data, id.len);
    status = publish_part(request, len, prefix, token.data, previous.data, &id, &url, reply);
    buf_free(&previous);
    if (status == MS_OK) {
      buf_add(&ids, ",");
      buf_add_quoted(&ids, id.data, id.len);
    }
  }
  if (status == MS_OK) {
    buf out = {0};
    buf_add(&out, "{\"postId\":");
    buf_add_quoted(&out, first_id.data, first_id.len);
    buf_add(&out, ",\"url\":");
    buf_add_quoted(&out, buf_str(&first_url), first_url.len);
    buf_add(&out, ",\"postIds\":[");
    buf_add(&out, buf_str(&ids));
    buf_add(&out, "]}");
    reply->write(reply, buf_str(&out), out.len);
    buf_free(&out);
  }
  buf_free(&token);
  buf_free(&id);
  buf_free(&url);
  buf_free(&first_id);
  buf_free(&first_url);
  buf_free(&ids);
  buf_free(&scratch);
  return status;
}

static ms_status delete_post(const char *request, size_t len, const ms_reply *reply) {
  buf token = {0}, id = {0}, path = {0}, url = {0};
  http_answer a = {0};
  ms_status status = MS_ERR_INVALID_INPUT;

  if (!need_token(request, len, &token, reply)) {
    /* need_token filled the reply */
  } else if (!get_string(request, len, "/postId", &id)) {
    fail(reply, MS_ERR_INVALID_INPUT, "postId is required");
  } else {
    ms_sink s = buf_sink(&path);
    buf_add(&path, "/posts/");
    host->url_encode(host, id.data, id.len, &s);
    if (!base_url("/api_base", buf_str(&path), &url))
      status = fail(reply, MS_ERR_PERMANENT, "api_base is not configured for the webhook plugin");
    else
      status = map_answer(send("DELETE", url.data, token.data, NULL, NULL, NULL, 0, 0, NULL, &a), &a, reply);
    if (status == MS_OK) reply->write(reply, "{}", 2);
  }
  buf_free(&token);
  buf_free(&id);
  buf_free(&path);
  buf_free(&url);
  answer_free(&a);
  return status;
}

static ms_status check_token(const char *request, size_t len, const ms_reply *reply) {
  buf token = {0}, url = {0}, id = {0}, out = {0};
  http_answer a = {0};
  ms_status status = MS_ERR_INVALID_INPUT;

  if (need_token(request, len, &token, reply)) {
    if (!base_url("/api_base", "/me", &url))
      status = fail(reply, MS_ERR_PERMANENT, "api_base is not configured for the webhook plugin");
    else
      status = map_answer(send("GET", url.data, token.data, NULL, NULL, NULL, 0, 0, NULL, &a), &a, reply);
    if (status == MS_OK) {
      get_string(a.body.data, a.body.len, "/id", &id);
      buf_add(&out, "{\"healthy\":true,\"accountId\":");
      buf_add_quoted(&out, buf_str(&id), id.len);
      buf_add(&out, "}");
      reply->write(reply, buf_str(&out), out.len);
    }
  }
  buf_free(&token);
  buf_free(&url);
  buf_free(&id);
  buf_free(&out);
  answer_free(&a);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* media: a chunked upload streamed from the file, never loaded in memory.                    */
/* ---------------------------------------------------------------------------------------- */

static ms_status upload(const char *request, size_t len, const ms_reply *reply) {
  buf token = {0}, path = {0}, mime = {0}, size_text = {0}, body = {0}, url = {0}, id = {0}, id_path = {0};
  http_answer a = {0};
  ms_status status = MS_ERR_INVALID_INPUT;
  long long size = 0, chunk = setting_number("/chunk_size", 4 * 1024 * 1024), offset;

  if (!need_token(request, len, &token, reply)) goto done;
  if (!get_string(request, len, "/path", &path) || !get_string(request, len, "/mimeType", &mime) ||
      json_get(request, len, "/size", &size_text) != MS_JSON_NUMBER || (size = strtoll(size_text.data, NULL, 10)) <= 0) {
    fail(reply, MS_ERR_INVALID_INPUT, "path, mimeType and a positive size are required");
    goto done;
  }
  if (chunk <= 0) chunk = 4 * 1024 * 1024;

  /* 1. Create the upload session. */
  buf_add(&body, "{\"mimeType\":");
  buf_add_quoted(&body, mime.data, mime.len);
  buf_add(&body, ",\"size\":");
  buf_add(&body, size_text.data);
  buf_add(&body, "}");
  if (!base_url("/api_base", "/media", &url)) {
    status = fail(reply, MS_ERR_PERMANENT, "api_base is not configured for the webhook plugin");
    goto done;
  }
  status = map_answer(send("POST", url.data, token.data, "application/json", body.data, NULL, 0, 0, NULL, &a), &a, reply);
  if (status == MS_OK && !get_string(a.body.data, a.body.len, "/id", &id))
    status = fail(reply, MS_ERR_PERMANENT, "the platform answered without a media id");

  /* 2. Send the file chunk by chunk: each PUT streams one byte range of the file. */
  if (status == MS_OK) {
    ms_sink s = buf_sink(&id_path);
    buf_add(&id_path, "/media/");
    host->url_encode(host, id.data, id.len, &s);
    buf_clear(&url);
    base_url("/api_base", id_path.data, &url);
  }
  for (offset = 0; status == MS_OK && offset < size; offset += chunk) {
    long long n = size - offset < chunk ? size - offset : chunk;
    char range[96];
    snprintf(range, sizeof range, "bytes %lld-%lld/%lld", offset, offset + n - 1, size);
    answer_free(&a);
    memset(&a, 0, sizeof a);
    status = map_answer(send("PUT", url.data, token.data, "application/octet-stream", NULL, path.data,
                             (uint64_t)offset, (uint64_t)n, range, &a),
                        &a, reply);
  }
  if (status == MS_OK) {
    buf out = {0};
    buf_add(&out, "{\"platformMediaId\":");
    buf_add_quoted(&out, id.data, id.len);
    buf_add(&out, "}");
    reply->write(reply, out.data, out.len);
    buf_free(&out);
  }
done:
  buf_free(&token);
  buf_free(&path);
  buf_free(&mime);
  buf_free(&size_text);
  buf_free(&body);
  buf_free(&url);
  buf_free(&id);
  buf_free(&id_path);
  answer_free(&a);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* oauth: authorization code flow with PKCE.                                                  */
/* ---------------------------------------------------------------------------------------- */

/* Appends "&name=<url-encoded value>" (or "name=..." when `first`). */
static void add_param(buf *b, int first, const char *name, const char *value, size_t len) {
  ms_sink s = buf_sink(b);
  if (!first) buf_add(b, "&");
  buf_add(b, name);
  buf_add(b, "=");
  host->url_encode(host, value, len, &s);
}

static ms_status authorize_url(const char *request, size_t len, const ms_reply *reply) {
  buf redirect = {0}, state = {0}, challenge = {0}, client = {0}, url = {0}, scopes = {0}, out = {0};
  ms_status status = MS_ERR_INVALID_INPUT;

  if (!is_object(request, len) || !get_string(request, len, "/redirectUri", &redirect) ||
      !get_string(request, len, "/state", &state) || !get_string(request, len, "/codeChallenge", &challenge)) {
    fail(reply, MS_ERR_INVALID_INPUT, "redirectUri, state and codeChallenge are required");
  } else if (!get_setting("/client_id", &client)) {
    status = fail(reply, MS_ERR_PERMANENT, "client_id is not configured for the webhook plugin");
  } else if (!base_url("/auth_base", "/authorize?", &url) && !base_url("/api_base", "/oauth/authorize?", &url)) {
    status = fail(reply, MS_ERR_PERMANENT, "auth_base is not configured for the webhook plugin");
  } else {
    get_setting("/scopes", &scopes);
    add_param(&url, 1, "response_type", "code", 4);
    add_param(&url, 0, "client_id", client.data, client.len);
    add_param(&url, 0, "redirect_uri", redirect.data, redirect.len);
    add_param(&url, 0, "state", state.data, state.len);
    add_param(&url, 0, "code_challenge", challenge.data, challenge.len);
    add_param(&url, 0, "code_challenge_method", "S256", 4);
    add_param(&url, 0, "scope", scopes.len ? scopes.data : "publish", scopes.len ? scopes.len : 7);
    buf_add(&out, "{\"url\":");
    buf_add_quoted(&out, url.data, url.len);
    buf_add(&out, "}");
    reply->write(reply, out.data, out.len);
    status = MS_OK;
  }
  buf_free(&redirect);
  buf_free(&state);
  buf_free(&challenge);
  buf_free(&client);
  buf_free(&url);
  buf_free(&scopes);
  buf_free(&out);
  return status;
}

/* POSTs a token request form and converts the answer to the ABI token JSON. */
static ms_status token_request(buf *form, const ms_reply *reply) {
  buf client = {0}, secret = {0}, url = {0}, value = {0}, out = {0};
  http_answer a = {0};
  ms_status status;

  if (!get_setting("/client_id", &client) || !get_setting("/client_secret", &secret)) {
    status = fail(reply, MS_ERR_PERMANENT, "client_id and client_secret are not configured for the webhook plugin");
  } else if (!base_url("/auth_base", "/token", &url) && !base_url("/api_base", "/oauth/token", &url)) {
    status = fail(reply, MS_ERR_PERMANENT, "auth_base is not configured for the webhook plugin");
  } else {
    add_param(form, 0, "client_id", client.data, client.len);
    add_param(form, 0, "client_secret", secret.data, secret.len);
    status = map_answer(send("POST", url.data, NULL, "application/x-www-form-urlencoded", form->data, NULL, 0, 0,
                             NULL, &a),
                        &a, reply);
    /* OAuth servers answer a bad code or refresh token with 400 invalid_grant: reconnect. */
    if (status == MS_ERR_PERMANENT && a.status == 400) status = MS_ERR_AUTH_INVALID;
    if (status == MS_OK && !get_string(a.body.data, a.body.len, "/access_token", &value))
      status = fail(reply, MS_ERR_PERMANENT, "the token endpoint answered without access_token");
    if (status == MS_OK) {
      buf_add(&out, "{\"accessToken\":");
      buf_add_quoted(&out, value.data, value.len);
      if (get_string(a.body.data, a.body.len, "/refresh_token", &value)) {
        buf_add(&out, ",\"refreshToken\":");
        buf_add_quoted(&out, value.data, value.len);
      }
      if (json_get(a.body.data, a.body.len, "/expires_in", &value) == MS_JSON_NUMBER) {
        buf_add(&out, ",\"expiresIn\":");
        buf_add(&out, value.data);
      }
      if (get_string(a.body.data, a.body.len, "/scope", &value)) {
        buf_add(&out, ",\"scopes\":[");
        buf_add_quoted(&out, value.data, value.len); /* one space-separated string; fine here */
        buf_add(&out, "]");
      }
      buf_add(&out, "}");
      reply->write(reply, out.data, out.len);
    }
  }
  buf_free(&client);
  buf_free(&secret);
  buf_free(&url);
  buf_free(&value);
  buf_free(&out);
  answer_free(&a);
  return status;
}

static ms_status exchange_code(const char *request, size_t len, const ms_reply *reply) {
  buf code = {0}, redirect = {0}, verifier = {0}, form = {0};
  ms_status status = MS_ERR_INVALID_INPUT;
  if (!is_object(request, len) || !get_string(request, len, "/code", &code) ||
      !get_string(request, len, "/redirectUri", &redirect) || !get_string(request, len, "/codeVerifier", &verifier)) {
    fail(reply, MS_ERR_INVALID_INPUT, "code, redirectUri and codeVerifier are required");
  } else {
    add_param(&form, 1, "grant_type", "authorization_code", 18);
    add_param(&form, 0, "code", code.data, code.len);
    add_param(&form, 0, "redirect_uri", redirect.data, redirect.len);
    add_param(&form, 0, "code_verifier", verifier.data, verifier.len);
    status = token_request(&form, reply);
  }
  buf_free(&code);
  buf_free(&redirect);
  buf_free(&verifier);
  buf_free(&form);
  return status;
}

static ms_status refresh(const char *request, size_t len, const ms_reply *reply) {
  buf token = {0}, form = {0};
  ms_status status = MS_ERR_INVALID_INPUT;
  if (!is_object(request, len) || !get_string(request, len, "/refreshToken", &token)) {
    fail(reply, MS_ERR_INVALID_INPUT, "refreshToken is required");
  } else {
    add_param(&form, 1, "grant_type", "refresh_token", 13);
    add_param(&form, 0, "refresh_token", token.data, token.len);
    status = token_request(&form, reply);
  }
  buf_free(&token);
  buf_free(&form);
  return status;
}

/* ---------------------------------------------------------------------------------------- */
/* Descriptor, extensions, entry.                                                             */
/* ---------------------------------------------------------------------------------------- */

static ms_status webhook_init(const ms_host *h) {
  host = h; /* valid until deinit(); no network here, and no settings required yet */
  host->log(host, MS_LOG_DEBUG, "webhook plugin ready");
  return MS_OK;
}

static void webhook_deinit(void) { host = NULL; }

static const ms_oauth_ext oauth_ext = {sizeof(ms_oauth_ext), authorize_url, exchange_code, refresh, NULL};
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
  return NULL;
}

static const ms_plugin_descriptor descriptor = {
    sizeof(ms_plugin_descriptor),
    "webhook",
    "Webhook (SDK example)",
    "1.0.0",
    MS_CAP_OAUTH | MS_CAP_VALIDATE | MS_CAP_PUBLISH | MS_CAP_MEDIA | MS_CAP_DELETE | MS_CAP_HEALTH,
    MS_PLUGIN_EXPERIMENTAL,
    "Publishes posts as JSON to a configured HTTP endpoint; the MarketSage SDK example.",
    NULL /* homepage */};

MS_EXPORT const ms_plugin_entry marketsage_plugin_entry = {
    MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, sizeof(ms_plugin_entry),
    &descriptor,          webhook_init,         webhook_deinit,
    webhook_get_extension};
