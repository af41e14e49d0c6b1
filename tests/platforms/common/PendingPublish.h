#pragma once
/// Publishing as the host does with a plugin that answers "pending" (ABI 1.2), for the direct
/// plugin tests of every platform: publish is called again, with the pending reply's "resume"
/// merged into the request's, until it answers anything else.

#include "plugins/Plugin.h"

#include <boost/json.hpp>

#include <functional>

namespace marketsage::test {

struct Resumed {
  plugins::CallResult result;   ///< the last answer (still pending after maxRounds)
  boost::json::object request;  ///< the request of the last call, with every resume merged
  int pendingRounds = 0;        ///< how many answers were pending
};

inline Resumed publishResuming(const std::function<plugins::CallResult(const boost::json::object&)>& publish,
                               boost::json::object request, int maxRounds = 50) {
  Resumed out;
  for (;;) {
    out.result = publish(request);
    const auto* pending =
        out.result.ok() && out.result.json.is_object() ? out.result.json.as_object().if_contains("pending") : nullptr;
    if (!pending || out.pendingRounds >= maxRounds) break;
    ++out.pendingRounds;
    boost::json::object resume = request.contains("resume") && request["resume"].is_object()
                                     ? request["resume"].as_object()
                                     : boost::json::object{};
    if (const auto* more = pending->as_object().if_contains("resume"); more && more->is_object())
      for (const auto& [key, value] : more->as_object()) resume[key] = value;
    request["resume"] = resume;
  }
  out.request = std::move(request);
  return out;
}

}  // namespace marketsage::test
