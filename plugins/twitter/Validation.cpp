// Limits from docs.x.com: POST /2/tweets (poll, media, reply_settings) and the media best
// practices (4 images or 1 GIF/video; 5 MB images, 15 MB GIFs, 512 MB videos).
#include "Validation.h"

#include "Capabilities.h"
#include "Common.h"
#include "WeightedLength.h"

namespace twitter {
namespace {

constexpr size_t maxParts = 25;             // our bound on a thread; X documents none
constexpr size_t maxTextBytes = 64 * 1024;  // far above 280 weighted characters, bounds the input
constexpr long long megabyte = 1024 * 1024;

MediaItem parseMedia(std::string_view json, const std::string& pointer) {
  if (host.get(json, pointer.c_str()).type != MS_JSON_OBJECT)
    throw Error(MS_ERR_INVALID_INPUT, pointer + " must be an object");
  MediaItem item;
  item.pointer = pointer;
  item.hostId = host.optionalString(json, pointer + "/id", 128).value_or("");
  item.kind = host.requiredString(json, pointer + "/kind", 32);
  item.mimeType = host.optionalString(json, pointer + "/mimeType", 128).value_or("");
  item.path = host.optionalString(json, pointer + "/path").value_or("");
  item.platformMediaId = host.optionalString(json, pointer + "/platformMediaId", 64).value_or("");
  item.altText = host.optionalString(json, pointer + "/altText", 8192).value_or("");
  item.size = host.integer(json, (pointer + "/size").c_str()).value_or(0);
  if (item.path.empty() && item.platformMediaId.empty())
    throw Error(MS_ERR_INVALID_INPUT, pointer + " needs a path or a platformMediaId");
  return item;
}

Part parsePart(std::string_view json, const std::string& prefix) {
  Part part;
  part.pointer = prefix + "/content";
  part.text = host.optionalString(json, part.pointer, maxTextBytes).value_or("");
  const std::string mediaPointer = prefix + "/media";
  const auto type = host.get(json, mediaPointer.c_str()).type;
  if (type != MS_JSON_NONE && type != MS_JSON_NULL && type != MS_JSON_ARRAY)
    throw Error(MS_ERR_INVALID_INPUT, mediaPointer + " must be an array");
  const size_t count = host.count(json, mediaPointer);
  if (count > 10) throw Error(MS_ERR_INVALID_INPUT, mediaPointer + " has too many items");
  for (size_t i = 0; i < count; ++i) part.media.push_back(parseMedia(json, mediaPointer + "/" + std::to_string(i)));
  return part;
}

PostOptions parseOptions(std::string_view json) {
  PostOptions options;
  const auto type = host.get(json, "/options").type;
  if (type == MS_JSON_NONE || type == MS_JSON_NULL) return options;
  if (type != MS_JSON_OBJECT) throw Error(MS_ERR_INVALID_INPUT, "/options must be an object");
  options.replyTo = host.optionalString(json, "/options/replyTo", 64).value_or("");
  options.quoteTweetId = host.optionalString(json, "/options/quoteTweetId", 64).value_or("");
  options.replySettings = host.optionalString(json, "/options/replySettings", 32).value_or("");
  const auto pollType = host.get(json, "/options/poll").type;
  if (pollType != MS_JSON_NONE && pollType != MS_JSON_NULL) {
    if (pollType != MS_JSON_OBJECT) throw Error(MS_ERR_INVALID_INPUT, "/options/poll must be an object");
    options.pollOptions = stringArray(json, "/options/poll/options", 16);
    const auto duration = host.get(json, "/options/poll/durationMinutes");
    if (duration.type != MS_JSON_NUMBER)
      throw Error(MS_ERR_INVALID_INPUT, "/options/poll/durationMinutes must be a number");
    options.pollDurationMinutes = host.integer(json, "/options/poll/durationMinutes").value_or(0);
  }
  return options;
}

size_t codePoints(const std::string& text) {
  size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

void checkText(const Part& part, std::vector<Issue>& issues) {
  const auto [length, limit] = textLength(part);
  if (!length) return issues.push_back({part.pointer, "not valid UTF-8"});
  if (*length > limit)
    issues.push_back({part.pointer, "longer than " + std::to_string(limit) + " weighted characters (" +
                                        std::to_string(*length) + ")"});
  if (*length == 0 && part.media.empty()) issues.push_back({part.pointer, "a post needs text or media"});
}

void checkMedia(const Part& part, std::vector<Issue>& issues) {
  size_t images = 0, others = 0;
  for (const auto& m : part.media) {
    const long long limit = m.kind == "image"   ? 5 * megabyte
                            : m.kind == "gif"   ? 15 * megabyte
                            : m.kind == "video" ? 512 * megabyte
                                                : 0;
    if (limit == 0) {
      issues.push_back({m.pointer + "/kind", "X posts carry images, GIFs and videos only, not " + m.kind});
      continue;
    }
    (m.kind == "image" ? images : others)++;
    if (m.size > limit)
      issues.push_back(
          {m.pointer + "/size", "larger than X's " + std::to_string(limit / megabyte) + " MB for a " + m.kind});
    if (m.platformMediaId.empty() && m.size <= 0)
      issues.push_back({m.pointer + "/size", "the media size is required to upload it"});
    if (codePoints(m.altText) > 1000)
      issues.push_back({m.pointer + "/altText", "alt text longer than 1000 characters"});
  }
  const std::string field = part.pointer.substr(0, part.pointer.rfind('/')) + "/media";
  if (images > 4) issues.push_back({field, "at most 4 images per post"});
  if (others > 1) issues.push_back({field, "at most 1 video or GIF per post"});
  if (images > 0 && others > 0) issues.push_back({field, "images cannot be mixed with a video or GIF"});
}

void checkOptions(const Post& post, std::vector<Issue>& issues) {
  const auto& o = post.options;
  if (!o.replyTo.empty() && !isXId(o.replyTo)) issues.push_back({"/options/replyTo", "not an X post id"});
  if (!o.quoteTweetId.empty() && !isXId(o.quoteTweetId))
    issues.push_back({"/options/quoteTweetId", "not an X post id"});
  if (!o.replySettings.empty() && o.replySettings != "following" && o.replySettings != "mentionedUsers" &&
      o.replySettings != "subscribers" && o.replySettings != "verified")
    issues.push_back({"/options/replySettings", "one of following, mentionedUsers, subscribers, verified"});
  if (o.pollOptions.empty() && o.pollDurationMinutes == 0) return;
  if (o.pollOptions.size() < 2 || o.pollOptions.size() > 4)
    issues.push_back({"/options/poll/options", "a poll has 2 to 4 options"});
  for (size_t i = 0; i < o.pollOptions.size(); ++i)
    if (codePoints(o.pollOptions[i]) > 25)
      issues.push_back({"/options/poll/options/" + std::to_string(i), "longer than 25 characters"});
  if (o.pollDurationMinutes < 5 || o.pollDurationMinutes > 10080)
    issues.push_back({"/options/poll/durationMinutes", "between 5 and 10080 minutes"});
  if (!post.parts.front().media.empty())
    issues.push_back({"/options/poll", "a post cannot carry both a poll and media"});
  if (!o.quoteTweetId.empty()) issues.push_back({"/options/poll", "a post cannot carry both a poll and a quote"});
}

}  // namespace

Post parsePost(std::string_view json) {
  Post post;
  Part first = parsePart(json, "");
  if (auto link = host.optionalString(json, "/link", 4096); link && !link->empty())
    first.text += (first.text.empty() ? "" : " ") + *link;
  post.parts.push_back(std::move(first));
  const auto type = host.get(json, "/thread").type;
  if (type != MS_JSON_NONE && type != MS_JSON_NULL && type != MS_JSON_ARRAY)
    throw Error(MS_ERR_INVALID_INPUT, "/thread must be an array");
  const size_t count = host.count(json, "/thread");
  if (count + 1 > maxParts) throw Error(MS_ERR_INVALID_INPUT, "a thread has at most 25 posts");
  for (size_t i = 0; i < count; ++i) {
    const std::string prefix = "/thread/" + std::to_string(i);
    if (host.get(json, prefix.c_str()).type != MS_JSON_OBJECT)
      throw Error(MS_ERR_INVALID_INPUT, prefix + " must be an object");
    post.parts.push_back(parsePart(json, prefix));
  }
  post.options = parseOptions(json);
  return post;
}

std::vector<std::string> livePartIds(std::string_view json, const Post& post) {
  auto ids = stringArray(json, "/resume/postIds", post.parts.size());
  for (const auto& id : ids)
    if (!isXId(id)) throw Error(MS_ERR_INVALID_INPUT, "/resume/postIds holds something that is not an X post id");
  return ids;
}

TextLength textLength(const Part& part) { return {weightedLength(part.text), maxWeightedLength}; }

std::vector<Issue> checkLimits(const Post& post) {
  std::vector<Issue> issues;
  for (const auto& part : post.parts) {
    checkText(part, issues);
    checkMedia(part, issues);
  }
  checkOptions(post, issues);
  return issues;
}

std::string issuesJson(const std::vector<Issue>& issues, const TextLength& length) {
  if (!length.used) return sdk::validationReply(issues);
  return sdk::validationReply(issues, sdk::LengthCount{*length.used, length.limit, "weighted"});
}

ms_status validate(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto post = parsePost(host.objectRequest(req, len));
    const auto issues = checkLimits(post);
    // The first part's length: a thread's other parts are counted, each on its own, in issues.
    auto details = issuesJson(issues, textLength(post.parts.front()));
    if (issues.empty()) return details;
    reply->write(reply, details.data(), details.size());  // kept by the host as the error's details
    throw Error(MS_ERR_INVALID_INPUT, issues.front().field + ": " + issues.front().message);
  });
}

}  // namespace twitter
