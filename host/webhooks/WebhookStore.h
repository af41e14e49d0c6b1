#pragma once
/// One organization's webhook endpoints and their delivery log, bound to it like every tenant
/// store. The signing secret is sealed by the vault (bound to the organization, the webhook id and
/// the field "webhook_secret") and shown only by create().

#include "tenants/Model.h"
#include "webhooks/Webhook.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace marketsage::tenants {
class TenantStore;
}
namespace marketsage::vault {
class TokenVault;
}

namespace marketsage::webhooks {

/// The vault field name webhook secrets are sealed under.
inline constexpr const char* secretField = "webhook_secret";

class WebhookStore {
 public:
  WebhookStore(tenants::TenantStore& tenant, const vault::TokenVault& vault) : tenant_(tenant), vault_(vault) {}

  /// Stores a new endpoint (audited) and returns it with its secret in clear, to show once.
  std::pair<Webhook, std::string> create(const std::string& url, const std::vector<std::string>& events,
                                         const std::optional<std::string>& description, const tenants::Actor& actor);
  std::vector<Webhook> list();
  std::optional<Webhook> find(const std::string& id);
  /// Removes the endpoint and its deliveries (audited). False when there is no such endpoint here.
  bool remove(const std::string& id, const tenants::Actor& actor);
  /// Queues a webhook.test event for the endpoint; the delivery id.
  std::string enqueueTest(const Webhook& webhook);
  /// Re-seals every signing secret not under the vault's current key (keys rotate); returns how
  /// many changed.
  std::size_t resealSecrets();
  /// The endpoint's deliveries, newest first.
  std::vector<Delivery> deliveries(const std::string& webhookId, int limit);

 private:
  tenants::TenantStore& tenant_;
  const vault::TokenVault& vault_;
};

}  // namespace marketsage::webhooks
