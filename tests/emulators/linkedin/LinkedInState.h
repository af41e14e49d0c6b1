// The LinkedIn emulator's server side, shared by its .cpp files (not part of the public header).
#pragma once

#include "Clock.h"
#include "CreateFaults.h"
#include "LinkedInEmulator.h"
#include "TestServer.h"

#include <boost/json.hpp>

#include <mutex>

namespace emulators {

namespace json = boost::json;
using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;

/// Who is calling a resource: a valid token's scopes and the LinkedIn-Version it sent.
struct Caller {
  std::set<std::string> scopes;
  std::string version;
  bool has(const std::string& scope) const { return scopes.count(scope) > 0; }
};

/// LinkedIn's error body {"status","serviceErrorCode","code","message"}.
void sendError(Response& response, int status, const std::string& code, const std::string& message,
               int serviceErrorCode = 0);
/// 403 ACCESS_DENIED naming the resource and method, as LinkedIn words it.
void sendDenied(Response& response, const std::string& resource, const std::string& method, const Caller& caller);
using marketsage::test::nowMs;
/// The request body parsed as a JSON object, or nullopt (the error is sent).
std::optional<json::object> jsonBody(Request& request, Response& response);

struct LinkedInApi::State {
  struct Token {
    std::set<std::string> scopes;
    long long expiresAtMs = 0;
    bool revoked = false;
  };
  struct Refresh {
    std::string scopes;
    long long expiresAtMs = 0;
  };
  struct Code {
    std::string redirectUri, scopes;
  };
  struct Organization {
    std::string name;
    bool administered = true;
  };
  struct Part {
    long long firstByte = 0, lastByte = 0;
    std::string etag;  ///< set once uploaded
  };
  struct Asset {
    std::string kind, owner, status = "WAITING_UPLOAD";  ///< kind: image, video, document
    int pollsLeft = 0;
    std::string uploadToken;
    std::vector<Part> parts;  ///< videos
  };

  mutable std::mutex mutex;
  std::map<std::string, Token> tokens;
  std::map<std::string, Refresh> refreshTokens;
  std::map<std::string, Code> codes;
  std::map<std::string, Organization> organizations;  ///< by numeric id
  std::map<std::string, Asset> assets;                ///< by URN
  std::map<std::string, PublishedPost> livePosts;     ///< by URN
  std::vector<std::string> postOrder, deleted, issued, log;
  std::map<std::string, ShareStatistics> dailyStatistics, postStatistics;
  std::map<std::string, long long> followers;
  std::string oldestVersion, newestVersion;  ///< set by LinkedInApi's constructor
  std::set<std::string> versionsSeen;
  bool followersDenied = false;        ///< networkSizes refused, as for a member whose page role may not read followers
  std::set<std::string> redirectUris;  ///< the app's Authorized Redirect URLs (empty: any)
  std::set<std::string> appScopes;     ///< set by LinkedInApi's constructor
  bool refreshEnabled = true;
  int imagePolls = 1, videoPolls = 2;
  long long partSize = 4 * 1024 * 1024;
  int throttleLeft = 0, failLeft = 0, failAfter = 0, failStatus = 500;
  std::optional<int> retryAfter;
  int refreshGrants = 0, revocations = 0, partsUploaded = 0, statusPolls = 0;
  long long nextId = 7200000000000000000LL;
  marketsage::test::CreateFaults faults;  ///< of POST /rest/posts (late creations take `mutex`)
  int finderLagMs = 0;
  std::unique_ptr<marketsage::test::TestServer> server;

  void handle(Request& request, Response& response);
  std::string newId() { return std::to_string(nextId++); }  // callers hold the mutex
  std::string mintToken(const std::string& scopes, int expiresIn);
  bool administers(const std::string& organizationUrn) const;  ///< member is an approved admin
  std::string memberUrn() const { return std::string("urn:li:person:") + memberSub; }
  /// The scope an author needs to write, or "" when the member may not act for it at all.
  std::string writeScope(const std::string& authorUrn) const;

  // LinkedInOAuth.cpp: www.linkedin.com/oauth/v2/...
  void authorization(Request& request, Response& response);
  void accessToken(Request& request, Response& response);
  void revoke(Request& request, Response& response);
  // LinkedInRest.cpp: accounts, posts, statistics
  void userinfo(Response& response, const Caller& caller);
  void rest(Request& request, Response& response, const Caller& caller, const std::string& path);
  void createPost(Request& request, Response& response, const Caller& caller);
  void findPostsByAuthor(Request& request, Response& response, const Caller& caller);
  /// The live post of `author` whose commentary and content equal this one's, or "" (callers hold the mutex).
  std::string duplicateOf(const std::string& author, const json::object& post) const;
  // LinkedInMedia.cpp: Images, Videos, Documents APIs and their upload URLs
  bool media(Request& request, Response& response, const Caller& caller, const std::string& path);
  void uploadBytes(Request& request, Response& response, const std::string& path);
};

}  // namespace emulators
