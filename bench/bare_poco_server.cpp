// bench_bare_poco: the baseline for bench/http-read.
//
// A minimal Poco::Net::HTTPServer that answers every request with a constant small JSON body.
// It is set up the way the host's http/Server.cpp sets up its server (own ThreadPool of
// maxThreads + 4 threads, maxThreads 128, maxQueued 1024, backlog 256, keep-alive with
// unlimited requests per connection, same timeouts), so that the only difference measured by
// the benchmark is what the host does per request: routing, authentication, the database
// read, JSON, metrics and the access log.
//
// Usage: bench_bare_poco PORT [HOST] [--telegram]   (HOST defaults to 127.0.0.1; PORT 0 picks a free one)
// Prints "listening on HOST:PORT" once ready; stops cleanly on SIGTERM or SIGINT.
//
// --telegram: instead of the constant body, answers the three Bot API methods the Telegram
// plugin's list_accounts calls (getMe, getChat, getChatMember) for any token and chat id, so
// that bench/http-read can connect a few channels through the host's own API
// (POST /api/social-media/connect/telegram) without reaching Telegram. Not a baseline then.

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

/// The chat id a Bot API call names in its JSON body ({"chat_id":-100…}), or "".
std::string chatIdOf(const std::string& body) {
  const auto at = body.find("\"chat_id\":");
  if (at == std::string::npos) return {};
  auto begin = at + 10;
  auto end = begin;
  while (end < body.size() && (body[end] == '-' || (body[end] >= '0' && body[end] <= '9'))) ++end;
  return body.substr(begin, end - begin);
}

/// A Bot API stand-in: the bot is an administrator allowed to post in every channel it is asked about.
class TelegramHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    std::string body;
    auto& in = request.stream();
    char block[4096];
    while (in.read(block, sizeof block) || in.gcount() > 0) body.append(block, static_cast<std::size_t>(in.gcount()));
    const auto& uri = request.getURI();
    const auto method = uri.substr(uri.rfind('/') + 1);
    const auto chat = chatIdOf(body);
    std::string answer = R"({"ok":false,"error_code":404,"description":"Not Found"})";
    if (method == "getMe") {
      answer = R"({"ok":true,"result":{"id":4242424242,"is_bot":true,"first_name":"Bench","username":"bench_bot"}})";
    } else if (method == "getChat" && !chat.empty()) {
      answer =
          R"({"ok":true,"result":{"id":)" + chat + R"(,"type":"channel","title":"Bench channel )" + chat + R"("}})";
    } else if (method == "getChatMember" && !chat.empty()) {
      answer = R"({"ok":true,"result":{"status":"administrator","can_post_messages":true,"user":{"id":4242424242}}})";
    }
    response.setStatus(answer.find(R"("ok":true)") == 1 ? Poco::Net::HTTPResponse::HTTP_OK
                                                        : Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
    response.setContentType("application/json");
    response.sendBuffer(answer.data(), answer.size());
  }
};

class ConstantFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit ConstantFactory(bool telegram) : telegram_(telegram) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    if (telegram_) return new TelegramHandler;
    return new ConstantHandler;
  }

 private:
  bool telegram_;
};

int usage() {
  std::cerr << "usage: bench_bare_poco PORT [HOST] [--telegram]\n"
               "  Answers every HTTP request with a constant JSON body; stops on SIGTERM/SIGINT.\n"
               "  --telegram: answers getMe, getChat and getChatMember as Telegram's Bot API would.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool telegram = false;
  if (argc >= 2 && std::string(argv[argc - 1]) == "--telegram") {
    telegram = true;
    --argc;
  }
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
    Poco::Net::HTTPServer server(new ConstantFactory(telegram), pool, socket, params);
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
