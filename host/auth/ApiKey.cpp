#include "auth/ApiKey.h"

#include "core/Encoding.h"
#include "core/Random.h"

namespace marketsage::auth {
namespace {
constexpr std::string_view keyTag = "msk_";
constexpr std::size_t keyBytes = 32;  // 256 bits
}  // namespace

NewApiKey generateApiKey() {
  NewApiKey out;
  out.key = std::string(keyTag) + random::token(keyBytes);
  out.hash = hashApiKey(out.key);
  out.prefix = out.key.substr(0, keyTag.size() + 6);
  return out;
}

std::string hashApiKey(std::string_view key) { return encoding::sha256Hex(key); }

bool looksLikeApiKey(std::string_view key) {
  if (key.size() != keyTag.size() + 43 || key.substr(0, keyTag.size()) != keyTag) return false;
  for (char c : key.substr(keyTag.size())) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace marketsage::auth
