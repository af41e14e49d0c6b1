#include "webhooks/Webhook.h"

#include "core/Encoding.h"
#include "core/Random.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <stdexcept>

namespace marketsage::webhooks {
namespace {
constexpr std::string_view secretPrefix = "whsec_";
}

bool isEventType(std::string_view name) {
  return std::find(std::begin(eventTypes), std::end(eventTypes), name) != std::end(eventTypes);
}

std::string newSecret() {
  auto bytes = random::bytes(32);
  std::string secret =
      std::string(secretPrefix) + encoding::base64Encode(bytes.data(), bytes.size(), encoding::Base64Alphabet::Standard,
                                                         encoding::Base64Padding::Pad);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return secret;
}

std::string signature(const std::string& secret, const std::string& id, std::int64_t timestamp,
                      const std::string& body) {
  if (secret.rfind(secretPrefix, 0) != 0) throw std::invalid_argument("not a webhook secret");
  auto key = encoding::base64Decode(std::string_view(secret).substr(secretPrefix.size()), encoding::Base64Accept::Any);
  if (!key || key->empty()) throw std::invalid_argument("not a webhook secret");
  const std::string message = id + "." + std::to_string(timestamp) + "." + body;
  const auto mac = encoding::hmacSha256(key->data(), key->size(), message.data(), message.size());
  OPENSSL_cleanse(key->data(), key->size());
  return "v1," + encoding::base64Encode(mac.data(), mac.size(), encoding::Base64Alphabet::Standard,
                                        encoding::Base64Padding::Pad);
}

}  // namespace marketsage::webhooks
