#include "http/Exchange.h"

#include "app/Host.h"

#include <Poco/Net/HTMLForm.h>
#include <Poco/URI.h>
#include <boost/json.hpp>

namespace marketsage::http {

Exchange::Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, app::Host& host,
                   std::string requestId)
    : request_(request), response_(response), host_(host), requestId_(std::move(requestId)) {}

std::string Exchange::remoteAddress() const { return request_.clientAddress().host().toString(); }

std::optional<std::string> Exchange::query(const std::string& name) const {
  try {
    for (const auto& [key, value] : Poco::URI(request_.getURI()).getQueryParameters()) {
      if (key == name) return value;
    }
  } catch (const Poco::Exception&) {
    throw Problem::badInput("the query string is malformed");
  }
  return std::nullopt;
}

void Exchange::authenticate() {
  principal_ = host_.authenticator().authenticate(request_.get("Authorization", ""));
  if (!principal_) throw Problem::unauthenticated("send a valid API key as \"Authorization: Bearer <key>\"");
}

const tenants::Principal& Exchange::principal() const {
  if (!principal_) throw Problem::unauthenticated("send a valid API key as \"Authorization: Bearer <key>\"");
  return *principal_;
}

void Exchange::require(auth::Permission permission) const {
  if (!auth::allows(principal().role, permission)) {
    throw Problem::forbidden("the role " + std::string(auth::roleName(principal().role)) + " may not do this");
  }
}

tenants::TenantStore Exchange::tenant(const std::string& organizationId) {
  const auto& caller = principal();
  if (caller.organizationId == organizationId) return {host_.database(), organizationId};
  if (caller.role == auth::Role::SuperAdmin && host_.directory().findOrganization(organizationId)) {
    return {host_.database(), organizationId};
  }
  throw Problem::notFound("no such organization");
}

tenants::TenantStore Exchange::ownTenant() { return {host_.database(), principal().organizationId}; }

tenants::Actor Exchange::actor() const {
  return {principal_ ? principal_->userId : std::string(), remoteAddress(), requestId_};
}

std::string Exchange::readBody() {
  const std::size_t limit = host_.config().server.maxBodyBytes;
  bodyConsumed_ = true;
  const auto declared = request_.getContentLength64();
  if (declared > 0 && static_cast<std::uint64_t>(declared) > limit) {
    throw Problem::tooLarge("the body is larger than " + std::to_string(limit) + " bytes");
  }
  std::string body;
  char buffer[16384];
  auto& in = request_.stream();
  while (in) {
    in.read(buffer, sizeof buffer);
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (body.size() > limit) throw Problem::tooLarge("the body is larger than " + std::to_string(limit) + " bytes");
  }
  return body;
}

boost::json::object Exchange::jsonBody() {
  const std::string type = request_.getContentType();
  if (!type.empty() && type.rfind("application/json", 0) != 0) {
    bodyConsumed_ = false;
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
  // A body we did not read would be parsed as the next request: close such connections.
  const bool hasBody = request_.getContentLength64() > 0 || request_.getChunkedTransferEncoding();
  if (hasBody && !bodyConsumed_) response_.setKeepAlive(false);
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.set("X-Request-Id", requestId_);
  if (!contentType.empty()) response_.setContentType(contentType);
  response_.setContentLength64(static_cast<Poco::Int64>(body.size()));
  response_.sendBuffer(body.data(), body.size());
}

std::istream& Exchange::bodyStream() {
  bodyConsumed_ = true;
  return request_.stream();
}

tenants::TenantStore Exchange::tenantFor(auth::Permission permission) {
  const auto organizationId = query("organizationId");
  auto tenant = organizationId ? this->tenant(*organizationId) : ownTenant();
  require(permission);
  return tenant;
}

void Exchange::sendFile(const std::string& path, const std::string& contentType) {
  status_ = 200;
  response_.set("X-Request-Id", requestId_);
  response_.sendFile(path, contentType);  // streams; sets Content-Length
}

void Exchange::send(int status, const boost::json::value& body) {
  finish(status, "application/json", boost::json::serialize(body));
}

void Exchange::sendNoContent() {
  status_ = 204;
  response_.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  response_.set("X-Request-Id", requestId_);
  response_.setContentLength(0);
  response_.send();
}

void Exchange::redirect(const std::string& location) {
  response_.set("Location", location);
  finish(302, "", "");
}

void Exchange::sendText(int status, const std::string& contentType, const std::string& body) {
  finish(status, contentType, body);
}

void Exchange::sendProblem(const Problem& problem) {
  if (problem.retryAfterSeconds() > 0) response_.set("Retry-After", std::to_string(problem.retryAfterSeconds()));
  boost::json::object body{{"type", problem.type()},
                           {"title", problem.title()},
                           {"status", problem.status()},
                           {"detail", problem.detail()},
                           {"requestId", requestId_}};
  if (problem.status() == 413) response_.setKeepAlive(false);
  finish(problem.status(), "application/problem+json", boost::json::serialize(body));
  if (problem.status() == 413) discardBody();
}

void Exchange::discardBody() {
  // Like nginx's lingering close: read (and drop) what the client is still sending so that it
  // sees our 413 instead of a connection reset. Past the bound, the connection is simply closed.
  constexpr std::streamsize drainLimit = 16 * 1024 * 1024;
  char buffer[16384];
  std::streamsize drained = 0;
  auto& in = request_.stream();
  try {
    while (in && drained < drainLimit) {
      in.read(buffer, sizeof buffer);
      drained += in.gcount();
    }
  } catch (const std::exception&) {
    // The client gave up; nothing to do.
  }
}

}  // namespace marketsage::http
