#include "core/Random.h"

#include "core/Encoding.h"

#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

namespace marketsage::random {

std::vector<unsigned char> bytes(std::size_t count) {
  std::vector<unsigned char> out(count);
  if (count > 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1) {
    throw std::runtime_error("the system random generator failed");
  }
  return out;
}

std::string token(std::size_t count) { return encoding::base64Url(bytes(count)); }

std::string uuid() {
  auto b = bytes(16);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return text;
}

}  // namespace marketsage::random
