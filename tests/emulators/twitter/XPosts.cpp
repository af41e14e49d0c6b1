// Users and posts: GET /2/users/me, POST /2/tweets, DELETE /2/tweets/:id, GET /2/tweets
// (docs.x.com/x-api/users/lookup/introduction, /x-api/posts/creation-of-a-post, /x-api/posts/manage-tweets,
// /x-api/fundamentals/metrics, /x-api/fundamentals/response-codes-and-errors).
#include "Clock.h"
#include "XImpl.h"
#include "XText.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <functional>
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

json_::object tweetError(const std::string& id, const std::string& title, const std::string& detail,
                         const std::string& type, const std::string& field) {
  json_::object error{{"value", id},
                      {"detail", detail},
                      {"title", title},
                      {"resource_type", "tweet"},
                      {"parameter", field.empty() ? "ids" : field},
                      {"resource_id", id},
                      {"type", type}};
  if (!field.empty()) error["field"] = field;
  return error;
}

json_::object metricsJson(const XApi::Tweet& t, const std::set<std::string>& fields) {
  const auto& m = t.metrics;
  json_::object out;
  if (fields.count("public_metrics"))
    out["public_metrics"] = {{"retweet_count", m.retweets},   {"reply_count", m.replies},
                             {"like_count", m.likes},         {"quote_count", m.quotes},
                             {"bookmark_count", m.bookmarks}, {"impression_count", m.impressions}};
  if (fields.count("non_public_metrics"))
    out["non_public_metrics"] = {{"impression_count", m.impressions},
                                 {"url_link_clicks", m.urlLinkClicks},
                                 {"user_profile_clicks", m.userProfileClicks}};
  if (fields.count("organic_metrics"))
    out["organic_metrics"] = {{"impression_count", m.impressions},  {"like_count", m.likes},
                              {"reply_count", m.replies},           {"retweet_count", m.retweets},
                              {"url_link_clicks", m.urlLinkClicks}, {"user_profile_clicks", m.userProfileClicks}};
  return out;
}

size_t codePointsOf(std::string_view text) {
  size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

/// `text` with &, < and > escaped, as X writes them in a post's `text`.
std::string escapeHtml(std::string_view text) {
  std::string out;
  for (const char c : text) out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
  return out;
}

/// A t.co link, the same for the same post and link (https://help.x.com/en/using-x/url-shortener).
std::string tco(const std::string& tweetId, size_t index) {
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  unsigned long long h = std::hash<std::string>{}(tweetId + "#" + std::to_string(index));
  std::string code;
  for (int i = 0; i < 10; ++i, h /= 62) code += alphabet[h % 62];
  return "https://t.co/" + code;
}

/// "2026-12-01T10:00:00.000Z" for epoch seconds.
std::string isoTime(long long seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buffer;
}

/// Epoch seconds of an RFC 3339 "YYYY-MM-DDTHH:mm:ssZ" (fraction allowed), as start_time takes it.
std::optional<long long> parseIso(const std::string& text) {
  std::tm tm{};
  const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return std::nullopt;
  if (*rest == '.')
    for (++rest; std::isdigit(static_cast<unsigned char>(*rest));) ++rest;
  if (std::string_view(rest) != "Z") return std::nullopt;
  return static_cast<long long>(::timegm(&tm));
}

using marketsage::test::nowMs;

/// X ids grow with time: compares them as numbers.
bool newer(const std::string& a, const std::string& b) { return a.size() != b.size() ? a.size() > b.size() : a > b; }

}  // namespace

json_::object XApi::Impl::tweetJson(const Tweet& t, const std::set<std::string>& fields) const {
  // Every URL becomes a t.co link (entities.urls); media add one more link at the end.
  std::string text;
  json_::array urls;
  size_t at = 0, index = 0;
  const auto link = [&](const std::string& expanded, const std::string& display) {
    const auto url = tco(t.id, index++);
    const auto start = codePointsOf(text);
    text += url;
    return json_::object{{"start", start},
                         {"end", start + codePointsOf(url)},
                         {"url", url},
                         {"expanded_url", expanded},
                         {"display_url", display}};
  };
  for (const auto& span : xUrls(t.text)) {
    text += escapeHtml(std::string_view(t.text).substr(at, span.begin - at));
    const auto written = t.text.substr(span.begin, span.end - span.begin);
    const bool scheme = written.rfind("http://", 0) == 0 || written.rfind("https://", 0) == 0;
    const auto display = scheme ? written.substr(written.find("://") + 3) : written;
    urls.push_back(link(scheme ? written : "http://" + written,
                        display.size() > 26 ? display.substr(0, 25) + "\xe2\x80\xa6" : display));
    at = span.end;
  }
  text += escapeHtml(std::string_view(t.text).substr(at));
  std::vector<std::string> mediaKeys;
  for (const auto& id : t.mediaIds) mediaKeys.push_back(uploads.count(id) ? mediaKey(uploads.at(id)) : "3_" + id);
  if (!mediaKeys.empty()) {
    const bool video = mediaKeys.front().rfind("3_", 0) != 0;
    const auto author = t.authorId == XApi::userId ? std::string(XApi::username) : "user" + t.authorId;
    if (!text.empty()) text += " ";
    auto media = link("https://x.com/" + author + "/status/" + t.id + (video ? "/video/1" : "/photo/1"),
                      "pic.x.com/" + tco(t.id, 99).substr(13));
    media["media_key"] = mediaKeys.front();
    urls.push_back(media);
  }
  json_::object out = metricsJson(t, fields);
  out["id"] = t.id;
  out["text"] = text;
  out["edit_history_tweet_ids"] = json_::array{json_::value(t.id)};
  const auto byId = [&](const std::string& id) -> const Tweet* {
    for (const auto& other : tweets)
      if (other.id == id) return &other;
    return nullptr;
  };
  if (fields.count("created_at")) out["created_at"] = isoTime(t.createdAtSeconds);
  if (fields.count("author_id")) out["author_id"] = t.authorId;
  if (fields.count("conversation_id")) {
    const Tweet* root = &t;
    while (!root->replyTo.empty() && byId(root->replyTo)) root = byId(root->replyTo);
    out["conversation_id"] = root->replyTo.empty() ? root->id : root->replyTo;
  }
  if (fields.count("in_reply_to_user_id") && !t.replyTo.empty())
    if (const auto* target = byId(t.replyTo)) out["in_reply_to_user_id"] = target->authorId;
  if (fields.count("referenced_tweets") && (!t.replyTo.empty() || !t.quoteOf.empty())) {
    json_::array refs;
    if (!t.replyTo.empty()) refs.push_back(json_::object{{"type", "replied_to"}, {"id", t.replyTo}});
    if (!t.quoteOf.empty()) refs.push_back(json_::object{{"type", "quoted"}, {"id", t.quoteOf}});
    out["referenced_tweets"] = refs;
  }
  if (fields.count("entities") && !urls.empty()) out["entities"] = json_::object{{"urls", urls}};
  if (fields.count("attachments") && !mediaKeys.empty()) {
    json_::array keys;
    for (const auto& key : mediaKeys) keys.push_back(json_::value(key));
    out["attachments"] = json_::object{{"media_keys", keys}};
  }
  return out;
}

/// GET /2/users/:id/tweets (https://docs.x.com/x-api/posts/timelines/introduction): the user's posts, newest
/// first; max_results 5 to 100 (default 10), start_time / end_time / since_id / until_id,
/// exclude=replies,retweets, pagination by meta.next_token.
Reply XApi::Impl::userTweets(const Request& r, const std::string& userId) {
  if (!isId(userId))
    return invalidRequest("id", userId, "The `id` query parameter value [" + userId + "] is not valid");
  long long maxResults = 10;
  if (const auto text = r.param("max_results"); !text.empty()) {
    maxResults = text.size() <= 3 && text.find_first_not_of("0123456789") == std::string::npos ? std::stoll(text) : -1;
    if (maxResults < 5 || maxResults > 100)
      return invalidRequest("max_results", text,
                            "The `max_results` query parameter value [" + text + "] is not between 5 and 100");
  }
  std::optional<long long> start, end;
  for (const auto& [name, bound] : {std::pair{"start_time", &start}, std::pair{"end_time", &end}}) {
    const auto text = r.param(name);
    if (text.empty()) continue;
    *bound = parseIso(text);
    if (!*bound)
      return invalidRequest(
          name, text,
          "Invalid '" + std::string(name) + "':'" + text + "'. '" + name + "' must be a valid RFC 3339 date-time.");
  }
  size_t offset = 0;
  if (const auto token = r.param("pagination_token"); !token.empty()) {
    if (token.rfind("7140dibdnow9c7btw4", 0) != 0 || token.size() == 18 ||
        token.find_first_not_of("0123456789", 18) != std::string::npos)
      return invalidRequest("pagination_token", token,
                            "The `pagination_token` query parameter value [" + token + "] is not valid");
    offset = std::stoul(token.substr(18));
  }
  const auto exclude = split(r.param("exclude"), ',');
  const bool noReplies = std::find(exclude.begin(), exclude.end(), "replies") != exclude.end();
  std::vector<const Tweet*> found;
  for (const auto& t : tweets) {
    if (t.deleted || t.authorId != userId || (noReplies && !t.replyTo.empty()) || t.timelineFromMs > nowMs()) continue;
    if ((start && t.createdAtSeconds < *start) || (end && t.createdAtSeconds > *end)) continue;
    if ((!r.param("since_id").empty() && !newer(t.id, r.param("since_id"))) ||
        (!r.param("until_id").empty() && !newer(r.param("until_id"), t.id)))
      continue;
    found.push_back(&t);
  }
  std::sort(found.begin(), found.end(), [](const Tweet* a, const Tweet* b) { return newer(a->id, b->id); });
  const auto fieldList = split(r.param("tweet.fields"), ',');
  const std::set<std::string> fields(fieldList.begin(), fieldList.end());
  json_::array data;
  for (size_t i = offset; i < found.size() && i < offset + static_cast<size_t>(maxResults); ++i) {
    auto tweet = tweetJson(*found[i], fields);
    for (const char* privateField : {"non_public_metrics", "organic_metrics"})
      tweet.erase(privateField);  // not on timelines
    data.push_back(tweet);
  }
  json_::object meta{{"result_count", data.size()}};
  if (!data.empty()) {
    meta["newest_id"] = data.front().at("id");
    meta["oldest_id"] = data.back().at("id");
  }
  if (offset + data.size() < found.size())
    meta["next_token"] = "7140dibdnow9c7btw4" + std::to_string(offset + data.size());
  if (offset > 0)
    meta["previous_token"] =
        "7140dibdnow9c7btw4" +
        std::to_string(offset > static_cast<size_t>(maxResults) ? offset - static_cast<size_t>(maxResults) : 0);
  json_::object out{{"meta", meta}};
  if (!data.empty()) out["data"] = data;
  return json(200, out);
}

Reply XApi::Impl::me(const Request& r, const Grant& grant) {
  json_::object user{{"id", grant.userId}, {"name", XApi::displayName}, {"username", XApi::username}};
  const auto fields = split(r.param("user.fields"), ',');
  for (const auto& field : fields) {
    if (field == "profile_image_url") user["profile_image_url"] = "https://pbs.twimg.com/profile_images/1/x_normal.jpg";
    if (field == "public_metrics") {
      long long tweetCount = 0;
      for (const auto& t : tweets) tweetCount += t.authorId == grant.userId && !t.deleted;
      user["public_metrics"] = {{"followers_count", followers},
                                {"following_count", 12},
                                {"tweet_count", tweetCount},
                                {"listed_count", 3},
                                {"like_count", 42}};
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
    if (!visible(t.quoteOf))
      return problem(403, "Forbidden", "You attempted to quote a Tweet that is deleted or not visible to you.");
  }
  if (const auto* settings = body.if_contains("reply_settings"); settings && settings->is_string())
    t.replySettings = std::string(settings->as_string());
  // X's answer to identical text, as clients report it (problem+json, 403).
  if (duplicates(t)) return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.");
  const auto fault = faults.next();
  if (fault == marketsage::test::CreateFault::RefuseWithoutCreate)
    return problem(503, "Service Unavailable", "Service Unavailable");
  if (fault == marketsage::test::CreateFault::LateCreate) {
    // The gateway gave up; X creates the post a moment later, unless it is a duplicate by then.
    faults.createLater([this, t]() mutable {
      std::lock_guard lock(mutex);
      if (duplicates(t)) return;
      t.id = newId();
      t.createdAtSeconds = nowSeconds();
      t.timelineFromMs = nowMs() + timelineLagMs;
      tweets.push_back(t);
      ++created;
    });
    return problem(504, "Gateway Timeout", "Gateway Timeout");
  }
  t.timelineFromMs = nowMs() + timelineLagMs;
  tweets.push_back(t);
  ++created;
  auto reply = json(201, json_::object{{"data",
                                        {{"id", t.id},
                                         {"text", tweetJson(t, {}).at("text")},
                                         {"edit_history_tweet_ids", json_::array{json_::value(t.id)}}}}});
  reply.fault = fault;
  return reply;
}

bool XApi::Impl::duplicates(const Tweet& t) const {
  for (const auto& other : tweets)
    if (!t.text.empty() && !other.deleted && other.authorId == t.authorId && other.text == t.text) return true;
  return false;
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
        errors.push_back(tweetError(
            id, "Authorization Error",
            std::string("Sorry, you are not authorized to access '") + field + "' on the Tweet with ids: " + id + ".",
            "https://api.twitter.com/2/problems/not-authorized-for-field", field));
        refused = true;
      }
    if (refused) continue;
    data.push_back(tweetJson(*found, fields));
  }
  json_::object out;
  if (!data.empty()) out["data"] = data;
  if (!errors.empty()) out["errors"] = errors;
  return json(200, out);
}

}  // namespace emulators
