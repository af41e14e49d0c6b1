// Webhooks: POST/GET /api/webhooks, DELETE /api/webhooks/{id}, POST /api/webhooks/{id}/test and
// GET /api/webhooks/{id}/deliveries. The signing secret is answered once, by the POST.
#include "api/Routes.h"
#include "api/Views.h"
#include "config/Config.h"
#include "core/Time.h"
#include "http/Exchange.h"
#include "http/Fields.h"
#include "http/Router.h"
#include "webhooks/Deliverer.h"
#include "webhooks/WebhookStore.h"

#include <boost/json.hpp>

#include <functional>

namespace marketsage::api {
namespace {

namespace json = boost::json;
using auth::Permission;
using http::Exchange;
using webhooks::WebhookStore;

constexpr std::size_t maxUrlChars = 2048;

json::object webhookView(const webhooks::Webhook& w) {
  json::array events;
  for (const auto& e : w.events) events.emplace_back(e);
  return {{"id", w.id},
          {"url", w.url},
          {"events", events},
          {"description", w.description ? json::value(*w.description) : json::value(nullptr)},
          {"enabled", w.enabled},
          {"disabledReason", w.disabledReason ? json::value(*w.disabledReason) : json::value(nullptr)},
          {"createdAt", time::formatIso8601(w.createdAt)}};
}

json::object deliveryView(const webhooks::Delivery& d) {
  return {{"id", d.id},
          {"webhookId", d.webhookId},
          {"eventId", d.eventId},
          {"type", d.type},
          {"status", d.status},
          {"attempts", d.attempts},
          {"lastHttpStatus", d.lastStatus ? json::value(*d.lastStatus) : json::value(nullptr)},
          {"lastError", d.lastError ? json::value(*d.lastError) : json::value(nullptr)},
          {"nextAttemptAt", optionalTime(d.nextAttemptAt)},
          {"createdAt", time::formatIso8601(d.createdAt)},
          {"updatedAt", time::formatIso8601(d.updatedAt)}};
}

webhooks::Webhook found(WebhookStore& store, const std::string& id) {
  auto webhook = store.find(id);
  if (!webhook) throw Problem::notFound("no such webhook");
  return *webhook;
}

void createWebhook(const config::Config& config, const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();  // the role first: 403 before any 400
  const auto body = ex.jsonBody();
  const http::Fields fields(body, {"url", "events", "description"});
  const auto url = fields.requiredText("url", maxUrlChars);
  auto events = fields.optionalTextList("events", std::size(webhooks::eventTypes), 64);
  if (events.empty()) throw Problem::badInput("\"events\" must name at least one event");
  for (const auto& e : events) {
    if (!webhooks::isEventType(e)) throw Problem::badInput("\"events\" names an unknown event: " + e);
  }
  std::sort(events.begin(), events.end());
  events.erase(std::unique(events.begin(), events.end()), events.end());
  const auto description = fields.optionalText("description", 500);
  webhooks::checkUrl(url, config.webhooks.allowHosts);
  WebhookStore store(tenant, vault);
  const auto [webhook, secret] = store.create(url, events, description, ex.actor());
  auto answer = webhookView(webhook);
  answer["secret"] = secret;  // shown this once; only its sealed form is kept
  ex.send(201, answer);
}

void listWebhooks(const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();
  json::array out;
  for (const auto& w : WebhookStore(tenant, vault).list()) out.push_back(webhookView(w));
  ex.send(200, out);
}

void deleteWebhook(const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();
  if (!WebhookStore(tenant, vault).remove(ex.param("id"), ex.actor())) throw Problem::notFound("no such webhook");
  ex.sendNoContent();
}

void testWebhook(const vault::TokenVault& vault, webhooks::Deliverer& deliverer, Exchange& ex) {
  auto tenant = ex.targetTenant();
  WebhookStore store(tenant, vault);
  const auto webhook = found(store, ex.param("id"));
  if (!webhook.enabled) throw Problem::conflict("the webhook is disabled");
  const auto deliveryId = store.enqueueTest(webhook);
  deliverer.wake();
  ex.send(202, json::object{{"deliveryId", deliveryId}});
}

void listDeliveries(const vault::TokenVault& vault, Exchange& ex) {
  auto tenant = ex.targetTenant();
  WebhookStore store(tenant, vault);
  const auto webhook = found(store, ex.param("id"));
  const auto limit = integerQuery(ex, "limit", 50, 1, 500);
  json::array out;
  for (const auto& d : store.deliveries(webhook.id, static_cast<int>(limit))) out.push_back(deliveryView(d));
  ex.send(200, out);
}

}  // namespace

void addWebhookRoutes(http::Router& router, const config::Config& config, const vault::TokenVault& vault,
                      webhooks::Deliverer& deliverer) {
  router.add("POST", "/api/webhooks", Permission::ManageTokens,
             std::bind_front(createWebhook, std::cref(config), std::cref(vault)));
  router.add("GET", "/api/webhooks", Permission::ManageTokens, std::bind_front(listWebhooks, std::cref(vault)));
  router.add("DELETE", "/api/webhooks/{id}", Permission::ManageTokens,
             std::bind_front(deleteWebhook, std::cref(vault)));
  router.add("POST", "/api/webhooks/{id}/test", Permission::ManageTokens,
             std::bind_front(testWebhook, std::cref(vault), std::ref(deliverer)));
  router.add("GET", "/api/webhooks/{id}/deliveries", Permission::ManageTokens,
             std::bind_front(listDeliveries, std::cref(vault)));
}

}  // namespace marketsage::api
