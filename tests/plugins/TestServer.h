// A loopback HTTP server for tests: an emulated platform answering through one handler function.
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <functional>
#include <memory>
#include <string>

namespace marketsage::test {

class TestServer {
 public:
  using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;
  explicit TestServer(Handler handler);  ///< Starts on 127.0.0.1, on a free port.
  ~TestServer();                         ///< Stops and waits for running handlers.
  std::string url() const;               ///< "http://127.0.0.1:<port>"
  unsigned short port() const;

 private:
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  unsigned short port_ = 0;
};

/// Sends `body` as JSON with `status` (and optional extra header).
void sendJson(Poco::Net::HTTPServerResponse& response, int status, const std::string& body,
              const std::string& header = {}, const std::string& value = {});

}  // namespace marketsage::test
