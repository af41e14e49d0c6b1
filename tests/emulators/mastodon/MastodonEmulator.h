// emulators::MastodonInstance — one Mastodon server as docs.joinmastodon.org describes it, served
// on a loopback port, for tests of the mastodon plugin and of the host. It answers the app
// registration (POST /api/v1/apps), the OAuth pages and endpoints (/oauth/authorize, /oauth/token,
// /oauth/revoke, /.well-known/oauth-authorization-server) and the REST API used by the plugin.
//
// It checks what Mastodon checks: registered apps, their redirect URIs and scopes, client
// credentials, single-use codes and their S256 PKCE verifier (4.3+; setPkceSupported(false)
// acts a 4.2 server), bearer tokens and their granular scopes, the instance's limits
// (/api/v2/instance configuration: characters with URLs counted 23, attachments, polls, media
// sizes and types), reply targets, media ownership and processing. Idempotency-Key works as in
// Mastodon: the same key from the same account within an hour answers the first status and posts
// nothing. Errors use Mastodon's {"error": "…"} shape (Doorkeeper's {"error","error_description"}
// on /oauth), and every API answer carries X-RateLimit-Limit / -Remaining / -Reset (ISO 8601).
// Creates can meet the faults of tests/emulators/common/CreateFaults.
//
//   emulators::MastodonInstance m;
//   auto app = m.registerApp("https://host/api/auth/callback/mastodon");   // or the plugin's register_app
//   settings / "app": api_base = auth_base = m.url(), client_id, client_secret
//
// Thread-safe: every member may be called while the server handles requests.
#pragma once

#include "CreateFaults.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::test {
class TestServer;
}

namespace emulators {

class MastodonInstance {
 public:
  /// The account every consent signs in as.
  static constexpr const char* accountId = "109348273646193281";
  static constexpr const char* username = "marketsage";

  /// The instance's configuration (GET /api/v2/instance), Mastodon's defaults.
  struct Limits {
    long long maxCharacters = 500, maxMediaAttachments = 4, charactersPerUrl = 23;
    long long imageSizeLimit = 16 * 1024 * 1024, videoSizeLimit = 103809024;
    long long pollMaxOptions = 4, pollMaxCharactersPerOption = 50, pollMinExpiration = 300, pollMaxExpiration = 2629746;
  };
  struct App {
    std::string clientId, clientSecret, name, website;
    std::vector<std::string> redirectUris;
    std::string scopes;
  };
  struct Status {
    std::string id, accountId, text, spoilerText, visibility, language, inReplyToId, idempotencyKey, clientId;
    bool sensitive = false, deleted = false;
    std::vector<std::string> mediaIds, pollOptions;
    long long pollExpiresIn = 0;
    bool pollMultiple = false;
    long long createdAtMs = 0;
    long long favourites = 0, reblogs = 0, replies = 0;
  };
  struct Media {
    std::string id, accountId, type, mimeType, description, statusId;
    long long size = 0;
    int pollsLeft = 0;  ///< GET /api/v1/media/:id answers 206 this many more times
    bool failed = false;
  };

  MastodonInstance();
  ~MastodonInstance();
  MastodonInstance(const MastodonInstance&) = delete;
  MastodonInstance& operator=(const MastodonInstance&) = delete;

  /// "http://127.0.0.1:<port>": the instance (api_base and auth_base).
  std::string url() const;

  // ---- Apps and OAuth
  /// Registers an app as POST /api/v1/apps would, without HTTP.
  App registerApp(const std::string& redirectUri,
                  const std::string& scopes = "write:statuses write:media read:accounts read:statuses");
  std::vector<App> apps() const;
  /// Mastodon 4.3+ (true, default) publishes RFC 8414 metadata and checks PKCE; false acts a 4.2
  /// server: no metadata (404), code_challenge ignored.
  void setPkceSupported(bool supported);
  /// GETs `authorizeUrl` (the user approves) and answers the Location: "<redirect_uri>?code=…&state=…".
  std::string approve(const std::string& authorizeUrl) const;
  /// Mints a token for the account through `app`, without the OAuth dance.
  std::string issueToken(const App& app,
                         const std::string& scopes = "write:statuses write:media read:accounts read:statuses");
  std::vector<std::string> issuedTokens() const;
  void revokeAllTokens();
  int revocations() const;

  // ---- Faults
  /// The next `calls` API calls answer 429 {"error":"Too many requests"}, X-RateLimit-Remaining 0
  /// and X-RateLimit-Reset `resetInSeconds` from now.
  void throttleNext(int calls, int resetInSeconds);
  /// The next `calls` API calls answer `status` (e.g. 503).
  void failNext(int calls, int status);
  /// The rate-limit window's size (default 300 per 5 minutes per account).
  void setWindowLimit(int requests);
  void faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults);
  void setSlowAnswerMs(int ms);
  void setLateCreateMs(int ms);
  /// Videos, GIFs and audio take `polls` GET /api/v1/media/:id answers of 206 before 200.
  void setProcessingPolls(int polls);
  /// Background processing of later uploads fails (GET /api/v1/media/:id answers 422).
  void failProcessing(bool fail);
  void setLimits(const Limits& limits);

  // ---- Inspection and seeding
  int statusesCreated() const;    ///< statuses made by POST /api/v1/statuses (idempotent replays not counted)
  int idempotentReplays() const;  ///< POSTs answered with an earlier status for their Idempotency-Key
  std::vector<Status> statuses() const;
  std::optional<Status> status(const std::string& id) const;
  std::optional<Media> media(const std::string& id) const;
  /// A status by another account (a reply target).
  std::string seedForeignStatus(const std::string& text);
  void setCounts(const std::string& statusId, long long favourites, long long reblogs, long long replies);
  void setFollowers(long long followers);
  /// Every request line seen ("POST /api/v1/statuses"), in order.
  std::vector<std::string> requests() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<marketsage::test::TestServer> server_;
};

}  // namespace emulators
