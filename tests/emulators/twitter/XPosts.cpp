// Users and posts: GET /2/users/me, POST /2/tweets, DELETE /2/tweets/:id, GET /2/tweets
// (docs.x.com/x-api/users/lookup/introduction, /x-api/posts/creation-of-a-post, /x-api/posts/manage-tweets,
// /x-api/fundamentals/metrics, /x-api/fundamentals/response-codes-and-errors).
#include "XImpl.h"
#include "XText.h"

#include <sstream>

namespace emulators {
namespace {

namespace json_ = boost::json;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, separator);)
    if (!item.empty()) out.push_back(item);
  return out;
}

bool isId(const std::string& text) {
  return !text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string::npos;
}

size_t codePoints(const std::string& text) {
  size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

json_::object tweetError(const std::string& id, const std::string& title, const std::string& detail, const std::string& type,
                         const std::string& field) {
  json_::object error{{"value", id}, {"detail", detail}, {"title", title}, {"resource_type", "tweet"},
                      {"parameter", field.empty() ? "ids" : field}, {"resource_id", id}, {"type", type}};
  if (!field.empty()) error["field"] = field;
  return error;
}

json_::object metricsJson(const XApi::Tweet& t, const std::set<std::string>& fields) {
  const auto& m = t.metrics;
  json_::object out;
  if (fields.count("public_metrics"))
    out["public_metrics"] = {{"retweet_count", m.retweets}, {"reply_count", m.replies}, {"like_count", m.likes},
                             {"quote_count", m.quotes}, {"bookmark_count", m.bookmarks}, {"impression_count", m.impressions}};
  if (fields.count("non_public_metrics"))
    out["non_public_metrics"] = {{"impression_count", m.impressions}, {"url_link_clicks", m.urlLinkClicks},
                                 {"user_profile_clicks", m.userProfileClicks}};
  if (fields.count("organic_metrics"))
    out["organic_metrics"] = {{"impression_count", m.impressions}, {"like_count", m.likes}, {"reply_count", m.replies},
                              {"retweet_count", m.retweets}, {"url_link_clicks", m.urlLinkClicks},
                              {"user_profile_clicks", m.userProfileClicks}};
  return out;
}

}  // namespace

Reply XApi::Impl::me(const Request& r, const Grant& grant) {
  json_::object user{{"id", grant.userId}, {"name", XApi::displayName}, {"username", XApi::username}};
  const auto fields = split(r.param("user.fields"), ',');
  for (const auto& field : fields) {
    if (field == "profile_image_url") user["profile_image_url"] = "https://pbs.twimg.com/profile_images/1/x_normal.jpg";
    if (field == "public_metrics") {
      long long tweetCount = 0;
      for (const auto& t : tweets) tweetCount += t.authorId == grant.userId && !t.deleted;
      user["public_metrics"] = {{"followers_count", followers}, {"following_count", 12}, {"tweet_count", tweetCount},
                                {"listed_count", 3}, {"like_count", 42}};
    }
  }
  return json(200, json_::object{{"data", user}});
}

Reply XApi::Impl::createTweet(const Request& r, const Grant& grant) {
  const int attempt = ++tweetAttempts;
  if (const auto failure = tweetFailures.find(attempt); failure != tweetFailures.end())
    return problem(failure->second, "Service Unavailable", "Service Unavailable");
  boost::system::error_code ec;
  const auto parsed = json_::parse(r.body, ec);
  if (ec || !parsed.is_object()) return invalidRequest("body", "", "The request body is not a valid JSON object.");
  const auto& body = parsed.as_object();
  Tweet t;
  t.id = newId();
  t.authorId = grant.userId;
  t.createdAtSeconds = nowSeconds();
  if (const auto* text = body.if_contains("text")) {
    if (!text->is_string()) return invalidRequest("text", "", "text must be a string");
    t.text = std::string(text->as_string());
  }
  if (const auto* media = body.if_contains("media")) {
    const auto* ids = media->is_object() ? media->as_object().if_contains("media_ids") : nullptr;
    if (!ids || !ids->is_array() || ids->as_array().empty() || ids->as_array().size() > 4)
      return invalidRequest("media.media_ids", "", "media.media_ids must hold 1 to 4 media ids");
    for (const auto& id : ids->as_array()) {
      const auto key = id.is_string() ? std::string(id.as_string()) : std::string();
      const auto upload = uploads.find(key);
      if (upload == uploads.end() || upload->second.state != "succeeded")
        return invalidRequest("media.media_ids", key, "Your media IDs are invalid.");
      t.mediaIds.push_back(key);
    }
  }
  if (t.text.empty() && t.mediaIds.empty()) return invalidRequest("text", "", "Your Tweet must have text or media.");
  // 280 weighted characters (https://docs.x.com/fundamentals/counting-characters); X's answer, as
  // clients report it (tweepy, twitter-api-v2): 400 with this errors[0].message.
  if (xWeightedLength(t.text) > xMaxWeightedLength)
    return invalidRequest("text", t.text,
                          "Your Tweet text is too long. For more information on how Twitter determines text length see "
                          "https://github.com/twitter/twitter-text.");
  if (const auto* poll = body.if_contains("poll")) {
    const auto* options = poll->is_object() ? poll->as_object().if_contains("options") : nullptr;
    const auto* minutes = poll->is_object() ? poll->as_object().if_contains("duration_minutes") : nullptr;
    if (!options || !options->is_array() || options->as_array().size() < 2 || options->as_array().size() > 4)
      return invalidRequest("poll.options", "", "A poll has 2 to 4 options.");
    for (const auto& option : options->as_array()) {
      if (!option.is_string() || codePoints(std::string(option.as_string())) > 25)
        return invalidRequest("poll.options", "", "Poll options are at most 25 characters.");
      t.pollOptions.emplace_back(option.as_string());
    }
    if (!minutes || !minutes->is_int64() || minutes->as_int64() < 5 || minutes->as_int64() > 10080)
      return invalidRequest("poll.duration_minutes", "", "duration_minutes must be between 5 and 10080.");
    if (!t.mediaIds.empty()) return invalidRequest("poll", "", "A Tweet cannot have both a poll and media.");
    t.pollMinutes = minutes->as_int64();
  }
  auto visible = [&](const std::string& id) {
    for (const auto& other : tweets)
      if (other.id == id && !other.deleted) return true;
    return false;
  };
  if (const auto* reply = body.if_contains("reply")) {
    const auto* target = reply->is_object() ? reply->as_object().if_contains("in_reply_to_tweet_id") : nullptr;
    t.replyTo = target && target->is_string() ? std::string(target->as_string()) : "";
    if (!visible(t.replyTo))
      return problem(403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you.");
  }
  if (const auto* quote = body.if_contains("quote_tweet_id")) {
    t.quoteOf = quote->is_string() ? std::string(quote->as_string()) : "";
    if (!visible(t.quoteOf)) return problem(403, "Forbidden", "You attempted to quote a Tweet that is deleted or not visible to you.");
  }
  if (const auto* settings = body.if_contains("reply_settings"); settings && settings->is_string())
    t.replySettings = std::string(settings->as_string());
  for (const auto& other : tweets)
    if (!t.text.empty() && !other.deleted && other.authorId == t.authorId && other.text == t.text)
      return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.");
  tweets.push_back(t);
  ++created;
  return json(201, json_::object{{"data", {{"id", t.id}, {"text", t.text}, {"edit_history_tweet_ids", json_::array{json_::value(t.id)}}}}});
}

Reply XApi::Impl::deleteTweet(const std::string& id, const Grant& grant) {
  if (!isId(id)) return invalidRequest("id", id, "The `id` query parameter value [" + id + "] is not valid");
  for (auto& t : tweets) {
    if (t.id != id || t.deleted) continue;
    if (t.authorId != grant.userId) return problem(403, "Forbidden", "You are not authorized to delete this Tweet.");
    t.deleted = true;
    return json(200, json_::object{{"data", {{"deleted", true}}}});
  }
  return json(200, json_::object{{"data", {{"deleted", false}}}});
}

Reply XApi::Impl::lookupTweets(const Request& r, const Grant& grant) {
  const auto ids = split(r.param("ids"), ',');
  if (ids.empty() || ids.size() > 100) return invalidRequest("ids", r.param("ids"), "ids must hold 1 to 100 post ids");
  for (const auto& id : ids)
    if (!isId(id)) return invalidRequest("ids", id, "The `ids` query parameter value [" + id + "] is not valid");
  const auto fieldList = split(r.param("tweet.fields"), ',');
  const std::set<std::string> fields(fieldList.begin(), fieldList.end());
  json_::array data, errors;
  for (const auto& id : ids) {
    const Tweet* found = nullptr;
    for (const auto& t : tweets)
      if (t.id == id && !t.deleted) found = &t;
    if (!found) {
      errors.push_back(tweetError(id, "Not Found Error", "Could not find tweet with ids: [" + id + "].",
                                  "https://api.twitter.com/2/problems/resource-not-found", ""));
      continue;
    }
    // Private metrics: only the author's own posts, and only for 30 days.
    const bool privateAllowed = found->authorId == grant.userId && nowSeconds() - found->createdAtSeconds <= 30 * 86400;
    bool refused = false;
    for (const char* field : {"non_public_metrics", "organic_metrics"})
      if (fields.count(field) && !privateAllowed) {
        errors.push_back(tweetError(id, "Authorization Error",
                                    std::string("Sorry, you are not authorized to access '") + field + "' on the Tweet with ids: " + id + ".",
                                    "https://api.twitter.com/2/problems/not-authorized-for-field", field));
        refused = true;
      }
    if (refused) continue;
    auto tweet = metricsJson(*found, fields);
    tweet["id"] = found->id;
    tweet["text"] = found->text;
    tweet["edit_history_tweet_ids"] = json_::array{json_::value(found->id)};
    data.push_back(tweet);
  }
  json_::object out;
  if (!data.empty()) out["data"] = data;
  if (!errors.empty()) out["errors"] = errors;
  return json(200, out);
}

}  // namespace emulators
