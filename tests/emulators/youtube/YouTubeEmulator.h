#pragma once
/// The YouTube Data API v3 and Google's OAuth 2.0 endpoints as their public documentation
/// describes them, for tests: in-process, on a loopback port, serving auth_base
/// (accounts.google.com /o/oauth2/v2/auth and oauth2.googleapis.com /token, /revoke) and api_base
/// (www.googleapis.com /youtube/v3/... and /upload/youtube/v3/...).
///
/// It checks what Google checks: the client credentials, the exact redirect URI, PKCE S256 (the
/// verifier at /token against the challenge of the consent), single-use codes, refresh tokens
/// only for access_type=offline, bearer tokens (unknown, revoked, expired: 401 with
/// WWW-Authenticate), the scopes of each method, the video resource of videos.insert (title of
/// at most 100 characters without < or >, description of at most 5000 bytes, privacyStatus,
/// publishAt only for private videos), the token request's parameters in its form body only (a
/// client_secret or code in the URL is refused), the required parameters (part, id,
/// uploadType=media for thumbnails.set) and JSON bodies sent as application/json, and the
/// resumable upload protocol strictly: the session's metadata as application/json, its
/// X-Upload-Content-Length, each PUT's Content-Length and Content-Range "bytes a-b/N" starting where the session
/// stands, chunks a multiple of 256 KiB except the last, 308 Resume Incomplete with
/// "Range: bytes=0-x", status queries "bytes */N", 200 with the video resource once complete,
/// 404 for an unknown or expired session. Quota units are counted per the quota calculator
/// (https://developers.google.com/youtube/v3/determine_quota_cost): videos.insert in its own
/// bucket of 100 calls a day (1 per call), everything else from 10,000 units; a spent quota
/// answers 403 quotaExceeded exactly as Google words it. The final chunk (the call
/// that makes the video) can meet the faults of tests/emulators/common/CreateFaults.
/// Thread-safe: every member may be called while the plugin talks to it.

#include "CreateFaults.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace emulators {

class YouTubeApi {
 public:
  static constexpr const char* clientId = "yt-client-id.apps.googleusercontent.com";
  static constexpr const char* clientSecret = "yt-client-secret";
  static constexpr const char* scopeYoutube = "https://www.googleapis.com/auth/youtube";
  static constexpr const char* scopeUpload = "https://www.googleapis.com/auth/youtube.upload";
  static constexpr const char* scopeReadonly = "https://www.googleapis.com/auth/youtube.readonly";
  /// The channel every token's Google account owns (unless setChannels says otherwise).
  static constexpr const char* channelId = "UCx5XG1OV2P6uZZ5FSM9Ttw";
  static constexpr const char* channelTitle = "Ada's Workshop";
  static constexpr const char* channelHandle = "@adasworkshop";

  YouTubeApi();
  ~YouTubeApi();
  YouTubeApi(const YouTubeApi&) = delete;
  YouTubeApi& operator=(const YouTubeApi&) = delete;

  /// Base URL for both api_base and auth_base: "http://127.0.0.1:<port>".
  std::string url() const;

  // ---- set-up ----
  struct Channel {
    std::string id, title, handle;
    long long subscribers = 0, views = 0, videos = 0;
    bool hiddenSubscribers = false;
  };
  /// The channels of the Google account (default: the one above, 1234 subscribers). Empty: an
  /// account without a channel.
  void setChannels(const std::vector<Channel>& channels);
  /// Mints an access token (and, with `withRefresh`, a refresh token: refreshTokenOf()).
  std::string issueToken(const std::string& scopes = scopeYoutube, int expiresInSeconds = 3599);
  std::string refreshTokenOf(const std::string& accessToken) const;
  std::string issueRefreshToken(const std::string& scopes = scopeYoutube);
  /// The app's OAuth client was deleted (true) in the Cloud console: /token answers 401 deleted_client.
  void setClientDeleted(bool deleted);
  /// The app's registered redirect URIs, matched exactly (none: any absolute http(s) URL).
  void setRedirectUris(const std::vector<std::string>& uris);
  /// expires_in of new access tokens (default 3599), and how long they really live (default the same).
  void setTokenLifetime(int answeredSeconds, std::optional<int> realSeconds = std::nullopt);
  /// Every access token issued so far expires now: "the hour is up".
  void expireAllTokens();
  /// A playlist of the channel that playlistItems.insert may add to.
  void addPlaylist(const std::string& playlistId);
  /// The project's daily quota (default 10,000 units) and the units already used today.
  void setDailyQuota(long long units);
  void setQuotaUsed(long long units);
  /// videos.insert's own bucket: calls a day (default 100) and the calls already made today.
  void setVideosInsertQuota(long long calls);
  void setVideosInsertUsed(long long calls);
  void setStatistics(const std::string& videoId, long long views, long long likes, long long comments);
  /// A video that exists on the channel without an upload (for delete / insights tests).
  std::string addVideo(const std::string& title, const std::string& description = {});
  /// Every open upload session is forgotten (404 from now on): sessions expire after a week.
  void expireSessions();
  /// Sessions are opened with a relative Location ("/upload/youtube/v3/videos?...").
  void setRelativeSessionLocation(bool relative);
  /// The next 308 answered to a chunk names the session anew in a Location header (a new URI
  /// for the same session; the old one keeps working), as google-api-python-client expects.
  void moveSessionOnNextIncomplete();
  /// The URI the session was last moved to ("" when none).
  std::string movedSession() const;

  // ---- failure injection ----
  enum class ChunkFault {
    Unavailable,      ///< 503 backendError, nothing kept
    Reset,            ///< the connection is reset before any answer, nothing kept
    KeepPart,         ///< keeps only the first 256 KiB units of the chunk's first half, answers 308 with that Range
    StoredThenReset,  ///< keeps the whole chunk, then resets the connection (the answer is lost)
    UnavailableTokensExpired,  ///< 503 backendError, nothing kept, and every access token expires then
  };
  /// The `nth` chunk PUT from now on (1 = the next one; status queries do not count) meets `fault`.
  void faultChunk(int nth, ChunkFault fault);
  /// The next uploads' final chunks (one each, in order) meet these faults (the video is made
  /// where the fault says so).
  void faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults);
  void setSlowAnswerMs(int ms);
  void setLateCreateMs(int ms);
  /// After `after` more status queries are answered, the next `n` answer 503.
  void failStatusQueries(int n, int after = 0);
  /// After `after` more API calls (not the session PUTs), the next `calls` answer `status` with Google's error
  /// `reason` (500 backendError, 403 rateLimitExceeded...).
  void failNext(int calls, int status, const std::string& reason, int after = 0);
  /// The injected failures of failNext carry this Retry-After header ("" = none): delta-seconds
  /// or an HTTP-date (RFC 9110 10.2.3).
  void setFailureRetryAfter(const std::string& value);

  // ---- observations ----
  struct Video {
    std::string id, channelId, title, description, categoryId, privacyStatus, publishAt, mimeType;
    std::vector<std::string> tags;
    std::optional<bool> madeForKids;
    long long size = 0;
    std::string sha256;  ///< hex of the uploaded bytes
    long long thumbnailBytes = 0;
    std::string thumbnailType;
    std::vector<std::string> playlists;
    long long createdAtMs = 0;
    bool deleted = false;
  };
  std::vector<Video> videos() const;  ///< every video made (deleted ones too), oldest first
  std::optional<Video> video(const std::string& id) const;
  long long quotaUsed() const;  ///< units of the shared pool (videos.insert is not in it)
  long long videosInsertUsed() const;
  int sessionsOpened() const;
  int chunkPuts() const;
  int statusQueries() const;
  int refreshGrants() const;
  int revocations() const;
  std::vector<std::string> issuedTokens() const;
  /// "METHOD /path?query" of every request, in arrival order.
  std::vector<std::string> requests() const;
  /// The last authorize request's query parameters.
  std::map<std::string, std::string> lastAuthorization() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace emulators
