// bench_bare_poco: the baseline for bench/http-read.
//
// A minimal Poco::Net::HTTPServer that answers every request with a constant small JSON body.
// It is set up the way the host's http/Server.cpp sets up its server (own ThreadPool of
// maxThreads + 4 threads, maxThreads 128, maxQueued 1024, backlog 256, keep-alive with
// unlimited requests per connection, same timeouts), so that the only difference measured by
// the benchmark is what the host does per request: routing, authentication, the database
// read, JSON, metrics and the access log.
//
// Usage: bench_bare_poco PORT [HOST]   (HOST defaults to 127.0.0.1; PORT 0 picks a free one)
// Prints "listening on HOST:PORT" once ready; stops cleanly on SIGTERM or SIGINT.

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

constexpr int kMaxThreads = 128;  // the host's default server.maxThreads
constexpr int kMaxQueued = 1024;  // the host's default server.maxQueued

const std::string kBody = R"({"status":"ok","server":"bare-poco"})";

class ConstantHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    // Drain any request body so that keep-alive stays in step.
    auto& in = request.stream();
    char sink[4096];
    while (in.read(sink, sizeof sink) || in.gcount() > 0) {
    }
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("application/json");
    response.sendBuffer(kBody.data(), kBody.size());
  }
};

class ConstantFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new ConstantHandler;
  }
};

int usage() {
  std::cerr << "usage: bench_bare_poco PORT [HOST]\n"
               "  Answers every HTTP request with a constant JSON body; stops on SIGTERM/SIGINT.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) return usage();
  const std::string portText = argv[1];
  if (portText == "-h" || portText == "--help") {
    usage();
    return 0;
  }
  char* end = nullptr;
  const long port = std::strtol(portText.c_str(), &end, 10);
  if (end == portText.c_str() || *end != '\0' || port < 0 || port > 65535) return usage();
  const std::string host = argc == 3 ? argv[2] : "127.0.0.1";

  // Block the stop signals before any thread starts, so that only sigwait() below sees them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), 256);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(kMaxThreads);
    params->setMaxQueued(kMaxQueued);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    params->setKeepAliveTimeout(Poco::Timespan(15, 0));
    params->setTimeout(Poco::Timespan(30, 0));
    params->setServerName("bare-poco");
    Poco::ThreadPool pool("bare", 4, kMaxThreads + 4, 60);
    Poco::Net::HTTPServer server(new ConstantFactory, pool, socket, params);
    server.start();
    std::cout << "listening on " << host << ":" << socket.address().port() << std::endl;

    int signal = 0;
    sigwait(&stopSignals, &signal);
    server.stopAll(true);
    pool.joinAll();
  } catch (const Poco::Exception& e) {
    std::cerr << "bench_bare_poco: " << e.displayText() << "\n";
    return 1;
  }
  return 0;
}
