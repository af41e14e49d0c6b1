#include "http/Server.h"

#include "app/Host.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Time.h"
#include "http/Exchange.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

namespace marketsage::http {
namespace {

/// A fresh request id: 64 bits from a per-thread generator. Ids need to be unique, not secret,
/// and the CSPRNG's locking cost 7% of a cached read request.
std::string newRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(generator()));
  return text;
}

/// An incoming X-Request-Id is kept when it is short and plain; otherwise we make one.
std::string requestIdFor(const Poco::Net::HTTPServerRequest& request) {
  const std::string& incoming = request.get("X-Request-Id", "");
  const bool plain = !incoming.empty() && incoming.size() <= 64 &&
                     incoming.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") == std::string::npos;
  return plain ? incoming : newRequestId();
}

std::string pathOf(const std::string& uri) { return uri.substr(0, uri.find('?')); }

class Dispatcher final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Dispatcher(app::Host& host) : host_(host) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const auto started = std::chrono::steady_clock::now();
    Exchange exchange(request, response, host_, requestIdFor(request));
    std::string routeLabel = "unmatched";
    const std::string path = pathOf(request.getURI());
    try {
      const auto match = host_.router().match(request.getMethod(), path);
      if (match.route == nullptr) {
        if (match.allowedMethods.empty()) throw Problem::notFound("no route for " + request.getMethod() + " " + path);
        std::string allow;
        for (const auto& method : match.allowedMethods) allow += (allow.empty() ? "" : ", ") + method;
        response.set("Allow", allow);
        throw Problem(405, "method-not-allowed", "Method not allowed", request.getMethod() + " is not allowed here; use " + allow);
      }
      routeLabel = match.route->pattern;
      exchange.setPathParams(match.params);
      if (match.route->access == Access::Authenticated) exchange.authenticate();
      match.route->handler(exchange);
      if (!exchange.sent()) throw std::logic_error("handler for " + routeLabel + " sent no response");
    } catch (const Problem& problem) {
      if (!exchange.sent()) exchange.sendProblem(problem);
    } catch (const std::exception& e) {
      log::error("request failed", {{"requestId", exchange.requestId()}, {"route", routeLabel}, {"error", describe(e)}});
      if (!exchange.sent()) {
        exchange.sendProblem(Problem(500, "internal", "Internal error", "the request failed; quote request id " + exchange.requestId()));
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    host_.metrics().record(routeLabel, request.getMethod(), exchange.status(), seconds);
    if (host_.config().accessLog) writeAccessLog(exchange, request, path, seconds);
  }

 private:
  /// Path only: a query string may carry an OAuth code or state, which never reaches a log.
  void writeAccessLog(Exchange& exchange, Poco::Net::HTTPServerRequest& request, const std::string& path, double seconds) {
    boost::json::object line{{"ts", time::formatIso8601(time::nowMillis())},
                             {"level", "info"},
                             {"msg", "request"},
                             {"requestId", exchange.requestId()},
                             {"method", request.getMethod()},
                             {"path", path},
                             {"status", exchange.status()},
                             {"durationUs", static_cast<std::int64_t>(seconds * 1e6)},
                             {"remote", exchange.remoteAddress()}};
    log::writeRaw(boost::json::serialize(line));
  }

  app::Host& host_;
};

class DispatcherFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit DispatcherFactory(app::Host& host) : host_(host) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Dispatcher(host_); }

 private:
  app::Host& host_;
};

Poco::Net::ServerSocket bindSocket(const config::ServerConfig& server) {
  const Poco::Net::SocketAddress address(server.host, static_cast<Poco::UInt16>(server.port));
  if (server.tlsCertificate.empty()) return Poco::Net::ServerSocket(address, 256);
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, server.tlsPrivateKey,
                                                          server.tlsCertificate, "", Poco::Net::Context::VERIFY_NONE);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  return Poco::Net::SecureServerSocket(address, 256, context);
}

}  // namespace

Server::Server(app::Host& host) {
  const auto& config = host.config().server;
  try {
    auto socket = bindSocket(config);
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(config.maxThreads);
    params->setMaxQueued(config.maxQueued);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);  // unlimited on one connection
    params->setKeepAliveTimeout(Poco::Timespan(15, 0));
    params->setTimeout(Poco::Timespan(30, 0));
    params->setServerName("marketsage");
    // A pool of our own, sized to the configuration (Poco's default pool stops at 16 threads).
    pool_ = std::make_unique<Poco::ThreadPool>("http", 4, config.maxThreads + 4, 60);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new DispatcherFactory(host), *pool_, socket, params);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot listen on " + config.host + ":" + std::to_string(config.port) + ": " + e.displayText());
  }
}

Server::~Server() = default;

void Server::start() { server_->start(); }

int Server::port() const { return port_; }

bool Server::stop(int drainSeconds) {
  server_->stopAll(false);  // stop accepting; kept-alive connections close after their current request
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(drainSeconds);
  while (server_->currentConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const bool drained = server_->currentConnections() == 0;
  if (!drained) server_->stopAll(true);
  return drained;
}

}  // namespace marketsage::http
