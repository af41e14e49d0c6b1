// Private to the Mastodon emulator: its state and request handlers (one file per API area).
#pragma once

#include "Clock.h"
#include "CreateFaults.h"
#include "MastodonEmulator.h"

#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace Poco::Net {
class HTTPServerRequest;
}

namespace emulators::mastodon {

/// What the server parsed from one HTTP request.
struct Request {
  std::string method, path, contentType, authorization, body, idempotencyKey;
  std::map<std::string, std::string> query;  ///< query string, plus the form body when urlencoded
  std::vector<std::string> segments;         ///< "/api/v1/statuses/7" = {"api","v1","statuses","7"}
  const Poco::Net::HTTPServerRequest* raw = nullptr;
  std::string param(const char* name) const {
    const auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

struct Reply {
  Reply() = default;
  explicit Reply(int status, std::string body = {}, std::string contentType = "application/json; charset=utf-8")
      : status(status), body(std::move(body)), contentType(std::move(contentType)) {}
  int status = 200;
  std::string body;
  std::string contentType = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<marketsage::test::CreateFault> fault = std::nullopt;
};

Reply json(int status, const boost::json::value& body);
/// Mastodon's error shape: {"error": "…"}.
Reply error(int status, const std::string& message);
using marketsage::test::nowMs;
/// "2026-12-02T13:30:00.000Z" (Mastodon's created_at) or with microseconds (X-RateLimit-Reset).
std::string iso(long long ms, bool micro = false);

}  // namespace emulators::mastodon

namespace emulators {

struct MastodonInstance::Impl {
  using Request = mastodon::Request;
  using Reply = mastodon::Reply;
  struct Code {
    std::string clientId, redirectUri, scopes, challenge, method;
  };
  struct Grant {
    std::string clientId, accountId;
    std::set<std::string> scopes;
  };
  struct Idempotent {
    std::string statusId;
    long long atMs = 0;
  };

  std::mutex mutex;
  std::string baseUrl;
  // Apps and OAuth
  std::map<std::string, App> apps;  ///< by client_id
  std::map<std::string, Code> codes;
  std::map<std::string, Grant> tokens;
  std::vector<std::string> issued;
  bool pkceSupported = true;
  int revocations = 0;
  // Faults
  int throttledCalls = 0, throttleResetIn = 0, failedCalls = 0, failStatus = 0;
  int windowLimit = 300;
  std::map<std::string, int> callsInWindow;  ///< per account
  long long windowEndMs = 0;
  marketsage::test::CreateFaults faults;
  int processingPolls = 2;
  bool processingFails = false;
  Limits limits;
  // Data
  std::vector<Status> statuses;
  std::map<std::string, Media> media;
  std::map<std::string, Idempotent> idempotency;  ///< "<account>\n<key>"
  int created = 0, replays = 0;
  long long followers = 0;
  long long nextId = 113000000000000000LL;
  std::vector<std::string> requestLog;

  std::string newId() { return std::to_string(nextId++); }
  std::string newSecret(const char* prefix);
  App addApp(const std::string& name, const std::vector<std::string>& redirectUris, const std::string& scopes,
             const std::string& website);
  std::string grant(const std::string& clientId, const std::string& scopes);

  Reply handle(Request& request);
  // MastodonOAuth.cpp
  Reply createApp(const Request& request);
  Reply serverMetadata();
  Reply authorize(const Request& request);
  Reply token(const Request& request);
  Reply revoke(const Request& request);
  // MastodonStatuses.cpp
  Reply instance() const;
  Reply verifyCredentials() const;
  Reply createStatus(const Request& request, const Grant& grant);
  Reply showStatus(const std::string& id, bool source) const;
  Reply deleteStatus(const std::string& id, const Grant& grant);
  Reply accountStatuses(const Request& request, const std::string& account) const;
  Reply uploadMedia(const Request& request, const Grant& grant);
  Reply showMedia(const std::string& id, const Grant& grant);
  boost::json::object statusJson(const Status& status, bool withSource = false) const;
  boost::json::object mediaJson(const Media& media) const;
  boost::json::object accountJson() const;
  /// Mastodon's count: URLs as characters_reserved_per_url, @user@domain as @user.
  long long countCharacters(const std::string& text) const;
};

}  // namespace emulators
