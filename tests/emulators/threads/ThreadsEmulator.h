// An in-process emulator of Meta's Threads API, written from its public documentation
// (developers.facebook.com/docs/threads): the authorization window and the three token endpoints,
// /me, media containers that Threads fetches from image_url / video_url and processes
// (IN_PROGRESS -> FINISHED | ERROR | EXPIRED), threads_publish with its 250-posts quota and the
// shared create faults, the user's threads listing, delete, media and user insights, and Graph's
// error objects (code 190 for refused tokens, 4 for throttling, 100 for bad parameters).
#pragma once

#include "CreateFaults.h"
#include "TestServer.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace emulators {

class ThreadsApi {
 public:
  static constexpr const char* appId = "990602627938098";
  static constexpr const char* appSecret = "threads-app-secret";
  static constexpr const char* version = "v1.0";

  /// One published post or container.
  struct Item {
    std::string id, kind;  ///< kind: "container" or "media"
    std::string ownerId, mediaType, text, mediaUrl, replyControl, quotePostId, altText;
    std::string status;        ///< containers: IN_PROGRESS, FINISHED, ERROR, EXPIRED, PUBLISHED
    std::string errorMessage;  ///< status ERROR: FAILED_DOWNLOADING_VIDEO, …
    std::vector<std::string> children;
    bool carouselItem = false;
    std::string containerId;  ///< media: the container it was published from
    std::string permalink, timestamp;
    long long createdAt = 0;  ///< unix seconds
    long long bytes = 0;      ///< what was fetched from mediaUrl
    int statusReads = 0;
    bool deleted = false;
  };
  struct Stats {
    long long views = 0, likes = 0, replies = 0, reposts = 0, quotes = 0, shares = 0;
  };

  ThreadsApi();
  ~ThreadsApi();
  std::string url() const;

  // --- accounts and tokens ---
  std::string userId() const { return "17841400000000001"; }
  std::string username() const { return "acme.bakery"; }
  /// A valid long-lived token of the user (as after connecting).
  std::string longLivedToken();
  /// Makes `token` expired (code 190, subcode 463) or unknown (code 190).
  void expire(const std::string& token);
  /// Lets a refresh of `token` happen now (Threads refreshes only tokens at least 24 hours old).
  void ageToken(const std::string& token);

  // --- knobs ---
  std::atomic<int> pollsUntilReady{1};    ///< status reads a video container stays IN_PROGRESS
  std::atomic<int> publishingQuota{250};  ///< quota_total of threads_publishing_limit
  std::atomic<int> throttleNext{0};       ///< the next N API calls answer code 4 (rate limited)
  std::atomic<int> followers{321};
  void nextContainerEnds(const std::string& status, const std::string& errorMessage = "UNKNOWN");
  marketsage::test::CreateFaults& publishFaults();

  // --- what happened ---
  std::vector<Item> items() const;
  Item item(const std::string& id) const;
  std::vector<Item> livePosts() const;  ///< media not deleted
  void setStats(const std::string& mediaId, Stats stats);
  std::vector<std::string> requests() const;  ///< "GET /v1.0/me", …
  int apiCalls() const;
  /// Every access token value the emulator ever issued.
  std::vector<std::string> issuedTokens() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace emulators
