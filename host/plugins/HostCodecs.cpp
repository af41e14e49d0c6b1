// The stateless helpers of the ms_host table: random bytes, SHA-256, HMAC, base64, URL encoding
// and RFC 3339 times. The digests and base64 are core/Encoding's, the times core/Time's.
#include "core/Encoding.h"
#include "core/Time.h"
#include "plugins/HostServices.h"
#include "plugins/HostServicesDetail.h"

#include <openssl/rand.h>

#include <cctype>
#include <climits>
#include <cstring>
#include <string>

namespace marketsage::plugins::detail {

ms_status hostRandomBytes(const ms_host*, void* out, size_t len) {
  if (len == 0) return MS_OK;
  if (out == nullptr || len > static_cast<size_t>(INT32_MAX)) return MS_ERR_INVALID_INPUT;
  return RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(len)) == 1 ? MS_OK : MS_ERR_TRANSIENT;
}

void hostSha256(const ms_host*, const void* data, size_t len, uint8_t out[32]) {
  if (out == nullptr) return;
  const auto digest = encoding::sha256(data, len);
  std::memcpy(out, digest.data(), digest.size());
}

void hostHmacSha256(const ms_host*, const void* key, size_t keyLen, const void* data, size_t len, uint8_t out[32]) {
  if (out == nullptr) return;
  try {
    const auto digest = encoding::hmacSha256(key, keyLen, data, len);
    std::memcpy(out, digest.data(), digest.size());
  } catch (...) {
  }
}

void hostBase64(const ms_host*, const void* data, size_t len, uint32_t flags, const ms_sink* out) {
  try {
    const auto alphabet =
        (flags & MS_BASE64_URL) ? encoding::Base64Alphabet::UrlSafe : encoding::Base64Alphabet::Standard;
    const auto padding = (flags & MS_BASE64_NO_PADDING) ? encoding::Base64Padding::Omit : encoding::Base64Padding::Pad;
    writeToSink(out, encoding::base64Encode(data, len, alphabet, padding));
  } catch (...) {
  }
}

void hostUrlEncode(const ms_host*, const char* text, size_t len, const ms_sink* out) {
  try {
    static const char* hex = "0123456789ABCDEF";
    std::string r;
    for (size_t i = 0; text != nullptr && i < len; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        r += static_cast<char>(c);
      } else {
        r += '%';
        r += hex[c >> 4];
        r += hex[c & 15];
      }
    }
    writeToSink(out, r);
  } catch (...) {
  }
}

// ---- ABI 1.1 ---------------------------------------------------------------------------------

ms_status hostTimeParse(const ms_host*, const char* text, size_t len, int64_t* out) {
  if (text == nullptr || out == nullptr) return MS_ERR_INVALID_INPUT;
  try {
    const auto millis = marketsage::time::parseIso8601(std::string_view(text, len));
    if (!millis) return MS_ERR_INVALID_INPUT;
    *out = *millis;
    return MS_OK;
  } catch (...) {
    return MS_ERR_INVALID_INPUT;
  }
}

void hostTimeFormat(const ms_host*, int64_t millis, const ms_sink* out) {
  try {
    auto text = marketsage::time::formatIso8601(millis);  // …T10:00:00.000Z
    if (millis % 1000 == 0) text.erase(text.size() - 5, 4);
    writeToSink(out, text);
  } catch (...) {
  }
}

}  // namespace marketsage::plugins::detail
