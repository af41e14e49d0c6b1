#pragma once
/// One request and its response, with the checks every handler needs: who is calling, which
/// organization they may reach, what they may do, and a size-limited, strictly parsed body.

#include "auth/Roles.h"
#include "core/Problem.h"
#include "http/Request.h"
#include "tenants/Authenticator.h"
#include "tenants/Directory.h"
#include "tenants/Model.h"
#include "tenants/TenantStore.h"

#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>

namespace marketsage::http {

class RateLimiter;

/// What every request is checked against before and while its handler runs.
struct Gate {
  tenants::Authenticator& authenticator;
  RateLimiter& rateLimiter;
  tenants::Directory& directory;
  std::size_t maxBodyBytes;
};

class Exchange {
 public:
  Exchange(Request& request, Response& response, const Gate& gate, std::string requestId);

  const std::string& requestId() const { return requestId_; }
  Request& request() { return request_; }
  Response& response() { return response_; }
  /// A request header (case-insensitive name), or "".
  std::string header(std::string_view name) const { return request_.header(name); }
  const std::string& remoteAddress() const { return request_.clientAddress(); }

  void setPathParams(std::map<std::string, std::string> params) { params_ = std::move(params); }
  const std::string& param(const std::string& name) const { return params_.at(name); }
  bool hasParam(const std::string& name) const { return params_.count(name) > 0; }
  std::optional<std::string> query(const std::string& name) const;
  /// The request's cookies (RFC 6265 Cookie field), by name.
  std::map<std::string, std::string> cookies() const;

  /// Resolves the API key; throws 401 when it is missing or not valid, 429 when the key is over its
  /// rate or the address has failed to authenticate too often.
  void authenticate();
  /// Throws 429 when the client's address is over its rate.
  void limitClientAddress();
  const tenants::Principal& principal() const;
  /// The permission the route requires (its entry in the route table), set by the dispatcher.
  void setPermission(std::optional<auth::Permission> permission) { permission_ = permission; }
  /// Throws 403 unless the caller's role has the route's permission. The tenant accessors below
  /// call it once the organization is known, so that another organization's ids answer 404
  /// whatever the role; a route that reaches no organization calls it itself. A route with a
  /// permission cannot answer with success before it was checked (send() refuses: 500).
  void authorize();
  /// The store of `organizationId` if the caller may reach it: their own organization, or any
  /// existing one for SUPER_ADMIN. Everything else is 404 — the same answer as "no such org".
  /// Then authorize().
  tenants::TenantStore tenant(const std::string& organizationId);
  /// The caller's own organization, after authorize().
  tenants::TenantStore ownTenant();
  /// The organization a route acts on: `?organizationId=` (a SUPER_ADMIN reaching another one,
  /// else 404 as for any organization the caller may not reach) or the caller's own.
  tenants::TenantStore targetTenant();
  tenants::Actor actor() const;

  /// The request body as a JSON object; 413 over the size limit, 415 for a non-JSON type,
  /// 400 for malformed JSON, invalid UTF-8 or a non-object.
  boost::json::object jsonBody();

  /// The raw request body as a stream, for uploads that must not sit in memory (routes added with
  /// Body::Streamed). The caller enforces its own size limit while reading.
  std::istream& bodyStream() { return request_.body(); }

  void send(int status, const boost::json::value& body);
  /// 200 with `size` bytes streamed from `body` (a media file, from disk or the database).
  void sendStream(std::istream& body, std::uint64_t size, const std::string& contentType);
  void sendNoContent();
  /// 302 Found to `location`.
  void redirect(const std::string& location);
  void sendText(int status, const std::string& contentType, const std::string& body);
  void sendProblem(const Problem& problem);
  bool sent() const { return status_ != 0; }
  int status() const { return status_; }

 private:
  std::string readBody();
  /// Refuses (std::logic_error) to answer with success for a route whose permission was never checked.
  void requireAuthorized() const;
  void finish(int status, const std::string& contentType, const std::string& body);

  Request& request_;
  Response& response_;
  const Gate& gate_;
  std::string requestId_;
  std::map<std::string, std::string> params_;
  std::optional<tenants::Principal> principal_;
  std::optional<auth::Permission> permission_;
  bool authorized_ = false;
  int status_ = 0;
};

}  // namespace marketsage::http
