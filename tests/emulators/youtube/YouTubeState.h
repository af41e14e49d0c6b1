// The YouTube emulator's server side, shared by its .cpp files (not part of the public header).
#pragma once

#include "Clock.h"
#include "CreateFaults.h"
#include "TestServer.h"
#include "YouTubeEmulator.h"

#include <boost/json.hpp>

#include <mutex>
#include <set>

namespace emulators {

namespace json = boost::json;
using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;

using marketsage::test::nowMs;
/// RFC 3339 UTC of ms since 1970.
std::string isoTime(long long ms);
/// Google's error body {"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}.
void sendGoogleError(Response& response, int status, const std::string& reason, const std::string& message,
                     const std::string& domain = "youtube.video");

struct YouTubeApi::State {
  struct Token {
    std::set<std::string> scopes;
    long long expiresAtMs = 0;
    bool revoked = false;
    std::string refresh;  ///< the refresh token it came from, if any
  };
  struct Refresh {
    std::string scopes;
    bool revoked = false;
  };
  struct Code {
    std::string redirectUri, scopes, challenge;
    bool offline = false;
  };
  struct Session {
    std::string channel, mimeType;
    long long total = 0;
    std::string bytes;
    json::object resource;  ///< snippet and status as sent
    std::string videoId;    ///< set once complete
    bool expired = false;
  };
  struct StoredVideo {
    Video video;
    long long views = 0, likes = 0, comments = 0;
  };

  mutable std::mutex mutex;
  std::map<std::string, Token> tokens;
  std::map<std::string, Refresh> refreshTokens;
  std::map<std::string, Code> codes;
  std::vector<Channel> channels;
  std::set<std::string> redirectUris, playlists;
  std::map<std::string, Session> sessions;
  std::map<std::string, StoredVideo> videos;
  std::vector<std::string> videoOrder, issued, log;
  std::map<std::string, std::string> lastAuthorization;
  std::map<std::string, std::string> sessionAliases;  ///< moved URI's upload_id -> the session's
  bool relativeLocation = false, moveNextIncomplete = false, clientDeleted = false;
  std::string movedTo;
  std::map<int, ChunkFault> chunkFaults;  ///< by chunk number (chunkPuts counts them)
  marketsage::test::CreateFaults createFaults;
  int answeredLifetime = 3599, realLifetime = 3599;
  long long dailyQuota = 10000, quotaUsed = 0;
  long long insertQuota = 100, insertsUsed = 0;  ///< videos.insert's own bucket, in calls
  int sessionsOpened = 0, chunkPuts = 0, statusQueries = 0, refreshGrants = 0, revocations = 0;
  int statusFailures = 0, statusFailuresAfter = 0, failCalls = 0, failAfter = 0, failStatus = 500;
  std::string failReason, failRetryAfter;
  long long nextId = 1;
  std::unique_ptr<marketsage::test::TestServer> server;

  void handle(Request& request, Response& response);
  std::string newVideoId();                                                      // callers hold the mutex
  std::string mintToken(const std::string& scopes, const std::string& refresh);  // callers hold the mutex
  /// The caller's token scopes, or nullopt after answering 401 (callers hold the mutex).
  std::optional<std::set<std::string>> authorize(Request& request, Response& response);
  /// Charges `units`; false after answering 403 quotaExceeded (callers hold the mutex).
  bool charge(Response& response, long long units);
  /// Counts one videos.insert in its bucket; false after answering 403 quotaExceeded.
  bool chargeInsert(Response& response);
  /// The video resource JSON as videos.insert answers it (callers hold the mutex).
  json::object resourceOf(const StoredVideo& stored, const std::string& parts) const;
  const Channel* ownChannel() const { return channels.empty() ? nullptr : &channels.front(); }

  // YouTubeOAuth.cpp
  void authorization(Request& request, Response& response);
  void token(Request& request, Response& response);
  void revoke(Request& request, Response& response);
  // YouTubeUpload.cpp
  void openSession(Request& request, Response& response, const std::set<std::string>& scopes);
  void uploadToSession(Request& request, Response& response);
  void setThumbnail(Request& request, Response& response, const std::set<std::string>& scopes);
  /// Makes the video of a complete session (callers hold the mutex).
  std::string completeSession(Session& session);
  // YouTubeData.cpp
  void data(Request& request, Response& response, const std::set<std::string>& scopes, const std::string& path);
};

bool hasAny(const std::set<std::string>& scopes, std::initializer_list<const char*> wanted);

}  // namespace emulators
