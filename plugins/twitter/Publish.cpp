// POST /2/tweets (https://docs.x.com/x-api/posts/creation-of-a-post); a thread is a chain of replies.
// The media of every part still to post are uploaded and processed first, without waiting in the
// plugin: while X processes a video, publish answers "pending" and the host comes back.
#include "Capabilities.h"
#include "Common.h"
#include "MediaUpload.h"
#include "Validation.h"

#include <algorithm>

namespace twitter {
namespace {

constexpr long long maxProcessingMs = 15 * 60 * 1000;  // give up waiting for X's processing after this

/// The body of POST /2/tweets for part `index` of the post, replying to `replyTo` when not empty.
std::string tweetBody(const Post& post, size_t index, const std::vector<std::string>& mediaIds,
                      const std::string& replyTo) {
  const auto& options = post.options;
  auto body = sdk::Json::object();
  if (!post.parts[index].text.empty()) body.field("text", post.parts[index].text);
  if (!mediaIds.empty()) {
    auto ids = sdk::Json::array();
    for (const auto& id : mediaIds) ids.push(id);
    body.raw("media", sdk::Json::object().raw("media_ids", ids));
  }
  if (!replyTo.empty()) body.raw("reply", sdk::Json::object().field("in_reply_to_tweet_id", replyTo));
  if (index == 0) {  // options shape the first post; the rest of the thread are plain replies
    if (!options.quoteTweetId.empty()) body.field("quote_tweet_id", options.quoteTweetId);
    if (!options.replySettings.empty()) body.field("reply_settings", options.replySettings);
    if (!options.pollOptions.empty()) {
      auto choices = sdk::Json::array();
      for (const auto& choice : options.pollOptions) choices.push(choice);
      body.raw("poll",
               sdk::Json::object().raw("options", choices).field("duration_minutes", options.pollDurationMinutes));
    }
  }
  return body.str();
}

/// Why a create that brought no post id may still have made the post live (ABI 1.2), or nullopt
/// when X refused it or nothing reached X: the request went out whole without a complete answer,
/// a gateway's 502/503/504, or X's refusal of the text as a duplicate of a post the account has.
std::optional<std::string> mayHaveCreated(const sdk::HttpResponse& r) {
  if (r.result != MS_OK)
    return r.result == MS_ERR_TRANSIENT && r.sent ? std::optional<std::string>("no complete answer (" + r.error + ")")
                                                  : std::nullopt;
  if (r.status == 502 || r.status == 503 || r.status == 504) return "X's gateway answered " + std::to_string(r.status);
  if (r.status == 403 && host.string(r.body, "/detail").value_or("").find("duplicate content") != std::string::npos)
    return std::string("X refused it as duplicate content, so an earlier attempt may have posted it");
  return std::nullopt;
}

/// Posts part `index` and answers its id. A create whose outcome X left open is OUTCOME_UNKNOWN.
std::string createPart(const std::string& token, const Post& post, size_t index,
                       const std::vector<std::string>& mediaIds, const std::string& replyTo) {
  const auto r =
      exchange(apiRequest("POST", apiBase() + "/2/tweets", token, tweetBody(post, index, mediaIds, replyTo)));
  if (r.result == MS_OK && r.status >= 200 && r.status <= 299) {
    auto id = host.string(r.body, "/data/id");
    if (!id || !isXId(*id)) throw Error(MS_ERR_PERMANENT, "X answered POST /2/tweets without a post id");
    return *id;
  }
  if (const auto why = mayHaveCreated(r)) {
    const auto part =
        post.parts.size() > 1 ? "part " + std::to_string(index + 1) + " of the thread" : std::string("the post");
    throw Error(MS_ERR_OUTCOME_UNKNOWN, part + " may be live on X: " + *why,
                r.result == MS_OK ? std::to_string(r.status) : "");
  }
  fail(r, "tweet.write");
}

/// The X media ids of the parts still to post, each uploaded once (ids travel in resume.media).
struct PreparedMedia {
  std::vector<std::vector<std::string>> ids;  ///< per part; empty for parts already live
  sdk::Json uploaded = sdk::Json::object();   ///< uploaded by this call: mediaKey → X id
  int waitSeconds = 0;                        ///< > 0: X is still processing some of them
};

PreparedMedia prepareMedia(std::string_view json, const std::string& token, const Post& post, size_t firstPart) {
  PreparedMedia out;
  out.ids.resize(post.parts.size());
  for (size_t index = firstPart; index < post.parts.size(); ++index) {
    for (const auto& media : post.parts[index].media) {
      auto id = knownMediaId(json, media);
      int wait = 0;
      if (id.empty()) {
        const auto uploaded = uploadMedia(token, media);
        id = uploaded.id;
        wait = uploaded.processingSeconds;
        out.uploaded.field(mediaKey(media), id);
      } else if (processedLater(media)) {
        wait = processingSeconds(token, id);
      }
      out.ids[index].push_back(id);
      out.waitSeconds = std::max(out.waitSeconds, wait);
    }
  }
  return out;
}

/// {"pending": …} while X processes the media: the ids uploaded so far join resume.media (the
/// host's own entries kept), and resume.processingSince bounds the wait.
std::string pendingReply(std::string_view json, const PreparedMedia& media) {
  const long long now = host.nowMs();
  const long long since = host.integer(json, "/resume/processingSince").value_or(now);
  if (now - since > maxProcessingMs)
    throw Error(MS_ERR_TRANSIENT, "X has been processing the media for more than 15 minutes");
  auto resume = sdk::Json::object().field("processingSince", since);
  if (!media.uploaded.empty()) {
    const auto earlier = host.get(json, "/resume/media");
    auto merged = media.uploaded.str();
    if (earlier.type == MS_JSON_OBJECT && host.parse(earlier.text).count("") > 0)
      merged = earlier.text.substr(0, earlier.text.rfind('}')) + "," + merged.substr(1);
    resume.raw("media", merged);
  }
  const auto pending = sdk::Json::object()
                           .field("retryAfterSeconds", media.waitSeconds)
                           .field("stage", processingStage)
                           .raw("resume", resume);
  return sdk::Json::object().raw("pending", pending).str();
}

}  // namespace

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const Post post = parsePost(json);
    if (const auto issues = checkLimits(post); !issues.empty()) {
      const auto details = issuesJson(issues);
      reply->write(reply, details.data(), details.size());
      throw Error(MS_ERR_INVALID_INPUT, issues.front().field + ": " + issues.front().message);
    }
    // A retry after a partial failure: the parts in resume.postIds are live; continue after them.
    std::vector<std::string> ids = livePartIds(json, post);
    const auto media = prepareMedia(json, token, post, ids.size());
    if (media.waitSeconds > 0) return pendingReply(json, media);
    for (size_t index = ids.size(); index < post.parts.size(); ++index) {
      const std::string replyTo = index == 0 ? post.options.replyTo : ids.back();
      try {
        ids.push_back(createPart(token, post, index, media.ids[index], replyTo));
      } catch (const Error&) {
        if (post.parts.size() > 1) {  // tell the host what is live, so a retry posts nothing twice
          const auto partial = sdk::Json::object()
                                   .raw("postIds", jsonList(ids))
                                   .field("failedPart", static_cast<long long>(index))
                                   .str();
          reply->write(reply, partial.data(), partial.size());
        }
        throw;
      }
    }
    return sdk::Json::object()
        .field("postId", ids.front())
        .field("url", postUrl(json, ids.front()))
        .raw("postIds", jsonList(ids))
        .str();
  });
}

}  // namespace twitter
