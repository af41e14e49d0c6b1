#pragma once
/// One client connection as the server keeps it: its socket, the bytes read and not yet used, the
/// request being read or served, and the phase it is in. The event loop owns every Connection;
/// a request thread borrows one while it serves the request (phase Busy) and hands it back.

#include "http/RequestHead.h"
#include "http/Transport.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>

namespace marketsage::http {

/// Every bound the server keeps on a client, in one place (server.* in the configuration).
struct Limits {
  std::chrono::milliseconds headerTimeout{10'000};     ///< whole request head, from connect or first byte
  std::chrono::milliseconds bodyTimeout{30'000};       ///< whole buffered body; grace for streamed ones
  std::chrono::milliseconds keepAliveTimeout{15'000};  ///< idle between requests
  std::chrono::milliseconds writeTimeout{30'000};      ///< grace for writing one response
  std::chrono::milliseconds lingerTimeout{5'000};      ///< reading what a refused client still sends
  std::uint64_t minBytesPerSecond = 16 * 1024;         ///< streamed bodies and responses, past the grace
  std::size_t maxHeadBytes = 32 * 1024;                ///< request line and fields (431 beyond)
  std::size_t maxBufferedBody = 1024 * 1024;           ///< bodies read before the handler (413 beyond)
  std::size_t maxConnections = 10'000;
  std::size_t maxConnectionsPerClient = 256;  ///< 0 = no per-address bound
  std::size_t maxRequestsPerClient = 0;       ///< in service at once; 0 = workers minus a reserve
  std::size_t workers = 64;                   ///< request threads
  std::size_t maxQueued = 1024;               ///< complete requests waiting for a thread (503 beyond)

  /// `grace` plus the time `bytes` take at the minimum rate: a bound on the whole transfer.
  std::chrono::milliseconds allowance(std::chrono::milliseconds grace, std::uint64_t bytes) const {
    return grace + std::chrono::milliseconds(minBytesPerSecond == 0 ? 0 : bytes * 1000 / minBytesPerSecond);
  }
};

class Connection {
 public:
  enum class Phase {
    Handshake,  ///< TLS handshake (counts against the head's time)
    Head,       ///< reading a request head
    Body,       ///< reading a body the event loop buffers
    Waiting,    ///< complete, waiting while its client has too many requests in service
    Busy,       ///< queued for or held by a request thread
    Idle,       ///< kept alive between requests
    Lingering,  ///< answered and closing: reading what the client still sends, then closing
  };

  Connection(std::unique_ptr<Transport> transport, std::string client, const Limits& limits)
      : transport_(std::move(transport)), client_(std::move(client)), limits_(limits) {}

  Transport& transport() { return *transport_; }
  const std::string& client() const { return client_; }
  const Limits& limits() const { return limits_; }

  // ---- read by the event loop, and by a request thread while Busy ----
  std::string input;                                  ///< received bytes not yet consumed
  std::size_t headSearchedTo = 0;                     ///< how far findHeadEnd already looked
  std::optional<RequestHead> head;                    ///< the request being read or served
  std::string bufferedBody;                           ///< its body, when the loop read it
  ChunkedDecoder chunked;                             ///< state of a chunked body the loop is reading
  bool streamsBody = false;                           ///< the handler reads the body from the socket itself
  bool bodyComplete = true;                           ///< every byte of the body consumed (keep-alive possible)
  bool closeAfterResponse = false;                    ///< set by the request thread
  bool broken = false;                                ///< a write failed or timed out: close without lingering
  bool peerClosed = false;                            ///< the client sent its FIN (or the socket failed)
  const std::atomic<bool>* serverDraining = nullptr;  ///< answers then say Connection: close

  // ---- the event loop's own bookkeeping ----
  Phase phase = Phase::Handshake;
  Clock::time_point phaseStarted;
  Clock::time_point deadline;
  std::uint64_t lingerBytes = 0;
  bool registered = false;                        ///< known to epoll
  bool closed = false;                            ///< closed this round; freed at its end
  std::list<Connection*>::iterator inClientList;  ///< position in its client's admission list
  std::list<Connection*>::iterator inAllList;     ///< position in the server's admission list

  /// Drops the request just served and what it consumed, ready for the next one.
  void resetForNextRequest() {
    head.reset();
    bufferedBody.clear();
    bufferedBody.shrink_to_fit();
    chunked = ChunkedDecoder();
    streamsBody = false;
    bodyComplete = true;
    closeAfterResponse = false;
    headSearchedTo = 0;
  }

 private:
  std::unique_ptr<Transport> transport_;
  std::string client_;
  const Limits& limits_;
};

}  // namespace marketsage::http
