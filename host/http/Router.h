#pragma once
/// Maps "METHOD /path/{param}" to a handler. A path that exists under another method answers
/// 405 with Allow; anything else 404.

#include "auth/Roles.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketsage::http {

class Exchange;
using Handler = std::function<void(Exchange&)>;

/// Who reaches a route's handler: anyone, or a caller with a valid API key (and, for most routes,
/// a role that has the route's permission: the dispatcher checks it before the handler runs).
enum class Access { Public, Authenticated };

/// How a route takes its body: read whole by the server before the handler runs (up to
/// server.maxBodyBytes), or streamed to the handler as it arrives (uploads of any size; the
/// handler is only reached after authentication, so anonymous clients never hold a thread).
enum class Body { Buffered, Streamed };

struct Route {
  std::string method;
  std::string pattern;  ///< "/api/orgs/{id}/users" — also the metrics label
  Access access;
  std::optional<auth::Permission> permission;  ///< required of an authenticated caller's role
  Handler handler;
  Body body = Body::Buffered;
  std::vector<std::string> segments;
};

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  std::vector<std::string> allowedMethods;  ///< set when the path exists under other methods
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler, Body body = Body::Buffered);
  /// An authenticated route whose callers' role must have `permission` (403 otherwise).
  void add(std::string method, std::string pattern, auth::Permission permission, Handler handler,
           Body body = Body::Buffered);
  /// `path` without the query string. [thread-safe once built]
  RouteMatch match(std::string_view method, std::string_view path) const;
  /// Every route in the order added: what the OpenAPI document must describe (tests compare).
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace marketsage::http
