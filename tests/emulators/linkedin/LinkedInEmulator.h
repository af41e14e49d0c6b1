#pragma once
/// LinkedIn's API as its public documentation describes it, for tests: in-process, on a loopback
/// port, serving both auth_base (www.linkedin.com: /oauth/v2/...) and api_base (api.linkedin.com:
/// /v2/userinfo, /rest/...). It checks what LinkedIn checks — client credentials, the redirect URI
/// (registered, then the same at the token endpoint), the app's scopes, single-use codes, bearer tokens (invalid /
/// revoked / expired), scopes per resource, the LinkedIn-Version (missing: 400, not active: 426) and
/// X-Restli-Protocol-Version headers, post bodies and their 3,000-character commentary, media ownership and status —
/// and answers with LinkedIn's shapes: 201 + x-restli-id for posts, initializeUpload/finalizeUpload actions, ETags per
/// video part, media that stays PROCESSING for a few polls, {"status","serviceErrorCode","code","message"} errors, 422
/// DUPLICATE_POST for a post identical to a live one of its author, and the author's posts newest first (q=author;
/// members' posts only with r_member_social). Creates can meet the faults of tests/emulators/common/CreateFaults.
/// Thread-safe: every member may be called while the plugin talks to it.

#include "CreateFaults.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace emulators {

class LinkedInApi {
 public:
  static constexpr const char* clientId = "li-client-id";
  static constexpr const char* clientSecret = "li-client-secret";
  /// The member every token belongs to (urn:li:person:<memberSub>).
  static constexpr const char* memberSub = "abc123XYZ";
  static constexpr const char* memberName = "Ada Lovelace";
  /// Scopes of issueToken() when none are given (the plugin's default set).
  static constexpr const char* defaultScopes =
      "openid profile w_member_social r_organization_social w_organization_social rw_organization_admin";
  /// Scopes the emulated app's products grant (Sign In with OpenID Connect, Share on LinkedIn,
  /// Community Management API): the authorization endpoint refuses any other.
  static constexpr const char* defaultAppScopes =
      "openid profile email w_member_social r_organization_social w_organization_social rw_organization_admin "
      "r_organization_admin";

  LinkedInApi();
  ~LinkedInApi();
  LinkedInApi(const LinkedInApi&) = delete;
  LinkedInApi& operator=(const LinkedInApi&) = delete;

  /// Base URL for both api_base and auth_base: "http://127.0.0.1:<port>".
  std::string url() const;

  // ---- set-up ----
  /// Adds an organization; `administered`: the member holds an APPROVED ADMINISTRATOR role.
  void addOrganization(const std::string& id, const std::string& name, bool administered = true);
  /// Mints an access token for the member without the consent screen.
  std::string issueToken(const std::string& scopes = defaultScopes, int expiresInSeconds = 5184000);
  /// Active LinkedIn-Version values (default: the twelve monthly versions released before the
  /// current month, as LinkedIn serves each for a year; "YYYYMM.RR" accepted).
  void setActiveVersions(const std::string& oldest, const std::string& newest);
  /// The version "YYYYMM" of the month `months` before the current one (negative: after it).
  static std::string versionMonthsAgo(int months);
  /// The app's Authorized Redirect URLs, matched exactly by the authorization endpoint. None (the
  /// default, as a host's callback port is only known once it runs): any absolute http(s) URL
  /// without a fragment is taken as registered.
  void setRedirectUris(const std::vector<std::string>& uris);
  /// The scopes the app may request, space-separated (default: defaultAppScopes).
  void setAppScopes(const std::string& scopes);
  /// Whether the app has programmatic refresh tokens (default true).
  void setRefreshTokensEnabled(bool enabled);
  /// GETs of an image/document (video) that still answer PROCESSING after the upload (finalize).
  void setProcessingPolls(int images, int videos);
  /// Bytes per video part in uploadInstructions (LinkedIn: 4 MiB).
  void setVideoPartSize(long long bytes);
  /// Daily organic statistics of an organization, same numbers every day.
  struct ShareStatistics {
    long long impressionCount = 0, uniqueImpressionsCount = 0, clickCount = 0, likeCount = 0, commentCount = 0,
              shareCount = 0;
  };
  void setDailyStatistics(const std::string& organizationUrn, const ShareStatistics& perDay);
  void setFollowers(const std::string& organizationUrn, long long followers);
  /// networkSizes answers 403 ACCESS_DENIED (a page role that may not read follower counts).
  void denyFollowerCounts(bool denied);
  void setPostStatistics(const std::string& postUrn, const ShareStatistics& lifetime);
  /// Moves a post's creation time `ms` into the past.
  void backdatePost(const std::string& urn, long long ms);

  // ---- failure injection (on /v2 and /rest calls, after the token and version checks) ----
  /// The next `calls` answer 429 TOO_MANY_REQUESTS (with Retry-After when given; LinkedIn sends none).
  void throttleNext(int calls, std::optional<int> retryAfterSeconds = std::nullopt);
  /// After `after` more calls succeed, the next `calls` answer `status` (500, 503, 504...).
  void failNext(int calls, int status = 500, int after = 0);
  /// Every access token expires now (LinkedIn answers 401 EXPIRED_ACCESS_TOKEN).
  void expireAllTokens();
  /// The next POST /rest/posts that would create a post (one each, in order) meet these faults:
  /// the shared vocabulary of tests/emulators/common. A LateCreate post lands lateCreateMs later
  /// unless a duplicate of it is live by then (LinkedIn would refuse it).
  void faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults);
  void setSlowAnswerMs(int ms);  ///< SlowAnswer's delay (default 3000)
  void setLateCreateMs(int ms);  ///< LateCreate's delay (default 1500)
  /// Reads are eventually consistent: a new post shows in the q=author finder only this long
  /// after it was created (default 0).
  void setFinderLagMs(int ms);

  // ---- observations ----
  struct PublishedPost {
    std::string urn, author, commentary, body;  ///< commentary as LinkedIn reads it (little format)
    long long createdAtMs = 0;
    long long listedFromMs = 0;  ///< the author finder shows it from then on (setFinderLagMs)
  };
  std::vector<PublishedPost> posts() const;
  std::vector<std::string> deletedPosts() const;
  /// Every access and refresh token issued (to search logs and replies for).
  std::vector<std::string> issuedTokens() const;
  int refreshGrants() const;
  int revocations() const;
  /// Video parts received, and the media status polls answered.
  int videoPartsUploaded() const;
  int statusPolls() const;
  /// "METHOD /path?query" of every request, in arrival order.
  std::vector<std::string> requests() const;
  /// Every LinkedIn-Version value an accepted /rest/ call carried.
  std::set<std::string> versionsSeen() const;

  struct State;  // the server side, in the .cpp files

 private:
  std::unique_ptr<State> state_;
};

}  // namespace emulators
