#pragma once
/// The host's answer to every request the server hands over: route, authenticate, handle, turn
/// exceptions into problems, count it in the metrics and write the access log.

#include "http/Request.h"

#include <string>

namespace marketsage::app { class Host; }

namespace marketsage::http {

class Dispatcher {
 public:
  explicit Dispatcher(app::Host& host) : host_(host) {}

  /// [request threads]
  void serve(Request& request, Response& response);
  /// Whether the route streams its body to the handler (Body::Streamed). [event-loop thread]
  bool streamsBody(const RequestHead& head) const;
  /// A request the server refused itself (malformed, too large, too slow): counted and logged.
  void refused(int status, const std::string& client, const std::string& detail);

 private:
  app::Host& host_;
};

}  // namespace marketsage::http
