// The TikTok emulator's server side, shared by its .cpp files (not part of the public header).
#pragma once

#include "Clock.h"
#include "CreateFaults.h"
#include "TestServer.h"
#include "TikTokEmulator.h"

#include <boost/json.hpp>

#include <deque>
#include <mutex>
#include <set>

namespace emulators {

namespace json = boost::json;
using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;

using marketsage::test::nowMs;
/// {"error": {"code", "message", "log_id"}} with `status` (and `data` {} as TikTok sends it).
void sendTikTokError(Response& response, int status, const std::string& code, const std::string& message);
/// {"data": data, "error": {"code": "ok", "message": "", "log_id"}}.
void sendTikTokData(Response& response, const json::value& data);
/// UTF-16 code units of UTF-8 text.
size_t utf16Units(const std::string& text);

/// An access token's lifetime: 2 hours (https://developers.tiktok.com/docs/en/oauth-user-access-token-management).
constexpr int kAccessTokenSeconds = 7200;

struct TikTokApi::State {
  struct Token {
    std::set<std::string> scopes;
    long long expiresAtMs = 0;
    bool revoked = false;
    std::string refresh;
  };
  struct Refresh {
    std::string scopes;
    bool revoked = false;
  };
  struct Code {
    std::string redirectUri, scopes, challenge;
  };
  struct Stored {
    Post post;
    std::string bytes;  ///< the video's bytes as uploaded
    std::string uploadId;
    int processingLeft = 1;
    int moderationLeft = 0;  ///< PUBLISH_COMPLETE polls still without the public post id
    bool fetched = false;
  };
  struct VideoStats {
    long long views = 0, likes = 0, comments = 0, shares = 0;
  };

  mutable std::mutex mutex;
  std::map<std::string, Token> tokens;
  std::map<std::string, Refresh> refreshTokens;
  std::map<std::string, Code> codes;
  Creator creator;
  long long followers = 321, likes = 4567, videoCount = 12;
  std::map<std::string, VideoStats> videoStats;
  std::map<std::string, Stored> posts;  ///< by publish_id
  std::vector<std::string> postOrder, issued, log;
  std::map<std::string, std::string> lastAuthorization;
  std::map<std::string, int> limits{{"video/init", 6},  {"content/init", 6},  {"creator_info", 20}, {"status", 30},
                                    {"user/info", 600}, {"video/query", 600}, {"video/list", 600}};
  std::map<std::string, std::deque<long long>> calls;  ///< token + " " + endpoint -> times in the window
  marketsage::test::CreateFaults createFaults;
  int processingPolls = 1, moderationPolls = 0, postsLeft = -1, failChunks = 0, failChunkStatus = 503, failCalls = 0,
      failStatus = 500;
  std::string failCode, nextFailReason;
  int inits = 0, chunkPuts = 0, statusFetches = 0, refreshGrants = 0, revocations = 0;
  long long nextId = 1;
  std::unique_ptr<marketsage::test::TestServer> server;

  void handle(Request& request, Response& response);
  std::string mintToken(const std::string& scopes, const std::string& refresh);  // callers hold the mutex
  /// The caller's scopes after the bearer, scope, injected-failure and rate-limit checks, or
  /// nullopt after answering (callers hold the mutex).
  std::optional<std::set<std::string>> authorize(Request& request, Response& response, const std::string& endpoint,
                                                 const char* scope);

  // TikTokOAuth.cpp
  void authorization(Request& request, Response& response);
  void token(Request& request, Response& response);
  void revoke(Request& request, Response& response);
  // TikTokPosting.cpp
  void userInfo(Request& request, Response& response);
  void creatorInfo(Request& request, Response& response);
  void videoInit(Request& request, Response& response);
  void contentInit(Request& request, Response& response);
  void upload(Request& request, Response& response);
  void status(Request& request, Response& response);
  void videoQuery(Request& request, Response& response);
  void videoList(Request& request, Response& response);
};

}  // namespace emulators
