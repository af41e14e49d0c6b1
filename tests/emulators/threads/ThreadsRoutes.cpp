// The Threads API endpoints as documented: the authorization window and token endpoints
// (get-started/get-access-tokens-and-permissions, long-lived-tokens), /me, containers and
// threads_publish (posts, overview: 500 characters, 2-20 carousel items, 250 posts a day),
// the threads listing, delete (posts/delete-posts), insights, and container status
// (troubleshooting). Tokens travel as access_token (query or form) or "Authorization: Bearer".
#include "ConsentPage.h"
#include "MediaFetch.h"
#include "ThreadsInternals.h"

#include <Poco/URI.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <set>

namespace emulators {

using marketsage::test::CreateFault;
using marketsage::test::sendJson;

namespace {

const std::set<std::string> kReplyControls = {"everyone", "accounts_you_follow", "mentioned_only",
                                              "parent_post_author_only", "followers_only"};
const std::vector<std::string> kMediaMetrics = {"views", "likes", "replies", "reposts", "quotes", "shares"};
const std::vector<std::string> kUserMetrics = {"views",  "likes",  "replies",         "reposts",
                                               "quotes", "clicks", "followers_count", "follower_demographics"};

std::size_t characters(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string hmacHex(const std::string& key, const std::string& data) {
  unsigned char mac[32];
  unsigned int length = sizeof mac;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += digits[mac[i] >> 4];
    out += digits[mac[i] & 0xF];
  }
  return out;
}

std::string listedType(const std::string& mediaType) {
  if (mediaType == "TEXT") return "TEXT_POST";
  if (mediaType == "CAROUSEL") return "CAROUSEL_ALBUM";
  return mediaType;
}

/// The fields of a published post that GET /{id} and the listing answer.
json::object mediaFields(const ThreadsApi::Item& item, const std::string& username, const std::string& fields) {
  json::object all{{"id", item.id},
                   {"media_product_type", "THREADS"},
                   {"media_type", listedType(item.mediaType)},
                   {"permalink", item.permalink},
                   {"owner", json::object{{"id", item.ownerId}}},
                   {"username", username},
                   {"text", item.text},
                   {"timestamp", item.timestamp},
                   {"shortcode", item.permalink.substr(item.permalink.rfind('/') + 1)},
                   {"is_quote_post", !item.quotePostId.empty()}};
  if (!item.mediaUrl.empty()) all["media_url"] = item.mediaUrl;
  json::object out{{"id", item.id}};
  for (const auto& field : split(fields.empty() ? "id" : fields))
    if (const auto* value = all.if_contains(field)) out[field] = *value;
  return out;
}

void checkMetrics(const std::string& requested, const std::vector<std::string>& allowed) {
  const auto metrics = split(requested);
  if (metrics.empty()) throw badParameter("The parameter metric is required");
  for (std::size_t i = 0; i < metrics.size(); ++i)
    if (std::find(allowed.begin(), allowed.end(), metrics[i]) == allowed.end()) {
      std::string list;
      for (const auto& name : allowed) list += (list.empty() ? "" : ", ") + name;
      throw badParameter("metric[" + std::to_string(i) + "] must be one of the following values: " + list);
    }
}

}  // namespace

void ThreadsApi::Impl::authorize(Call& call) {
  if (call.param("client_id") != ThreadsApi::appId)
    throw GraphError(101, "Error validating application. Invalid application ID.", 0, 400);
  if (call.param("redirect_uri").empty()) throw badParameter("redirect_uri is required");
  if (call.param("response_type") != "code") throw badParameter("response_type must be code");
  const auto scopes = split(call.param("scope"));
  if (std::find(scopes.begin(), scopes.end(), "threads_basic") == scopes.end())
    throw badParameter("the threads_basic permission is required");
  if (marketsage::test::showConsentPage(call.request.get("Accept", ""), call.params)) {
    const auto page = marketsage::test::consentPage("Threads", "MarketSage", scopes, "/oauth/authorize", call.params);
    call.response.setContentType("text/html; charset=utf-8");
    call.response.send() << page;
    return;
  }
  Poco::URI target(call.param("redirect_uri"));
  if (call.param(marketsage::test::consentParameter) == "deny") {
    target.addQueryParameter("error", "access_denied");
    target.addQueryParameter("error_reason", "user_denied");
    target.addQueryParameter("error_description", "Permissions error");
  } else {
    std::lock_guard lock(mutex);
    const std::string code = "AQB" + newId();
    codes[code] = call.param("redirect_uri");
    target.addQueryParameter("code", code);
  }
  if (!call.param("state").empty()) target.addQueryParameter("state", call.param("state"));
  marketsage::test::redirect(call.response, target.toString());
}

json::object ThreadsApi::Impl::codeExchange(Call& call) {
  if (call.param("client_id") != ThreadsApi::appId || call.param("client_secret") != ThreadsApi::appSecret)
    throw GraphError(101, "Error validating client secret.", 0, 400);
  if (call.param("grant_type") != "authorization_code") throw badParameter("Invalid grant_type");
  std::lock_guard lock(mutex);
  const auto it = codes.find(call.param("code"));
  if (it == codes.end()) throw GraphError(100, "Invalid verification code format.", 36007, 400);
  if (it->second != call.param("redirect_uri"))
    throw GraphError(100, "Error validating verification code. Please make sure your redirect_uri is identical", 36008,
                     400);
  codes.erase(it);  // a code is used once
  return {{"access_token", issue("THQV", false)}, {"user_id", std::stoll(api.userId())}};
}

json::object ThreadsApi::Impl::longLivedExchange(Call& call) {
  if (call.param("grant_type") != "th_exchange_token") throw badParameter("Invalid grant_type");
  if (call.param("client_secret") != ThreadsApi::appSecret)
    throw GraphError(101, "Error validating client secret.", 0, 400);
  std::lock_guard lock(mutex);
  const auto it = tokens.find(call.param("access_token"));
  if (it == tokens.end() || it->second.expired || it->second.longLived)
    throw GraphError(190, "Invalid OAuth access token - Cannot parse access token", 0, 400);
  return {{"access_token", issue("THAA", true)}, {"token_type", "bearer"}, {"expires_in", 5183944}};
}

json::object ThreadsApi::Impl::refresh(Call& call) {
  if (call.param("grant_type") != "th_refresh_token") throw badParameter("Invalid grant_type");
  std::lock_guard lock(mutex);
  const auto it = tokens.find(call.param("access_token"));
  if (it == tokens.end() || !it->second.longLived)
    throw GraphError(190, "Invalid OAuth access token - Cannot parse access token", 0, 400);
  if (it->second.expired) throw GraphError(190, "Error validating access token: Session has expired", 463, 400);
  return {{"access_token", issue("THAA", true)}, {"token_type", "bearer"}, {"expires_in", 5184000}};
}

std::string ThreadsApi::Impl::authenticate(const Call& call) {
  std::string token = call.param("access_token");
  if (token.empty()) token = marketsage::test::bearerToken(call.request).value_or("");
  if (token.empty())
    throw GraphError(2500, "An active access token must be used to query information about the current user.", 0, 400);
  std::lock_guard lock(mutex);
  const auto it = tokens.find(token);
  if (it == tokens.end()) throw GraphError(190, "Invalid OAuth access token - Cannot parse access token", 0, 400);
  if (it->second.expired)
    throw GraphError(190, "Error validating access token: Session has expired on Tuesday, 01-Dec-26.", 463, 400);
  if (!call.param("appsecret_proof").empty() && call.param("appsecret_proof") != hmacHex(ThreadsApi::appSecret, token))
    throw badParameter("Invalid appsecret_proof provided in the API argument");
  if (api.throttleNext > 0) {
    --api.throttleNext;
    throw GraphError(4, "(#4) Application request limit reached", 0, 400, "OAuthException", true);
  }
  return it->second.userId;
}

json::value ThreadsApi::Impl::route(Call& call, const std::string& userId) {
  const auto& s = call.segments;
  const bool own = !s.empty() && (s[0] == userId || s[0] == "me");
  // GET /me, GET /{user-id}
  if (s.size() == 1 && own && call.method == "GET") {
    json::object all{{"id", userId},
                     {"username", api.username()},
                     {"name", "Acme Bakery"},
                     {"threads_profile_picture_url", "https://scontent.cdninstagram.com/acme.jpg"},
                     {"threads_biography", "Fresh bread daily"}};
    json::object out{{"id", userId}};
    for (const auto& field : split(call.param("fields")))
      if (const auto* value = all.if_contains(field)) out[field] = *value;
    return out;
  }
  const bool userEdge = s.size() == 2 && s[1] != "insights";
  if (userEdge && !own) throw noSuchObject(s[0], call.method == "POST" ? "post" : "get");
  if (s.size() == 2 && s[1] == "threads_publishing_limit" && call.method == "GET") {
    std::lock_guard lock(mutex);
    int used = 0;
    for (const auto& [id, item] : items) used += item.kind == "media" && item.createdAt > nowSeconds() - 86400;
    return json::object{
        {"data", json::array{json::object{
                     {"quota_usage", used},
                     {"config", {{"quota_total", api.publishingQuota.load()}, {"quota_duration", 86400}}}}}}};
  }
  if (s.size() == 2 && s[1] == "threads" && call.method == "POST") {
    Item item;
    item.kind = "container";
    item.ownerId = userId;
    item.mediaType = call.param("media_type");
    item.text = call.param("text");
    item.replyControl = call.param("reply_control");
    item.quotePostId = call.param("quote_post_id");
    item.altText = call.param("alt_text");
    item.carouselItem = call.param("is_carousel_item") == "true";
    if (item.mediaType.empty()) throw badParameter("The parameter media_type is required.");
    if (item.mediaType != "TEXT" && item.mediaType != "IMAGE" && item.mediaType != "VIDEO" &&
        item.mediaType != "CAROUSEL")
      throw badParameter("Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}");
    if (characters(item.text) > 500) throw badParameter("Param text must be at most 500 characters long.");
    if (!item.replyControl.empty() && kReplyControls.count(item.replyControl) == 0)
      throw badParameter("Param reply_control is not a valid value");
    if (item.carouselItem && (item.mediaType == "TEXT" || item.mediaType == "CAROUSEL"))
      throw badParameter("Only IMAGE and VIDEO can be carousel items");
    if (item.mediaType == "TEXT" && item.text.empty()) throw badParameter("The parameter text is required.");
    if (item.mediaType == "IMAGE" || item.mediaType == "VIDEO") {
      item.mediaUrl = call.param(item.mediaType == "IMAGE" ? "image_url" : "video_url");
      if (item.mediaUrl.empty())
        throw badParameter(std::string("The parameter ") + (item.mediaType == "IMAGE" ? "image_url" : "video_url") +
                           " is required.");
    }
    // Threads downloads the media from the URL (outside the lock: the host serves it).
    item.status = item.mediaType == "VIDEO" ? "IN_PROGRESS" : "FINISHED";
    if (!item.mediaUrl.empty()) {
      std::string contentType;
      const auto bytes = marketsage::test::fetchMedia(item.mediaUrl, contentType);
      const bool image = item.mediaType == "IMAGE";
      const bool typeOk = bytes && (image ? (contentType == "image/jpeg" || contentType == "image/png")
                                          : (contentType == "video/mp4" || contentType == "video/quicktime"));
      if (!typeOk) {
        item.status = "ERROR";
        item.errorMessage = image ? "UNKNOWN" : "FAILED_DOWNLOADING_VIDEO";
      } else {
        item.bytes = static_cast<long long>(bytes->size());
      }
    }
    std::lock_guard lock(mutex);
    if (item.mediaType == "CAROUSEL") {
      item.children = split(call.param("children"));
      if (item.children.size() < 2 || item.children.size() > 20)
        throw badParameter("A carousel has between 2 and 20 children");
      for (const auto& child : item.children) {
        const auto it = items.find(child);
        if (it == items.end() || it->second.ownerId != userId || !it->second.carouselItem)
          throw badParameter("Param children contains an invalid carousel item: " + child);
        if (it->second.status != "FINISHED") throw badParameter("Carousel item " + child + " is not FINISHED");
      }
    }
    if (!item.quotePostId.empty()) {
      const auto it = items.find(item.quotePostId);
      if (it == items.end() || it->second.kind != "media" || it->second.deleted)
        throw badParameter("Param quote_post_id is not a valid post");
    }
    if (item.mediaType != "TEXT" && item.status != "ERROR" && !endings.empty()) {
      item.status = item.mediaType == "VIDEO" ? "IN_PROGRESS" : endings.front().first;
      if (item.mediaType != "VIDEO") item.errorMessage = endings.front().second;
      if (item.mediaType == "VIDEO")
        item.errorMessage = "ending:" + endings.front().first + ":" + endings.front().second;
      endings.erase(endings.begin());
    }
    item.id = newId();
    item.createdAt = nowSeconds();
    items[item.id] = item;
    order.push_back(item.id);
    return json::object{{"id", item.id}};
  }
  if (s.size() == 2 && s[1] == "threads_publish" && call.method == "POST") {
    const auto creation = call.param("creation_id");
    if (creation.empty()) throw badParameter("The parameter creation_id is required.");
    std::unique_lock lock(mutex);
    const auto fault = faults.next();
    if (fault == CreateFault::RefuseWithoutCreate) {
      sendJson(call.response, 503, R"({"error":{"message":"Service temporarily unavailable","code":2}})");
      return nullptr;
    }
    auto publishNow = [this, creation, userId]() -> std::string {  // mutex held
      const auto it = items.find(creation);
      if (it == items.end() || it->second.kind != "container" || it->second.ownerId != userId)
        throw badParameter("Param creation_id is not a valid container");
      Item& container = it->second;
      if (container.status == "PUBLISHED") throw GraphError(10, "(#10) The media has already been published", 0, 400);
      if (container.status == "IN_PROGRESS")
        throw GraphError(9007, "The media is not ready for publishing, please wait for a moment", 2207027, 400);
      if (container.status != "FINISHED") throw badParameter("The container cannot be published: " + container.status);
      int used = 0;
      for (const auto& [id, other] : items) used += other.kind == "media" && other.createdAt > nowSeconds() - 86400;
      if (used >= api.publishingQuota)
        throw GraphError(4, "(#4) Application request limit reached: the profile published 250 posts in 24 hours", 0,
                         400);
      Item media = container;
      media.kind = "media";
      media.id = newId();
      media.containerId = container.id;
      media.createdAt = nowSeconds();
      media.timestamp = isoTime(media.createdAt);
      media.permalink = "https://www.threads.net/@" + api.username() + "/post/C" + media.id.substr(10);
      container.status = "PUBLISHED";
      items[media.id] = media;
      order.push_back(media.id);
      return media.id;
    };
    if (fault == CreateFault::LateCreate) {
      faults.createLater([this, publishNow]() mutable {
        std::lock_guard later(mutex);
        try {
          publishNow();
        } catch (const GraphError&) {  // refused when it lands: nothing made
        }
      });
      sendJson(call.response, 504, R"({"error":{"message":"Gateway Timeout","code":1,"is_transient":true}})");
      return nullptr;
    }
    const auto id = publishNow();
    if (fault) {
      lock.unlock();
      faults.afterCreate(
          *fault, call.request,
          [&] {
            sendJson(call.response, 200, json::serialize(json::object{{"id", id}}));
          },
          [&] { sendJson(call.response, 504, R"({"error":{"message":"Gateway Timeout","code":1}})"); });
      return nullptr;
    }
    return json::object{{"id", id}};
  }
  if (s.size() == 2 && s[1] == "threads" && call.method == "GET") {
    const long long since = call.param("since").empty() ? 0 : std::stoll(call.param("since"));
    const long long limit =
        std::clamp(call.param("limit").empty() ? 25LL : std::stoll(call.param("limit")), 1LL, 100LL);
    const std::size_t after = call.param("after").empty() ? 0 : std::stoul(call.param("after"));
    std::lock_guard lock(mutex);
    std::vector<const Item*> posts;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const Item& item = items.at(*it);
      if (item.kind == "media" && !item.deleted && item.createdAt >= since) posts.push_back(&item);
    }
    json::array data;
    for (std::size_t i = after; i < posts.size() && i < after + static_cast<std::size_t>(limit); ++i)
      data.push_back(mediaFields(*posts[i], api.username(), call.param("fields")));
    json::object out{{"data", data}};
    if (after + static_cast<std::size_t>(limit) < posts.size()) {
      Poco::URI next(api.url() + call.path);
      for (const auto& [name, value] : call.params)
        if (name != "after") next.addQueryParameter(name, value);
      next.addQueryParameter("after", std::to_string(after + static_cast<std::size_t>(limit)));
      out["paging"] = {{"next", next.toString()}};
    }
    return out;
  }
  if (s.size() == 2 && s[1] == "threads_insights" && call.method == "GET") {
    checkMetrics(call.param("metric"), kUserMetrics);
    const long long since = call.param("since").empty() ? nowSeconds() - 86400 : std::stoll(call.param("since"));
    const long long until = call.param("until").empty() ? nowSeconds() : std::stoll(call.param("until"));
    if (since < 1712991600) throw badParameter("since must be on or after 1712991600 (April 13, 2024)");
    if (until <= since) throw badParameter("until must be after since");
    std::lock_guard lock(mutex);
    Stats sum;
    for (const auto& [id, item] : items)
      if (item.kind == "media" && !item.deleted)
        if (const auto st = stats.find(id); st != stats.end()) {
          sum.views += st->second.views;
          sum.likes += st->second.likes;
          sum.replies += st->second.replies;
          sum.reposts += st->second.reposts;
          sum.quotes += st->second.quotes;
        }
    const long long days = (until - since + 86399) / 86400;
    json::array data;
    for (const auto& metric : split(call.param("metric"))) {
      json::object entry{{"name", metric}, {"title", metric}, {"id", userId + "/insights/" + metric}};
      if (metric == "views") {
        json::array values;
        for (long long d = 0; d < days; ++d)
          values.push_back({{"value", sum.views}, {"end_time", isoTime(since + (d + 1) * 86400)}});
        entry["period"] = "day";
        entry["values"] = values;
      } else {
        const long long total = metric == "likes"             ? sum.likes * days
                                : metric == "replies"         ? sum.replies * days
                                : metric == "reposts"         ? sum.reposts * days
                                : metric == "quotes"          ? sum.quotes * days
                                : metric == "followers_count" ? api.followers.load()
                                                              : 0;
        entry["period"] = "day";
        entry["total_value"] = {{"value", total}};
      }
      data.push_back(entry);
    }
    return json::object{{"data", data}};
  }
  if (s.size() == 2 && s[1] == "insights" && call.method == "GET") {
    checkMetrics(call.param("metric"), kMediaMetrics);
    std::lock_guard lock(mutex);
    const auto it = items.find(s[0]);
    if (it == items.end() || it->second.kind != "media" || it->second.deleted || it->second.ownerId != userId)
      throw noSuchObject(s[0], "get");
    const Stats st = stats.count(s[0]) ? stats.at(s[0]) : Stats{};
    json::array data;
    for (const auto& metric : split(call.param("metric"))) {
      const long long value = metric == "views"     ? st.views
                              : metric == "likes"   ? st.likes
                              : metric == "replies" ? st.replies
                              : metric == "reposts" ? st.reposts
                              : metric == "quotes"  ? st.quotes
                                                    : st.shares;
      data.push_back({{"name", metric},
                      {"period", "lifetime"},
                      {"values", json::array{json::object{{"value", value}}}},
                      {"title", metric},
                      {"id", s[0] + "/insights/" + metric + "/lifetime"}});
    }
    return json::object{{"data", data}};
  }
  if (s.size() == 1) {
    std::lock_guard lock(mutex);
    const auto it = items.find(s[0]);
    if (it == items.end() || it->second.deleted || it->second.ownerId != userId)
      throw noSuchObject(s[0], call.method == "DELETE" ? "delete" : "get");
    Item& item = it->second;
    if (call.method == "DELETE") {
      if (item.kind != "media") throw noSuchObject(s[0], "delete");
      item.deleted = true;
      return json::object{{"success", true}, {"deleted_id", item.id}};
    }
    if (call.method != "GET") throw noSuchObject(s[0], "post");
    if (item.kind == "media") return mediaFields(item, api.username(), call.param("fields"));
    // A video container processes for pollsUntilReady status reads, then ends as told.
    if (item.status == "IN_PROGRESS" && ++item.statusReads > api.pollsUntilReady) {
      item.status = "FINISHED";
      if (item.errorMessage.rfind("ending:", 0) == 0) {
        const auto rest = item.errorMessage.substr(7);
        item.status = rest.substr(0, rest.find(':'));
        item.errorMessage = rest.substr(rest.find(':') + 1);
      }
    }
    json::object out{{"id", item.id}};
    for (const auto& field : split(call.param("fields").empty() ? "id" : call.param("fields"))) {
      if (field == "status") out["status"] = item.status;
      if (field == "error_message" && item.status == "ERROR") out["error_message"] = item.errorMessage;
    }
    return out;
  }
  throw GraphError(100, "Unsupported " + call.method + " request.", 33, 400, "GraphMethodException");
}

}  // namespace emulators
