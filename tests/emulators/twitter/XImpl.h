// Private to the X emulator: its state and the request handlers (one file per API area).
#pragma once

#include "CreateFaults.h"
#include "XEmulator.h"

#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace emulators {

/// What the server parsed from one HTTP request.
struct Request {
  std::string method, path, contentType, authorization, body;
  std::map<std::string, std::string> query;  ///< query string, plus the form body when urlencoded
  std::vector<std::string> segments;         ///< path split on '/': "/2/tweets/7" = {"2","tweets","7"}
  const Poco::Net::HTTPServerRequest* raw = nullptr;

  /// A query or form parameter, "" when absent.
  std::string param(const char* name) const {
    const auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

/// One answer, sent after the state lock is released.
struct Reply {
  int status = 200;
  std::string body;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  /// A fault to act out around this answer (POST /2/tweets that created a post).
  std::optional<marketsage::test::CreateFault> fault = std::nullopt;
};

/// A problem+json answer as X sends them: {"title","detail","type","status"}.
Reply problem(int status, const std::string& title, const std::string& detail, const std::string& type = "about:blank");
/// 400 with X's errors[] shape for one invalid parameter.
Reply invalidRequest(const std::string& parameter, const std::string& value, const std::string& message);
Reply json(int status, const boost::json::value& body);
/// The media_key of an upload: "3_" (photo), "16_" (animated GIF) or "7_" (video), then its id.
inline std::string mediaKey(const XApi::Upload& upload) {
  return (upload.category == "tweet_image" ? "3_" : upload.category == "tweet_gif" ? "16_" : "7_") + upload.id;
}
long long nowSeconds();
std::string nowIso();

struct XApi::Impl {
  struct Code {
    std::string challenge, method, redirectUri;
    std::set<std::string> scopes;
  };
  struct Grant {
    std::string userId;
    std::set<std::string> scopes;
    long long expiresAtSeconds = 0;
  };

  std::mutex mutex;
  // OAuth
  std::map<std::string, Code> codes;
  std::map<std::string, Grant> accessTokens, refreshTokens;
  std::vector<std::string> issued;
  int tokenLifetime = 7200, refreshGrants = 0, revocations = 0;
  // Faults
  int throttledCalls = 0, throttleResetIn = 0, failedCalls = 0, failStatus = 0, tweetAttempts = 0;
  std::map<int, int> tweetFailures;       ///< attempt number -> status
  marketsage::test::CreateFaults faults;  ///< of POST /2/tweets (late creations take `mutex`)
  int timelineLagMs = 0;
  int processingPolls = 3, checkAfterSecs = 1;
  bool processingFails = false;
  // Data
  std::vector<Tweet> tweets;
  int created = 0;
  long long nextId = 1860000000000000000LL;
  std::map<std::string, Upload> uploads;
  long long followers = 0;
  std::map<std::string, int> callsInWindow;  ///< per endpoint, for x-rate-limit-remaining
  long long windowEnd = 0;

  std::string newId() { return std::to_string(nextId++); }
  std::string newToken(const char* prefix);
  Grant& grantTokens(const std::string& userId, const std::set<std::string>& scopes, boost::json::object& reply);

  Reply handle(Request& request);
  // XOAuth.cpp
  Reply authorize(const Request& request);
  Reply token(const Request& request);
  Reply revoke(const Request& request);
  // XPosts.cpp
  Reply me(const Request& request, const Grant& grant);
  Reply createTweet(const Request& request, const Grant& grant);
  Reply deleteTweet(const std::string& id, const Grant& grant);
  Reply lookupTweets(const Request& request, const Grant& grant);
  Reply userTweets(const Request& request, const std::string& userId);
  /// A post as the API shows it: text with t.co links (entities.urls) and X's escapes, plus the
  /// requested tweet.fields (created_at, conversation_id, referenced_tweets, metrics…).
  boost::json::object tweetJson(const Tweet& tweet, const std::set<std::string>& fields) const;
  /// A live post of the same author with the same text (X refuses it as duplicate content).
  bool duplicates(const Tweet& tweet) const;
  // XMedia.cpp
  Reply initializeUpload(const Request& request);
  Reply appendUpload(const Request& request, const std::string& id);
  Reply finalizeUpload(const std::string& id);
  Reply uploadStatus(const Request& request);
  Reply mediaMetadata(const Request& request);
  boost::json::object processingInfo(Upload& upload);
};

}  // namespace emulators
