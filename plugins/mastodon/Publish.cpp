// POST /api/v1/statuses (docs.joinmastodon.org/methods/statuses#create) with an Idempotency-Key
// derived from the target (api/guidelines#idempotency: the same key within an hour answers the
// first status instead of posting again). A thread is a chain of replies (in_reply_to_id); media
// still processed by the instance make publish answer "pending" instead of waiting.
#include "Mastodon.h"

namespace mastodon {
namespace {

constexpr long long maxProcessingMs = 15 * 60 * 1000;

/// The ids of the thread's parts already live (resume.postIds).
std::vector<std::string> livePartIds(std::string_view json, const Post& post) {
  auto ids = stringArray(json, "/resume/postIds", post.parts.size());
  for (const auto& id : ids)
    if (!isId(id)) throw Error(MS_ERR_INVALID_INPUT, "/resume/postIds holds something that is not a Mastodon id");
  return ids;
}

/// The Idempotency-Key of part `index`: the target's key, suffixed for the thread's later parts.
std::string partKey(std::string_view json, size_t index) {
  auto key = host.optionalString(json, "/idempotencyKey", 200).value_or("");
  if (key.empty() || index == 0) return key;
  return key + "-" + std::to_string(index);
}

std::string statusBody(const Post& post, size_t index, const std::vector<std::string>& mediaIds,
                       const std::string& replyTo) {
  auto body = sdk::Json::object().field("status", post.parts[index]);
  if (index == 0 && !mediaIds.empty()) {
    auto ids = sdk::Json::array();
    for (const auto& id : mediaIds) ids.push(id);
    body.raw("media_ids", ids);
  }
  if (index == 0 && post.poll) {
    auto options = sdk::Json::array();
    for (const auto& option : post.poll->options) options.push(option);
    body.raw("poll", sdk::Json::object()
                         .raw("options", options)
                         .field("expires_in", post.poll->expiresIn)
                         .field("multiple", post.poll->multiple)
                         .field("hide_totals", post.poll->hideTotals));
  }
  if (!replyTo.empty()) body.field("in_reply_to_id", replyTo);
  if (post.sensitive) body.field("sensitive", true);
  if (!post.spoilerText.empty()) body.field("spoiler_text", post.spoilerText);
  if (!post.visibility.empty()) body.field("visibility", post.visibility);
  if (!post.language.empty()) body.field("language", post.language);
  return body.str();
}

/// Thrown when the instance is still processing media: publish answers "pending".
struct StillProcessing {};

/// Checks that the media the instance processes in the background are ready.
void requireProcessed(const std::string& token, const Post& post, const std::vector<std::string>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (post.media[i].kind == "image") continue;  // images are processed while uploaded
    const auto r = exchange(apiRequest("GET", apiBase() + "/api/v1/media/" + ids[i], token));
    // Only unattached media are found (MediaController#set_media_attachment: where(status_id: nil)):
    // a 404 here is media a status already carries, e.g. the status whose answer was lost. The
    // create with the same Idempotency-Key answers that status; anything else it refuses itself.
    if (r.result == MS_OK && r.status == 404) continue;
    if (r.result == MS_OK && r.status == 206) throw StillProcessing{};
    if (r.result == MS_OK && r.status == 422)
      throw Error(MS_ERR_PERMANENT, "the instance could not process the media: " + errorText(r), "422");
    if (r.result != MS_OK || r.status != 200) fail(r);
  }
}

std::string pendingReply(std::string_view json) {
  const long long now = host.nowMs();
  const long long since = host.integer(json, "/resume/processingSince").value_or(now);
  if (now - since > maxProcessingMs)
    throw Error(MS_ERR_TRANSIENT, "the instance has been processing the media for more than 15 minutes");
  const auto pending = sdk::Json::object()
                           .field("retryAfterSeconds", 5)
                           .field("stage", "the instance is processing the media")
                           .raw("resume", sdk::Json::object().field("processingSince", since));
  return sdk::Json::object().raw("pending", pending).str();
}

struct Created {
  std::string id, url;
  int32_t windowUsedUp = -1;  ///< X-RateLimit-Remaining reached 0: seconds until the reset
};

Created createPart(std::string_view json, const std::string& token, const Post& post, size_t index,
                   const std::vector<std::string>& mediaIds, const std::string& replyTo) {
  auto request = apiRequest("POST", apiBase() + "/api/v1/statuses", token);
  request.headers.emplace_back("Content-Type", "application/json");
  if (const auto key = partKey(json, index); !key.empty()) request.headers.emplace_back("Idempotency-Key", key);
  request.body = statusBody(post, index, mediaIds, replyTo);
  const auto r = exchange(request);
  if (r.result == MS_OK && r.status >= 200 && r.status <= 299) {
    auto id = host.string(r.body, "/id");
    if (!id || !isId(*id)) throw Error(MS_ERR_PERMANENT, "the instance answered POST /api/v1/statuses without an id");
    auto url = host.string(r.body, "/url");
    if (!url) url = host.string(r.body, "/uri");
    const bool usedUp = host.string(r.headers, "/x-ratelimit-remaining").value_or("") == "0";
    return {*id, url.value_or(""), usedUp ? resetSeconds(r) : -1};
  }
  const auto part =
      post.parts.size() > 1 ? "part " + std::to_string(index + 1) + " of the thread" : std::string("the status");
  if (r.result == MS_ERR_TRANSIENT && r.sent)
    throw Error(MS_ERR_OUTCOME_UNKNOWN, part + " may be live: no complete answer (" + r.error + ")");
  if (r.result == MS_OK && (r.status == 502 || r.status == 503 || r.status == 504))
    throw Error(MS_ERR_OUTCOME_UNKNOWN,
                part + " may be live: the instance's gateway answered " + std::to_string(r.status),
                std::to_string(r.status));
  if (r.result == MS_OK && r.status == 422 && errorText(r).find("not finished processing") != std::string::npos)
    throw StillProcessing{};
  fail(r);
}

}  // namespace

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const Post post = parsePost(json);
    if (const auto issues = checkLimits(post, instanceLimits()); !issues.empty()) {
      const auto details = sdk::validationReply(issues);
      reply->write(reply, details.data(), details.size());
      throw Error(MS_ERR_INVALID_INPUT, issues.front().field + ": " + issues.front().message);
    }
    std::vector<std::string> ids = livePartIds(json, post);
    std::vector<std::string> mediaIds;
    for (size_t i = 0; i < post.media.size(); ++i) {
      if (post.media[i].platformId.empty())
        throw Error(MS_ERR_PERMANENT, "/media/" + std::to_string(i) + " was not uploaded to the instance");
      mediaIds.push_back(post.media[i].platformId);
    }
    std::string firstUrl;
    try {
      if (ids.empty()) requireProcessed(token, post, mediaIds);
      for (size_t index = ids.size(); index < post.parts.size(); ++index) {
        const std::string replyTo = index == 0 ? post.inReplyToId : ids.back();
        try {
          const auto created = createPart(json, token, post, index, mediaIds, replyTo);
          ids.push_back(created.id);
          if (index == 0) firstUrl = created.url;
          if (created.windowUsedUp >= 0 && index + 1 < post.parts.size())
            throw Error(MS_ERR_RATE_LIMITED, "Mastodon's rate limit window is used up (X-RateLimit-Remaining 0)", "429",
                        created.windowUsedUp);
        } catch (const Error&) {
          if (post.parts.size() > 1) {  // what is live, so that a retry posts nothing twice
            auto list = sdk::Json::array();
            for (const auto& id : ids) list.push(id);
            const auto partial =
                sdk::Json::object().raw("postIds", list).field("failedPart", static_cast<long long>(ids.size())).str();
            reply->write(reply, partial.data(), partial.size());
          }
          throw;
        }
      }
    } catch (const StillProcessing&) {
      return pendingReply(json);
    }
    auto list = sdk::Json::array();
    for (const auto& id : ids) list.push(id);
    auto out = sdk::Json::object().field("postId", ids.front());
    if (!firstUrl.empty()) out.field("url", firstUrl);
    return out.raw("postIds", list).str();
  });
}

}  // namespace mastodon
