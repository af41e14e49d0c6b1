#include "TestServer.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace marketsage::test {

namespace {

class FunctionHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit FunctionHandler(const TestServer::Handler& f) : f_(f) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override { f_(req, resp); }

 private:
  const TestServer::Handler& f_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(TestServer::Handler f) : f_(std::move(f)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new FunctionHandler(f_);
  }

 private:
  TestServer::Handler f_;
};

}  // namespace

TestServer::TestServer(Handler handler) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(32);
  params->setMaxQueued(256);
  params->setKeepAlive(false);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(std::move(handler)), socket, params);
  server_->start();
}

TestServer::~TestServer() { server_->stopAll(true); }

std::string TestServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }
unsigned short TestServer::port() const { return port_; }

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const std::string& body, const std::string& header,
              const std::string& value) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  if (!header.empty()) response.set(header, value);
  response.setContentType("application/json");
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send() << body;
}

std::string readBody(Poco::Net::HTTPServerRequest& request) {
  std::string body;
  Poco::StreamCopier::copyToString(request.stream(), body);
  return body;
}

std::optional<std::string> bearerToken(const Poco::Net::HTTPServerRequest& request) {
  const std::string header = request.get("Authorization", "");
  for (const std::string scheme : {"Bearer ", "OAuth "})
    if (header.rfind(scheme, 0) == 0 && header.size() > scheme.size()) return header.substr(scheme.size());
  return std::nullopt;
}

std::map<std::string, std::string> formParameters(const Poco::Net::HTTPServerRequest& request,
                                                  const std::string& body) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : Poco::URI(request.getURI()).getQueryParameters()) out[name] = value;
  if (request.getContentType().rfind("application/x-www-form-urlencoded", 0) == 0) {
    Poco::URI parsed;
    parsed.setRawQuery(body);
    for (const auto& [name, value] : parsed.getQueryParameters()) out[name] = value;
  }
  return out;
}

void redirect(Poco::Net::HTTPServerResponse& response, const std::string& location) {
  response.setStatus(Poco::Net::HTTPResponse::HTTP_FOUND);
  response.set("Location", location);
  response.setContentLength(0);
  response.send();
}

}  // namespace marketsage::test
