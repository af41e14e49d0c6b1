#pragma once
/// What a platform's answer means for a target: the outcome to store after an attempt (classify)
/// or after looking an attempt of unknown outcome up (classifyLookup). Pure functions: no
/// database, no plugin, no clock (the caller passes `now` and the backoff), so a table of
/// replies can test every rule; the Publisher does the side effects the outcome implies.

#include "config/Config.h"
#include "plugins/Plugin.h"
#include "publishing/Post.h"
#include "publishing/TargetQueue.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace marketsage::publishing {

/// The delay before retrying after attempt number `attempt` (1-based) failed transiently; the
/// host's doubles from `baseMillis` with jitter, a test passes a fixed one.
using Backoff = std::function<std::int64_t(int baseMillis, std::int64_t attempt)>;

/// What sending a target (its media, then the post) came back with.
struct SendResult {
  plugins::CallResult result;            ///< the last reply, or why the sending stopped
  boost::json::object progress;          ///< the target's resume state, with the media uploaded
  std::optional<int> processingSeconds;  ///< an uploaded medium the platform is still processing
  /// The sending stopped on the host's side (media unreadable, a token not made fresh, the
  /// connection gone): no platform error of this attempt to log (a failed refresh logs its own).
  bool hostSide = false;
};

/// The outcome of an attempt: published, queued again (processing, rate limit, transient error
/// below maxAttempts), publishing until looked up (outcome unknown), needs_review or failed.
Outcome classify(const SendResult& sent, const Target& target, const config::PublishingConfig& config, std::int64_t now,
                 const Backoff& backoff);

/// The outcome of looking up an attempt of unknown outcome (MS_EXT_RECONCILE): published when
/// every one of the `parts` is found, queued again once the grace period has passed without
/// them, looked up later while the platform cannot answer, or needs_review.
Outcome classifyLookup(const plugins::CallResult& result, const Target& target, const boost::json::object& progress,
                       std::size_t parts, const config::PublishingConfig& config, std::int64_t now);

/// For a person to settle: the attempt's outcome stays unknown (`why`).
Outcome needsReview(const std::string& why);
/// A failed target with its reason and kind.
Outcome failed(std::string error, std::string kind);

/// The string field `name` of a reply; nullopt when missing or empty.
std::optional<std::string> stringField(const boost::json::value& reply, const char* name);
/// N of a reply {"pending": {"retryAfterSeconds": N}} (5 when not given, within 1–3600): the
/// platform is still processing.
std::optional<int> pendingSeconds(const boost::json::value& reply);

}  // namespace marketsage::publishing
