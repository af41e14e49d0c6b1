// validate, publish (app.bsky.feed.post records under record keys derived from the target, so that
// every attempt writes the same record), reconcile, delete_post and post_insights.
#include "Bluesky.h"

#include <regex>

namespace bluesky {
namespace {

constexpr size_t kMaxThreadParts = 25;

struct MediaItem {
  std::string kind, mimeType, path, altText;
  long long size = 0, width = 0, height = 0;
};

struct Post {
  std::vector<std::string> texts;  ///< [0]: the post, then each thread part
  std::vector<MediaItem> media;
  std::string link, linkTitle, linkDescription;
  std::vector<std::string> langs;
  std::vector<Issue> issues;  ///< shapes the plugin reads but Bluesky would refuse
};

/// The lexicon's "language" format: well-formed BCP-47 (the regular expression of @atproto/syntax,
/// which the PDS applies to app.bsky.feed.post langs; "en_US" or "english" are refused).
bool validLanguage(const std::string& tag) {
  static const std::regex kBcp47(
      "^((en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu|"
      "sgn-BE-FR|sgn-BE-NL|sgn-CH-DE)|(art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|"
      "zh-xiang))$|^(([A-Za-z]{2,3}(-[A-Za-z]{3}(-[A-Za-z]{3}){0,2})?)|[A-Za-z]{4}|[A-Za-z]{5,8})(-[A-Za-z]{4})?"
      "(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*"
      "(-x(-[A-Za-z0-9]{1,8})+)?$|^x(-[A-Za-z0-9]{1,8})+$");
  return std::regex_match(tag, kBcp47);
}

std::string at(const char* base, size_t i, const char* field = "") {
  return std::string(base) + "/" + std::to_string(i) + field;
}

Post readPost(const Document& json) {
  Post post;
  post.texts.push_back(optionalString(json, "/content", 100000));
  post.link = optionalString(json, "/link", 2048);
  if (!post.link.empty() && post.link.rfind("https://", 0) != 0 && post.link.rfind("http://", 0) != 0)
    post.issues.push_back({"/link", "must be an http or https URL"});
  // "options" is the post request's options.bluesky (json-schemas.md, publish).
  const auto options = json.get("/options");
  if (options.present() && options.type != MS_JSON_NULL && options.type != MS_JSON_OBJECT)
    throw Error(MS_ERR_INVALID_INPUT, "options must be an object");
  const auto& media = json.get("/media");
  if (media.present() && media.type != MS_JSON_ARRAY) throw Error(MS_ERR_INVALID_INPUT, "media must be an array");
  for (size_t i = 0, n = json.count("/media"); i < n && i < 64; ++i) {
    MediaItem m;
    m.kind = requiredString(json, at("/media", i, "/kind").c_str(), 32);
    m.mimeType = optionalString(json, at("/media", i, "/mimeType").c_str(), 255);
    m.path = optionalString(json, at("/media", i, "/path").c_str(), 4096);
    m.altText = optionalString(json, at("/media", i, "/altText").c_str(), 20000);
    m.size = json.integer(at("/media", i, "/size").c_str()).value_or(0);
    m.width = json.integer(at("/media", i, "/width").c_str()).value_or(0);
    m.height = json.integer(at("/media", i, "/height").c_str()).value_or(0);
    post.media.push_back(std::move(m));
  }
  // Thread parts: the request's "thread" (the host copies options.bluesky.thread there).
  const char* threadAt = json.get("/thread").type == MS_JSON_ARRAY ? "/thread" : "/options/thread";
  const auto thread = json.get(threadAt);
  if (thread.present() && thread.type != MS_JSON_NULL && thread.type != MS_JSON_ARRAY)
    throw Error(MS_ERR_INVALID_INPUT, "options.bluesky.thread must be an array of {\"content\"} parts");
  const size_t parts = json.count(threadAt);
  if (parts > kMaxThreadParts)
    throw Error(MS_ERR_INVALID_INPUT, "a thread has at most " + std::to_string(kMaxThreadParts) + " further parts");
  for (size_t i = 0; i < parts; ++i) {
    if (json.get(at(threadAt, i).c_str()).type != MS_JSON_OBJECT)
      throw Error(MS_ERR_INVALID_INPUT, "thread parts must be objects {\"content\": \"…\"}");
    post.texts.push_back(optionalString(json, at(threadAt, i, "/content").c_str(), 100000));
    if (json.count(at(threadAt, i, "/media").c_str()) > 0)
      post.issues.push_back({at("/thread", i, "/media"), "thread parts carry text only"});
  }
  if (options.type == MS_JSON_OBJECT) {
    post.linkTitle = optionalString(json, "/options/linkTitle", 300);
    post.linkDescription = optionalString(json, "/options/linkDescription", 1000);
    const auto langs = json.get("/options/langs");
    if (langs.present() && langs.type != MS_JSON_ARRAY)
      throw Error(MS_ERR_INVALID_INPUT, "options.bluesky.langs must be an array of language tags");
    for (size_t i = 0, n = json.count("/options/langs"); i < n && i < 8; ++i)
      post.langs.push_back(requiredString(json, at("/options/langs", i).c_str(), 35));
    if (post.langs.size() > 3) post.issues.push_back({"/options/langs", "at most 3 languages"});
    for (size_t i = 0; i < post.langs.size(); ++i)
      if (!validLanguage(post.langs[i]))
        post.issues.push_back({at("/options/langs", i), "not a BCP-47 language tag (like en, pt-BR)"});
  }
  // A link with images cannot also be a card: it goes into the text (and becomes a link facet).
  if (!post.link.empty() && !post.media.empty() && post.texts[0].find(post.link) == std::string::npos)
    post.texts[0] += (post.texts[0].empty() ? "" : "\n") + post.link;
  return post;
}

std::vector<Issue> checkPost(const Post& post) {
  auto issues = post.issues;
  for (size_t i = 0; i < post.texts.size(); ++i) {
    const auto field = i == 0 ? std::string("/content") : at("/thread", i - 1, "/content");
    const auto& text = post.texts[i];
    if (!validUtf8(text)) {
      issues.push_back({field, "is not valid UTF-8"});
      continue;
    }
    if (graphemes(text) > kGraphemeLimit)
      issues.push_back({field, "longer than 300 graphemes (" + std::to_string(graphemes(text)) + ")"});
    else if (text.size() > kTextBytes)
      issues.push_back({field, "longer than 3000 bytes"});
    if (i > 0 && text.empty()) issues.push_back({field, "a thread part needs text"});
  }
  if (post.texts[0].empty() && post.media.empty() && post.link.empty())
    issues.push_back({"/content", "a post needs text, an image or a link"});
  size_t images = 0;
  for (size_t i = 0; i < post.media.size(); ++i) {
    const auto& m = post.media[i];
    const auto field = at("/media", i);
    if (m.kind == "video") {
      issues.push_back({field, "videos are not supported by this plugin yet (images only)"});
    } else if (m.kind != "image" && m.kind != "gif") {
      issues.push_back({field, "Bluesky posts carry images only, not " + m.kind});
    } else {
      ++images;
      if (m.mimeType.rfind("image/", 0) != 0) issues.push_back({field, "an image needs an image/* type"});
      if (m.size > kImageBytes) issues.push_back({field, "images are at most 1,000,000 bytes"});
      if (graphemes(m.altText) > kAltTextGraphemes) issues.push_back({field, "alt text over 2000 graphemes"});
    }
  }
  if (images > kMaxImages) issues.push_back({"/media", "at most 4 images per post"});
  return issues;
}

std::string issuesText(const std::vector<Issue>& issues) {
  std::string out;
  for (const auto& issue : issues) out += (out.empty() ? "" : "; ") + issue.field + ": " + issue.message;
  return out;
}

struct Record {
  std::string uri, cid, text;
};

/// com.atproto.repo.getRecord of one of the account's posts; nullopt when it does not exist.
std::optional<Record> getRecord(const Session& s, const std::string& rkey) {
  const auto a = xrpcGet(s.pds, "com.atproto.repo.getRecord",
                         host.form({{"repo", s.did}, {"collection", kPostCollection}, {"rkey", rkey}}), s.accessJwt);
  if (!a.ok) {
    if (a.http.result == MS_OK && (a.error == "RecordNotFound" || a.http.status == 404)) return std::nullopt;
    fail(a, "getRecord " + rkey);
  }
  const auto doc = host.parse(a.http.body);
  return Record{doc.string("/uri").value_or(""), doc.string("/cid").value_or(""),
                doc.string("/value/text").value_or("")};
}

std::string facetsJson(const std::string& text) {
  auto facets = Json::array();
  for (const auto& f : detectFacets(text)) {
    auto feature = Json::object();
    if (f.type == "link") {
      feature.field("$type", "app.bsky.richtext.facet#link").field("uri", f.value);
    } else if (f.type == "tag") {
      feature.field("$type", "app.bsky.richtext.facet#tag").field("tag", f.value);
    } else {
      const auto did = resolveHandle(f.value);  // an unknown handle stays plain text
      if (did.empty()) continue;
      feature.field("$type", "app.bsky.richtext.facet#mention").field("did", did);
    }
    facets.pushRaw(Json::object()
                       .raw("index", Json::object()
                                         .field("byteStart", static_cast<long long>(f.start))
                                         .field("byteEnd", static_cast<long long>(f.end)))
                       .raw("features", Json::array().pushRaw(feature)));
  }
  return facets.empty() ? std::string() : facets.str();
}

/// com.atproto.repo.uploadBlob of one image, streamed from its file: the blob object.
std::string uploadBlob(const Session& s, const MediaItem& m) {
  HttpRequest request;
  request.headers = {{"Content-Type", m.mimeType}, {"Authorization", "Bearer " + s.accessJwt}};
  request.bodyFile = m.path;
  const auto a = xrpcSend(s.pds, "com.atproto.repo.uploadBlob", std::move(request));
  if (!a.ok) fail(a, "uploadBlob");
  const auto blob = host.get(a.http.body, "/blob");
  if (blob.type != MS_JSON_OBJECT) throw Error(MS_ERR_PERMANENT, "uploadBlob answered without a blob");
  return blob.text;
}

std::string embedJson(const Session& s, const Post& post) {
  if (!post.media.empty()) {
    auto images = Json::array();
    for (const auto& m : post.media) {
      auto image = Json::object().field("alt", m.altText).raw("image", uploadBlob(s, m));
      if (m.width > 0 && m.height > 0)
        image.raw("aspectRatio", Json::object().field("width", m.width).field("height", m.height));
      images.pushRaw(image);
    }
    return Json::object().field("$type", "app.bsky.embed.images").raw("images", images).str();
  }
  if (!post.link.empty())
    return Json::object()
        .field("$type", "app.bsky.embed.external")
        .raw("external", Json::object()
                             .field("uri", post.link)
                             .field("title", post.linkTitle.empty() ? post.link : post.linkTitle)
                             .field("description", post.linkDescription))
        .str();
  return {};
}

/// The record keys of a target's parts: TIDs at submittedAt (+ n µs for part n) with a clock id
/// from the idempotency key — the same on every attempt.
struct Keys {
  uint64_t micros = 0;
  uint32_t clockId = 0;
  std::string rkey(size_t part) const { return tid(micros + part, clockId); }
};

Keys keysOf(const Document& json) {
  Keys keys;
  const auto key = optionalString(json, "/idempotencyKey", 512);
  const auto submitted = optionalString(json, "/submittedAt", 64);
  const auto ms = submitted.empty() ? std::nullopt : host.parseTime(submitted);
  if (!submitted.empty() && !ms) throw Error(MS_ERR_INVALID_INPUT, "submittedAt must be an RFC 3339 time");
  // Without submittedAt (a host before ABI 1.4) the keys are fresh: retries are then not idempotent.
  keys.micros = static_cast<uint64_t>(ms.value_or(host.nowMs())) * 1000;
  keys.clockId = clockIdOf(key.empty() ? submitted : key);
  return keys;
}

std::string postUrl(const Session& s, const std::string& uri) {
  const auto parsed = parseAtUri(uri);
  return appBase() + "/profile/" + (s.handle.empty() ? s.did : s.handle) + "/post/" + (parsed ? parsed->rkey : "");
}

std::string strongRef(const Record& r) { return Json::object().field("uri", r.uri).field("cid", r.cid).str(); }

/// Creates one part under `rkey`. A create whose answer is lost or refused is checked with
/// getRecord: the record under our key is ours (the same target's earlier attempt).
Record createPart(const Session& s, const std::string& rkey, const std::string& record, const std::string& text) {
  const auto body = Json::object()
                        .field("repo", s.did)
                        .field("collection", kPostCollection)
                        .field("rkey", rkey)
                        .field("validate", true)
                        .raw("record", record)
                        .str();
  const auto a = xrpcPost(s.pds, "com.atproto.repo.createRecord", body, s.accessJwt);
  if (a.ok) {
    const auto doc = host.parse(a.http.body);
    Record r{doc.string("/uri").value_or(""), doc.string("/cid").value_or(""), text};
    if (r.uri.empty()) throw Error(MS_ERR_PERMANENT, "createRecord answered without the record's uri");
    return r;
  }
  const bool reached = a.http.result == MS_OK || a.http.sent;
  const bool refusedForGood = a.http.result == MS_OK && a.http.status >= 400 && a.http.status < 500 &&
                              a.error != "RecordAlreadyExists" && a.message.find("exist") == std::string::npos;
  if (!reached || refusedForGood || a.http.status == 429) fail(a, "createRecord");
  // The PDS answers 500 (or, newer, an "already exists" error) when the key is taken; a lost
  // answer may hide a record that was written. Look.
  std::optional<Record> existing;
  try {
    existing = getRecord(s, rkey);
  } catch (const Error& e) {
    if (a.http.result != MS_OK || a.http.status == 502 || a.http.status == 503 || a.http.status == 504)
      throw Error(MS_ERR_OUTCOME_UNKNOWN,
                  "createRecord got no answer and the record could not be looked up: " + e.message);
    throw;
  }
  if (existing) {
    if (existing->text != text) throw Error(MS_ERR_PERMANENT, "the record key " + rkey + " already holds another post");
    return *existing;
  }
  // Nothing under our key: a retry writes the same key, so it can never make a second post.
  if (a.http.result != MS_OK)
    throw Error(MS_ERR_TRANSIENT,
                "createRecord got no answer and wrote nothing; safe to retry (" + shorten(a.http.error) + ")");
  fail(a, "createRecord");
}

std::string recordJson(const std::string& text, const std::string& facets, const std::string& embed,
                       const std::vector<std::string>& langs, const std::optional<std::pair<Record, Record>>& reply) {
  auto record = Json::object()
                    .field("$type", kPostCollection)
                    .field("text", text)
                    .field("createdAt", host.formatTime(host.nowMs()));
  if (!facets.empty()) record.raw("facets", facets);
  if (!embed.empty()) record.raw("embed", embed);
  if (!langs.empty()) {
    auto list = Json::array();
    for (const auto& l : langs) list.push(l);
    record.raw("langs", list);
  }
  if (reply)
    record.raw("reply", Json::object().raw("root", strongRef(reply->first)).raw("parent", strongRef(reply->second)));
  return record.str();
}

std::vector<std::string> resumedIds(const Document& json) {
  std::vector<std::string> ids;
  for (size_t i = 0, n = json.count("/resume/postIds"); i < n; ++i)
    ids.push_back(requiredString(json, at("/resume/postIds", i).c_str(), 512));
  return ids;
}

Record liveRecord(const Session& s, const std::string& uri) {
  const auto parsed = parseAtUri(uri);
  if (!parsed || parsed->did != s.did) throw Error(MS_ERR_INVALID_INPUT, "resume.postIds holds a foreign uri");
  auto r = getRecord(s, parsed->rkey);
  if (!r) throw Error(MS_ERR_PERMANENT, "a part of the thread was deleted meanwhile: " + uri);
  return *r;
}

std::string publishedReply(const Session& s, const std::vector<std::string>& ids) {
  auto list = Json::array();
  for (const auto& id : ids) list.push(id);
  return Json::object().field("postId", ids.front()).field("url", postUrl(s, ids.front())).raw("postIds", list).str();
}

}  // namespace

ms_status validate(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto post = readPost(json);
    const auto issues = checkPost(post);
    std::optional<marketsage::sdk::LengthCount> length;
    if (validUtf8(post.texts[0]))
      length = marketsage::sdk::LengthCount{static_cast<long long>(graphemes(post.texts[0])),
                                            static_cast<long long>(kGraphemeLimit), "graphemes"};
    auto out = marketsage::sdk::validationReply(issues, length);
    if (!issues.empty()) {
      reply->write(reply, out.data(), out.size());
      throw Error(MS_ERR_INVALID_INPUT, "");
    }
    return out;
  });
}

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto s = sessionOf(json);
    const auto post = readPost(json);
    if (const auto issues = checkPost(post); !issues.empty()) throw Error(MS_ERR_INVALID_INPUT, issuesText(issues));
    const auto keys = keysOf(json);
    auto ids = resumedIds(json);
    if (ids.size() > post.texts.size())
      throw Error(MS_ERR_INVALID_INPUT, "resume.postIds has more parts than the post");
    std::optional<Record> root, parent;
    if (!ids.empty()) {
      root = liveRecord(s, ids.front());
      parent = ids.size() == 1 ? root : liveRecord(s, ids.back());
    }
    for (size_t part = ids.size(); part < post.texts.size(); ++part) {
      try {
        const auto& text = post.texts[part];
        const auto embed = part == 0 ? embedJson(s, post) : std::string();
        std::optional<std::pair<Record, Record>> replyTo;
        if (root) replyTo = std::make_pair(*root, *parent);
        const auto record = recordJson(text, facetsJson(text), embed, post.langs, replyTo);
        auto created = createPart(s, keys.rkey(part), record, text);
        ids.push_back(created.uri);
        if (!root) root = created;
        parent = created;
      } catch (const Error&) {
        if (!ids.empty()) {
          auto list = Json::array();
          for (const auto& id : ids) list.push(id);
          const auto partial =
              Json::object().raw("postIds", list).field("failedPart", static_cast<long long>(part)).str();
          reply->write(reply, partial.data(), partial.size());
        }
        throw;
      }
    }
    return publishedReply(s, ids);
  });
}

ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto s = sessionOf(json);
    const auto post = readPost(json);
    const auto keys = keysOf(json);
    if (optionalString(json, "/submittedAt", 64).empty())
      return Json::object()
          .field("outcome", "unknown")
          .field("reason", "the host sent no submittedAt, so the record keys of the attempt are unknown")
          .str();
    std::vector<std::string> ids;
    for (size_t part = 0; part < post.texts.size(); ++part) {
      const auto found = getRecord(s, keys.rkey(part));
      if (!found) break;
      ids.push_back(found->uri);
    }
    if (ids.empty()) return Json::object().field("outcome", "not_found").str();
    const auto out = host.parse(publishedReply(s, ids));
    return Json::object()
        .field("outcome", "found")
        .field("postId", ids.front())
        .field("url", postUrl(s, ids.front()))
        .raw("postIds", out.get("/postIds").text)
        .str();
  });
}

ms_status deletePost(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto s = sessionOf(json);
    const auto uri = parseAtUri(requiredString(json, "/postId", 512));
    if (!uri || uri->did != s.did || uri->collection != kPostCollection)
      throw Error(MS_ERR_INVALID_INPUT, "postId must be an at:// uri of this account's app.bsky.feed.post record");
    // deleteRecord succeeds when the record is already gone.
    const auto a = xrpcPost(
        s.pds, "com.atproto.repo.deleteRecord",
        Json::object().field("repo", s.did).field("collection", kPostCollection).field("rkey", uri->rkey).str(),
        s.accessJwt);
    if (!a.ok) fail(a, "deleteRecord");
    return std::string("{}");
  });
}

ms_status postInsights(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto s = sessionOf(json);
    std::vector<std::string> uris;
    for (size_t i = 0, n = json.count("/postIds"); i < n && i < 100; ++i) {
      auto id = requiredString(json, at("/postIds", i).c_str(), 512);
      if (!parseAtUri(id)) throw Error(MS_ERR_INVALID_INPUT, "postIds must be at:// uris");
      uris.push_back(std::move(id));
    }
    auto posts = Json::array();
    for (size_t from = 0; from < uris.size(); from += 25) {  // getPosts: at most 25 uris a call
      std::vector<std::pair<std::string, std::string>> query;
      for (size_t i = from; i < uris.size() && i < from + 25; ++i) query.emplace_back("uris", uris[i]);
      const auto a = xrpcGet(s.pds, "app.bsky.feed.getPosts", host.form(query), s.accessJwt);
      if (!a.ok) fail(a, "getPosts");
      const auto doc = host.parse(a.http.body);
      for (size_t i = 0, n = doc.count("/posts"); i < n; ++i) {
        const auto p = at("/posts", i);
        const auto count = [&](const char* field) { return doc.integer((p + field).c_str()).value_or(0); };
        const long long likes = count("/likeCount"), reposts = count("/repostCount"), replies = count("/replyCount"),
                        quotes = count("/quoteCount");
        posts.pushRaw(Json::object()
                          .field("postId", doc.string((p + "/uri").c_str()).value_or(""))
                          .raw("metrics", Json::object()
                                              .field("likes", likes)
                                              .field("comments", replies)
                                              .field("shares", reposts + quotes)
                                              .field("reposts", reposts)
                                              .field("quotes", quotes)));
      }
    }
    return Json::object().raw("posts", posts).str();
  });
}

}  // namespace bluesky
