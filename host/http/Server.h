#pragma once
/// The HTTP(S) front: Poco's HTTPServer on a bounded thread pool, one dispatcher for every
/// request (route, authenticate, handle, turn exceptions into problems, metrics, access log).

#include <memory>

namespace Poco { class ThreadPool; }
namespace Poco::Net { class HTTPServer; }

namespace marketsage::app { class Host; }

namespace marketsage::http {

class Server {
 public:
  /// Binds the configured address and port (throws std::runtime_error when it cannot).
  explicit Server(app::Host& host);
  ~Server();

  void start();
  /// The bound port (useful when the configured port is 0).
  int port() const;
  /// Stops accepting, lets in-flight requests finish for up to `drainSeconds`, then closes
  /// whatever is left. Returns true when everything finished in time.
  bool stop(int drainSeconds);

 private:
  std::unique_ptr<Poco::ThreadPool> pool_;  ///< outlives server_
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

}  // namespace marketsage::http
