#pragma once
/// Outgoing webhooks: an organization's endpoints, the events they subscribe to, and the log of
/// each delivery. Signed the Standard Webhooks way (webhook-id, webhook-timestamp,
/// webhook-signature "v1,<base64 HMAC-SHA256>"), with a secret shown once as "whsec_<base64>".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketsage::webhooks {

/// The event names an endpoint may subscribe to.
inline constexpr std::string_view eventTypes[] = {
    "post.published",     "post.failed",        "post.needs_review",       "connection.connected",
    "connection.expired", "connection.invalid", "connection.rate_limited",
};
/// Sent only by POST /api/webhooks/{id}/test, to that endpoint whatever it subscribes to.
inline constexpr std::string_view testEvent = "webhook.test";

bool isEventType(std::string_view name);

namespace deliveryStatus {
inline constexpr const char* pending = "pending";
inline constexpr const char* delivered = "delivered";
inline constexpr const char* failed = "failed";
}  // namespace deliveryStatus

struct Webhook {
  std::string id;
  std::string url;
  std::vector<std::string> events;
  std::optional<std::string> description;
  bool enabled = true;
  std::optional<std::string> disabledReason;
  std::int64_t createdAt = 0;
};

struct Delivery {
  std::string id, webhookId, eventId, type, status;
  std::int64_t attempts = 0;
  std::optional<std::int64_t> lastStatus;  ///< the endpoint's last HTTP status
  std::optional<std::string> lastError;
  std::optional<std::int64_t> nextAttemptAt;
  std::int64_t createdAt = 0, updatedAt = 0;
};

/// A new signing secret: "whsec_" and the standard base64 of 32 random bytes.
std::string newSecret();
/// The webhook-signature value for a message: "v1," and the standard base64 HMAC-SHA256 of
/// "{id}.{timestamp}.{body}" keyed with the secret's bytes (base64-decoded after "whsec_").
/// Throws std::invalid_argument for a secret not shaped like newSecret()'s.
std::string signature(const std::string& secret, const std::string& id, std::int64_t timestamp,
                      const std::string& body);

}  // namespace marketsage::webhooks
