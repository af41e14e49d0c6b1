#include "webhooks/WebhookStore.h"

#include "core/Random.h"
#include "core/Time.h"
#include "tenants/TenantStore.h"
#include "vault/TokenVault.h"
#include "webhooks/Outbox.h"

#include <boost/json.hpp>

namespace marketsage::webhooks {
namespace {

namespace json = boost::json;
using store::Param;

constexpr const char* webhookColumns = "SELECT id, url, events, description, enabled, disabled_reason, created_at";

Webhook webhookFrom(const store::Row& row) {
  Webhook w;
  w.id = row.text(0);
  w.url = row.text(1);
  json::error_code ec;
  const auto events = json::parse(row.text(2), ec);
  if (!ec && events.is_array()) {
    for (const auto& e : events.get_array()) {
      if (e.is_string()) w.events.emplace_back(e.get_string());
    }
  }
  w.description = row.optionalText(3);
  w.enabled = row.integer(4) != 0;
  w.disabledReason = row.optionalText(5);
  w.createdAt = row.integer(6);
  return w;
}

}  // namespace

std::pair<Webhook, std::string> WebhookStore::create(const std::string& url, const std::vector<std::string>& events,
                                                     const std::optional<std::string>& description,
                                                     const tenants::Actor& actor) {
  Webhook w{random::uuid(), url, events, description, true, std::nullopt, time::nowMillis()};
  auto secret = newSecret();
  const auto sealed = vault_.seal(tenant_.organizationId(), w.id, secretField, secret);
  json::array eventList;
  for (const auto& e : events) eventList.emplace_back(e);
  const auto& org = tenant_.organizationId();
  auto tx = tenant_.database().transaction();
  tx.execute(
      "INSERT INTO webhooks (id, organization_id, url, events, description, secret, enabled, failed_in_row, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, 1, 0, $7)",
      {w.id, org, url, json::serialize(eventList), store::nullable(description), sealed, w.createdAt});
  tenant_.audit(tx, actor, "webhook.created", "webhook", w.id, {{"url", url}, {"events", eventList}});
  tx.commit();
  return {std::move(w), std::move(secret)};
}

std::vector<Webhook> WebhookStore::list() {
  std::vector<Webhook> out;
  for (const auto& row : tenant_.database().query(
           std::string(webhookColumns) + " FROM webhooks WHERE organization_id = $1 ORDER BY created_at, id",
           {tenant_.organizationId()})) {
    out.push_back(webhookFrom(row));
  }
  return out;
}

std::optional<Webhook> WebhookStore::find(const std::string& id) {
  const auto rows =
      tenant_.database().query(std::string(webhookColumns) + " FROM webhooks WHERE organization_id = $1 AND id = $2",
                               {tenant_.organizationId(), id});
  if (rows.empty()) return std::nullopt;
  return webhookFrom(rows.front());
}

bool WebhookStore::remove(const std::string& id, const tenants::Actor& actor) {
  const auto& org = tenant_.organizationId();
  auto tx = tenant_.database().transaction();
  tx.execute("DELETE FROM webhook_deliveries WHERE organization_id = $1 AND webhook_id = $2", {org, id});
  if (tx.execute("DELETE FROM webhooks WHERE organization_id = $1 AND id = $2", {org, id}) == 0) return false;
  tenant_.audit(tx, actor, "webhook.deleted", "webhook", id);
  tx.commit();
  return true;
}

std::string WebhookStore::enqueueTest(const Webhook& webhook) {
  auto tx = tenant_.database().transaction();
  auto id = enqueueFor(tx, tenant_.organizationId(), webhook.id, std::string(testEvent),
                       {{"webhookId", webhook.id}, {"message", "a test event sent on request"}});
  tx.commit();
  return id;
}

std::size_t WebhookStore::resealSecrets() {
  const auto& org = tenant_.organizationId();
  std::size_t changed = 0;
  for (const auto& row : tenant_.database().query("SELECT id FROM webhooks WHERE organization_id = $1", {org})) {
    const auto& id = row.text(0);
    auto tx = tenant_.database().transaction();
    const auto current = tx.query("SELECT secret FROM webhooks WHERE organization_id = $1 AND id = $2", {org, id});
    if (current.empty() || vault_.isCurrent(current.front().text(0))) continue;
    const auto clear = vault_.open(org, id, secretField, current.front().text(0));
    tx.execute("UPDATE webhooks SET secret = $1 WHERE organization_id = $2 AND id = $3",
               {vault_.seal(org, id, secretField, clear), org, id});
    tx.commit();
    ++changed;
  }
  return changed;
}

std::vector<Delivery> WebhookStore::deliveries(const std::string& webhookId, int limit) {
  std::vector<Delivery> out;
  for (const auto& row : tenant_.database().query(
           "SELECT id, webhook_id, event_id, type, status, attempts, last_status, last_error, next_attempt_at,"
           " created_at, updated_at FROM webhook_deliveries WHERE organization_id = $1 AND webhook_id = $2"
           " ORDER BY created_at DESC, id DESC LIMIT $3",
           {tenant_.organizationId(), webhookId, std::int64_t{limit}})) {
    Delivery d{row.text(0),
               row.text(1),
               row.text(2),
               row.text(3),
               row.text(4),
               row.integer(5),
               row.optionalInteger(6),
               row.optionalText(7),
               row.optionalInteger(8),
               row.integer(9),
               row.integer(10)};
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace marketsage::webhooks
