// Internals of the Graph emulator shared by its .cpp files: the state, one parsed call, the error
// object every handler throws, and the handler entry points (one file per product area).
#pragma once

#include "GraphEmulator.h"
#include "MediaFetch.h"
#include "TestServer.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <boost/json.hpp>

#include <functional>
#include <mutex>
#include <optional>

namespace emulators::graph {

namespace json = boost::json;
using Item = GraphApi::Item;

/// A Graph error object ({"error":{message,type,code,error_subcode,...}}); handlers throw it.
struct GraphError {
  GraphError(int code, std::string message, int subcode = 0, int httpStatus = 400, std::string type = "OAuthException",
             bool transient = false)
      : code(code),
        message(std::move(message)),
        subcode(subcode),
        httpStatus(httpStatus),
        type(std::move(type)),
        transient(transient) {}
  int code;
  std::string message;
  int subcode;
  int httpStatus;
  std::string type;
  bool transient;
  std::string userTitle, userMessage;
};

/// A new item record (fields not named stay at their defaults).
inline Item makeItem(std::string id, std::string kind, std::string ownerId, std::string message = {}) {
  Item item;
  item.id = std::move(id);
  item.kind = std::move(kind);
  item.ownerId = std::move(ownerId);
  item.message = std::move(message);
  return item;
}

/// "(#100) <text>" as code 100, the generic invalid-parameter error.
[[noreturn]] void invalidParameter(const std::string& text, int subcode = 0);
/// Code 100 subcode 33: the object does not exist / was deleted / the operation is unsupported.
[[noreturn]] void unknownObject(const std::string& method, const std::string& id);

struct Token {
  bool page = false;          ///< Page token (else user token)
  std::string pageId;         ///< for Page tokens
  long long expiresAtMs = 0;  ///< 0 = never
  long long issuedAtMs = 0;
  enum State { Valid, Expired, Revoked, Deauthorized } state = Valid;
};

struct Code {
  std::string redirectUri, challenge, challengeMethod;
  std::vector<std::string> scopes;
};

/// One API request, parsed: the path after the version, every parameter, uploaded files.
struct Call {
  /// The HTTP request; null for a call acted out later (a LateCreate), which reads only its params.
  Poco::Net::HTTPServerRequest* request;
  std::string method, version;
  std::vector<std::string> path;
  std::map<std::string, std::string> params;  ///< query + form fields (+ multipart fields)
  std::map<std::string, std::string> files;   ///< multipart file parts by field name
  std::string rawBody;                        ///< upload hosts (rupload, /upload:<id>): the bytes
  std::string token;                          ///< access token of the call, if any
  std::string usageOwner, usageType;          ///< object for X-Business-Use-Case-Usage

  bool has(const std::string& name) const { return params.count(name) > 0; }
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
  /// The parameter or file part `name` (multipart parts may come with or without a filename).
  std::string bytes(const std::string& name) const {
    auto it = files.find(name);
    return it != files.end() ? it->second : param(name);
  }
  std::vector<std::string> fields() const;  ///< `fields` split at top-level commas
  /// A request header (upload hosts take their arguments there); "" for a call acted out later.
  std::string header(const std::string& name) const { return request ? request->get(name, "") : std::string(); }
};

}  // namespace emulators::graph

namespace emulators {

struct GraphApi::Impl {
  explicit Impl(GraphApi& api) : api(api) {}
  GraphApi& api;
  /// The faults of the calls that make a post go live (GraphApi::faultNextCreates); thread-safe.
  marketsage::test::CreateFaults& faults() { return api.faults_; }
  mutable std::mutex mutex;
  std::unique_ptr<marketsage::test::TestServer> server;
  std::vector<Page> pages;
  std::set<std::string> granted;  ///< the user's permissions right now
  std::vector<std::string> consentScopes;
  std::map<std::string, graph::Token> tokens;
  std::map<std::string, graph::Code> codes;
  std::map<std::string, std::string> pageTokens;  ///< pageId|userToken -> page token
  std::vector<std::string> issued;
  std::map<std::string, Item> itemsById;
  std::vector<std::string> order;
  /// A multi-request upload in progress: Page video sessions (by upload_session_id) and IG
  /// resumable containers (by container id).
  struct Upload {
    std::string itemId;
    uint64_t size = 0;
    std::string data;
  };
  std::map<std::string, Upload> uploads;
  /// An IG container being processed: IN_PROGRESS until its bytes arrived and `pollsLeft` status
  /// reads went by, then `outcome`.
  struct Processing {
    int pollsLeft = 0;
    std::string outcome = "FINISHED";
    bool waitingForUpload = false;
  };
  std::map<std::string, Processing> processing;
  long long nextNumber = 1000000000000100;
  bool denyConsent = false;
  std::string nextContainerStatus;
  int rateLimitCalls = 0, rateLimitCode = 0, failingCalls = 0, failAt = 0, calls = 0;
  std::set<std::string> versionsSeen;
  std::vector<std::string> log;

  // Everything below expects `mutex` held.
  std::string newId() { return std::to_string(nextNumber++); }
  std::string issueToken(graph::Token token, const std::string& prefix);
  Item& add(Item item);
  /// The Page token /me/accounts gives the holder of `userToken` for `pageId` (one per pair).
  std::string pageTokenFor(const std::string& pageId, const std::string& userToken);
  Item* find(const std::string& id);
  const Item* find(const std::string& id) const;
  const Page* page(const std::string& id) const;
  const Page* igUser(const std::string& id) const;
  /// The token of the call, checked (exists, not expired/revoked); throws the Graph error.
  const graph::Token& authenticate(const graph::Call& call);
  /// Throws code 10 naming `permission` when the user no longer grants it.
  void require(const std::string& permission, int code = 10) const;
  /// Page writes: a Page token of `pageId` with pages_manage_posts, else (#200).
  void requirePageToken(const graph::Call& call, const std::string& pageId);
  /// Instagram: a user or Page token reaching `igUserId`, with `permission`.
  void requireInstagram(const graph::Call& call, const std::string& igUserId, const std::string& permission);
};

}  // namespace emulators

namespace emulators::graph {

using Impl = GraphApi::Impl;

long long nowMs();
std::string hex(const std::string& bytes);
std::string sha256(const std::string& bytes);
std::string hmacSha256Hex(const std::string& key, const std::string& text);
std::string randomToken(const std::string& prefix);
std::string isoTime(long long unixSeconds);  ///< "2026-11-25T10:00:00+0000", as Graph writes times

// Handlers: each returns the JSON body of a 200 answer or throws GraphError. `impl.mutex` is held.
json::value login(Impl& impl, Call& call);      // oauth/access_token, debug_token, me, me/*
json::value pages(Impl& impl, Call& call);      // /{page}/feed|photos|videos, /{id} of Page objects
json::value instagram(Impl& impl, Call& call);  // /{ig-user}/media|media_publish|..., /{ig-object}
json::value insights(Impl& impl, Call& call);   // /{id}/insights
/// A cursor-paged edge as Graph answers it: `newestFirst` filtered by since/until (unix seconds, on
/// createdAt), `limit` (25 by default, at most 100) from the `after` cursor on, each row drawn by
/// `render`, with paging.cursors.before/after and paging.next (previous) as absolute URLs.
json::value pagedList(const Impl& impl, const Call& call, const std::vector<const Item*>& newestFirst,
                      const std::function<json::value(const Item&)>& render);
/// POST /ig-api-upload/{v}/{container}: the rupload host. Raw body, OAuth header.
json::value rupload(Impl& impl, Call& call);
/// Resumable Upload API: POST /{app-id}/uploads, POST|GET /upload:<session> (raw body, OAuth header).
json::value uploadApi(Impl& impl, Call& call);
/// The server's one handler: parses the call, injects faults, routes, answers (GraphEmulator.cpp).
void serve(Impl& impl, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
/// GET /{v}/dialog/oauth: answers the redirect itself.
void dialog(Impl& impl, Call& call, Poco::Net::HTTPServerResponse& response);
/// Fetches `url` over HTTP as Meta's crawler does: the body, or nullopt when unreachable / not 200.
using marketsage::test::fetchMedia;

}  // namespace emulators::graph
