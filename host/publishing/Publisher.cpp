#include "publishing/Publisher.h"

#include "config/Config.h"
#include "connections/ConnectionStore.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "media/MediaStore.h"
#include "monitoring/ErrorLog.h"
#include "oauth/TokenRefresher.h"
#include "plugins/HostServices.h"
#include "plugins/PlatformError.h"
#include "plugins/PluginRegistry.h"
#include "publishing/Classify.h"
#include "publishing/PostStore.h"
#include "tenants/Directory.h"
#include "vault/TokenVault.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

namespace marketsage::publishing {
namespace json = boost::json;
using plugins::ErrorKind;
using plugins::Operation;

namespace {

/// Media of the post as the plugins see them (sdk-docs/json-schemas.md, Media). Plugins stream
/// files by path (the ABI's body_file), so each gets a path from `files`.
json::array mediaJson(const config::Config& config, const vault::TokenVault& vault, media::MediaStore& library,
                      media::LocalFiles& files, const std::string& mediaIds) {
  json::array out;
  const auto ids = json::parse(mediaIds);
  for (const auto& id : ids.as_array()) {
    const auto item = library.find(json::value_to<std::string>(id));
    if (!item) continue;  // deleted from the library after the post was made
    json::object m{{"id", item->id},
                   {"kind", item->kind},
                   {"mimeType", item->mimeType},
                   {"path", files.pathOf(*item).string()},
                   {"size", item->size}};
    if (item->altText) m["altText"] = *item->altText;
    if (item->width) m["width"] = *item->width;
    if (item->height) m["height"] = *item->height;
    if (!config.publicUrl.empty()) {
      const auto expiresAt = time::nowMillis() + std::int64_t{config.media.urlLifetimeSeconds} * 1000;
      m["url"] = media::signedUrl(config.publicUrl, vault, *item, expiresAt);
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
json::object postJson(const config::Config& config, const vault::TokenVault& vault, media::MediaStore& library,
                      media::LocalFiles& files, const Post& post, const connections::Connection& connection) {
  auto options = optionsFor(post.options, connection.platform);
  json::object request{{"content", post.content},
                       {"account", connections::accountJson(connection)},
                       {"media", mediaJson(config, vault, library, files, post.mediaIds)}};
  if (post.link) request["link"] = *post.link;
  request["submittedAt"] = time::formatIso8601(post.createdAt);  // since ABI 1.4: the same on every attempt
  if (auto* thread = options.if_contains("thread"); thread && thread->is_array()) request["thread"] = *thread;
  if (post.scheduledAt && nativeScheduling(options)) request["scheduledTime"] = time::formatIso8601(*post.scheduledAt);
  request["options"] = std::move(options);
  return request;
}

/// The issues of a validate reply, each {"field": string|null, "message"} (others are skipped).
json::array issuesOf(const json::value& reply) {
  json::array out;
  const auto* issues = reply.is_object() ? reply.as_object().if_contains("issues") : nullptr;
  if (!issues || !issues->is_array()) return out;
  for (const auto& issue : issues->as_array()) {
    const auto* message = issue.is_object() ? issue.as_object().if_contains("message") : nullptr;
    if (!message || !message->is_string()) continue;
    const auto* field = issue.as_object().if_contains("field");
    out.push_back({{"field", field && field->is_string() ? *field : json::value(nullptr)}, {"message", *message}});
  }
  return out;
}

/// The validation issues a plugin gave, as one line.
std::string issuesText(const plugins::CallResult& result) {
  std::string text = result.message;
  for (const auto& issue : issuesOf(result.json)) {
    const auto& item = issue.as_object();
    if (!text.empty()) text += "; ";
    if (const auto& field = item.at("field"); field.is_string()) text += std::string(field.get_string()) + ": ";
    text += std::string(item.at("message").get_string());
  }
  return text.empty() ? "refused by the platform's limits" : text;
}

/// A post as submit() builds it from a request, before it is stored: its media must be the
/// organization's (404 otherwise).
Post draftPost(const config::Config& config, tenants::TenantStore& tenant, const PostRequest& request) {
  Post post;
  post.id = random::uuid();
  post.organizationId = tenant.organizationId();
  post.content = request.content;
  post.link = request.link;
  post.scheduledAt = request.scheduledAt;
  post.createdAt = time::nowMillis();
  post.options = json::serialize(request.options);
  json::array mediaIds;
  media::MediaStore library(tenant, config.dataDir);
  for (const auto& id : request.media) {
    if (!library.find(id)) throw Problem::notFound("no such media: " + id);
    mediaIds.push_back(json::value(id));
  }
  post.mediaIds = json::serialize(mediaIds);
  return post;
}

/// The connections a request targets: every active one on its "platforms" (400 when a platform
/// has none) and its "targets" (404 for an id not in this organization), each once.
std::vector<connections::Connection> chosenConnections(const vault::TokenVault& vault, tenants::TenantStore& tenant,
                                                       const PostRequest& request) {
  connections::ConnectionStore connectionStore(tenant, vault);
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
  if (chosen.empty()) throw Problem::badInput(R"(give at least one target: "platforms" or "targets")");
  return chosen;
}

/// The "length" of a validate reply (optional): {"used","limit","unit"?}, when well formed.
std::optional<json::object> lengthOf(const json::value& reply) {
  const auto* length = reply.is_object() ? reply.as_object().if_contains("length") : nullptr;
  if (!length || !length->is_object()) return std::nullopt;
  const auto& given = length->as_object();
  const auto count = [&](const char* name) -> std::optional<std::int64_t> {
    const auto* v = given.if_contains(name);
    if (v && v->is_int64() && v->get_int64() >= 0) return v->get_int64();
    if (v && v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
  };
  const auto used = count("used"), limit = count("limit");
  if (!used || !limit) return std::nullopt;
  json::object out{{"used", *used}, {"limit", *limit}};
  if (const auto* unit = given.if_contains("unit");
      unit && unit->is_string() && !unit->get_string().empty() && unit->get_string().size() <= 32) {
    out["unit"] = *unit;
  }
  return out;
}

/// Whether `connection` may take `post`: its plugin publishes, the connection is active, and the
/// plugin's validate accepts the post.
TargetValidation validateTarget(const config::Config& config, const vault::TokenVault& vault,
                                const plugins::PluginRegistry& plugins, tenants::TenantStore& tenant, const Post& post,
                                const connections::Connection& connection) {
  TargetValidation v;
  v.connectionId = connection.id;
  v.platform = connection.platform;
  v.accountName = connection.accountName;
  const auto refuse = [&v](std::string error, std::string kind) {
    v.ok = false;
    v.error = std::move(error);
    v.errorKind = std::move(kind);
    if (v.issues.empty()) v.issues.push_back({{"field", nullptr}, {"message", v.error}});
  };
  const auto plugin = plugins.get(connection.platform);
  if (!plugin || !plugin->supports(Operation::Publish)) {
    refuse("the " + connection.platform + " plugin is not enabled or cannot publish", "not_supported");
  } else if (connection.status != connections::status::active) {
    refuse("the connection is " + connection.status + "; reconnect it", "auth_invalid");
  } else if (plugin->supports(Operation::Validate)) {
    media::MediaStore library(tenant, config.dataDir);
    media::LocalFiles files(library.content(), config.dataDir, false);
    const auto result = plugin->call(Operation::Validate, postJson(config, vault, library, files, post, connection));
    v.issues = issuesOf(result.json);
    v.length = lengthOf(result.json);
    if (!result.ok()) refuse(issuesText(result), std::string(plugins::toString(result.kind)));
  }
  return v;
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

/// The target's progress as an object (the plugin's "resume"): {} when there is none.
json::object progressObject(const Target& target) {
  if (!target.progress) return {};
  boost::system::error_code ec;
  auto value = json::parse(*target.progress, ec);
  return !ec && value.is_object() ? std::move(value.as_object()) : json::object{};
}

/// The stable idempotency key of a target: the same on every attempt (ABI 1.2).
std::string idempotencyKeyOf(const Target& target) { return "ms-" + target.id; }

/// Exponential backoff with jitter: base, 2 base, 4 base … (capped at 15 min), times 0.5–1.5.
std::int64_t backoffMillis(int baseMillis, std::int64_t attempt) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const double base = baseMillis * std::pow(2.0, static_cast<double>(std::clamp<std::int64_t>(attempt - 1, 0, 20)));
  const double capped = std::min(base, 15.0 * 60 * 1000);
  return static_cast<std::int64_t>(capped * std::uniform_real_distribution<double>(0.5, 1.5)(rng));
}

}  // namespace

Publisher::Publisher(const config::Config& config, store::Database& db, tenants::Directory& directory,
                     const vault::TokenVault& vault, const plugins::PluginRegistry& plugins,
                     oauth::TokenRefresher& refresher)
    : config_(config),
      db_(db),
      directory_(directory),
      vault_(vault),
      plugins_(plugins),
      refresher_(refresher),
      queue_(db, "host-" + random::token(9)) {}

Publisher::~Publisher() { stop(); }

Post Publisher::submit(tenants::TenantStore& tenant, const tenants::Actor& actor, const PostRequest& request,
                       const std::optional<std::string>& idempotencyKey, const std::string& requestHash) {
  Post post = draftPost(config_, tenant, request);
  post.createdBy = actor.userId;
  for (const auto& connection : chosenConnections(vault_, tenant, request)) {
    Target t;
    t.id = random::uuid();
    t.postId = post.id;
    t.connectionId = connection.id;
    t.platform = connection.platform;
    t.accountId = connection.accountId;
    t.updatedAt = post.createdAt;
    const auto options = optionsFor(post.options, connection.platform);
    t.dueAt = post.scheduledAt && !nativeScheduling(options) ? *post.scheduledAt : post.createdAt;
    if (auto verdict = validateTarget(config_, vault_, plugins_, tenant, post, connection); !verdict.ok) {
      t.status = targetStatus::failed;
      t.error = std::move(verdict.error);
      t.errorKind = std::move(verdict.errorKind);
    }
    post.targets.push_back(std::move(t));
  }

  if (!PostStore(tenant).create(post, idempotencyKey, requestHash, actor)) {
    throw Problem::conflict("this Idempotency-Key was used for another post at the same moment; retry");
  }
  // A post for later needs no claim now (each wake is a write transaction): the dispatcher looks
  // at least every pollMillis and sleeps no longer than until the next due target.
  const auto soon = time::nowMillis() + config_.publishing.pollMillis;
  if (std::any_of(post.targets.begin(), post.targets.end(),
                  [&](const Target& t) { return t.status == targetStatus::queued && t.dueAt <= soon; })) {
    wake();
  }
  return post;
}

std::vector<TargetValidation> Publisher::validate(tenants::TenantStore& tenant, const PostRequest& request) {
  const Post post = draftPost(config_, tenant, request);
  std::vector<TargetValidation> out;
  for (const auto& connection : chosenConnections(vault_, tenant, request))
    out.push_back(validateTarget(config_, vault_, plugins_, tenant, post, connection));
  return out;
}

bool Publisher::waitSettled(tenants::TenantStore& tenant, const std::string& postId,
                            std::chrono::milliseconds timeout) {
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

std::vector<Publisher::NotDeleted> Publisher::withdraw(tenants::TenantStore& tenant, const tenants::Actor& actor,
                                                       const Post& post) {
  PostStore posts(tenant);
  posts.cancelQueued(post.id, actor);
  std::vector<NotDeleted> notDeleted;
  for (const auto& target : post.targets) {
    if (target.status == targetStatus::deleted || target.status == targetStatus::cancelled) continue;
    const auto ids = liveIds(target);
    if (ids.empty()) continue;
    const auto plugin = plugins_.get(target.platform);
    if (!plugin || !plugin->supports(Operation::DeletePost)) {
      notDeleted.push_back({target, ids, "the " + target.platform + " plugin cannot delete posts"});
      continue;
    }
    std::vector<std::string> remaining;
    std::string error;
    for (std::size_t i = ids.size(); i-- > 0;) {  // replies before the post they answer
      const auto& id = ids[i];
      try {
        const auto result =
            refresher_.callWithToken(tenant, target.connectionId, *plugin, Operation::DeletePost, {{"postId", id}});
        if (result.ok()) continue;
        error = result.reason();
      } catch (const plugins::PlatformError& e) {
        error = e.what();
      } catch (const Problem& problem) {
        error = problem.detail();
      }
      remaining.insert(remaining.begin(), id);
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

/// What publishing or looking up one claimed target works with, loaded once (a missing piece is
/// empty: attempt and reconcile each say what that means).
struct TargetContext {
  const Target& target;
  tenants::TenantStore tenant;
  std::optional<connections::Connection> connection;
  std::shared_ptr<const plugins::Plugin> plugin;
  std::optional<Post> post;
  connections::SealedTokens sealed;           ///< the connection's tokens as read with it
  std::optional<connections::Tokens> tokens;  ///< opened (or refreshed) at the first plugin call
};

namespace {

/// Why a target cannot be published at all (a failed outcome), if it cannot.
std::optional<Outcome> publishRefusal(const TargetContext& context) {
  if (!context.connection) return failed("the connection was removed", "not_found");
  if (!context.plugin || !context.plugin->supports(Operation::Publish)) {
    return failed("the " + context.target.platform + " plugin is not enabled or cannot publish", "not_supported");
  }
  if (!context.post) return failed("the post was removed", "not_found");
  return std::nullopt;
}

/// Why an attempt of unknown outcome cannot be looked up (for a person to settle), if it cannot.
std::optional<Outcome> lookupRefusal(const TargetContext& context) {
  if (!context.connection || !context.post) {
    return needsReview("the connection or the post is gone; check the account for this post");
  }
  if (!context.plugin || !context.plugin->supports(Operation::Reconcile)) {
    return needsReview("the attempt's outcome is unknown and the " + context.target.platform +
                       " plugin cannot look it up; check the account before publishing it again");
  }
  return std::nullopt;
}

/// An attempt's token could not be made fresh (raised before the platform was called): the
/// reconnect it needs, a retryable kind, or a permanent failure.
void takeTokenFailure(plugins::CallResult& result, const plugins::PlatformError& error,
                      const connections::Connection& connection) {
  const bool expired = connection.status == connections::status::expired;
  result.kind = error.needsReconnect() ? (expired ? ErrorKind::AuthExpired : ErrorKind::AuthInvalid)
                : error.retryable()    ? error.kind()
                                       : ErrorKind::Permanent;
  result.message = error.what();
  result.retryAfterSeconds = std::max(1, error.retryAfterSeconds());
}

/// What an upload sends of a medium of the post's request.
json::object uploadRequest(json::object& medium, const Target& target, const std::string& mediaId) {
  json::object upload;
  for (const char* field : {"path", "mimeType", "size", "kind"}) upload[field] = medium[field];
  if (medium.contains("altText")) upload["altText"] = medium["altText"];
  upload["idempotencyKey"] = idempotencyKeyOf(target) + "-" + mediaId;
  return upload;
}

}  // namespace

TargetContext Publisher::loadContext(const ClaimedTarget& claimed) {
  const auto& target = claimed.target;
  auto tenant = directory_.tenant(claimed.organizationId);
  // One statement for the post, the connection and its sealed tokens: the plugin calls that
  // follow read nothing more unless the token is due for refresh.
  auto read = PostStore(tenant).forAttempt(target.id);
  return TargetContext{target,
                       std::move(tenant),
                       std::move(read.connection),
                       plugins_.get(target.platform),
                       std::move(read.post),
                       std::move(read.sealed),
                       std::nullopt};
}

plugins::CallResult Publisher::callPlugin(TargetContext& context, Operation operation, const json::object& request) {
  return refresher_.callWithToken(context.tenant, *context.connection, context.sealed, context.tokens, *context.plugin,
                                  operation, request);
}

void Publisher::uploadMedia(TargetContext& context, json::object& request, SendResult& sent) {
  // Media uploaded by an earlier attempt (kept in progress.media) are not uploaded again.
  json::object uploaded;
  if (const auto* earlier = sent.progress.if_contains("media"); earlier && earlier->is_object()) {
    uploaded = earlier->as_object();
  }
  for (auto& item : request["media"].as_array()) {
    auto& medium = item.as_object();
    const std::string mediaId(medium["id"].as_string());
    if (const auto* known = uploaded.if_contains(mediaId); known && known->is_string()) {
      medium["platformMediaId"] = *known;
      continue;
    }
    sent.result = callPlugin(context, Operation::UploadMedia, uploadRequest(medium, context.target, mediaId));
    if (!sent.result.ok()) break;
    const auto id = stringField(sent.result.json, "platformMediaId");
    if (!id) {
      sent.result.kind = ErrorKind::PluginFault;
      sent.result.message = "the plugin's upload answer had no platformMediaId";
      break;
    }
    medium["platformMediaId"] = *id;
    uploaded[mediaId] = *id;
    if (const auto wait = pendingSeconds(sent.result.json)) {
      sent.processingSeconds = std::max(sent.processingSeconds.value_or(0), *wait);
    }
  }
  // Not reached when a token could not be made fresh: that attempt keeps the progress it had.
  if (!uploaded.empty()) sent.progress["media"] = uploaded;
}

SendResult Publisher::send(TargetContext& context) {
  // The media files exist (spooled from the database on PostgreSQL) until the attempt ends.
  media::MediaStore library(context.tenant, config_.dataDir);
  media::LocalFiles files(library.content(), config_.dataDir, true);
  SendResult sent{{}, progressObject(context.target), std::nullopt};
  json::object request;
  try {
    request = postJson(config_, vault_, library, files, *context.post, *context.connection);
  } catch (const std::exception& e) {  // a medium could not be copied for the plugin: nothing was sent
    sent.result.kind = ErrorKind::Transient;
    sent.result.message = "the post's media could not be read: " + describe(e);
    sent.hostSide = true;
    return sent;
  }
  request["idempotencyKey"] = idempotencyKeyOf(context.target);
  try {
    if (context.plugin->supports(Operation::UploadMedia)) uploadMedia(context, request, sent);
    if (!sent.progress.empty()) request["resume"] = sent.progress;
    // Media the platform is still processing: publish on a later attempt.
    if (sent.result.ok() && !sent.processingSeconds) sent.result = callPlugin(context, Operation::Publish, request);
  } catch (const plugins::PlatformError& error) {
    takeTokenFailure(sent.result, error, *context.connection);
    sent.hostSide = true;
  } catch (const Problem& problem) {  // the connection is gone
    sent.result.kind = ErrorKind::Permanent;
    sent.result.message = problem.detail();
    sent.hostSide = true;
  }
  return sent;
}

void Publisher::noteConnectionState(TargetContext& context, const plugins::CallResult& result, const Outcome& outcome,
                                    std::int64_t now) {
  const auto& target = context.target;
  connections::ConnectionStore connectionStore(context.tenant, vault_);
  if (outcome.status == targetStatus::published) {
    const auto& lastSuccessAt = context.connection->lastSuccessAt;
    if (!lastSuccessAt || *lastSuccessAt < now - 60'000) connectionStore.recordSuccess(target.connectionId);
  } else if (result.kind == ErrorKind::RateLimited) {
    queue_.deferConnection(context.tenant.organizationId(), target.connectionId, outcome.dueAt);
  } else if (result.kind == ErrorKind::AuthExpired || result.kind == ErrorKind::AuthInvalid) {
    const bool expired = result.kind == ErrorKind::AuthExpired;
    connectionStore.markFailed(target.connectionId,
                               expired ? connections::status::expired : connections::status::invalid, result.message);
  }
}

Outcome Publisher::attempt(const ClaimedTarget& claimed) {
  auto context = loadContext(claimed);
  if (auto refusal = publishRefusal(context)) return *refusal;
  const auto sent = send(context);
  const auto now = time::nowMillis();
  auto outcome = classify(sent, claimed.target, config_.publishing, now, backoffMillis);
  noteConnectionState(context, sent.result, outcome, now);
  const auto type = monitoring::typeOf(sent.result.kind);
  if (type && !sent.hostSide && outcome.status != targetStatus::published) {
    const auto secrets =
        context.tokens ? oauth::TokenRefresher::secretsOf(*context.tokens) : std::vector<std::string>{};
    // Logged by the writer with the outcome, in its batch.
    outcome.platformError =
        monitoring::NewError{claimed.target.platform, claimed.target.connectionId, *type,
                             plugins::redact(sent.result.reason(), secrets), sent.result.platformCode};
  }
  return outcome;
}

plugins::CallResult Publisher::lookUp(TargetContext& context, const json::object& request) {
  plugins::CallResult result;
  try {
    result = callPlugin(context, Operation::Reconcile, request);
  } catch (const plugins::PlatformError& error) {  // the token could not be made fresh
    result.kind = error.retryable() ? ErrorKind::Transient : ErrorKind::AuthInvalid;
    result.message = error.what();
    result.retryAfterSeconds = std::max(1, error.retryAfterSeconds());
  } catch (const Problem& problem) {  // the connection is gone
    result.kind = ErrorKind::AuthInvalid;
    result.message = problem.detail();
  }
  return result;
}

Outcome Publisher::reconcile(const ClaimedTarget& claimed) {
  const auto& target = claimed.target;
  const auto now = time::nowMillis();
  auto context = loadContext(claimed);
  if (auto refusal = lookupRefusal(context)) return *refusal;
  media::MediaStore library(context.tenant, config_.dataDir);
  media::LocalFiles files(library.content(), config_.dataDir, false);  // a lookup reads no file
  auto request = postJson(config_, vault_, library, files, *context.post, *context.connection);
  const auto progress = progressObject(target);
  if (!progress.empty()) request["resume"] = progress;
  request["idempotencyKey"] = idempotencyKeyOf(target);
  request["attemptedAt"] = time::formatIso8601(target.attemptStartedAt.value_or(target.updatedAt));
  const auto result = lookUp(context, request);
  const std::size_t parts = 1 + (request.contains("thread") ? request.at("thread").as_array().size() : 0);
  auto outcome = classifyLookup(result, target, progress, parts, config_.publishing, now);
  if (outcome.event == "published" || outcome.event == "reconciled_not_found") {
    log::info(
        outcome.event == "published" ? "reconciled: the post exists" : "reconciled: not at the platform, sending again",
        {{"target", target.id}, {"platform", target.platform}});
  }
  return outcome;
}
void Publisher::publish(const ClaimedTarget& claimed) {
  Outcome outcome;
  try {
    outcome = claimed.reconcile ? reconcile(claimed) : attempt(claimed);
  } catch (const std::exception& e) {
    // An internal failure (database, malformed stored JSON). The row still says "publishing":
    // if the platform was called its lease runs out and it becomes needs_review; nothing retries.
    log::error("publishing a target failed inside the host", {{"target", claimed.target.id}, {"error", describe(e)}});
    return;
  }
  {
    // Recorded by the writer with others in one transaction. Until then the row still says
    // publishing under our lease: after a crash it is looked up, never sent again blindly.
    std::lock_guard lock(outcomesMutex_);
    outcomes_.emplace_back(claimed, outcome);
  }
  wakeWriter_.notify_one();
  log::info(claimed.reconcile ? "reconcile finished" : "publish attempt finished",
            {{"target", claimed.target.id}, {"platform", claimed.target.platform}, {"status", outcome.status}});
}

void Publisher::writeLoop() {
  // A batch gathers for a few milliseconds (or until it is full): one transaction for many
  // outcomes instead of one each, at the cost of that much more lateness in recording them.
  constexpr std::size_t maxBatch = 128;
  constexpr auto gather = std::chrono::milliseconds(5);
  std::unique_lock lock(outcomesMutex_);
  while (true) {
    wakeWriter_.wait(lock, [this] { return writerStopping_ || !outcomes_.empty(); });
    if (outcomes_.empty()) return;  // stopping, and everything is recorded
    wakeWriter_.wait_for(lock, gather, [this] { return writerStopping_ || outcomes_.size() >= maxBatch; });
    std::vector<std::pair<ClaimedTarget, Outcome>> batch;
    while (!outcomes_.empty() && batch.size() < maxBatch) {
      batch.push_back(std::move(outcomes_.front()));
      outcomes_.pop_front();
    }
    lock.unlock();
    record(batch);
    settled_.notify_all();
    lock.lock();
  }
}

void Publisher::record(const std::vector<std::pair<ClaimedTarget, Outcome>>& outcomes) {
  try {
    queue_.settle(outcomes);
    return;
  } catch (const std::exception& e) {
    log::warn("storing a batch of publish outcomes failed; storing them one by one",
              {{"count", std::to_string(outcomes.size())}, {"error", describe(e)}});
  }
  // One bad row must not keep the others unrecorded.
  for (const auto& item : outcomes) {
    try {
      queue_.settle({item});
    } catch (const std::exception& e) {
      log::error("storing a publish outcome failed",
                 {{"target", item.first.target.id}, {"status", item.second.status}, {"error", describe(e)}});
    }
  }
}

void Publisher::start() {
  std::lock_guard lock(mutex_);
  if (dispatcher_.joinable()) return;
  stopping_ = false;
  queue_.heartbeat();
  // One host per SQLite file (serve holds a lock on it): whatever is still publishing was left by
  // this host's previous run, and is looked up at once rather than after its lease.
  if (db_.backend() == store::Backend::SQLite) {
    if (const int adopted = queue_.adoptAllInFlight(); adopted > 0) {
      log::warn("attempts left unfinished by the previous run will be reconciled",
                {{"count", std::to_string(adopted)}});
    }
  }
  media::LocalFiles::removeStale(config_.dataDir);
  {
    std::lock_guard guard(outcomesMutex_);
    writerStopping_ = false;
  }
  writer_ = std::thread([this] { writeLoop(); });
  for (int i = 0; i < config_.publishing.workers; ++i) workers_.emplace_back([this] { workerLoop(); });
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
  // Claimed but never started: give them back at once rather than waiting for the lease (a
  // reconciliation stays publishing, to be looked up by the next host that runs).
  {
    std::lock_guard guard(outcomesMutex_);
    for (auto& claimed : ready_) {
      Outcome back;
      back.status = claimed.reconcile ? targetStatus::publishing : targetStatus::queued;
      back.dueAt = time::nowMillis();
      if (claimed.reconcile) back.reconcileAfter = back.dueAt;
      back.uncounted = !claimed.reconcile;
      back.event = "released";
      outcomes_.emplace_back(std::move(claimed), std::move(back));
    }
    writerStopping_ = true;
  }
  ready_.clear();
  // The writer records every outcome still queued before it ends.
  wakeWriter_.notify_all();
  if (writer_.joinable()) writer_.join();
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
    // not after every target, and only when its last claim left due work behind (otherwise it
    // sleeps until the next due time, or a new post wakes it): no empty claim per target.
    const int idle = config_.publishing.workers - busy_ - static_cast<int>(ready_.size());
    if (backlog_ && (idle >= std::max(1, config_.publishing.workers / 8) || busy_ == 0)) wakeRequested_ = true;
    settled_.notify_all();
    wakeDispatcher_.notify_one();
  }
}

void Publisher::dispatchLoop() {
  const auto& config = config_.publishing;
  const std::int64_t leaseMillis = std::int64_t{config.leaseSeconds} * 1000;
  const std::int64_t deadAfterMillis = std::int64_t{config.hostTimeoutSeconds} * 1000;
  // Heartbeats a few times within hostTimeoutSeconds; leases renewed three times within theirs.
  const auto heartbeatEvery = std::chrono::milliseconds(deadAfterMillis / 4);
  const auto renewEvery = std::chrono::milliseconds(leaseMillis / 3);
  auto lastHeartbeat = std::chrono::steady_clock::now() - std::chrono::hours(1);
  auto lastRenewal = lastHeartbeat, lastOrphanLook = lastHeartbeat;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    int capacity = config.workers - busy_ - static_cast<int>(ready_.size());
    wakeRequested_ = false;
    lock.unlock();
    std::chrono::milliseconds sleep(config.pollMillis);
    try {
      const auto now = std::chrono::steady_clock::now();
      if (now - lastHeartbeat > heartbeatEvery) {
        queue_.heartbeat();
        lastHeartbeat = now;
      }
      if (now - lastRenewal > renewEvery) {
        queue_.renewLeases(leaseMillis);
        lastRenewal = now;
      }
      // Attempts of unknown outcome (no answer, a dead host): ask their platforms, once a second.
      if (capacity > 0 && now - lastOrphanLook > std::chrono::seconds(1)) {
        lastOrphanLook = now;
        auto orphans = queue_.claimOrphans(capacity, leaseMillis, deadAfterMillis);
        if (!orphans.empty()) {
          log::info("reconciling attempts of unknown outcome", {{"count", std::to_string(orphans.size())}});
          capacity -= static_cast<int>(orphans.size());
          std::lock_guard guard(mutex_);
          for (auto& c : orphans) ready_.push_back(std::move(c));
          wakeWorkers_.notify_all();
        }
      }
      // With every worker busy, a finishing worker wakes us (wakeRequested_).
      if (capacity <= 0) {
        std::lock_guard guard(mutex_);
        backlog_ = true;
      } else {
        auto claimed = queue_.claimDue(capacity, leaseMillis);
        const bool full = static_cast<int>(claimed.size()) == capacity;
        {
          std::lock_guard guard(mutex_);
          backlog_ = full;
          for (auto& c : claimed) ready_.push_back(std::move(c));
        }
        if (!claimed.empty()) {
          log::debug("claimed due targets",
                     {{"count", std::to_string(claimed.size())}, {"capacity", std::to_string(capacity)}});
          wakeWorkers_.notify_all();
        }
        // After a full claim more may be due: the next finishing workers wake us.
        if (const auto next = full ? std::nullopt : queue_.nextDueAt()) {
          // Sleep until the next scheduled target is due (at least a little: another host may
          // hold what is due now).
          sleep =
              std::clamp(std::chrono::milliseconds(*next - time::nowMillis()), std::chrono::milliseconds(10), sleep);
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
