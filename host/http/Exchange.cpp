#include "http/Exchange.h"

#include "core/Json.h"
#include "core/Time.h"
#include "http/RateLimiter.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <boost/json.hpp>

namespace marketsage::http {

Exchange::Exchange(Request& request, Response& response, const Gate& gate, std::string requestId)
    : request_(request), response_(response), gate_(gate), requestId_(std::move(requestId)) {}

std::optional<std::string> Exchange::query(const std::string& name) const {
  if (request_.target().find('?') == std::string::npos) return std::nullopt;  // most requests: no URI to parse
  try {
    for (const auto& [key, value] : Poco::URI(request_.target()).getQueryParameters()) {
      if (key == name) return value;
    }
  } catch (const Poco::Exception&) {
    throw Problem::badInput("the query string is malformed");
  }
  return std::nullopt;
}

std::map<std::string, std::string> Exchange::cookies() const {
  std::map<std::string, std::string> out;
  const std::string field = request_.header("Cookie");
  std::size_t start = 0;
  while (start < field.size()) {
    auto end = field.find(';', start);
    if (end == std::string::npos) end = field.size();
    auto pair = std::string_view(field).substr(start, end - start);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (const auto eq = pair.find('='); eq != std::string_view::npos && eq > 0) {
      out.emplace(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
    }
    start = end + 1;
  }
  return out;
}

namespace {

Problem tooManyRequests(const std::string& detail, int retryAfter) {
  return Problem(429, "too-many-requests", "Too many requests", detail).retryAfter(retryAfter);
}

}  // namespace

void Exchange::authenticate() {
  using Scope = RateLimiter::Scope;
  auto& limiter = gate_.rateLimiter;
  const auto now = time::nowMillis();
  // An address that keeps presenting bad keys waits before it may try again.
  if (const auto wait = limiter.peek(Scope::AuthFailure, remoteAddress(), now)) {
    limiter.countRefusal(Scope::AuthFailure);
    throw tooManyRequests("too many failed authentications from this address; try again later", *wait);
  }
  principal_ = gate_.authenticator.authenticate(request_.header("Authorization"));
  if (!principal_) {
    limiter.take(Scope::AuthFailure, remoteAddress(), now);
    throw Problem::unauthenticated("send a valid API key as \"Authorization: Bearer <key>\"");
  }
  if (const auto wait = limiter.take(Scope::Key, principal_->keyId, now)) {
    limiter.countRefusal(Scope::Key);
    throw tooManyRequests("this API key sent too many requests; slow down", *wait);
  }
}

void Exchange::limitClientAddress() {
  using Scope = RateLimiter::Scope;
  auto& limiter = gate_.rateLimiter;
  if (const auto wait = limiter.take(Scope::Address, remoteAddress(), time::nowMillis())) {
    limiter.countRefusal(Scope::Address);
    throw tooManyRequests("this address sent too many requests; slow down", *wait);
  }
}

const tenants::Principal& Exchange::principal() const {
  if (!principal_) throw Problem::unauthenticated("send a valid API key as \"Authorization: Bearer <key>\"");
  return *principal_;
}

void Exchange::authorize() {
  if (permission_ && !auth::allows(principal().role, *permission_)) {
    throw Problem::forbidden("the role " + std::string(auth::roleName(principal().role)) + " may not do this");
  }
  authorized_ = true;
}

void Exchange::requireAuthorized() const {
  if (permission_ && !authorized_)
    throw std::logic_error("the handler answered before checking the route's permission");
}

tenants::TenantStore Exchange::tenant(const std::string& organizationId) {
  const auto& caller = principal();
  const bool reachable = caller.organizationId == organizationId ||
                         (caller.role == auth::Role::SuperAdmin && gate_.directory.findOrganization(organizationId));
  if (!reachable) throw Problem::notFound("no such organization");
  authorize();
  return gate_.directory.tenant(organizationId);
}

tenants::TenantStore Exchange::ownTenant() {
  authorize();
  return gate_.directory.tenant(principal().organizationId);
}

tenants::Actor Exchange::actor() const {
  return {principal_ ? principal_->userId : std::string(), remoteAddress(), requestId_};
}

std::string Exchange::readBody() {
  const std::size_t limit = gate_.maxBodyBytes;
  const auto declared = request_.contentLength();
  if (declared && *declared > limit)
    throw Problem::tooLarge("the body is larger than " + std::to_string(limit) + " bytes");
  std::string body;
  char buffer[16384];
  auto& in = request_.body();
  while (in) {
    in.read(buffer, sizeof buffer);
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (body.size() > limit) throw Problem::tooLarge("the body is larger than " + std::to_string(limit) + " bytes");
  }
  return body;
}

boost::json::object Exchange::jsonBody() {
  const std::string type = request_.contentType();
  if (!type.empty() && type.rfind("application/json", 0) != 0) {
    throw Problem::unsupportedMediaType("send the body as application/json");
  }
  const std::string body = readBody();
  boost::json::error_code ec;
  // Boost.JSON rejects invalid UTF-8 by default, so every string we see is well-formed.
  auto value = boost::json::parse(body, ec);
  if (ec) throw Problem::badInput("the body is not valid JSON: " + ec.message());
  if (!value.is_object()) throw Problem::badInput("the body must be a JSON object");
  return std::move(value.get_object());
}

void Exchange::finish(int status, const std::string& contentType, const std::string& body) {
  status_ = status;
  response_.set("X-Request-Id", requestId_);
  response_.send(status, contentType, body);
}

tenants::TenantStore Exchange::targetTenant() {
  const auto organizationId = query("organizationId");
  return organizationId ? tenant(*organizationId) : ownTenant();
}

void Exchange::sendStream(std::istream& body, std::uint64_t size, const std::string& contentType) {
  requireAuthorized();
  status_ = 200;
  response_.set("X-Request-Id", requestId_);
  response_.sendStream(body, size, contentType);
}

void Exchange::send(int status, const boost::json::value& body) {
  requireAuthorized();
  finish(status, "application/json", jsontext::write(body));
}

void Exchange::sendNoContent() {
  requireAuthorized();
  finish(204, "", "");
}

void Exchange::redirect(const std::string& location) {
  requireAuthorized();
  response_.set("Location", location);
  finish(302, "", "");
}

void Exchange::sendText(int status, const std::string& contentType, const std::string& body) {
  requireAuthorized();
  finish(status, contentType, body);
}

void Exchange::sendProblem(const Problem& problem) {
  if (problem.retryAfterSeconds() > 0) response_.set("Retry-After", std::to_string(problem.retryAfterSeconds()));
  finish(problem.status(), "application/problem+json", problem.json(requestId_));
}

}  // namespace marketsage::http
