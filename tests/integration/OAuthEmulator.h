#pragma once
/// An OAuth 2.0 authorization server and a tiny resource API, as RFC 6749 / 7636 / 7009 describe
/// them, for the host's connect, refresh and revoke tests. It checks what a real server checks:
/// client credentials (HTTP Basic), redirect URI, the S256 PKCE verifier, single-use codes,
/// rotating single-use refresh tokens, bearer tokens and their expiry. Behind the same bearer
/// tokens it offers a small posting API (POST /posts, DELETE /posts/{id}, metrics, POST /media)
/// for the publishing engine's tests, with scripted failures and latency.
///
/// Every token is bound to the user who consented and to the accounts it may act for, as a
/// platform's are: a user token acts for the user (and, with pagesOwnTokens false, the
/// organization they administer); a page token acts for its page only. A post, a deletion or a
/// metrics read for an account the token cannot act for is refused with 403, so a host that used
/// another organization's token, or the user token for a page, fails its tests.

#include "CreateFaults.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace Poco::Net {
class HTTPServer;
}

namespace harness {

class OAuthEmulator {
  marketsage::test::CreateFaults faults_;  // first: the public references below point into it

 public:
  static constexpr const char* clientId = "test-client";
  static constexpr const char* clientSecret = "test-secret-0123456789";

  OAuthEmulator();
  ~OAuthEmulator();

  std::string baseUrl() const;

  std::atomic<int> initialExpiresIn{60};  ///< seconds; within the host's refresh margin
  std::atomic<int> refreshedExpiresIn{3600};
  std::atomic<int> refreshDelayMs{0};      ///< widens the window for concurrent refreshes
  std::atomic<bool> pagesOwnTokens{true};  ///< false: the page is reached with the user's token
  /// Who consents at the next /authorize: accounts are u-<user>, p-<user> (page), o-<user>
  /// (organization). Two organizations connecting different users get tokens that cannot act
  /// for each other's accounts.
  void consentAs(const std::string& user);

  /// Registers another client (an organization's own app); `clientId` is registered from the start.
  void registerClient(const std::string& id, const std::string& secret);
  /// The client of every authorize and token request, in order: "authorize:<client id>",
  /// "authorization_code:<client id>", "refresh_token:<client id>".
  std::vector<std::string> clientsSeen() const;

  int refreshGrants() const { return refreshGrants_; }
  /// Revocations of tokens the emulator issued and still knew (unknown tokens do not count).
  int revocations() const { return revocations_; }
  /// Requests refused because the token cannot act for the account they name.
  int wrongAccountRefusals() const { return wrongAccount_; }
  /// Every access, refresh and page token ever issued (to search the database and logs for).
  std::vector<std::string> issuedTokens() const;
  /// Makes every refresh token invalid: the next refresh answers invalid_grant.
  void revokeAllRefreshTokens();
  /// Makes every access token invalid before its announced expiry (refresh tokens still work).
  void expireAllAccessTokens();

  /// A post the platform accepted.
  struct Published {
    std::string id, account, text, replyTo;
    std::size_t mediaBytes = 0;
    long long createdAt = 0;             ///< ms
    std::vector<std::string> media;      ///< ids of the media uploaded before (POST /media)
    std::vector<std::string> mediaUrls;  ///< the host's signed URLs of those media, as the plugin gave them
  };
  /// Non-zero: every insights read (GET /me/insights, GET /posts/{id}/metrics) answers this status
  /// (429 with Retry-After: 120).
  std::atomic<int> insightsStatus{0};
  /// Account insights answered (GET /me/insights with 200).
  int insightsCalls() const { return insightsCalls_; }
  std::atomic<int> postLatencyMs{0};         ///< every POST /posts takes this long
  std::vector<Published> published() const;  ///< live posts, in creation order
  int postAttempts() const { return postAttempts_; }
  /// After `skip` more successful posts, the next `count` POST /posts answer `status` (429 / 503
  /// with Retry-After when given) and create nothing.
  void failNextPosts(int count, int status, int retryAfterSeconds = 0, int skip = 0);
  /// Every POST /posts whose text contains `marker` answers 400 (a part the platform refuses).
  void refusePostsContaining(const std::string& marker);

  /// Faults of a POST /posts, for the exactly-once tests (the shared vocabulary of every emulator).
  using Fault = marketsage::test::CreateFault;
  /// The next POST /posts (one each, in order) meet these faults.
  void faultNextPosts(const std::vector<Fault>& faults) { faults_.push(faults); }
  std::atomic<int>& slowAnswerMs = faults_.slowAnswerMs;
  std::atomic<int>& lateCreateMs = faults_.lateCreateMs;
  /// A POST /posts with the text and account of a live post answers 409 {"error":"duplicate"}, as
  /// X refuses identical text.
  std::atomic<bool> refuseDuplicates{false};
  /// Media uploads stay "processing" for this many status reads (GET /media/{id}).
  std::atomic<int> mediaProcessingPolls{0};
  int mediaStatusReads() const { return mediaStatusReads_; }
  /// The bytes a POST /media received under `id` ("" for an unknown id).
  std::string mediaUpload(const std::string& id) const;

  struct Handler;  // the HTTP side, in the .cpp

 private:
  friend struct Handler;
  struct Code {
    std::string challenge, redirectUri, user, client;
  };
  struct Grant {
    std::string user, client;
  };
  struct AccessToken {
    long long expiresAt = 0;         ///< ms
    std::set<std::string> accounts;  ///< the accounts it may act for
  };
  mutable std::mutex mutex_;
  std::string consentUser_ = "1";
  std::map<std::string, Code> codes_;
  std::map<std::string, AccessToken> accessTokens_;
  std::map<std::string, Grant> refreshTokens_;  ///< refresh token -> whose, issued to which client
  std::map<std::string, std::string> clients_;  ///< client id -> secret
  std::vector<std::string> clientsSeen_;
  std::vector<std::string> issued_;
  std::vector<Published> posts_;
  int failCount_ = 0, failStatus_ = 0, failRetryAfter_ = 0, failSkip_ = 0;
  std::string refuseMarker_;
  std::atomic<int> postAttempts_{0};
  std::atomic<int> insightsCalls_{0};
  int nextId_ = 0;
  std::atomic<int> refreshGrants_{0};
  std::atomic<int> revocations_{0};
  std::atomic<int> wrongAccount_{0};
  std::map<std::string, int> mediaPollsLeft_;
  std::map<std::string, std::string> mediaUploads_;
  std::atomic<int> mediaStatusReads_{0};
  int port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace harness
