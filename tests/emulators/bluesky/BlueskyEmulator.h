#pragma once
/// Bluesky's AT Protocol services as their lexicons and docs.bsky.app describe them, for tests:
/// in-process, on one loopback port that is at once the entryway (api_base: /xrpc/
/// com.atproto.identity.resolveHandle), the PLC directory (plc_base: GET /<did> answers the DID
/// document, whose #atproto_pds service names this same server) and the PDS (sessions with app
/// passwords, uploadBlob, createRecord/getRecord/deleteRecord, and the app.bsky reads a PDS
/// proxies to the AppView: getPosts, getProfile).
///
/// What it checks as the real services do: Bearer sessions (access JWTs expire, 400 ExpiredToken;
/// unknown ones 400 InvalidToken; none 401 AuthMissing), refresh JWTs rotated by refreshSession,
/// deactivated accounts (session "active": false, writes 401 AccountDeactivated) and takedowns (401
/// AccountTakedown), JSON bodies with Content-Type, the post record's lexicon (text at most 300
/// graphemes and 3000 bytes, createdAt an atproto datetime, at most 3 BCP-47 langs, facets inside
/// the text, at most 4 images of at most 1,000,000 bytes that this account uploaded, reply refs to
/// records that exist), record-key syntax, and a key
/// already taken answers 500 InternalServerError as the reference PDS does. Write limits answer 429
/// RateLimitExceeded with ratelimit-limit/-remaining/-reset/-policy headers (docs.bsky.app "Rate
/// Limits": creates cost 3 points, 5000 points an hour per account). Thread-safe.

#include "CreateFaults.h"

#include <memory>
#include <string>
#include <vector>

namespace emulators {

class BlueskyApi {
 public:
  BlueskyApi();
  ~BlueskyApi();
  BlueskyApi(const BlueskyApi&) = delete;
  BlueskyApi& operator=(const BlueskyApi&) = delete;

  /// Base URL for api_base, plc_base and the PDS: "http://127.0.0.1:<port>".
  std::string url() const;

  // ---- set-up ----
  /// An account with `handle` and one app password ("xxxx-xxxx-xxxx-xxxx"); answers its DID.
  std::string addAccount(const std::string& handle, const std::string& appPassword);
  /// Followers and follows, as getProfile answers them.
  void setProfile(const std::string& did, long long followers, long long follows);
  /// Engagement of a post, as getPosts answers it.
  void setCounts(const std::string& uri, long long likes, long long reposts, long long replies, long long quotes);
  /// The account's status on its PDS: "" (active), "deactivated" (createSession still answers, with
  /// "active": false and the status; writes answer 401 AccountDeactivated) or "takendown"
  /// (createSession answers 401 AccountTakedown), as the reference PDS does.
  void setAccountStatus(const std::string& did, const std::string& status);
  /// Access JWTs issued from now on live `seconds` (default 7200).
  void setAccessLifetime(int seconds);

  // ---- failure injection ----
  /// Every access JWT issued so far is expired (400 ExpiredToken).
  void expireAccessTokens();
  /// Every refresh JWT issued so far is expired (refreshSession: 400 ExpiredToken).
  void expireRefreshTokens();
  /// The next `count` createRecord calls answer 429 with ratelimit-reset `seconds` from now.
  void throttleNextCreates(int count, int seconds);
  /// The write budget in points an hour (default 5000; createRecord costs 3, deleteRecord 1).
  void setHourlyPoints(int points);
  /// The next `count` calls of any method answer `status` (500, 502…) without acting.
  void failNextCalls(int count, int status);
  /// The next createRecord calls (one each) meet these faults (tests/emulators/common/CreateFaults).
  void faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults);
  void setSlowAnswerMs(int ms);

  // ---- observations ----
  struct Record {
    std::string did, rkey, uri, cid;
    std::string text;
    std::string json;  ///< the record as stored
    bool deleted = false;
  };
  /// Every app.bsky.feed.post record the account created (deleted ones flagged), in order.
  std::vector<Record> posts(const std::string& did) const;
  /// Every XRPC method called, in order ("com.atproto.repo.createRecord").
  std::vector<std::string> calls() const;
  /// Every secret the emulator issued or accepted: app passwords, access and refresh JWTs.
  std::vector<std::string> secrets() const;
  /// Content-Type and byte count of every uploadBlob.
  struct Blob {
    std::string mimeType;
    size_t size = 0;
  };
  std::vector<Blob> blobs() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace emulators
