#include "webhooks/Outbox.h"

#include "core/Random.h"
#include "core/Time.h"
#include "webhooks/Webhook.h"

#include <boost/json.hpp>

namespace marketsage::webhooks {
namespace {

namespace json = boost::json;

/// The Standard Webhooks payload: {"id","type","createdAt","organizationId","data"}.
std::string payload(const std::string& eventId, const std::string& organizationId, const std::string& type,
                    std::int64_t now, const json::object& data) {
  return json::serialize(json::object{{"id", eventId},
                                      {"type", type},
                                      {"createdAt", time::formatIso8601(now)},
                                      {"organizationId", organizationId},
                                      {"data", data}});
}

std::string insert(store::Transaction& tx, const std::string& organizationId, const std::string& webhookId,
                   const std::string& eventId, const std::string& type, const std::string& body, std::int64_t now) {
  auto id = random::uuid();
  tx.execute(
      "INSERT INTO webhook_deliveries (id, organization_id, webhook_id, event_id, type, payload, status, attempts,"
      " next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, $8)",
      {id, organizationId, webhookId, eventId, type, body, std::string(deliveryStatus::pending), now});
  return id;
}

}  // namespace

int enqueue(store::Transaction& tx, const std::string& organizationId, const std::string& type,
            const std::function<json::object()>& data) {
  const auto endpoints =
      tx.query("SELECT id, events FROM webhooks WHERE organization_id = $1 AND enabled = 1", {organizationId});
  if (endpoints.empty()) return 0;
  const auto now = time::nowMillis();
  const auto eventId = "evt_" + random::token(18);
  std::string body;  // made for the first subscriber
  int queued = 0;
  for (const auto& row : endpoints) {
    json::error_code ec;
    const auto events = json::parse(row.text(1), ec);
    if (ec || !events.is_array()) continue;
    bool subscribed = false;
    for (const auto& e : events.get_array()) subscribed = subscribed || (e.is_string() && e.get_string() == type);
    if (!subscribed) continue;
    if (body.empty()) body = payload(eventId, organizationId, type, now, data());
    insert(tx, organizationId, row.text(0), eventId, type, body, now);
    ++queued;
  }
  return queued;
}

std::string enqueueFor(store::Transaction& tx, const std::string& organizationId, const std::string& webhookId,
                       const std::string& type, const json::object& data) {
  const auto now = time::nowMillis();
  const auto eventId = "evt_" + random::token(18);
  return insert(tx, organizationId, webhookId, eventId, type, payload(eventId, organizationId, type, now, data), now);
}

}  // namespace marketsage::webhooks
