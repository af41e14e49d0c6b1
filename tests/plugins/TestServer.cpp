#include "TestServer.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>

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

}  // namespace marketsage::test
