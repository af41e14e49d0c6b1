#include "publishing/Publisher.h"

#include "app/Host.h"
#include "connections/ConnectionStore.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "media/MediaStore.h"
#include "oauth/TokenRefresher.h"
#include "plugins/PluginRegistry.h"
#include "publishing/PostStore.h"
#include "tenants/TenantStore.h"
#include "vault/TokenVault.h"

#include <boost/json.hpp>

#include <filesystem>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

namespace marketsage::publishing {
namespace json = boost::json;
using plugins::ErrorKind;
using plugins::Operation;

namespace {

/// Media of the post as the plugins see them (sdk-docs/json-schemas.md, Media).
json::array mediaJson(app::Host& host, tenants::TenantStore& tenant, const std::string& mediaIds) {
  media::MediaStore library(tenant, host.config().dataDir / "media");
  const auto& config = host.config();
  json::array out;
  const auto ids = json::parse(mediaIds);
  for (const auto& id : ids.as_array()) {
    const auto item = library.find(json::value_to<std::string>(id));
    if (!item) continue;  // deleted from the library after the post was made
    json::object m{{"id", item->id},
                   {"kind", item->kind},
                   {"mimeType", item->mimeType},
                   {"path", std::filesystem::absolute(library.pathOf(*item)).lexically_normal().string()},  // plugins get absolute paths
                   {"size", item->size}};
    if (item->altText) m["altText"] = *item->altText;
    if (item->width) m["width"] = *item->width;
    if (item->height) m["height"] = *item->height;
    if (!config.publicUrl.empty()) {
      const auto expiresAt = time::nowMillis() + std::int64_t{config.media.urlLifetimeSeconds} * 1000;
      m["url"] = media::signedUrl(config.publicUrl, host.vault(), *item, expiresAt);
    }
    out.push_back(std::move(m));
  }
  return out;
}

json::object optionsFor(const std::string& options, const std::string& platform) {
  const json::value all = json::parse(options);
  if (const auto* own = all.as_object().if_contains(platform); own && own->is_object()) return own->get_object();
  return {};
}

bool nativeScheduling(const json::object& options) {
  const auto* flag = options.if_contains("nativeScheduling");
  return flag && flag->is_bool() && flag->get_bool();
}

/// The Post of sdk-docs (without the token: callWithToken adds it).
json::object postJson(app::Host& host, tenants::TenantStore& tenant, const Post& post,
                      const connections::Connection& connection) {
  auto options = optionsFor(post.options, connection.platform);
  json::object request{{"content", post.content},
                       {"account", connections::accountJson(connection)},
                       {"media", mediaJson(host, tenant, post.mediaIds)}};
  if (post.link) request["link"] = *post.link;
  if (auto* thread = options.if_contains("thread"); thread && thread->is_array()) request["thread"] = *thread;
  if (post.scheduledAt && nativeScheduling(options)) request["scheduledTime"] = time::formatIso8601(*post.scheduledAt);
  request["options"] = std::move(options);
  return request;
}

/// The validation issues a plugin gave, as one line.
std::string issuesText(const plugins::CallResult& result) {
  std::string text = result.message;
  if (const auto* issues = result.json.is_object() ? result.json.as_object().if_contains("issues") : nullptr;
      issues && issues->is_array()) {
    for (const auto& issue : issues->as_array()) {
      if (!issue.is_object()) continue;
      const auto* message = issue.as_object().if_contains("message");
      if (!message || !message->is_string()) continue;
      if (!text.empty()) text += "; ";
      if (const auto* field = issue.as_object().if_contains("field"); field && field->is_string()) {
        text += std::string(field->get_string()) + ": ";
      }
      text += std::string(message->get_string());
    }
  }
  return text.empty() ? "refused by the platform's limits" : text;
}

/// {"postIds": […]} of a reply that reports parts already live, as progress to resume from.
std::optional<std::string> progressOf(const json::value& reply) {
  if (!reply.is_object()) return std::nullopt;
  const auto* ids = reply.as_object().if_contains("postIds");
  if (!ids || !ids->is_array() || ids->as_array().empty()) return std::nullopt;
  return json::serialize(json::object{{"postIds", *ids}});
}

/// Every id a target has live at its platform: each part of a thread (its progress, which also
/// names the live parts of a thread that failed half way), or its one post.
std::vector<std::string> liveIds(const Target& target) {
  std::vector<std::string> ids;
  if (target.progress) {
    boost::system::error_code ec;
    const auto progress = json::parse(*target.progress, ec);
    const auto* list = !ec && progress.is_object() ? progress.as_object().if_contains("postIds") : nullptr;
    if (list && list->is_array()) {
      for (const auto& id : list->as_array())
        if (id.is_string()) ids.emplace_back(id.as_string());
    }
  }
  if (ids.empty() && target.platformPostId) ids.push_back(*target.platformPostId);
  return ids;
}

std::optional<std::string> stringField(const json::value& reply, const char* name) {
  if (!reply.is_object()) return std::nullopt;
  const auto* v = reply.as_object().if_contains(name);
  if (!v || !v->is_string() || v->get_string().empty()) return std::nullopt;
  return std::string(v->get_string());
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

/// Exponential backoff with jitter: base, 2 base, 4 base … (capped at 15 min), times 0.5–1.5.
std::int64_t backoffMillis(int baseMillis, std::int64_t attempt) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const double base = baseMillis * std::pow(2.0, static_cast<double>(std::clamp<std::int64_t>(attempt - 1, 0, 20)));
  const double capped = std::min(base, 15.0 * 60 * 1000);
  return static_cast<std::int64_t>(capped * std::uniform_real_distribution<double>(0.5, 1.5)(rng));
}

}  // namespace

Publisher::Publisher(app::Host& host) : host_(host), queue_(host.database(), "host-" + random::token(9)) {}

Publisher::~Publisher() { stop(); }

Post Publisher::submit(tenants::TenantStore& tenant, const tenants::Actor& actor, const PostRequest& request,
                       const std::optional<std::string>& idempotencyKey, const std::string& requestHash) {
  const auto now = time::nowMillis();
  Post post;
  post.id = random::uuid();
  post.organizationId = tenant.organizationId();
  post.content = request.content;
  post.link = request.link;
  post.scheduledAt = request.scheduledAt;
  post.createdBy = actor.userId;
  post.createdAt = now;
  post.options = json::serialize(request.options);
  json::array mediaIds;
  media::MediaStore library(tenant, host_.config().dataDir / "media");
  for (const auto& id : request.media) {
    if (!library.find(id)) throw Problem::notFound("no such media: " + id);
    mediaIds.push_back(json::value(id));
  }
  post.mediaIds = json::serialize(mediaIds);

  connections::ConnectionStore connectionStore(tenant, host_.vault());
  const auto all = connectionStore.list();
  std::vector<connections::Connection> chosen;
  std::set<std::string> seen;
  for (const auto& platform : request.platforms) {
    bool any = false;
    for (const auto& c : all) {
      if (c.platform != platform || c.status != connections::status::active) continue;
      any = true;
      if (seen.insert(c.id).second) chosen.push_back(c);
    }
    if (!any) throw Problem::badInput("no active " + platform + " connection in this organization");
  }
  for (const auto& id : request.targets) {
    const auto it = std::find_if(all.begin(), all.end(), [&](const auto& c) { return c.id == id; });
    if (it == all.end()) throw Problem::notFound("no such connection: " + id);
    if (seen.insert(it->id).second) chosen.push_back(*it);
  }
  if (chosen.empty()) throw Problem::badInput("give at least one target: \"platforms\" or \"targets\"");

  for (const auto& connection : chosen) {
    Target t;
    t.id = random::uuid();
    t.postId = post.id;
    t.connectionId = connection.id;
    t.platform = connection.platform;
    t.accountId = connection.accountId;
    t.updatedAt = now;
    const auto options = optionsFor(post.options, connection.platform);
    t.dueAt = post.scheduledAt && !nativeScheduling(options) ? *post.scheduledAt : now;
    const auto plugin = host_.plugins().get(connection.platform);
    const auto refuse = [&t](std::string error, std::string kind) {
      t.status = targetStatus::failed;
      t.error = std::move(error);
      t.errorKind = std::move(kind);
    };
    if (!plugin || !plugin->supports(Operation::Publish)) {
      refuse("the " + connection.platform + " plugin is not enabled or cannot publish", "not_supported");
    } else if (connection.status != connections::status::active) {
      refuse("the connection is " + connection.status + "; reconnect it", "auth_invalid");
    } else if (plugin->supports(Operation::Validate)) {
      const auto result = plugin->call(Operation::Validate, postJson(host_, tenant, post, connection));
      if (!result.ok()) refuse(issuesText(result), std::string(plugins::toString(result.kind)));
    }
    post.targets.push_back(std::move(t));
  }

  if (!PostStore(tenant).create(post, idempotencyKey, requestHash, actor)) {
    throw Problem::conflict("this Idempotency-Key was used for another post at the same moment; retry");
  }
  wake();
  return post;
}

bool Publisher::waitSettled(tenants::TenantStore& tenant, const std::string& postId, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  PostStore posts(tenant);
  while (true) {
    const auto post = posts.find(postId, PostStore::Detail::Targets);
    if (!post) return true;
    if (std::all_of(post->targets.begin(), post->targets.end(), [](const Target& t) { return isSettled(t.status); })) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::unique_lock lock(mutex_);
    settled_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(100),
                                                                          deadline - std::chrono::steady_clock::now()));
  }
}

std::vector<Publisher::NotDeleted> Publisher::withdraw(tenants::TenantStore& tenant, const tenants::Actor& actor, const Post& post) {
  PostStore posts(tenant);
  posts.cancelQueued(post.id, actor);
  std::vector<NotDeleted> notDeleted;
  for (const auto& target : post.targets) {
    if (target.status == targetStatus::deleted || target.status == targetStatus::cancelled) continue;
    const auto ids = liveIds(target);
    if (ids.empty()) continue;
    const auto plugin = host_.plugins().get(target.platform);
    if (!plugin || !plugin->supports(Operation::DeletePost)) {
      notDeleted.push_back({target, ids, "the " + target.platform + " plugin cannot delete posts"});
      continue;
    }
    std::vector<std::string> remaining;
    std::string error;
    for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
      try {
        const auto result = host_.refresher().callWithToken(tenant, target.connectionId, *plugin, Operation::DeletePost, {{"postId", *id}});
        if (result.ok()) continue;
        error = result.reason();
      } catch (const Problem& problem) {
        error = problem.detail();
      }
      remaining.insert(remaining.begin(), *id);
    }
    if (remaining.empty()) {
      posts.markDeleted(target);
    } else {
      posts.markPartlyDeleted(target, remaining, error);
      notDeleted.push_back({target, remaining, error});
    }
  }
  return notDeleted;
}

Outcome Publisher::attempt(const ClaimedTarget& claimed) {
  const auto& target = claimed.target;
  tenants::TenantStore tenant(host_.database(), claimed.organizationId);
  connections::ConnectionStore connectionStore(tenant, host_.vault());
  const auto connection = connectionStore.find(target.connectionId);
  if (!connection) return failed("the connection was removed", "not_found");
  const auto plugin = host_.plugins().get(target.platform);
  if (!plugin || !plugin->supports(Operation::Publish)) {
    return failed("the " + target.platform + " plugin is not enabled or cannot publish", "not_supported");
  }
  const auto post = PostStore(tenant).find(target.postId, PostStore::Detail::PostOnly);
  if (!post) return failed("the post was removed", "not_found");

  auto request = postJson(host_, tenant, *post, *connection);
  if (target.progress) request["resume"] = json::parse(*target.progress);
  auto& refresher = host_.refresher();
  plugins::CallResult result;
  try {
    if (plugin->supports(Operation::UploadMedia)) {
      for (auto& item : request["media"].as_array()) {
        auto& m = item.as_object();
        json::object upload;
        for (const char* field : {"path", "mimeType", "size", "kind"}) upload[field] = m[field];
        if (m.contains("altText")) upload["altText"] = m["altText"];
        result = refresher.callWithToken(tenant, target.connectionId, *plugin, Operation::UploadMedia, upload);
        if (!result.ok()) break;
        const auto id = stringField(result.json, "platformMediaId");
        if (!id) {
          result.kind = ErrorKind::PluginFault;
          result.message = "the plugin's upload answer had no platformMediaId";
          break;
        }
        m["platformMediaId"] = *id;
      }
    }
    if (result.ok()) result = refresher.callWithToken(tenant, target.connectionId, *plugin, Operation::Publish, request);
  } catch (const Problem& problem) {
    // Raised before the platform was called (the token could not be made fresh).
    const bool expired = connection->status == connections::status::expired;
    result.kind = problem.status() == 409 ? (expired ? ErrorKind::AuthExpired : ErrorKind::AuthInvalid)
                  : problem.status() == 429 ? ErrorKind::RateLimited
                  : problem.status() == 503 ? ErrorKind::Transient : ErrorKind::Permanent;
    result.message = problem.detail();
    result.retryAfterSeconds = problem.retryAfterSeconds();
  }

  const auto now = time::nowMillis();
  const std::string kind(plugins::toString(result.kind));
  Outcome outcome;
  outcome.progress = progressOf(result.json);
  switch (result.kind) {
    case ErrorKind::Ok: {
      const auto postId = stringField(result.json, "postId");
      if (!postId) {
        // The platform may well have posted it: never retry blindly.
        outcome.status = targetStatus::needsReview;
        outcome.error = "the plugin reported success without a post id";
        outcome.errorKind = "plugin_fault";
        outcome.event = "needs_review";
        outcome.eventDetail = {{"error", *outcome.error}};
        return outcome;
      }
      if (!connection->lastSuccessAt || *connection->lastSuccessAt < now - 60'000) connectionStore.recordSuccess(target.connectionId);
      outcome.status = targetStatus::published;
      outcome.platformPostId = postId;
      outcome.url = stringField(result.json, "url");
      outcome.event = "published";
      outcome.eventDetail = {{"postId", *postId}, {"url", outcome.url.value_or("")}};
      return outcome;
    }
    case ErrorKind::RateLimited: {
      const std::int64_t wait = 1000LL * (result.retryAfterSeconds > 0 ? result.retryAfterSeconds : 60);
      outcome.status = targetStatus::queued;
      outcome.dueAt = now + wait;
      outcome.error = result.message;
      outcome.errorKind = kind;
      outcome.event = "rate_limited";
      outcome.eventDetail = {{"retryAt", time::formatIso8601(outcome.dueAt)}, {"message", result.message}};
      queue_.deferConnection(target.connectionId, outcome.dueAt);
      return outcome;
    }
    case ErrorKind::Transient: {
      if (target.attempts >= host_.config().publishing.maxAttempts) {
        auto o = failed("gave up after " + std::to_string(target.attempts) + " attempts: " + result.message, kind);
        o.progress = outcome.progress;
        return o;
      }
      outcome.status = targetStatus::queued;
      outcome.dueAt = now + std::max<std::int64_t>(1000LL * result.retryAfterSeconds, backoffMillis(host_.config().publishing.retryBaseMillis, target.attempts));
      outcome.error = result.message;
      outcome.errorKind = kind;
      outcome.event = "retry";
      outcome.eventDetail = {{"retryAt", time::formatIso8601(outcome.dueAt)}, {"message", result.message}};
      return outcome;
    }
    case ErrorKind::AuthExpired:
    case ErrorKind::AuthInvalid: {
      const bool expired = result.kind == ErrorKind::AuthExpired;
      connectionStore.markFailed(target.connectionId, expired ? connections::status::expired : connections::status::invalid,
                                 result.message);
      auto o = failed((expired ? "the token expired; reconnect the account: " : "the platform refused the token; reconnect the account: ") +
                          result.message, kind);
      o.progress = outcome.progress;
      return o;
    }
    default: {
      auto o = failed(result.reason(), kind);
      o.progress = outcome.progress;
      return o;
    }
  }
}

void Publisher::publish(const ClaimedTarget& claimed) {
  Outcome outcome;
  try {
    outcome = attempt(claimed);
  } catch (const std::exception& e) {
    // An internal failure (database, malformed stored JSON). The row still says "publishing":
    // if the platform was called its lease runs out and it becomes needs_review; nothing retries.
    log::error("publishing a target failed inside the host", {{"target", claimed.target.id}, {"error", describe(e)}});
    return;
  }
  try {
    queue_.settle(claimed, outcome);
  } catch (const std::exception& e) {
    log::error("storing a publish outcome failed", {{"target", claimed.target.id}, {"status", outcome.status}, {"error", describe(e)}});
  }
  log::info("publish attempt finished", {{"target", claimed.target.id}, {"platform", claimed.target.platform}, {"status", outcome.status}});
}

void Publisher::start() {
  std::lock_guard lock(mutex_);
  if (dispatcher_.joinable()) return;
  stopping_ = false;
  for (int i = 0; i < host_.config().publishing.workers; ++i) workers_.emplace_back([this] { workerLoop(); });
  dispatcher_ = std::thread([this] { dispatchLoop(); });
}

void Publisher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeDispatcher_.notify_all();
  wakeWorkers_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  for (auto& w : workers_) w.join();
  workers_.clear();
  // Claimed but never started: give them back at once rather than waiting for the lease.
  for (const auto& claimed : ready_) {
    Outcome back;
    back.status = targetStatus::queued;
    back.dueAt = time::nowMillis();
    back.event = "released";
    try {
      queue_.settle(claimed, back);
    } catch (const std::exception&) {
    }
  }
  ready_.clear();
}

void Publisher::wake() {
  {
    std::lock_guard lock(mutex_);
    wakeRequested_ = true;
  }
  wakeDispatcher_.notify_one();
}

void Publisher::workerLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wakeWorkers_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;  // in-flight work elsewhere finishes; unstarted work is released by stop()
    auto claimed = std::move(ready_.front());
    ready_.pop_front();
    ++busy_;
    lock.unlock();
    publish(claimed);
    lock.lock();
    --busy_;
    // Claim in batches: wake the dispatcher when an eighth of the workers are free (or all are),
    // not after every target; the poll interval catches the rest.
    const int idle = host_.config().publishing.workers - busy_ - static_cast<int>(ready_.size());
    if (idle >= std::max(1, host_.config().publishing.workers / 8) || busy_ == 0) wakeRequested_ = true;
    settled_.notify_all();
    wakeDispatcher_.notify_one();
  }
}

void Publisher::dispatchLoop() {
  const auto& config = host_.config().publishing;
  const std::int64_t leaseMillis = std::int64_t{config.leaseSeconds} * 1000;
  auto lastMaintenance = std::chrono::steady_clock::now() - std::chrono::hours(1);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const int capacity = config.workers - busy_ - static_cast<int>(ready_.size());
    wakeRequested_ = false;
    lock.unlock();
    std::chrono::milliseconds sleep(config.pollMillis);
    try {
      if (std::chrono::steady_clock::now() - lastMaintenance > std::chrono::milliseconds(leaseMillis / 3)) {
        queue_.renewLeases(leaseMillis);
        queue_.expireLeases();
        lastMaintenance = std::chrono::steady_clock::now();
      }
      // With every worker busy, a finishing worker wakes us (wakeRequested_).
      if (capacity > 0) {
        auto claimed = queue_.claimDue(capacity, leaseMillis);
        if (!claimed.empty()) {
          log::debug("claimed due targets", {{"count", std::to_string(claimed.size())}, {"capacity", std::to_string(capacity)}});
          std::lock_guard guard(mutex_);
          for (auto& c : claimed) ready_.push_back(std::move(c));
          wakeWorkers_.notify_all();
        } else if (const auto next = queue_.nextDueAt()) {
          // Sleep until the next scheduled target is due (at least a little: another host may
          // hold what is due now).
          sleep = std::clamp(std::chrono::milliseconds(*next - time::nowMillis()), std::chrono::milliseconds(10), sleep);
        }
      }
    } catch (const std::exception& e) {
      log::warn("publishing dispatcher pass failed", {{"error", describe(e)}});
    }
    lock.lock();
    wakeDispatcher_.wait_for(lock, sleep, [this] { return stopping_ || wakeRequested_; });
  }
}

}  // namespace marketsage::publishing
