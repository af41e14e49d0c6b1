#include "http/Dispatcher.h"

#include "core/Errors.h"
#include "core/Log.h"
#include "http/Exchange.h"
#include "http/Metrics.h"
#include "http/Router.h"
#include "http/Server.h"

#include <boost/json.hpp>

#include <chrono>

namespace marketsage::http {
namespace {

/// An incoming X-Request-Id is kept when it is short and plain; otherwise we make one.
std::string requestIdFor(const Request& request) {
  const std::string incoming = request.header("X-Request-Id");
  const bool plain = !incoming.empty() && incoming.size() <= 64 &&
                     incoming.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
                         std::string::npos;
  return plain ? incoming : newRequestId();
}

/// Path only: a query string may carry an OAuth code or state, which never reaches a log. The
/// line is written out directly, once per request: the same JSON a boost::json::object would
/// give, without building one. Every text field is quoted by Boost.JSON.
void writeAccessLog(const Exchange& exchange, const Request& request, double seconds) {
  const auto quoted = [](std::string_view text) { return boost::json::serialize(boost::json::string_view(text)); };
  std::string line;
  line.reserve(256);
  line.append(R"({"ts":")").append(log::timestamp()).append(R"(","level":"info","msg":"request","requestId":)");
  line.append(quoted(exchange.requestId())).append(R"(,"method":)").append(quoted(request.method()));
  line.append(R"(,"path":)").append(quoted(request.path())).append(R"(,"status":)");
  line.append(std::to_string(exchange.status())).append(R"(,"durationUs":)");
  line.append(std::to_string(static_cast<std::int64_t>(seconds * 1e6))).append(R"(,"remote":)");
  line.append(quoted(exchange.remoteAddress())).append("}");
  log::writeRaw(line);
}

}  // namespace

void Dispatcher::serve(Request& request, Response& response) {
  const auto started = std::chrono::steady_clock::now();
  Exchange exchange(request, response, gate_, requestIdFor(request));
  std::string routeLabel = "unmatched";
  try {
    exchange.limitClientAddress();
    // HEAD is GET without the body (RFC 9110 section 9.3.2); Response leaves the body out.
    const auto match = router_.match(request.method() == "HEAD" ? "GET" : request.method(), request.path());
    if (match.route == nullptr) {
      if (match.allowedMethods.empty())
        throw Problem::notFound("no route for " + request.method() + " " + request.path());
      std::string allow;
      for (const auto& method : match.allowedMethods) allow += (allow.empty() ? "" : ", ") + method;
      response.set("Allow", allow);
      throw Problem(405, "method-not-allowed", "Method not allowed",
                    request.method() + " is not allowed here; use " + allow);
    }
    routeLabel = match.route->pattern;
    exchange.setPathParams(match.params);
    if (match.route->access == Access::Authenticated) exchange.authenticate();
    exchange.setPermission(match.route->permission);
    match.route->handler(exchange);
    if (!exchange.sent()) throw std::logic_error("handler for " + routeLabel + " sent no response");
  } catch (const Problem& problem) {
    if (!exchange.sent()) exchange.sendProblem(problem);
  } catch (const std::exception& e) {
    const auto problem = problemOf_ ? problemOf_(e) : std::nullopt;
    if (problem) {
      if (!exchange.sent()) exchange.sendProblem(*problem);
    } else {
      log::error("request failed",
                 {{"requestId", exchange.requestId()}, {"route", routeLabel}, {"error", describe(e)}});
      if (!exchange.sent()) {
        exchange.sendProblem(
            Problem(500, "internal", "Internal error", "the request failed; quote request id " + exchange.requestId()));
      }
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.record(routeLabel, request.method(), exchange.status(), seconds);
  if (accessLog_) writeAccessLog(exchange, request, seconds);
}

bool Dispatcher::streamsBody(const RequestHead& head) const {
  const auto match = router_.match(head.method, head.path);
  return match.route != nullptr && match.route->body == Body::Streamed;
}

void Dispatcher::refused(int status, const std::string& client, const std::string& detail) {
  metrics_.record("unmatched", "other", status, 0);
  log::info("request refused", {{"status", std::to_string(status)}, {"remote", client}, {"reason", detail}});
}

}  // namespace marketsage::http
