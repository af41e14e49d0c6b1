#pragma once
/// An OAuth 2.0 authorization server and a tiny resource API, as RFC 6749 / 7636 / 7009 describe
/// them, for the host's connect, refresh and revoke tests. It checks what a real server checks:
/// client credentials (HTTP Basic), redirect URI, the S256 PKCE verifier, single-use codes,
/// rotating single-use refresh tokens, bearer tokens and their expiry.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace Poco::Net { class HTTPServer; }

namespace harness {

class OAuthEmulator {
 public:
  static constexpr const char* clientId = "test-client";
  static constexpr const char* clientSecret = "test-secret-0123456789";

  OAuthEmulator();
  ~OAuthEmulator();

  std::string baseUrl() const;

  std::atomic<int> initialExpiresIn{60};      ///< seconds; within the host's refresh margin
  std::atomic<int> refreshedExpiresIn{3600};
  std::atomic<int> refreshDelayMs{0};         ///< widens the window for concurrent refreshes
  std::atomic<bool> pagesOwnTokens{true};     ///< false: the page is reached with the user's token

  int refreshGrants() const { return refreshGrants_; }
  int revocations() const { return revocations_; }
  /// Every access, refresh and page token ever issued (to search the database and logs for).
  std::vector<std::string> issuedTokens() const;
  /// Makes every refresh token invalid: the next refresh answers invalid_grant.
  void revokeAllRefreshTokens();
  /// Makes every access token invalid before its announced expiry (refresh tokens still work).
  void expireAllAccessTokens();

  struct Handler;  // the HTTP side, in the .cpp

 private:
  friend struct Handler;
  struct Code {
    std::string challenge, redirectUri;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Code> codes_;
  std::map<std::string, long long> accessTokens_;  ///< token -> expiry (ms)
  std::set<std::string> refreshTokens_;
  std::vector<std::string> issued_;
  std::atomic<int> refreshGrants_{0};
  std::atomic<int> revocations_{0};
  int port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace harness
