// emulators::GraphApi — an in-process emulator of the Meta Graph API, as its public documentation
// describes it, for the parts the facebook and instagram plugins use:
//
//   Facebook Login   GET /{v}/dialog/oauth (the user consents: 302 to redirect_uri?code&state),
//                    GET /{v}/oauth/access_token (code exchange, fb_exchange_token), GET /debug_token,
//                    GET /me, GET|DELETE /me/permissions, GET /me/accounts (cursor paging)
//   Pages            POST /{page}/feed|photos|videos (upload_phase start/transfer/finish), the Resumable
//                    Upload API (POST /{app-id}/uploads, POST|GET /upload:<id>), GET|DELETE /{id},
//                    GET /{page}/published_posts|scheduled_posts|videos (cursor paging, since/until),
//                    GET /{page}/insights, GET /{post}/insights
//   Instagram        POST /{ig-user}/media, POST /ig-api-upload/{v}/{container} (rupload), GET
//                    /{container}?fields=status_code, POST /{ig-user}/media_publish, GET
//                    /{ig-user}/media|stories (cursor paging), GET /{ig-user}/content_publishing_limit,
//                    GET|DELETE /{ig-media}, GET /{ig-user|ig-media}/insights
//
// One loopback server plays every Meta host (graph, graph-video, www for the dialog, rupload): point
// api_base, auth_base and rupload_base at url(). Every call checks its token (query access_token or
// "Authorization: Bearer|OAuth"), appsecret_proof when present, and the permission the endpoint needs,
// and answers the documented JSON and error objects with X-App-Usage (and X-Business-Use-Case-Usage
// for Page and Instagram objects). Controls below inject the failures tests need. Thread-safe.
// README.md beside this file lists what is checked and where it is simpler than Meta.
//
// Sources: developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow,
// /docs/facebook-login/guides/access-tokens/get-long-lived, /docs/graph-api/guides/error-handling,
// /docs/graph-api/overview/rate-limiting, /docs/graph-api/securing-requests, /docs/pages-api/posts,
// /docs/video-api/guides/publishing, /docs/instagram-platform/content-publishing (+ /resumable-uploads),
// /docs/instagram-platform/instagram-graph-api/reference/error-codes, /docs/platforminsights/page,
// /docs/instagram-platform/insights, /docs/graph-api/results (paging),
// /docs/graph-api/reference/page/published_posts, /docs/graph-api/reference/page/scheduled_posts,
// /docs/instagram-platform/instagram-graph-api/reference/ig-container (status_code).
#pragma once

#include "CreateFaults.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace emulators {

class GraphApi {
  marketsage::test::CreateFaults faults_;  // first: the public references below point into it

 public:
  static constexpr const char* appId = "584930217765432";
  static constexpr const char* appSecret = "graph-emulator-app-secret-0123456789";
  static constexpr const char* userId = "10158000000000001";
  static constexpr const char* userName = "Emu Lator";

  /// A Facebook Page the user manages, optionally linked to an Instagram professional account.
  struct Page {
    std::string id, name, igUserId, igUsername;
  };

  /// Engagement the emulator reports for one post or IG media (insights and counters).
  struct Stats {
    long long views = 120, reach = 90, reactions = 7, comments = 3, shares = 2, saves = 1, clicks = 5;
  };

  /// Anything created through the API: a Page feed post, photo or video, an IG container or IG media.
  struct Item {
    std::string id;
    std::string kind;     ///< "post", "photo", "video", "container", "ig_media"
    std::string ownerId;  ///< Page id or IG user id
    std::string message;  ///< post message, photo caption, video description, IG caption
    std::string link;
    std::string mediaType;               ///< IG: IMAGE, VIDEO, REELS, STORIES, CAROUSEL
    std::string mediaUrl;                ///< IG image_url / video_url as given
    std::vector<std::string> children;   ///< attached_media photo ids, carousel children containers
    uint64_t bytes = 0;                  ///< media bytes received (photo source, video chunks, rupload, fetched URL)
    std::string sha256;                  ///< hex SHA-256 of those bytes (uploads received whole or in chunks)
    bool published = true;               ///< false: unpublished photo / scheduled or unpublished post
    long long scheduledPublishTime = 0;  ///< unix seconds, for scheduled posts
    bool deleted = false;
    std::string status;         ///< IG container: IN_PROGRESS, FINISHED, ERROR, EXPIRED, PUBLISHED
    bool carouselItem = false;  ///< IG container made with is_carousel_item=true
    std::string publishedAs;    ///< what it became: IG container -> IG media, unpublished photo -> post
    long long createdAt = 0;    ///< unix seconds
    Stats stats;
  };

  GraphApi();
  ~GraphApi();
  GraphApi(const GraphApi&) = delete;
  GraphApi& operator=(const GraphApi&) = delete;

  /// "http://127.0.0.1:<port>": api_base, auth_base and rupload_base all point here.
  std::string url() const;
  /// The user's Pages: 3 by default, the first linked to an IG account, the third linked too.
  const std::vector<Page>& pages() const;

  // ---- tokens and consent ------------------------------------------------------------------
  /// Every permission the plugins use; what userToken() grants by default.
  static std::vector<std::string> defaultScopes();
  /// A long-lived user token granting `scopes` (skips the Login dialog).
  std::string userToken(const std::vector<std::string>& scopes = defaultScopes());
  /// The Page token /me/accounts hands out for `pageId` to the holder of `userToken`.
  std::string pageToken(const std::string& pageId, const std::string& userToken);
  /// GETs `dialogUrl` (the plugin's authorize URL) and returns the Location it redirects to.
  std::string consent(const std::string& dialogUrl) const;
  void denyNextConsent();                                ///< The next dialog answers error=access_denied.
  void expireAllTokens();                                ///< 190/463 for every token issued so far.
  void revokeAllTokens();                                ///< 190/460 (session invalidated) for them.
  void removePermission(const std::string& permission);  ///< The user declines it afterwards.
  std::vector<std::string> issuedTokens() const;         ///< every token and code handed out
  std::vector<std::string> lastConsentScopes() const;

  // ---- faults ------------------------------------------------------------------------------
  /// The next `calls` API calls fail with throttling error `code` (4, 17, 32, 80001 Pages,
  /// 80002 Instagram) and usage headers at 100.
  void rateLimitNext(int calls, int code);
  void failNext(int calls);  ///< The next `calls` API calls answer 500 {"is_transient":true,"code":2}.
  void failCall(int nth);    ///< The nth API call from now answers that 500.
  /// The next IG container created ends in `status` ("ERROR" or "EXPIRED") instead of FINISHED.
  void nextContainerEnds(const std::string& status);
  void setStats(const std::string& id, const Stats& stats);
  /// Moves an item's creation time `seconds` into the past (listings, since/until, duplicates).
  void backdate(const std::string& id, long long seconds);

  /// Faults of the calls that make a post go live, for the exactly-once tests (the vocabulary every
  /// emulator shares): POST /{page}/feed, /{page}/photos and /{page}/videos (finish, or one
  /// request) unless they only upload unpublished media, and POST /{ig-user}/media_publish. The
  /// next such calls (one each, in order) meet these faults; GatewayTimeout, RefuseWithoutCreate
  /// and LateCreate answer as a gateway does (text/html 504 or 503, no Graph error object).
  using CreateFault = marketsage::test::CreateFault;
  void faultNextCreates(const std::vector<CreateFault>& faults) { faults_.push(faults); }
  std::atomic<int>& slowAnswerMs = faults_.slowAnswerMs;  ///< SlowAnswer: answered this late
  std::atomic<int>& lateCreateMs = faults_.lateCreateMs;  ///< LateCreate: created this late
  /// POST /{page}/feed refuses a status identical to the Page's latest post (message, link, no
  /// media) with (#506) Duplicate status message, as Facebook does.
  std::atomic<bool> refuseDuplicatePosts{true};

  std::atomic<int> accountsPageSize{1};          ///< /me/accounts entries per page (forces paging)
  std::atomic<int> listLimit{100};               ///< most rows per page of other listings (Graph: limit <= 100)
  std::atomic<int> videoChunkBytes{4096};        ///< chunk size announced by resumable video uploads
  std::atomic<int> pollsUntilReady{2};           ///< IN_PROGRESS answers before a video container is FINISHED
  std::atomic<int> regainAccessMinutes{3};       ///< estimated_time_to_regain_access when throttled
  std::atomic<int> publishingQuota{100};         ///< IG posts per 24 h (content_publishing_limit)
  std::atomic<int> shortLivedExpiresIn{5400};    ///< seconds, code exchange
  std::atomic<int> longLivedExpiresIn{5183944};  ///< seconds, fb_exchange_token (~60 days)
  std::atomic<long long> followers{1500};        ///< page_follows / follower_count
  std::atomic<bool> requireAppsecretProof{false};

  // ---- what happened -----------------------------------------------------------------------
  std::vector<Item> items() const;                                ///< everything created, in order
  Item item(const std::string& id) const;                         ///< one item (empty id when unknown)
  std::vector<Item> livePosts(const std::string& ownerId) const;  ///< published, not deleted posts / IG media
  std::vector<std::string> requests() const;                      ///< "GET /v23.0/me/accounts" (paths only: no tokens)
  std::set<std::string> versions() const;                         ///< Graph versions seen ("" for an unversioned call)
  int apiCalls() const;

  /// Value of a Page/IG account daily metric or post/media lifetime metric as the emulator computes
  /// it (see GraphInsights.cpp); tests use it to predict answers. Unknown metric: -1.
  static long long metricValue(const std::string& metric, const Stats& stats);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace emulators
