#pragma once
/// TikTok's Login Kit (OAuth v2) and Content Posting API as developers.tiktok.com documents them,
/// for tests: in-process, on a loopback port, serving auth_base (www.tiktok.com
/// /v2/auth/authorize/) and api_base (open.tiktokapis.com /v2/oauth/token/, /v2/oauth/revoke/,
/// /v2/user/info/, /v2/post/publish/..., /v2/video/query/, /v2/video/list/), plus the upload URL
/// that video/init hands out (open-upload.tiktokapis.com in production).
///
/// It checks what TikTok checks: client_key/client_secret, the redirect URI of the code, single-use
/// codes, PKCE as TikTok does it (code_challenge = hex of SHA-256(code_verifier)), token
/// parameters in a form body only, bearer tokens (unknown, expired, revoked: 401
/// access_token_invalid), the scope of each endpoint (401 scope_not_authorized), JSON bodies as
/// application/json, per-token per-endpoint rate limits over a one-minute window (429
/// rate_limit_exceeded; init 6, creator_info 20, status 30 a minute), the post_info against the
/// creator (privacy_level among privacy_level_options: 403 privacy_level_option_mismatch;
/// interactions the creator turned off), the media transfer guide's chunk rules exactly
/// (5–64 MB chunks, a last chunk up to 128 MB, one chunk under 5 MB, total_chunk_count =
/// floor(video_size / chunk_size), at most 1000), every PUT's Content-Type, Content-Range and
/// length in order, photo posts (1–35 photo_images, photo_cover_index), and fetches
/// PULL_FROM_URL media from the URL over HTTP (FAILED video_pull_failed / photo_pull_failed when it
/// cannot). Errors are {"error": {"code", "message", "log_id"}} with TikTok's HTTP statuses. The
/// init call (the one that makes a post) can meet the faults of tests/emulators/common/CreateFaults.
/// Thread-safe.

#include "CreateFaults.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace emulators {

class TikTokApi {
 public:
  static constexpr const char* clientKey = "tt-client-key";
  static constexpr const char* clientSecret = "tt-client-secret";
  static constexpr const char* openId = "-000AdaOpenIdExample";
  static constexpr const char* username = "ada.lovelace";
  static constexpr const char* displayName = "Ada Lovelace";
  static constexpr const char* allScopes = "user.info.basic,user.info.stats,video.publish,video.list";

  TikTokApi();
  ~TikTokApi();
  TikTokApi(const TikTokApi&) = delete;
  TikTokApi& operator=(const TikTokApi&) = delete;

  /// Base URL for both api_base and auth_base: "http://127.0.0.1:<port>".
  std::string url() const;

  // ---- set-up ----
  /// Mints an access token (2 h unless said otherwise) with a refresh token (refreshTokenOf).
  std::string issueToken(const std::string& scopes = allScopes, int expiresInSeconds = 7200);
  std::string refreshTokenOf(const std::string& accessToken) const;
  /// Every access token issued so far expires now.
  void expireAllTokens();
  struct Creator {
    std::vector<std::string> privacyLevels{"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"};
    bool commentDisabled = false, duetDisabled = false, stitchDisabled = true;
    long long maxVideoPostDurationSec = 600;
  };
  void setCreator(const Creator& creator);
  void setUserStats(long long followers, long long likes, long long videos);
  void setVideoStats(const std::string& videoId, long long views, long long likes, long long comments,
                     long long shares);
  /// Requests a minute one token may make to `endpoint` ("video/init", "content/init",
  /// "creator_info", "status", "user/info", "video/query", "video/list").
  void setRateLimit(const std::string& endpoint, int perMinute);
  /// Status fetches answered PROCESSING_* after the media arrived, before the post completes (default 1).
  void setProcessingPolls(int polls);
  /// A PUBLIC_TO_EVERYONE post stays in moderation for this many PUBLISH_COMPLETE status
  /// fetches, answered with an empty publicaly_available_post_id (default 0): TikTok gives the
  /// post id only once moderation is over.
  void setModerationPolls(int polls);
  /// The next post that finishes processing ends FAILED with this fail_reason.
  void failNextPublish(const std::string& failReason);
  /// The creator may make `posts` more posts today; then init answers 403 spam_risk_too_many_posts.
  void setPostsLeftToday(int posts);
  /// The next `n` upload PUTs answer `status` without keeping the bytes.
  void failNextChunks(int n, int status = 503);
  /// The next inits (one each, in order) meet these faults.
  void faultNextInits(const std::vector<marketsage::test::CreateFault>& faults);
  void setSlowAnswerMs(int ms);
  void setLateCreateMs(int ms);
  /// The next `calls` API calls (not OAuth, not uploads) answer `status` with error.code `code`.
  void failNext(int calls, int status, const std::string& code);

  // ---- observations ----
  struct Post {
    std::string publishId, postId, mediaType, source, privacyLevel, title, description, status, failReason;
    bool disableComment = false, disableDuet = false, disableStitch = false, brandContent = false, brandOrganic = false,
         autoAddMusic = false;
    long long videoCoverTimestampMs = -1, videoSize = 0, chunkSize = 0, chunkCount = 0, received = 0;
    std::string sha256;                   ///< hex of the uploaded or fetched video
    std::vector<std::string> urls;        ///< video_url / photo_images
    std::vector<long long> fetchedBytes;  ///< bytes fetched from each URL
    long long photoCoverIndex = 0;
    long long createdAtMs = 0;
  };
  std::vector<Post> posts() const;  ///< every publish started, oldest first
  std::optional<Post> post(const std::string& publishId) const;
  int inits() const;
  int chunkPuts() const;
  int statusFetches() const;
  int refreshGrants() const;
  int revocations() const;
  std::vector<std::string> issuedTokens() const;
  /// "METHOD /path?query" of every request, in arrival order.
  std::vector<std::string> requests() const;
  std::map<std::string, std::string> lastAuthorization() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace emulators
