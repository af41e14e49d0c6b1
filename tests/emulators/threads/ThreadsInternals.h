// The emulator's state and the helpers its routes share (ThreadsEmulator.cpp, ThreadsRoutes.cpp).
#pragma once

#include "ThreadsEmulator.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace emulators {

namespace json = boost::json;

// Everything but Impl lives in its own namespace: other emulators linked into the same test
// binaries define names of their own in `emulators`.
namespace threadsimpl {

/// A Graph error object: {"error":{"message","type","code","error_subcode?","is_transient?","fbtrace_id"}}.
struct GraphError : std::runtime_error {
  int status, code, subcode;
  std::string type;
  bool transient;
  GraphError(int code, std::string message, int subcode = 0, int status = 400, std::string type = "OAuthException",
             bool transient = false)
      : std::runtime_error(std::move(message)),
        status(status),
        code(code),
        subcode(subcode),
        type(std::move(type)),
        transient(transient) {}
};

/// (#100) for a missing or wrong parameter.
GraphError badParameter(const std::string& message);
/// (#100/33) for an id that is not there (or not the caller's).
GraphError noSuchObject(const std::string& id, const char* method);

struct Token {
  std::string userId;
  bool longLived = false, expired = false;
};

/// One API request as the routes read it.
struct Call {
  Poco::Net::HTTPServerRequest& request;
  Poco::Net::HTTPServerResponse& response;
  std::string method, path;                   ///< path without the query
  std::vector<std::string> segments;          ///< of the path, after the version
  std::map<std::string, std::string> params;  ///< query and form body
  std::string param(const std::string& name) const {
    const auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

}  // namespace threadsimpl
using namespace threadsimpl;

struct ThreadsApi::Impl {
  explicit Impl(ThreadsApi& api) : api(api) {}
  ThreadsApi& api;
  mutable std::mutex mutex;
  std::map<std::string, Token> tokens;
  std::map<std::string, std::string> codes;  ///< authorization code -> redirect_uri
  std::map<std::string, Item> items;
  std::vector<std::string> order;  ///< item ids, oldest first
  std::map<std::string, Stats> stats;
  std::vector<std::string> requests, issued;
  std::vector<std::pair<std::string, std::string>> endings;  ///< next containers' final status
  marketsage::test::CreateFaults faults;
  long long nextId = 18050000000000000LL;
  std::unique_ptr<marketsage::test::TestServer> server;

  std::string newId() { return std::to_string(++nextId); }
  std::string issue(const std::string& prefix, bool longLived);  ///< a new token (mutex held)
  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

  // ThreadsRoutes.cpp
  void authorize(Call& call);
  json::object codeExchange(Call& call);
  json::object longLivedExchange(Call& call);
  json::object refresh(Call& call);
  json::value route(Call& call, const std::string& userId);  ///< every versioned call, token checked
  /// The user of the call's token (access_token or Bearer), checking appsecret_proof when given.
  std::string authenticate(const Call& call);
};

namespace threadsimpl {
std::string isoTime(long long unixSeconds);
long long nowSeconds();
void sendError(Poco::Net::HTTPServerResponse& response, const GraphError& e);
}  // namespace threadsimpl

}  // namespace emulators
