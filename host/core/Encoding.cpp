#include "core/Encoding.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstdint>
#include <stdexcept>

namespace marketsage::encoding {

namespace {

constexpr char kStandardDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlSafeDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// 0..63 for a digit of either alphabet (noting which alphabet it belongs to), -1 for anything else.
int digitValue(char c, bool& standard, bool& urlSafe) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') {
    standard = true;
    return 62;
  }
  if (c == '/') {
    standard = true;
    return 63;
  }
  if (c == '-') {
    urlSafe = true;
    return 62;
  }
  if (c == '_') {
    urlSafe = true;
    return 63;
  }
  return -1;
}

/// Wipes a half-decoded (possibly secret) buffer before giving up.
std::optional<std::vector<unsigned char>> reject(std::vector<unsigned char>& partial) {
  if (!partial.empty()) OPENSSL_cleanse(partial.data(), partial.size());
  return std::nullopt;
}

}  // namespace

std::string base64Encode(const void* data, std::size_t size, Base64Alphabet alphabet, Base64Padding padding) {
  const char* digits = alphabet == Base64Alphabet::UrlSafe ? kUrlSafeDigits : kStandardDigits;
  const bool pad = padding == Base64Padding::Pad;
  const auto* p = static_cast<const unsigned char*>(data);
  if (p == nullptr) size = 0;
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (std::size_t i = 0; i < size; i += 3) {
    std::uint32_t n = std::uint32_t(p[i]) << 16;
    if (i + 1 < size) n |= std::uint32_t(p[i + 1]) << 8;
    if (i + 2 < size) n |= p[i + 2];
    out += digits[(n >> 18) & 63];
    out += digits[(n >> 12) & 63];
    if (i + 1 < size)
      out += digits[(n >> 6) & 63];
    else if (pad)
      out += '=';
    if (i + 2 < size)
      out += digits[n & 63];
    else if (pad)
      out += '=';
  }
  return out;
}

std::string base64Url(const std::vector<unsigned char>& data) { return base64Url(data.data(), data.size()); }

std::string base64Url(const void* data, std::size_t size) {
  return base64Encode(data, size, Base64Alphabet::UrlSafe, Base64Padding::Omit);
}

std::optional<std::vector<unsigned char>> base64Decode(std::string_view text, Base64Accept accept) {
  // Padding: only with the permissive alphabet, and then it must complete the last quantum.
  std::size_t padding = 0;
  while (padding < text.size() && padding < 3 && text[text.size() - 1 - padding] == '=') ++padding;
  if (padding > 0) {
    if (accept == Base64Accept::UrlSafe || padding > 2 || text.size() % 4 != 0) return std::nullopt;
    text.remove_suffix(padding);
  }
  if (text.size() % 4 == 1) return std::nullopt;  // a lone digit carries fewer than 8 bits

  bool standard = false;
  bool urlSafe = false;
  std::vector<unsigned char> out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = digitValue(c, standard, urlSafe);
    if (v < 0) return reject(out);
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xff));
    }
  }
  if ((standard && urlSafe) || (accept == Base64Accept::UrlSafe && standard)) return reject(out);
  // Leftover bits must be zero, otherwise several texts would decode to the same bytes.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return reject(out);
  return out;
}

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 15];
  }
  return out;
}

Sha256Digest sha256(const void* data, std::size_t size) {
  static const unsigned char empty = 0;
  Sha256Digest digest;
  SHA256(data ? static_cast<const unsigned char*>(data) : &empty, data ? size : 0, digest.data());
  return digest;
}

std::string sha256Hex(std::string_view text) {
  const auto digest = sha256(text.data(), text.size());
  return hex(digest.data(), digest.size());
}

Sha256Digest hmacSha256(const void* key, std::size_t keySize, const void* data, std::size_t size) {
  static const unsigned char empty = 0;
  Sha256Digest digest;
  unsigned int length = digest.size();
  if (HMAC(EVP_sha256(), key ? key : &empty, key ? static_cast<int>(keySize) : 0,
           data ? static_cast<const unsigned char*>(data) : &empty, data ? size : 0, digest.data(),
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return digest;
}

std::string hmacSha256Hex(std::string_view key, std::string_view message) {
  const auto digest = hmacSha256(key.data(), key.size(), message.data(), message.size());
  return hex(digest.data(), digest.size());
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_));
    throw std::runtime_error("SHA-256 is unavailable");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

void Sha256::update(const void* data, std::size_t size) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), data, size) != 1) throw std::runtime_error("SHA-256 failed");
}

std::string Sha256::finishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest, &size) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex(digest, size);
}

bool isCleanUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return false;
      ++i;
      continue;
    }
    int extra = 0;
    unsigned codepoint = 0;
    if ((c & 0xe0) == 0xc0) {
      extra = 1;
      codepoint = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      codepoint = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      codepoint = c & 0x07;
    } else
      return false;
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      codepoint = (codepoint << 6) | (cc & 0x3f);
    }
    static constexpr unsigned minimum[] = {0, 0x80, 0x800, 0x10000};
    if (codepoint < minimum[extra] || codepoint > 0x10ffff || (codepoint >= 0xd800 && codepoint <= 0xdfff)) {
      return false;  // overlong, out of range or a surrogate
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace marketsage::encoding
