#pragma once
/// The host's answer to every request the server hands over: route, authenticate, handle, turn
/// exceptions into problems, count it in the metrics and write the access log.

#include "core/Problem.h"
#include "http/Exchange.h"
#include "http/Request.h"

#include <exception>
#include <functional>
#include <optional>
#include <string>

namespace marketsage::http {

class Metrics;
class Router;

/// The problem a handler's exception answers, or nullopt for an internal error (500, logged).
/// The API layer knows the services' errors; http knows only Problem itself.
using ProblemOf = std::function<std::optional<Problem>(const std::exception&)>;

class Dispatcher {
 public:
  Dispatcher(const Router& router, Metrics& metrics, Gate gate, ProblemOf problemOf, bool accessLog)
      : router_(router), metrics_(metrics), gate_(gate), problemOf_(std::move(problemOf)), accessLog_(accessLog) {}

  /// [request threads]
  void serve(Request& request, Response& response);
  /// Whether the route streams its body to the handler (Body::Streamed). [event-loop thread]
  bool streamsBody(const RequestHead& head) const;
  /// A request the server refused itself (malformed, too large, too slow): counted and logged.
  void refused(int status, const std::string& client, const std::string& detail);

 private:
  const Router& router_;
  Metrics& metrics_;
  const Gate gate_;
  const ProblemOf problemOf_;
  const bool accessLog_;
};

}  // namespace marketsage::http
