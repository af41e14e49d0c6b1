#pragma once
/// The Pinterest API v5 as its public documentation describes it, for tests: in-process, on a
/// loopback port, serving auth_base (www.pinterest.com /oauth/, the consent page) and api_base
/// (api.pinterest.com /v5/...), plus the storage service a video's upload_url names.
///
/// It checks what Pinterest checks: the app's credentials in HTTP Basic at /v5/oauth/token and a
/// form body, the exact redirect URI of the consent, single-use codes, refresh tokens, bearer
/// tokens (unknown or expired: 401 {"code": 2, "message": "Authentication failed."}), the scopes
/// of each endpoint (comma-separated at consent), page_size (1 to 250) and bookmarks, JSON bodies
/// sent as application/json, the Pin's limits (title 100, description 500, alt_text 500, link
/// 2048 characters), that the board is one of the user's, images fetched by URL over HTTP (an
/// answer that is not an image is refused), carousels of 2 to 5 images, video Pins only once the
/// media "succeeded" and with a cover, the storage form of a video (every upload_parameters field
/// before the file, no Authorization header), analytics dates (start at most 90 days back, end
/// after start, metric_types required) and rate limits (429 {"code": 29, …} with
/// x-ratelimit-limit, x-ratelimit-remaining and x-ratelimit-reset). Pin creation meets the shared
/// CreateFaults. Thread-safe.

#include "CreateFaults.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace emulators {

class PinterestApi {
 public:
  static constexpr const char* clientId = "1484362";
  static constexpr const char* clientSecret = "pinterest-app-secret-5d41402abc4b2a76";
  static constexpr const char* allScopes = "boards:read,boards:write,pins:read,pins:write,user_accounts:read";
  static constexpr const char* username = "adas_workshop";
  /// The user's two boards unless setBoards says otherwise.
  static constexpr const char* boardId = "549755885175";
  static constexpr const char* boardName = "Workshop ideas";
  static constexpr const char* secondBoardId = "549755885176";
  static constexpr const char* secondBoardName = "Kitchen";

  PinterestApi();
  ~PinterestApi();
  PinterestApi(const PinterestApi&) = delete;
  PinterestApi& operator=(const PinterestApi&) = delete;

  /// Base URL for both api_base and auth_base: "http://127.0.0.1:<port>".
  std::string url() const;

  // ---- set-up ----
  struct Board {
    std::string id, name, privacy = "PUBLIC", owner = username;
    long long followers = 0;
  };
  void setBoards(const std::vector<Board>& boards);
  /// A board of another user (Pins to it are refused: 404).
  void addForeignBoard(const std::string& id);
  /// Mints an access token with `scopes` (comma-separated) and its refresh token (refreshTokenOf).
  std::string issueToken(const std::string& scopes = allScopes, int expiresInSeconds = 2592000);
  std::string refreshTokenOf(const std::string& accessToken) const;
  /// Every access token issued so far expires now.
  void expireAllTokens();
  /// Every refresh token issued so far is refused (the user removed the app).
  void revokeRefreshTokens();
  /// The next `calls` API calls (not /v5/oauth/token, not the storage upload) answer 429 with
  /// x-ratelimit-reset = resetSeconds.
  void rateLimitNext(int calls, int resetSeconds = 30);
  /// The next `calls` API calls answer `status` with {"code": code, "message": message}.
  void failNext(int calls, int status, int code, const std::string& message);
  /// GET /v5/media/{id} answers "processing" this many times after the upload (default 1).
  void setProcessingPolls(int polls);
  /// The next uploaded video fails processing ("failed").
  void failNextVideoProcessing();
  /// The next storage upload is refused: 403 AccessDenied (the signed policy expired) or 400
  /// EntityTooLarge; nothing is kept.
  void refuseNextStorageUpload(int status);
  /// The next Pin creations (one each, in order) meet these faults.
  void faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults);
  void setSlowAnswerMs(int ms);
  /// A Pin already on a board (reconcile, delete and analytics tests); answers its id.
  std::string addPin(const std::string& board, const std::string& title, const std::string& description,
                     const std::string& link = {}, long long createdAtMs = 0);
  void setPinAnalytics(const std::string& pinId, long long impressions, long long saves, long long outboundClicks,
                       long long pinClicks);
  void setUserAnalytics(long long impressions, long long saves, long long outboundClicks, long long pinClicks);

  // ---- observations ----
  struct Pin {
    std::string id, boardId, title, description, link, altText, sourceType, mediaId, coverImageUrl;
    std::vector<std::string> imageUrls;
    std::vector<long long> imageBytes;  ///< bytes fetched from each image URL
    long long coverKeyFrame = -1, createdAtMs = 0;
    bool deleted = false;
  };
  std::vector<Pin> pins() const;  ///< every Pin (deleted ones too), oldest first
  std::optional<Pin> pin(const std::string& id) const;
  struct Upload {
    std::string mediaId, status, sha256, contentType;
    long long bytes = 0;
    std::vector<std::string> fieldOrder;  ///< form field names as sent, the file last
  };
  std::vector<Upload> uploads() const;
  int pinCreates() const;  ///< POST /v5/pins requests
  int mediaPolls() const;  ///< GET /v5/media/{id} requests
  int refreshGrants() const;
  std::vector<std::string> issuedTokens() const;  ///< access and refresh tokens
  /// "METHOD /path?query" of every request, in arrival order.
  std::vector<std::string> requests() const;
  /// The last consent request's query parameters.
  std::map<std::string, std::string> lastAuthorization() const;
  /// The Authorization header of the last token request.
  std::string lastTokenAuthorization() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace emulators
