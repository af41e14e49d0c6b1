#include "http/Server.h"

#include "core/Problem.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <limits>
#include <list>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace marketsage::http {

std::string newRequestId() {
  // Per-thread generator: ids need to be unique, not secret, and the CSPRNG's lock is costly.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(generator()));
  return text;
}

namespace {

using namespace std::chrono_literals;
using Phase = Connection::Phase;

constexpr std::size_t readBlock = 16 * 1024;
constexpr std::size_t maxReadPerWake = 256 * 1024;  // one busy client cannot starve the loop
constexpr std::uint64_t maxLingerBytes = 16 * 1024 * 1024;
constexpr auto sweepInterval = 100ms;

std::string addressText(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, text, sizeof text);
    return text;
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
  if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {  // one client, one address, however it reached us
    inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], text, sizeof text);
    return text;
  }
  inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
  return text;
}

int bindListener(const Endpoint& endpoint) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (const int rc = getaddrinfo(endpoint.host.empty() ? nullptr : endpoint.host.c_str(), port.c_str(), &hints, &found);
      rc != 0) {
    throw std::runtime_error(gai_strerror(rc));
  }
  std::string failure = "no address";
  for (auto* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    const int fd =
        ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, candidate->ai_protocol);
    if (fd < 0) continue;
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 && ::listen(fd, 1024) == 0) {
      freeaddrinfo(found);
      return fd;
    }
    failure = std::strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(found);
  throw std::runtime_error(failure);
}

int boundPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.ss_family == AF_INET ? reinterpret_cast<sockaddr_in&>(address).sin_port
                                            : reinterpret_cast<sockaddr_in6&>(address).sin6_port);
}

/// Every socket is a file descriptor: raise the soft limit to the hard one, and keep room for the
/// database, plugins' HTTP calls and media files.
std::size_t connectionCapacity(std::size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  const auto available = limit.rlim_cur > 512 ? static_cast<std::size_t>(limit.rlim_cur) - 256 : 256;
  return std::min(wanted, available);
}

/// The bytes of a complete answer the server gives itself (problem+json, connection closing).
std::string refusalBytes(const Problem& problem) {
  const auto id = newRequestId();
  const auto body = problem.json(id);
  std::string out = "HTTP/1.1 " + std::to_string(problem.status()) + " " + reasonPhrase(problem.status()) +
                    "\r\nServer: marketsage\r\nContent-Type: application/problem+json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\nX-Request-Id: " + id + "\r\n";
  if (problem.retryAfterSeconds() > 0) out += "Retry-After: " + std::to_string(problem.retryAfterSeconds()) + "\r\n";
  return out + "\r\n" + body;
}

Problem headProblem(const HeadError& error) {
  switch (error.status) {
    case 414: return {414, "uri-too-long", "Request target too long", error.detail};
    case 417: return {417, "expectation-failed", "Expectation failed", error.detail};
    case 431: return {431, "header-fields-too-large", "Request header fields too large", error.detail};
    case 501: return {501, "not-implemented", "Not implemented", error.detail};
    case 505: return {505, "http-version-not-supported", "HTTP version not supported", error.detail};
    default: return {400, "malformed-request", "Malformed request", error.detail};
  }
}

char listenerTag;
char wakeTag;

}  // namespace

struct Server::Impl {
  struct ClientState {
    std::list<Connection*> connections;  ///< admission order, oldest first
    std::size_t inService = 0;
    std::deque<Connection*> waiting;
  };

  Impl(const Endpoint& endpoint, const Limits& wanted, Handler handler, StreamsBody streamsBody, OnRefusal onRefusal,
       ServerGauges* gauges)
      : limits(wanted),
        handler(std::move(handler)),
        streamsBody(std::move(streamsBody)),
        onRefusal(std::move(onRefusal)),
        gauges(gauges != nullptr ? gauges : &ownGauges) {
    limits.maxConnections = connectionCapacity(limits.maxConnections);
    if (limits.workers == 0) limits.workers = 1;
    if (limits.maxRequestsPerClient == 0) {
      const std::size_t reserve = std::max<std::size_t>(2, limits.workers / 8);
      limits.maxRequestsPerClient = limits.workers > reserve ? limits.workers - reserve : 1;
    }
    if (!endpoint.tlsCertificate.empty())
      tls = std::make_unique<TlsContext>(endpoint.tlsCertificate, endpoint.tlsPrivateKey);
    listenFd = bindListener(endpoint);
    port = boundPort(listenFd);
    epollFd = epoll_create1(EPOLL_CLOEXEC);
    wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    spareFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    watch(listenFd, &listenerTag);
    watch(wakeFd, &wakeTag);
  }

  ~Impl() {
    if (listenFd >= 0) ::close(listenFd);
    ::close(epollFd);
    ::close(wakeFd);
    if (spareFd >= 0) ::close(spareFd);
  }

  void watch(int fd, void* tag) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = tag;
    epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, &event);
  }

  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wakeFd, &one, sizeof one);
  }

  // ---- the event loop (one thread) ------------------------------------------------------------

  void runLoop() {
    std::vector<epoll_event> events(256);
    auto nextSweep = Clock::now() + sweepInterval;
    while (!loopStop.load()) {
      const int ready =
          epoll_wait(epollFd, events.data(), static_cast<int>(events.size()), static_cast<int>(sweepInterval.count()));
      for (int i = 0; i < ready; ++i) {
        void* tag = events[i].data.ptr;
        if (tag == &listenerTag) {
          acceptAll();
        } else if (tag == &wakeTag) {
          std::uint64_t count = 0;
          [[maybe_unused]] auto n = ::read(wakeFd, &count, sizeof count);
          takeReturned();
          if (draining.load() && listenFd >= 0) beginDrain();
        } else {
          onReadable(static_cast<Connection*>(tag));
        }
      }
      if (const auto now = Clock::now(); now >= nextSweep) {
        sweep(now);
        nextSweep = now + sweepInterval;
      }
      graveyard.clear();  // closed this round; no event of this batch can reach them any more
      publishCounts();
    }
    takeReturned();
    for (auto* connection : std::vector<Connection*>(all.begin(), all.end())) {
      if (connection->phase == Phase::Busy)
        connection->transport().abort();  // its thread gives up at once
      else
        close(connection);
    }
    graveyard.clear();
  }

  void publishCounts() {
    gauges->connections = static_cast<std::int64_t>(all.size());
    if (!draining.load()) return;  // only stop() waits on the count
    std::size_t active = 0;
    for (auto* connection : all) {
      if (connection->phase != Phase::Idle && connection->phase != Phase::Lingering) ++active;
    }
    activeConnections = active;
  }

  void acceptAll() {
    for (;;) {
      sockaddr_storage address{};
      socklen_t length = sizeof address;
      const int fd = accept4(listenFd, reinterpret_cast<sockaddr*>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if ((errno == EMFILE || errno == ENFILE) && spareFd >= 0) {
          // Out of descriptors: accept and drop one with the spare, or the listener stays readable forever.
          ::close(spareFd);
          const int dropped = accept(listenFd, nullptr, nullptr);
          if (dropped >= 0) ::close(dropped);
          spareFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        return;
      }
      admit(fd, addressText(address));
    }
  }

  void admit(int fd, std::string client) {
    if (all.size() >= limits.maxConnections && !evictOldest(all)) {
      ::close(fd);
      return;
    }
    auto& state = clients[client];
    if (limits.maxConnectionsPerClient > 0 && state.connections.size() >= limits.maxConnectionsPerClient &&
        !evictOldest(state.connections)) {
      ::close(fd);
      return;
    }
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    SSL* ssl = tls ? tls->newSession(fd) : nullptr;
    if (tls && ssl == nullptr) {
      ::close(fd);
      return;
    }
    auto owned = std::make_unique<Connection>(std::make_unique<Transport>(fd, ssl), std::move(client), limits);
    auto* connection = owned.get();
    connection->serverDraining = &draining;
    enter(connection, tls ? Phase::Handshake : Phase::Head, limits.headerTimeout);
    all.push_back(connection);
    connection->inAllList = std::prev(all.end());
    state.connections.push_back(connection);
    connection->inClientList = std::prev(state.connections.end());
    connections.emplace(connection, std::move(owned));
    arm(connection, Transport::Io::WantRead);
  }

  /// Closes the oldest connection of `list` that no thread is serving. False when there is none.
  bool evictOldest(std::list<Connection*>& list) {
    for (auto* candidate : list) {
      if (candidate->phase == Phase::Busy || candidate->phase == Phase::Waiting) continue;
      ++gauges->evicted;
      close(candidate);
      return true;
    }
    return false;
  }

  void enter(Connection* connection, Phase phase, std::chrono::milliseconds allowed) {
    connection->phase = phase;
    connection->phaseStarted = Clock::now();
    connection->deadline = connection->phaseStarted + allowed;
  }

  void arm(Connection* connection, Transport::Io want) {
    epoll_event event{};
    event.events = (want == Transport::Io::WantWrite ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT;
    event.data.ptr = connection;
    const int op = connection->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    connection->registered = true;
    if (epoll_ctl(epollFd, op, connection->transport().fd(), &event) != 0) close(connection);
  }

  void close(Connection* connection) {
    if (connection->closed) return;
    connection->closed = true;
    all.erase(connection->inAllList);
    const auto client = clients.find(connection->client());
    client->second.connections.erase(connection->inClientList);
    if (client->second.connections.empty() && client->second.inService == 0) clients.erase(client);
    auto owned = connections.find(connection);
    graveyard.push_back(std::move(owned->second));
    connections.erase(owned);
  }

  void onReadable(Connection* connection) {
    if (connection->closed) return;
    if (connection->phase == Phase::Handshake) {
      const auto io = connection->transport().handshake();
      if (io == Transport::Io::WantRead || io == Transport::Io::WantWrite) return arm(connection, io);
      if (io != Transport::Io::Ok) return close(connection);
      connection->phase = Phase::Head;  // the head's deadline already runs from the connect
    }
    if (connection->phase == Phase::Lingering) return linger(connection);
    if (connection->phase != Phase::Head && connection->phase != Phase::Body && connection->phase != Phase::Idle)
      return;
    char buffer[readBlock];
    std::size_t total = 0;
    auto want = Transport::Io::WantRead;
    while (total < maxReadPerWake) {
      const auto result = connection->transport().read(buffer, sizeof buffer);
      if (result.io == Transport::Io::Ok) {
        connection->input.append(buffer, result.bytes);
        total += result.bytes;
        continue;
      }
      if (result.io == Transport::Io::Closed || result.io == Transport::Io::Failed) connection->peerClosed = true;
      want = result.io == Transport::Io::WantWrite ? Transport::Io::WantWrite : Transport::Io::WantRead;
      break;
    }
    if (connection->peerClosed && connection->input.empty()) return close(connection);
    progress(connection, want);
  }

  /// Moves a connection as far as its input allows: head, then body, then a request thread.
  void progress(Connection* connection, Transport::Io want = Transport::Io::WantRead) {
    if (connection->phase == Phase::Idle) {
      if (connection->input.empty()) {
        if (draining.load() || connection->peerClosed) return close(connection);
        return arm(connection, want);
      }
      enter(connection, Phase::Head, limits.headerTimeout);
    }
    if (connection->phase == Phase::Head && !readHead(connection)) return;
    if (connection->phase == Phase::Body && !readBufferedBody(connection)) return;
    if (connection->phase == Phase::Head || connection->phase == Phase::Body) {
      if (connection->peerClosed) return close(connection);
      arm(connection, want);
      return;
    }
  }

  /// False when the connection left the loop's hands (refused, or dispatched).
  bool readHead(Connection* connection) {
    auto& input = connection->input;
    const auto end = findHeadEnd(input, connection->headSearchedTo);
    if (end == std::string::npos) {
      if (input.size() > limits.maxHeadBytes) {
        refuse(connection, {431, "header-fields-too-large", "Request header fields too large",
                            "the request head is larger than " + std::to_string(limits.maxHeadBytes) + " bytes"});
        return false;
      }
      connection->headSearchedTo = input.size() >= 2 ? input.size() - 2 : 0;
      return true;  // wait for more
    }
    if (end > limits.maxHeadBytes) {
      refuse(connection, {431, "header-fields-too-large", "Request header fields too large",
                          "the request head is larger than " + std::to_string(limits.maxHeadBytes) + " bytes"});
      return false;
    }
    auto parsed = parseHead(std::string_view(input).substr(0, end));
    if (auto* error = std::get_if<HeadError>(&parsed)) {
      refuse(connection, headProblem(*error));
      return false;
    }
    input.erase(0, end);
    connection->headSearchedTo = 0;
    connection->head = std::move(std::get<RequestHead>(parsed));
    const auto& head = *connection->head;
    if (!head.hasBody()) {
      connection->bodyComplete = true;
      dispatch(connection);
      return false;
    }
    connection->bodyComplete = false;
    if (streamsBody && streamsBody(head)) {
      connection->streamsBody = true;
      dispatch(connection);
      return false;
    }
    if (head.framing == BodyFraming::Length && head.contentLength > limits.maxBufferedBody) {
      refuse(connection,
             Problem::tooLarge("the body is larger than " + std::to_string(limits.maxBufferedBody) + " bytes"));
      return false;
    }
    enter(connection, Phase::Body, limits.bodyTimeout);
    if (head.expectContinue) {
      constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
      connection->transport().write(interim.data(), interim.size());  // tiny: fits the socket buffer
    }
    return true;
  }

  bool readBufferedBody(Connection* connection) {
    auto& input = connection->input;
    auto& body = connection->bufferedBody;
    const auto& head = *connection->head;
    if (head.framing == BodyFraming::Length) {
      const auto take =
          static_cast<std::size_t>(std::min<std::uint64_t>(head.contentLength - body.size(), input.size()));
      body.append(input, 0, take);
      input.erase(0, take);
      connection->bodyComplete = body.size() == head.contentLength;
    } else {
      const auto used = connection->chunked.feed(input, body);
      input.erase(0, used);
      if (connection->chunked.state() == ChunkedDecoder::State::Failed) {
        refuse(connection, {400, "malformed-request", "Malformed request",
                            "malformed chunked body: " + connection->chunked.error()});
        return false;
      }
      if (body.size() > limits.maxBufferedBody) {
        refuse(connection,
               Problem::tooLarge("the body is larger than " + std::to_string(limits.maxBufferedBody) + " bytes"));
        return false;
      }
      connection->bodyComplete = connection->chunked.state() == ChunkedDecoder::State::Done;
    }
    if (!connection->bodyComplete) return true;
    dispatch(connection);
    return false;
  }

  /// Hands a complete request to the threads, unless its client already has its share in service.
  void dispatch(Connection* connection) {
    auto& client = clients[connection->client()];
    if (client.inService >= limits.maxRequestsPerClient) {
      connection->phase = Phase::Waiting;
      client.waiting.push_back(connection);
      return;
    }
    enqueue(connection, client);
  }

  void enqueue(Connection* connection, ClientState& client) {
    bool full = false;
    {
      std::lock_guard lock(queueMutex);
      full = queue.size() >= limits.maxQueued;
      if (!full) queue.push_back(connection);
    }
    if (full) {
      refuse(connection, Problem::unavailable("the server is overloaded; try again").retryAfter(1));
      return;
    }
    ++client.inService;
    ++gauges->inService;
    connection->phase = Phase::Busy;
    queueReady.notify_one();
  }

  /// Answers a request ourselves, then closes after reading what the client still sends.
  void refuse(Connection* connection, const Problem& problem) {
    ++gauges->refused;
    if (onRefusal) onRefusal(problem.status(), connection->client(), problem.detail());
    const auto bytes = refusalBytes(problem);
    connection->transport().write(bytes.data(), bytes.size());  // small; a full buffer just loses it
    startLinger(connection);
  }

  void startLinger(Connection* connection) {
    if (connection->peerClosed) return close(connection);
    connection->transport().shutdownWrite();
    connection->input.clear();
    connection->lingerBytes = 0;
    enter(connection, Phase::Lingering, limits.lingerTimeout);
    arm(connection, Transport::Io::WantRead);
  }

  void linger(Connection* connection) {
    char buffer[readBlock];
    for (;;) {
      const auto result = connection->transport().read(buffer, sizeof buffer);
      if (result.io == Transport::Io::Ok) {
        connection->lingerBytes += result.bytes;
        if (connection->lingerBytes > maxLingerBytes) return close(connection);
        continue;
      }
      if (result.io == Transport::Io::WantRead || result.io == Transport::Io::WantWrite)
        return arm(connection, result.io);
      return close(connection);
    }
  }

  void sweep(Clock::time_point now) {
    for (auto* connection : std::vector<Connection*>(all.begin(), all.end())) {
      if (connection->closed || connection->phase == Phase::Busy || connection->phase == Phase::Waiting ||
          now < connection->deadline) {
        continue;
      }
      switch (connection->phase) {
        case Phase::Head:
          if (connection->input.empty()) {
            close(connection);
            break;
          }
          [[fallthrough]];
        case Phase::Body:
          ++gauges->timedOut;
          refuse(connection, {408, "request-timeout", "Request timeout", "the request did not arrive in time"});
          break;
        default: close(connection);
      }
    }
  }

  /// Connections the request threads are done with: kept alive, lingering or closed.
  void takeReturned() {
    std::vector<Connection*> done;
    {
      std::lock_guard lock(returnMutex);
      done.swap(returned);
    }
    for (auto* connection : done) {
      auto& client = clients[connection->client()];
      --client.inService;
      --gauges->inService;
      if (!client.waiting.empty() && client.inService < limits.maxRequestsPerClient) {
        auto* next = client.waiting.front();
        client.waiting.pop_front();
        enqueue(next, client);
      }
      if (connection->broken) {
        close(connection);
      } else if (connection->closeAfterResponse || connection->peerClosed || draining.load()) {
        startLinger(connection);
      } else {
        connection->resetForNextRequest();
        enter(connection, Phase::Idle, limits.keepAliveTimeout);
        progress(connection);  // a pipelined request may already be here
      }
    }
  }

  void beginDrain() {
    epoll_ctl(epollFd, EPOLL_CTL_DEL, listenFd, nullptr);
    ::close(listenFd);
    listenFd = -1;
    for (auto* connection : std::vector<Connection*>(all.begin(), all.end())) {
      const bool nothingYet = connection->phase == Phase::Head && connection->input.empty();
      if (connection->phase == Phase::Idle || connection->phase == Phase::Handshake || nothingYet) close(connection);
    }
  }

  // ---- request threads ------------------------------------------------------------------------

  void runWorker() {
    for (;;) {
      Connection* connection = nullptr;
      {
        std::unique_lock lock(queueMutex);
        queueReady.wait(lock, [this] { return workersStop || !queue.empty(); });
        if (queue.empty()) return;
        connection = queue.front();
        queue.pop_front();
      }
      serve(*connection);
      bool first = false;
      {
        std::lock_guard lock(returnMutex);
        first = returned.empty();
        returned.push_back(connection);
      }
      // Only the first of a batch wakes the loop: it takes every returned connection at once, so
      // later ones ride along instead of costing a write to the eventfd and a wake-up each.
      if (first) wake();
    }
  }

  void serve(Connection& connection) {
    const auto& head = *connection.head;
    Request request(connection, head);
    Response response(connection, head);
    if (!head.keepAlive || connection.peerClosed) response.closeConnection();
    try {
      handler(request, response);
      if (!response.sent()) {
        response.send(500, "application/problem+json",
                      Problem(500, "internal", "Internal error", "no answer was made").json(newRequestId()));
      }
    } catch (...) {
      connection.broken = true;  // the handler could not even answer: drop the connection
    }
    connection.closeAfterResponse = !response.keepAlive() || !connection.bodyComplete;
  }

  Limits limits;
  Handler handler;
  StreamsBody streamsBody;
  OnRefusal onRefusal;
  ServerGauges ownGauges;
  ServerGauges* gauges;
  std::unique_ptr<TlsContext> tls;
  int listenFd = -1;
  int epollFd = -1;
  int wakeFd = -1;
  int spareFd = -1;
  int port = 0;

  // The loop thread's own state.
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections;
  std::list<Connection*> all;  ///< admission order, oldest first
  std::unordered_map<std::string, ClientState> clients;
  std::vector<std::unique_ptr<Connection>> graveyard;

  // Shared with the request threads.
  std::mutex queueMutex;
  std::condition_variable queueReady;
  std::deque<Connection*> queue;
  bool workersStop = false;
  std::mutex returnMutex;
  std::vector<Connection*> returned;
  std::atomic<bool> draining{false};
  std::atomic<bool> loopStop{false};
  std::atomic<std::size_t> activeConnections{0};

  std::thread loop;
  std::vector<std::thread> workers;
};

Server::Server(const Endpoint& endpoint, const Limits& limits, Handler handler, StreamsBody streamsBody,
               OnRefusal onRefusal, ServerGauges* gauges) {
  try {
    impl_ = std::make_unique<Impl>(endpoint, limits, std::move(handler), std::move(streamsBody), std::move(onRefusal),
                                   gauges);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on " + endpoint.host + ":" + std::to_string(endpoint.port) + ": " +
                             e.what());
  }
}

Server::~Server() {
  if (impl_->loop.joinable()) stop(0);
}

void Server::start() {
  for (std::size_t i = 0; i < impl_->limits.workers; ++i) impl_->workers.emplace_back([this] { impl_->runWorker(); });
  impl_->loop = std::thread([this] { impl_->runLoop(); });
}

int Server::port() const { return impl_->port; }

bool Server::stop(int drainSeconds) {
  auto& impl = *impl_;
  if (!impl.loop.joinable()) return true;
  impl.activeConnections = std::numeric_limits<std::size_t>::max();  // until the loop has counted
  impl.draining = true;
  impl.wake();
  const auto deadline = Clock::now() + std::chrono::seconds(drainSeconds);
  while (impl.activeConnections.load() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  const bool drained = impl.activeConnections.load() == 0;
  impl.loopStop = true;
  impl.wake();
  impl.loop.join();
  {
    std::lock_guard lock(impl.queueMutex);
    impl.workersStop = true;
  }
  impl.queueReady.notify_all();
  for (auto& worker : impl.workers) worker.join();
  impl.workers.clear();
  return drained;
}

}  // namespace marketsage::http
