// Posts: POST /api/social-media/posts (cross-post now or at scheduledTime), its dry run
// POST …/posts/validate (each plugin's verdict and length count, nothing stored), list, get with the
// history of every target, and DELETE (cancel or delete at the platforms). The platform errors of
// the organization are api/ErrorRoutes.cpp's.
#include "api/Routes.h"
#include "api/Views.h"
#include "config/Config.h"
#include "core/Encoding.h"
#include "core/Time.h"
#include "http/Exchange.h"
#include "http/Fields.h"
#include "http/Router.h"
#include "publishing/PostStore.h"
#include "publishing/PostView.h"
#include "publishing/Publisher.h"

#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <tuple>

namespace marketsage::api {
namespace {

namespace json = boost::json;
using auth::Permission;
using http::Access;
using http::Exchange;
using publishing::Post;
using publishing::postView;
using publishing::Target;

constexpr std::size_t maxContentChars = 100000;
constexpr std::int64_t idempotencyWindowMillis = 24LL * 3600 * 1000;

std::vector<std::string> stringList(const json::object& body, const char* name, std::size_t maxItems) {
  std::vector<std::string> out;
  const auto* value = body.if_contains(name);
  if (!value || value->is_null()) return out;
  if (!value->is_array()) throw Problem::badInput(std::string("\"") + name + "\" must be an array of strings");
  if (value->as_array().size() > maxItems) {
    throw Problem::badInput(std::string("\"") + name + "\" has more than " + std::to_string(maxItems) + " items");
  }
  for (const auto& item : value->as_array()) {
    if (!item.is_string() || item.get_string().empty() || item.get_string().size() > 128 ||
        !encoding::isCleanUtf8(item.get_string())) {
      throw Problem::badInput(std::string("\"") + name + "\" must hold non-empty strings");
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

/// The "scheduledTime" field: RFC 3339 with a zone, not in the past; 400 otherwise.
std::int64_t scheduledTime(const http::Fields& fields) {
  const auto at = time::parseIso8601(fields.requiredText("scheduledTime", 64));
  if (!at) throw Problem::badInput("\"scheduledTime\" must be RFC 3339 with a zone, e.g. 2026-12-25T10:00:00Z");
  if (*at < time::nowMillis()) throw Problem::badInput("\"scheduledTime\" is in the past");
  return *at;
}

publishing::PostRequest parsePost(const json::object& body) {
  const http::Fields fields(body, {"content", "platforms", "targets", "media", "scheduledTime", "options", "link"});
  publishing::PostRequest request;
  if (const auto* content = body.if_contains("content"); content && !content->is_null()) {
    if (!content->is_string()) throw Problem::badInput("\"content\" must be a string");
    const std::string_view text = content->get_string();
    if (!encoding::isCleanUtf8(text)) throw Problem::badInput("\"content\" holds control characters");
    if (text.size() > maxContentChars * 4) throw Problem::badInput("\"content\" is too long");
    request.content = std::string(text);
  }
  request.link = fields.optionalText("link", 2048);
  if (request.link && request.link->rfind("https://", 0) != 0 && request.link->rfind("http://", 0) != 0) {
    throw Problem::badInput("\"link\" must be an http(s) URL");
  }
  request.platforms = stringList(body, "platforms", 20);
  request.targets = stringList(body, "targets", 200);
  request.media = stringList(body, "media", 35);
  if (request.platforms.empty() && request.targets.empty()) {
    throw Problem::badInput(R"(give at least one target: "platforms" or "targets")");
  }
  if (request.content.empty() && request.media.empty()) throw Problem::badInput(R"(a post needs "content" or "media")");
  if (fields.optionalText("scheduledTime", 64)) request.scheduledAt = scheduledTime(fields);
  if (const auto* options = body.if_contains("options"); options && !options->is_null()) {
    if (!options->is_object()) throw Problem::badInput("\"options\" must be an object keyed by platform");
    for (const auto& [platform, value] : options->as_object()) {
      if (!value.is_object()) throw Problem::badInput("\"options." + std::string(platform) + "\" must be an object");
    }
    request.options = options->as_object();
  }
  return request;
}

void create(publishing::Publisher& publisher, const config::PublishingConfig& config, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto body = ex.jsonBody();
  const auto request = parsePost(body);
  const std::string requestHash = encoding::sha256Hex(json::serialize(body));
  std::optional<std::string> key;
  if (const auto header = ex.header("Idempotency-Key"); !header.empty()) {
    if (header.size() > 255 || !encoding::isCleanUtf8(header)) throw Problem::badInput("Idempotency-Key is too long");
    key = header;
  }
  publishing::PostStore posts(tenant);
  if (key) {
    if (const auto previous = posts.findByIdempotencyKey(*key, time::nowMillis() - idempotencyWindowMillis)) {
      if (previous->second != requestHash) {
        throw Problem(422, "idempotency-key-reused", "Idempotency-Key reused",
                      "this Idempotency-Key was used with a different request body");
      }
      const auto post = posts.find(previous->first, publishing::PostStore::Detail::Targets);
      ex.response().set("Idempotent-Replayed", "true");
      ex.response().set("Location", "/api/social-media/posts/" + post->id);
      const bool settled = std::all_of(post->targets.begin(), post->targets.end(),
                                       [](const Target& t) { return publishing::isSettled(t.status); });
      ex.send(settled || post->scheduledAt ? 201 : 202, postView(*post));
      return;
    }
  }
  const auto submitted = publisher.submit(tenant, ex.actor(), request, key, requestHash);
  const bool scheduled = std::all_of(submitted.targets.begin(), submitted.targets.end(), [](const Target& t) {
    return t.status != publishing::targetStatus::queued || t.dueAt > time::nowMillis();
  });
  const bool settled =
      scheduled || publisher.waitSettled(tenant, submitted.id, std::chrono::seconds(config.waitSeconds));
  ex.response().set("Location", "/api/social-media/posts/" + submitted.id);
  if (scheduled) {
    // Nothing happened to it since it was stored: answer from the stored copy, in find()'s order.
    auto post = submitted;
    std::sort(post.targets.begin(), post.targets.end(),
              [](const Target& a, const Target& b) { return std::tie(a.platform, a.id) < std::tie(b.platform, b.id); });
    ex.send(201, postView(post));
    return;
  }
  const auto post = posts.find(submitted.id, publishing::PostStore::Detail::Targets);
  ex.send(settled ? 201 : 202, postView(*post));
}

/// POST …/posts/validate: the body of POST …/posts, judged target by target by each plugin exactly
/// as submitting it would judge it (the compose screen's live counter). Nothing is stored and no
/// platform is called: a plugin's validate is offline.
void validate(publishing::Publisher& publisher, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto request = parsePost(ex.jsonBody());
  json::array targets;
  for (auto& v : publisher.validate(tenant, request)) {
    json::object target{{"connectionId", v.connectionId},
                        {"platform", v.platform},
                        {"accountName", v.accountName},
                        {"ok", v.ok},
                        {"issues", std::move(v.issues)}};
    if (v.length) target["length"] = std::move(*v.length);
    targets.push_back(std::move(target));
  }
  ex.send(200, json::object{{"targets", std::move(targets)}});
}

void list(Exchange& ex) {
  auto tenant = ex.targetTenant();
  int limit = 100;
  if (const auto text = ex.query("limit")) {
    try {
      limit = std::clamp(std::stoi(*text), 1, 500);
    } catch (const std::exception&) {
      throw Problem::badInput("limit must be a number");
    }
  }
  json::array out;
  for (const auto& post : publishing::PostStore(tenant).list(limit)) out.push_back(postView(post));
  ex.send(200, out);
}

Post found(publishing::PostStore& posts, const std::string& id) {
  auto post = posts.find(id);
  if (!post) throw Problem::notFound("no such post");
  return *post;
}

void get(Exchange& ex) {
  auto tenant = ex.targetTenant();
  publishing::PostStore posts(tenant);
  ex.send(200, postView(found(posts, ex.param("id"))));
}

/// PATCH …/posts/{id} {"scheduledTime"}: moves a scheduled post that has not gone out yet.
void reschedule(publishing::Publisher& publisher, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto body = ex.jsonBody();
  const http::Fields fields(body, {"scheduledTime"});
  const auto at = scheduledTime(fields);
  publishing::PostStore posts(tenant);
  const auto post = found(posts, ex.param("id"));
  if (posts.reschedule(post.id, at, ex.actor()) == 0) {
    throw Problem::conflict(
        "nothing of this post is waiting for its time any more (sent, being sent, cancelled or scheduled at the "
        "platform)");
  }
  publisher.wake();
  ex.send(200, postView(found(posts, post.id)));
}

/// Cancels what is still queued and deletes what was published, where the platform allows.
void withdraw(publishing::Publisher& publisher, Exchange& ex) {
  auto tenant = ex.targetTenant();
  publishing::PostStore posts(tenant);
  const auto post = found(posts, ex.param("id"));
  const auto left = publisher.withdraw(tenant, ex.actor(), post);
  auto view = postView(found(posts, post.id));
  json::array notDeleted;
  for (const auto& item : left) {
    json::array ids;
    for (const auto& id : item.postIds) ids.emplace_back(id);
    notDeleted.push_back({{"targetId", item.target.id},
                          {"connectionId", item.target.connectionId},
                          {"platform", item.target.platform},
                          {"postIds", ids},
                          {"error", item.error}});
  }
  tenant.audit(ex.actor(), "post.deleted", "post", post.id, {{"notDeleted", static_cast<std::int64_t>(left.size())}});
  view["notDeleted"] = notDeleted;
  ex.send(200, view);
}

/// POST …/posts/{id}/targets/{targetId}/resolve {"outcome", "postId"?, "url"?}: a person closes
/// what reconciliation could not (the target must be needs_review).
void resolve(publishing::Publisher& publisher, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto body = ex.jsonBody();
  const http::Fields fields(body, {"outcome", "postId", "url"});
  const auto outcome = fields.requiredText("outcome", 16);
  if (outcome != "published" && outcome != "retry" && outcome != "failed") {
    throw Problem::badInput(R"(outcome must be "published", "retry" or "failed")");
  }
  const auto postId = fields.optionalText("postId", 512);
  const auto url = fields.optionalText("url", 2048);
  if (outcome != "published" && (postId || url))
    throw Problem::badInput("postId and url go with outcome \"published\" only");
  publishing::PostStore posts(tenant);
  const auto post = found(posts, ex.param("id"));
  const auto target = std::find_if(post.targets.begin(), post.targets.end(),
                                   [&](const auto& t) { return t.id == ex.param("targetId"); });
  if (target == post.targets.end()) throw Problem::notFound("no such target");
  if (!posts.resolve(post.id, target->id, outcome, postId, url, ex.actor())) {
    throw Problem::conflict("the target is " + target->status + "; only a needs_review target can be resolved");
  }
  if (outcome == "retry") publisher.wake();
  ex.send(200, postView(found(posts, post.id)));
}

}  // namespace

void addPostRoutes(http::Router& router, publishing::Publisher& publisher, const config::Config& config) {
  using std::bind_front, std::ref;
  router.add("POST", "/api/social-media/posts", Permission::Post,
             bind_front(create, ref(publisher), ref(config.publishing)));
  router.add("POST", "/api/social-media/posts/validate", Permission::Post, bind_front(validate, ref(publisher)));
  router.add("GET", "/api/social-media/posts", Permission::ViewConnections, list);
  router.add("GET", "/api/social-media/posts/{id}", Permission::ViewConnections, get);
  router.add("PATCH", "/api/social-media/posts/{id}", Permission::Post, bind_front(reschedule, ref(publisher)));
  router.add("DELETE", "/api/social-media/posts/{id}", Permission::Post, bind_front(withdraw, ref(publisher)));
  router.add("POST", "/api/social-media/posts/{id}/targets/{targetId}/resolve", Permission::Post,
             bind_front(resolve, ref(publisher)));
}

}  // namespace marketsage::api
