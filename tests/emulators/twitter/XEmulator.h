// emulators::XApi — the X API v2 as docs.x.com describes it, served on a loopback port, for
// tests of the twitter plugin and of the host. One server answers both the consent page
// (auth_base: GET /i/oauth2/authorize) and the API (api_base: /2/...).
//
// It checks what X checks: client credentials (HTTP Basic) and redirect URI, the S256 PKCE
// verifier, single-use codes, rotating single-use refresh tokens, bearer tokens, their expiry and
// scopes; post ids, reply targets, duplicates, polls; upload sizes, contiguous segments and
// asynchronous video processing. Errors use X's shapes (problem+json, errors[], OAuth errors)
// and every API answer carries x-rate-limit-limit / -remaining / -reset. Posts read back (lookup,
// the user's timeline) show X's text: URLs as t.co links with entities.urls, &, < and > escaped,
// a link to the media at the end. Creates can meet the faults of tests/emulators/common/CreateFaults.
//
//   emulators::XApi x;
//   settings: api_base = auth_base = x.url(), client_id = XApi::clientId, client_secret = XApi::clientSecret
//   auto location = x.approve(authorizeUrlBuiltByThePlugin);   // ...?state=…&code=…
//
// Thread-safe: every member may be called while the server handles requests.
#pragma once

#include "CreateFaults.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net
namespace marketsage::test {
class TestServer;
}

namespace emulators {

class XApi {
 public:
  static constexpr const char* clientId = "x-client-id";
  static constexpr const char* clientSecret = "x-client-secret";
  /// The user every consent signs in as.
  static constexpr const char* userId = "2244994945";
  static constexpr const char* username = "XDevelopers";
  static constexpr const char* displayName = "Developers";

  /// Counters X keeps for a post (public_metrics / non_public_metrics).
  struct Metrics {
    long long likes = 0, replies = 0, retweets = 0, quotes = 0, bookmarks = 0, impressions = 0;
    long long urlLinkClicks = 0, userProfileClicks = 0;
  };
  /// A post created through POST /2/tweets (or seeded).
  struct Tweet {
    std::string id, authorId, text, replyTo, quoteOf, replySettings;
    std::vector<std::string> mediaIds, pollOptions;
    long long pollMinutes = 0;
    long long createdAtSeconds = 0;
    long long timelineFromMs = 0;  ///< timelines show it from then on (setTimelineLagMs)
    bool deleted = false;
    Metrics metrics;
  };
  /// One media upload session.
  struct Upload {
    std::string id, mediaType, category, altText;
    long long totalBytes = 0, receivedBytes = 0;
    int segments = 0;  ///< APPENDs received (segment_index 0..segments-1)
    bool finalized = false;
    std::string state;    ///< "", pending, in_progress, succeeded, failed
    int statusPolls = 0;  ///< STATUS calls answered
  };

  XApi();
  ~XApi();
  XApi(const XApi&) = delete;
  XApi& operator=(const XApi&) = delete;

  /// "http://127.0.0.1:<port>": both api_base and auth_base.
  std::string url() const;

  // ---- OAuth
  /// GETs `authorizeUrl` (the consent page; the user approves at once) and answers the Location
  /// the browser is sent to: "<redirect_uri>?state=…&code=…" (or an error redirect).
  std::string approve(const std::string& authorizeUrl) const;
  /// Mints an access token for the user with these scopes, without the OAuth dance.
  std::string issueToken(const std::vector<std::string>& scopes = {"tweet.read", "tweet.write", "users.read",
                                                                   "offline.access", "media.write"});
  /// Every access and refresh token issued so far (to look for in logs and databases).
  std::vector<std::string> issuedTokens() const;
  /// Expires every access token now (refresh tokens keep working): the API answers 401.
  void expireAllTokens();
  /// Revokes every access and refresh token: 401 on the API, invalid_request on refresh.
  void revokeAllTokens();
  int refreshGrants() const;
  int revocations() const;
  /// Seconds of validity of new access tokens (X: 7200).
  void setTokenLifetime(int seconds);

  // ---- Faults
  /// The next `calls` API calls answer 429 Too Many Requests, with x-rate-limit-remaining 0 and
  /// x-rate-limit-reset `resetInSeconds` from now.
  void throttleNext(int calls, int resetInSeconds);
  /// The next `calls` API calls answer `status` (e.g. 503) with X's problem body.
  void failNext(int calls, int status);
  /// Counting POST /2/tweets attempts from now (1 = the next one), attempt `n` answers `status`.
  void failTweetAttempt(int n, int status);
  /// The next POST /2/tweets that would create a post (one each, in order; a thread's parts
  /// count one by one) meet these faults: the shared vocabulary of every emulator. A LateCreate
  /// post lands lateCreateMs later unless a duplicate of it is live by then (X would refuse it).
  void faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults);
  void setSlowAnswerMs(int ms);  ///< SlowAnswer's delay (default 3000)
  void setLateCreateMs(int ms);  ///< LateCreate's delay (default 1500)
  /// Timelines are eventually consistent: a new post shows in GET /2/users/:id/tweets only this
  /// long after it was created (default 0). Lookups by id see it at once.
  void setTimelineLagMs(int ms);
  /// Video/GIF processing takes `polls` STATUS calls, each told to wait `checkAfterSecs`.
  void setProcessing(int polls, int checkAfterSecs);
  /// Processing of every later upload fails (state "failed", InvalidMedia).
  void failProcessing(bool fail);

  // ---- Inspection and seeding
  int tweetsCreated() const;          ///< successful POST /2/tweets
  std::vector<Tweet> tweets() const;  ///< every post, in creation order (deleted ones included)
  std::optional<Tweet> tweet(const std::string& id) const;
  std::optional<Upload> upload(const std::string& mediaId) const;
  /// Creates a post by another user (no private metrics for us, a reply/quote target).
  std::string seedForeignTweet(const std::string& text);
  void setMetrics(const std::string& tweetId, const Metrics& metrics);
  /// Creates a post by the user, as if posted elsewhere (an app, x.com).
  std::string seedOwnTweet(const std::string& text);
  /// Moves a post's creation time back (private metrics are only kept 30 days).
  void ageTweet(const std::string& tweetId, int days);
  void backdateTweet(const std::string& tweetId, long long seconds);
  void setFollowers(long long followers);

  struct Impl;  // request handling, split over XOAuth.cpp, XPosts.cpp, XMedia.cpp

 private:
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<marketsage::test::TestServer> server_;
};

}  // namespace emulators
