// A loopback HTTP server for tests: an emulated platform answering through one handler function,
// plus the small request/response helpers every platform emulator under tests/emulators/ uses.
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
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

/// The whole request body (emulators only see small bodies or count uploaded bytes).
std::string readBody(Poco::Net::HTTPServerRequest& request);

/// The token of an "Authorization: Bearer <token>" (or "OAuth <token>") header, if any.
std::optional<std::string> bearerToken(const Poco::Net::HTTPServerRequest& request);

/// Query parameters of the request URI, and — for an application/x-www-form-urlencoded body —
/// the body's fields, merged (body wins), as a form-encoded API such as Graph reads them.
/// `body` is the already-read request body.
std::map<std::string, std::string> formParameters(const Poco::Net::HTTPServerRequest& request, const std::string& body);

/// Sends a 302 to `location` with an empty body.
void redirect(Poco::Net::HTTPServerResponse& response, const std::string& location);

}  // namespace marketsage::test
