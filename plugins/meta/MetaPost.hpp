// The Post and Media of the publish/validate requests (sdk-docs/json-schemas.md), read once and
// bounded, for both plugins; plus the insights date range.
#ifndef MARKETSAGE_META_POST_HPP
#define MARKETSAGE_META_POST_HPP

#include "MetaRequest.hpp"

#include <algorithm>
#include <filesystem>

namespace marketsage::meta {

struct Media {
  std::string kind, mimeType, path, url, altText;
  double size = 0, width = 0, height = 0, durationSeconds = 0;
  bool isVideo() const { return kind == "video"; }
};

struct Post {
  std::string accessToken, accountId, content, link;
  std::vector<Media> media;
  std::optional<long long> scheduledTime;  ///< seconds since 1970, when native scheduling is asked
  std::string options = "{}";              ///< options.<plugin id>, a JSON object
  std::string resume = "{}";               ///< what earlier attempts kept (ABI 1.2 "resume"), a JSON object
  bool hasThread = false;
};

inline constexpr std::size_t kMaxMediaItems = 100;

inline Media parseMedia(std::string_view json, const std::string& at) {
  if (host.get(json, at.c_str()).type != MS_JSON_OBJECT) throw Error(MS_ERR_INVALID_INPUT, at + " must be an object");
  Media m;
  m.kind = host.requiredString(json, at + "/kind", 32);
  m.mimeType = host.optionalString(json, at + "/mimeType", 200).value_or("");
  m.path = host.optionalString(json, at + "/path").value_or("");
  m.url = host.optionalString(json, at + "/url").value_or("");
  m.altText = host.optionalString(json, at + "/altText").value_or("");
  m.size = optionalNumber(json, at + "/size").value_or(0);
  m.width = optionalNumber(json, at + "/width").value_or(0);
  m.height = optionalNumber(json, at + "/height").value_or(0);
  m.durationSeconds = optionalNumber(json, at + "/durationSeconds").value_or(0);
  return m;
}

/// Reads a Post; `forPublish` also requires the token and the account id.
inline Post parsePost(std::string_view json, bool forPublish) {
  Post post;
  if (forPublish) {
    post.accessToken = host.requiredString(json, "/accessToken");
    post.accountId = host.requiredString(json, "/account/id", 128);
  }
  const auto content = host.get(json, "/content");
  if (content.present() && content.type != MS_JSON_NULL && !content.isString())
    throw Error(MS_ERR_INVALID_INPUT, "/content must be a string");
  if (content.text.size() > kMaxContentBytes) throw Error(MS_ERR_INVALID_INPUT, "/content is too long");
  post.content = content.isString() ? content.text : "";
  post.link = host.optionalString(json, "/link").value_or("");
  const std::size_t n = optionalArraySize(json, "/media", kMaxMediaItems);
  for (std::size_t i = 0; i < n; ++i) post.media.push_back(parseMedia(json, "/media/" + std::to_string(i)));
  if (const auto when = host.optionalString(json, "/scheduledTime", 64)) {
    post.scheduledTime = parseRfc3339(*when);
    if (!post.scheduledTime) throw Error(MS_ERR_INVALID_INPUT, "/scheduledTime must be an RFC 3339 time");
  }
  if (const auto options = host.get(json, "/options"); options.type == MS_JSON_OBJECT) {
    post.options = options.text;
  } else if (options.present() && options.type != MS_JSON_NULL) {
    throw Error(MS_ERR_INVALID_INPUT, "/options must be an object");
  }
  post.hasThread = optionalArraySize(json, "/thread", kMaxMediaItems) > 0;
  if (const auto resume = host.get(json, "/resume"); resume.type == MS_JSON_OBJECT) post.resume = resume.text;
  return post;
}

/// Bytes of a media file: its declared size, else the file's; INVALID_INPUT when unreadable.
inline uint64_t fileLength(const Media& m) {
  if (m.size > 0) return static_cast<uint64_t>(m.size);
  std::error_code error;
  const auto length = std::filesystem::file_size(m.path, error);
  if (error || length == 0) throw Error(MS_ERR_INVALID_INPUT, "the media file cannot be read");
  return length;
}

using PostCheck = Issues (*)(const Post&);
using PostPublisher = std::string (*)(const Post&);

/// validate: the post's issues ({"issues":[]} when there are none) and the length of its text as
/// the check counted it; never a network call.
inline ms_status validateCall(const char* req, std::size_t len, const ms_reply* reply, PostCheck check) noexcept {
  return sdk::guard(req, len, reply, [&] {
    const Issues issues = check(parsePost(host.objectRequest(req, len), false));
    issues.throwIfAny(reply);
    return issues.json();
  });
}

/// publish: validates first, so nothing that cannot be published reaches the network.
inline ms_status publishCall(const char* req, std::size_t len, const ms_reply* reply, PostCheck check,
                             PostPublisher publish) noexcept {
  return sdk::guard(req, len, reply, [&] {
    const Post post = parsePost(host.objectRequest(req, len), true);
    check(post).throwIfAny(reply);
    return publish(post);
  });
}

/// The insights range: since = start at 00:00Z, until = the day after end at 00:00Z (Unix seconds).
struct DateRange {
  long long since = 0, until = 0;
};

inline DateRange parseRange(std::string_view json) {
  const auto start = parseDate(host.requiredString(json, "/start", 32));
  const auto end = parseDate(host.requiredString(json, "/end", 32));
  if (!start || !end || *end < *start)
    throw Error(MS_ERR_INVALID_INPUT, "start and end must be YYYY-MM-DD dates, start <= end");
  // Meta keeps insights for two years; a longer range would only multiply the calls.
  if (*end - *start > 2 * 366 * 86400LL)
    throw Error(MS_ERR_INVALID_INPUT, "the insights range is limited to two years");
  return {*start, *end + 86400};
}

/// The requested standard metric names, empty = all; INVALID_INPUT when malformed.
inline std::vector<std::string> requestedMetrics(std::string_view json) {
  std::vector<std::string> names;
  const std::size_t n = optionalArraySize(json, "/metrics", 50);
  for (std::size_t i = 0; i < n; ++i) names.push_back(host.requiredString(json, "/metrics/" + std::to_string(i), 64));
  return names;
}

inline bool wanted(const std::vector<std::string>& metrics, const std::string& name) {
  return metrics.empty() || std::find(metrics.begin(), metrics.end(), name) != metrics.end();
}

}  // namespace marketsage::meta

#endif  // MARKETSAGE_META_POST_HPP
