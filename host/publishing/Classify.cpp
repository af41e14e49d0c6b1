#include "publishing/Classify.h"

#include "core/Time.h"

#include <boost/json.hpp>

#include <algorithm>
#include <vector>

namespace marketsage::publishing {
namespace json = boost::json;
using plugins::ErrorKind;

namespace {

/// {"postIds": […]} of a reply that reports parts already live, as progress to resume from.
std::optional<std::string> progressOf(const json::value& reply) {
  if (!reply.is_object()) return std::nullopt;
  const auto* ids = reply.as_object().if_contains("postIds");
  if (!ids || !ids->is_array() || ids->as_array().empty()) return std::nullopt;
  return json::serialize(json::object{{"postIds", *ids}});
}

std::string pendingStage(const json::value& reply) {
  const auto* pending = reply.is_object() ? reply.as_object().if_contains("pending") : nullptr;
  const auto* stage = pending && pending->is_object() ? pending->as_object().if_contains("stage") : nullptr;
  return stage && stage->is_string() ? std::string(stage->as_string())
                                     : std::string("the platform is processing the media");
}

/// The platform is still processing (an upload, a container): come back later, holding nothing,
/// and keep the plugin's pending "resume" state for then.
Outcome processing(const json::value& reply, json::object progress, int seconds, std::int64_t now) {
  if (const auto* state = reply.is_object() ? reply.as_object().if_contains("pending") : nullptr;
      state && state->is_object()) {
    if (const auto* resume = state->as_object().if_contains("resume"); resume && resume->is_object()) {
      for (const auto& [key, value] : resume->as_object()) progress[key] = value;
    }
  }
  Outcome o;
  o.progress = json::serialize(progress);
  o.status = targetStatus::queued;
  o.dueAt = now + 1000LL * std::max(1, seconds);
  o.uncounted = true;
  o.event = "processing";
  o.eventDetail = {{"retryAt", time::formatIso8601(o.dueAt)}, {"stage", pendingStage(reply)}};
  return o;
}

Outcome published(const std::string& postId, std::optional<std::string> url) {
  Outcome o;
  o.status = targetStatus::published;
  o.platformPostId = postId;
  o.url = std::move(url);
  o.event = "published";
  o.eventDetail = {{"postId", postId}, {"url", o.url.value_or("")}};
  return o;
}

Outcome publishedOrReview(const plugins::CallResult& result) {
  const auto postId = stringField(result.json, "postId");
  if (postId) return published(*postId, stringField(result.json, "url"));
  // The platform may well have posted it: never retry blindly.
  Outcome o;
  o.status = targetStatus::needsReview;
  o.error = "the plugin reported success without a post id";
  o.errorKind = "plugin_fault";
  o.event = "needs_review";
  o.eventDetail = {{"error", *o.error}};
  return o;
}

/// Queued again at `dueAt` with the reply's message (rate_limited, retry).
Outcome queuedAgain(const plugins::CallResult& result, std::int64_t dueAt, const char* event) {
  Outcome o;
  o.status = targetStatus::queued;
  o.dueAt = dueAt;
  o.error = result.message;
  o.errorKind = std::string(plugins::toString(result.kind));
  o.event = event;
  o.eventDetail = {{"retryAt", time::formatIso8601(o.dueAt)}, {"message", result.message}};
  return o;
}

/// It may exist: ask the platform, once a request cut off on our side could have landed.
Outcome outcomeUnknown(const plugins::CallResult& result, const Target& target, const config::PublishingConfig& config,
                       std::int64_t now) {
  Outcome o;
  o.status = targetStatus::publishing;
  o.reconcileAfter = target.attemptStartedAt.value_or(now) + 1000LL * config.reconcileGraceSeconds;
  o.error = result.message;
  o.errorKind = std::string(plugins::toString(result.kind));
  o.event = "outcome_unknown";
  o.eventDetail = {{"message", result.message}, {"reconcileAt", time::formatIso8601(*o.reconcileAfter)}};
  return o;
}

Outcome transientFailure(const plugins::CallResult& result, const Target& target,
                         const config::PublishingConfig& config, std::int64_t now, const Backoff& backoff) {
  const std::string kind(plugins::toString(result.kind));
  if (target.attempts >= config.maxAttempts) {
    return failed("gave up after " + std::to_string(target.attempts) + " attempts: " + result.message, kind);
  }
  const auto wait =
      std::max<std::int64_t>(1000LL * result.retryAfterSeconds, backoff(config.retryBaseMillis, target.attempts));
  return queuedAgain(result, now + wait, "retry");
}

/// The outcome of a reply that is not "still processing", without the progress to keep.
Outcome settledAttempt(const plugins::CallResult& result, const Target& target, const config::PublishingConfig& config,
                       std::int64_t now, const Backoff& backoff) {
  const std::string kind(plugins::toString(result.kind));
  switch (result.kind) {
    case ErrorKind::Ok: return publishedOrReview(result);
    case ErrorKind::OutcomeUnknown: return outcomeUnknown(result, target, config, now);
    case ErrorKind::RateLimited:
      return queuedAgain(result, now + 1000LL * (result.retryAfterSeconds > 0 ? result.retryAfterSeconds : 60),
                         "rate_limited");
    case ErrorKind::Transient: return transientFailure(result, target, config, now, backoff);
    case ErrorKind::AuthExpired: return failed("the token expired; reconnect the account: " + result.message, kind);
    case ErrorKind::AuthInvalid:
      return failed("the platform refused the token; reconnect the account: " + result.message, kind);
    default: return failed(result.reason(), kind);
  }
}

/// The attempt is looked up again at `when` (the target stays publishing).
Outcome lookAgainAt(std::int64_t when, const std::string& why) {
  Outcome o;
  o.status = targetStatus::publishing;
  o.reconcileAfter = when;
  o.event = "reconcile_later";
  o.eventDetail = {{"reason", why}, {"at", time::formatIso8601(when)}};
  return o;
}

/// The ids a lookup found: its "postIds" (the parts of a thread), else its one "postId".
std::vector<std::string> foundIds(const json::value& reply) {
  std::vector<std::string> found;
  if (const auto* ids = reply.as_object().if_contains("postIds"); ids && ids->is_array()) {
    for (const auto& id : ids->as_array())
      if (id.is_string()) found.emplace_back(id.as_string());
  }
  if (const auto postId = stringField(reply, "postId"); found.empty() && postId) found.push_back(*postId);
  return found;
}

/// The progress to keep, with the found parts as its "postIds" when `withFound`.
std::optional<std::string> keptProgress(json::object kept, const std::vector<std::string>& found, bool withFound) {
  if (withFound) kept["postIds"] = json::value_from(found);
  return kept.empty() ? std::nullopt : std::optional<std::string>(json::serialize(kept));
}

/// Not there (or only some parts of a thread): a request cut off on our side may still land,
/// so a "no" is only trusted after the grace period; then the rest is sent again.
Outcome notFound(const std::string& answer, const std::vector<std::string>& found, const Target& target,
                 const json::object& progress, std::size_t parts, const config::PublishingConfig& config,
                 std::int64_t now) {
  const auto graceEnds = target.attemptStartedAt.value_or(target.updatedAt) + 1000LL * config.reconcileGraceSeconds;
  if (now < graceEnds) return lookAgainAt(graceEnds, answer == "found" ? "part of the thread found" : "not found yet");
  // Sent again and again, never answered, never found (a platform that refuses an identical
  // re-send the plugin cannot see, say): a person looks instead of an endless loop.
  if (target.attempts >= config.maxAttempts) {
    return needsReview("sent " + std::to_string(target.attempts) +
                       " times without a clear answer and not found at the platform;"
                       " check the account before publishing it again");
  }
  Outcome o;
  o.status = targetStatus::queued;
  o.dueAt = now;
  o.progress = keptProgress(progress, found, !found.empty());
  o.event = "reconciled_not_found";
  o.eventDetail = {{"found", static_cast<std::int64_t>(found.size())}, {"parts", static_cast<std::int64_t>(parts)}};
  return o;
}

}  // namespace

std::optional<std::string> stringField(const json::value& reply, const char* name) {
  if (!reply.is_object()) return std::nullopt;
  const auto* v = reply.as_object().if_contains(name);
  if (!v || !v->is_string() || v->get_string().empty()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<int> pendingSeconds(const json::value& reply) {
  const auto* pending = reply.is_object() ? reply.as_object().if_contains("pending") : nullptr;
  if (pending == nullptr || !pending->is_object()) return std::nullopt;
  const auto* seconds = pending->as_object().if_contains("retryAfterSeconds");
  if (seconds == nullptr || !seconds->is_number()) return 5;
  return std::clamp(static_cast<int>(seconds->to_number<double>()), 1, 3600);
}

Outcome failed(std::string error, std::string kind) {
  Outcome o;
  o.status = targetStatus::failed;
  o.eventDetail = {{"error", error}, {"kind", kind}};
  o.error = std::move(error);
  o.errorKind = std::move(kind);
  o.event = "failed";
  return o;
}

Outcome needsReview(const std::string& why) {
  Outcome o;
  o.status = targetStatus::needsReview;
  o.error = why;
  o.errorKind = "outcome_unknown";
  o.event = "needs_review";
  o.eventDetail = {{"reason", why}};
  return o;
}

Outcome classify(const SendResult& sent, const Target& target, const config::PublishingConfig& config, std::int64_t now,
                 const Backoff& backoff) {
  const auto& result = sent.result;
  auto progress = sent.progress;
  // What the plugin reports live (thread parts) joins what the host keeps (uploaded media).
  if (const auto live = progressOf(result.json)) progress["postIds"] = json::parse(*live).at("postIds");
  const auto pending =
      result.ok() ? (sent.processingSeconds ? sent.processingSeconds : pendingSeconds(result.json)) : std::nullopt;
  if (pending) return processing(result.json, std::move(progress), *pending, now);
  auto outcome = settledAttempt(result, target, config, now, backoff);
  if (!progress.empty()) outcome.progress = json::serialize(progress);
  return outcome;
}

Outcome classifyLookup(const plugins::CallResult& result, const Target& target, const json::object& progress,
                       std::size_t parts, const config::PublishingConfig& config, std::int64_t now) {
  const auto attemptedAt = target.attemptStartedAt.value_or(target.updatedAt);
  if (result.kind == ErrorKind::RateLimited || result.kind == ErrorKind::Transient) {
    // Ask again soon, then less and less often; an attempt nobody could look up for a day goes
    // to a person.
    if (now - attemptedAt > time::dayMillis)
      return needsReview("the platform could not be asked for a day: " + result.reason());
    const auto wait = std::max<std::int64_t>(1000LL * result.retryAfterSeconds,
                                             std::clamp<std::int64_t>((now - attemptedAt) / 4, 2000, 300'000));
    return lookAgainAt(now + wait, result.reason());
  }
  if (!result.ok()) return needsReview("looking the post up failed: " + result.reason());

  const auto answer = stringField(result.json, "outcome").value_or("");
  const auto found = foundIds(result.json);
  if (answer == "found" && !found.empty() && found.size() >= parts) {
    auto o = published(found.front(), stringField(result.json, "url"));
    o.progress = keptProgress(progress, found, parts > 1);
    o.eventDetail["reconciled"] = true;
    return o;
  }
  if (answer == "found" || answer == "not_found") return notFound(answer, found, target, progress, parts, config, now);
  return needsReview("the platform cannot tell whether the post exists: " +
                     stringField(result.json, "reason")
                         .value_or("the plugin answered " + (answer.empty() ? std::string("nothing") : answer)));
}

}  // namespace marketsage::publishing
