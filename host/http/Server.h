#pragma once
/// The HTTP/1.1 server: one event-loop thread owns every connection and reads request heads and
/// small bodies without ever blocking on a client; only a complete, validated request reaches a
/// request thread. So slow or stalled clients cost a socket, never a thread, and every wait is
/// bounded in total time (Limits). Handlers see Request and Response and nothing of sockets.
///
/// Admission: at most `maxConnections` sockets and `maxConnectionsPerClient` per client address;
/// past either bound the oldest connection that is not being served (idle, or still sending its
/// head) is closed to make room. At most `maxRequestsPerClient` requests of one address are in
/// service at once, so the rest of the threads stay free for everyone else.

#include "http/Connection.h"
#include "http/Metrics.h"
#include "http/Request.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace marketsage::http {

struct Endpoint {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string tlsCertificate;  ///< PEM; with tlsPrivateKey the server speaks HTTPS only
  std::string tlsPrivateKey;
};

class Server {
 public:
  /// Serves one complete request; must answer through the Response. [called on request threads]
  using Handler = std::function<void(Request&, Response&)>;
  /// True when the request's body goes to the handler unread, to be streamed (large uploads);
  /// otherwise the event loop reads it first, up to Limits::maxBufferedBody. [event-loop thread]
  using StreamsBody = std::function<bool(const RequestHead&)>;
  /// Told of each request the server answered itself, for the log. [event-loop thread]
  using OnRefusal = std::function<void(int status, const std::string& client, const std::string& detail)>;

  /// Binds the address (throws std::runtime_error with the reason when it cannot).
  Server(const Endpoint& endpoint, const Limits& limits, Handler handler, StreamsBody streamsBody, OnRefusal onRefusal,
         ServerGauges* gauges);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();
  /// The bound port (useful when the configured port is 0).
  int port() const;
  /// Stops accepting and closes idle connections; requests already arriving or in service may
  /// finish for up to `drainSeconds`; then everything left is closed. True when all finished.
  bool stop(int drainSeconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A fresh request id (64 random bits as hex): unique, not secret.
std::string newRequestId();

}  // namespace marketsage::http
