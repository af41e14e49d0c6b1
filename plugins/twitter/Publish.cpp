// POST /2/tweets (https://docs.x.com/x-api/posts/creation-of-a-post); a thread is a chain of replies.
#include "Capabilities.h"
#include "Common.h"
#include "MediaUpload.h"
#include "Validation.h"

namespace twitter {
namespace {

/// The body of POST /2/tweets for part `index` of the post, replying to `replyTo` when not empty.
std::string tweetBody(const Post& post, size_t index, const std::vector<std::string>& mediaIds, const std::string& replyTo) {
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
      body.raw("poll", sdk::Json::object().raw("options", choices).field("duration_minutes", options.pollDurationMinutes));
    }
  }
  return body.str();
}

std::string postPart(const std::string& token, const Post& post, size_t index, const std::string& replyTo) {
  std::vector<std::string> mediaIds;
  for (const auto& media : post.parts[index].media)
    mediaIds.push_back(media.platformMediaId.empty() ? uploadMedia(token, media).id : media.platformMediaId);
  const auto r = apiCall("POST", apiBase() + "/2/tweets", token, tweetBody(post, index, mediaIds, replyTo), "tweet.write");
  auto id = host.string(r.body, "/data/id");
  if (!id || !isXId(*id)) throw Error(MS_ERR_PERMANENT, "X answered POST /2/tweets without a post id");
  return *id;
}

sdk::Json idList(const std::vector<std::string>& ids) {
  auto list = sdk::Json::array();
  for (const auto& id : ids) list.push(id);
  return list;
}

}  // namespace

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = accessToken(json);
    const Post post = parsePost(json);
    const auto username = optionalString(json, "/account/metadata/username", 64).value_or("");
    if (const auto issues = checkLimits(post); !issues.empty()) {
      const auto details = issuesJson(issues);
      reply->write(reply, details.data(), details.size());
      throw Error(MS_ERR_INVALID_INPUT, issues.front().field + ": " + issues.front().message);
    }
    // A retry after a partial failure: the parts in resume.postIds are live; continue after them.
    std::vector<std::string> ids = stringArray(json, "/resume/postIds", post.parts.size());
    for (const auto& id : ids)
      if (!isXId(id)) throw Error(MS_ERR_INVALID_INPUT, "/resume/postIds holds something that is not an X post id");
    for (size_t index = ids.size(); index < post.parts.size(); ++index) {
      const std::string replyTo = index == 0 ? post.options.replyTo : ids.back();
      try {
        ids.push_back(postPart(token, post, index, replyTo));
      } catch (const Error&) {
        if (post.parts.size() > 1) {  // tell the host what is live, so a retry posts nothing twice
          const auto partial = sdk::Json::object().raw("postIds", idList(ids)).field("failedPart", static_cast<long long>(index)).str();
          reply->write(reply, partial.data(), partial.size());
        }
        throw;
      }
    }
    const auto url = "https://x.com/" + (username.empty() ? std::string("i/web") : username) + "/status/" + ids.front();
    return sdk::Json::object().field("postId", ids.front()).field("url", url).raw("postIds", idList(ids)).str();
  });
}

}  // namespace twitter
