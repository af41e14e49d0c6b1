// The Pinterest emulator's server side, shared by its .cpp files (not part of the public header).
#pragma once

#include "Clock.h"
#include "CreateFaults.h"
#include "PinterestEmulator.h"
#include "TestServer.h"

#include <boost/json.hpp>

#include <mutex>
#include <set>

namespace emulators {

namespace json = boost::json;
using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;

using marketsage::test::nowMs;
/// Pinterest's error body {"code", "message"}.
void sendPinterestError(Response& response, int status, int code, const std::string& message);

struct PinterestApi::State {
  struct Token {
    std::set<std::string> scopes;
    long long expiresAtMs = 0;
    std::string refresh;
  };
  struct Code {
    std::string redirectUri, scopes;
  };
  struct Media {
    Upload upload;
    std::map<std::string, std::string> parameters;  ///< upload_parameters as answered
    int pollsLeft = 0;
    bool failProcessing = false;
  };
  struct Analytics {
    long long impressions = 0, saves = 0, outbound = 0, pinClicks = 0;
  };

  mutable std::mutex mutex;
  std::map<std::string, Token> tokens;
  std::map<std::string, std::string> refreshTokens;  ///< refresh token -> scopes
  std::map<std::string, Code> codes;
  std::vector<Board> boards;
  std::set<std::string> foreignBoards;
  std::vector<Pin> pins;
  std::map<std::string, Analytics> pinAnalytics;
  Analytics userAnalytics;
  std::map<std::string, Media> media;
  std::vector<std::string> issued, log;
  std::map<std::string, std::string> lastAuthorization;
  std::string lastTokenAuthorization;
  int rateLimited = 0, rateLimitReset = 30, failCalls = 0, failStatus = 0, failCode = 0;
  std::string failMessage;
  int processingPolls = 1, creates = 0, polls = 0, refreshGrants = 0;
  bool failNextVideo = false;
  int refuseStorage = 0;  ///< status of the next refused storage upload (0: none)
  long long nextId = 1;
  marketsage::test::CreateFaults createFaults;
  std::unique_ptr<marketsage::test::TestServer> server;

  std::string newId();
  std::string mintToken(const std::string& scopes, int expiresIn);
  /// The bearer token's scopes, or answers 401 (code 2: unknown or expired; code 3: a scope missing) and
  /// nullopt. `needed`: every scope required.
  bool authorize(Request& request, Response& response, std::initializer_list<const char*> needed);
  /// Answers an injected 429 or failure (true when it did).
  bool injected(Response& response);
  const Board* ownBoard(const std::string& id) const;
  json::object pinJson(const Pin& pin) const;

  void handle(Request& request, Response& response);
  void consent(Request& request, Response& response);
  void token(Request& request, Response& response);
  void userAccount(Request& request, Response& response);
  void listBoards(Request& request, Response& response);
  void getBoard(Request& request, Response& response, const std::string& id);
  void boardPins(Request& request, Response& response, const std::string& id);
  void createPin(Request& request, Response& response);
  void deletePin(Request& request, Response& response, const std::string& id);
  void analytics(Request& request, Response& response, const std::string& pinId);
  void registerMedia(Request& request, Response& response);
  void getMedia(Request& request, Response& response, const std::string& id);
  void storageUpload(Request& request, Response& response);
};

/// Query parameter `name` of the request ("" when absent).
std::string pinterestQuery(const Request& request, const std::string& name);

}  // namespace emulators
