#pragma once
/// Byte encodings and digests used across the host and by the plugins' host services: the one
/// base64 (encode and strict decode), SHA-256 and HMAC-SHA256 of the process.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketsage::encoding {

/// The digits base64Encode writes: RFC 4648 section 4 ("+/") or section 5 ("-_").
enum class Base64Alphabet { Standard, UrlSafe };
/// Whether base64Encode completes the last quantum with '='.
enum class Base64Padding { Omit, Pad };

std::string base64Encode(const void* data, std::size_t size, Base64Alphabet alphabet, Base64Padding padding);
/// URL-safe base64 without padding: tokens, key ids, the vault's blobs.
std::string base64Url(const std::vector<unsigned char>& data);
std::string base64Url(const void* data, std::size_t size);

/// What base64Decode accepts.
enum class Base64Accept {
  Any,      ///< standard ("+/") or URL-safe ("-_"), but not both in one text; padding optional
  UrlSafe,  ///< URL-safe only, no padding: the vault's own blobs
};

/// The decoded bytes, or nullopt when `text` is not strict base64. Strict because a key or a
/// stored blob must have exactly one spelling:
/// - no whitespace or other characters outside the alphabet (callers trim first if they allow it);
/// - no mixed alphabets in one text, and only URL-safe digits with Base64Accept::UrlSafe;
/// - padding only with Base64Accept::Any, and then 1 or 2 '=' that complete a multiple of 4;
/// - no lone trailing digit, and the unused bits of the last digit must be zero.
/// Empty text decodes to no bytes. A rejected half-decoded buffer is wiped; the caller owns (and
/// should cleanse) secret results.
std::optional<std::vector<unsigned char>> base64Decode(std::string_view text, Base64Accept accept);

std::string hex(const unsigned char* data, std::size_t size);

using Sha256Digest = std::array<unsigned char, 32>;
/// SHA-256 of `size` bytes; NULL data is taken as no bytes.
Sha256Digest sha256(const void* data, std::size_t size);
/// Lower-case hex SHA-256 of the text.
std::string sha256Hex(std::string_view text);
/// HMAC-SHA256 of `data` under `key`; NULL key or data is taken as no bytes. Throws if OpenSSL fails.
Sha256Digest hmacSha256(const void* key, std::size_t keySize, const void* data, std::size_t size);
/// Lower-case hex HMAC-SHA256 of `message` under `key`.
std::string hmacSha256Hex(std::string_view key, std::string_view message);
/// Compares two strings in time independent of where they differ (for MACs).
bool constantTimeEquals(std::string_view a, std::string_view b);

/// SHA-256 over data that arrives in pieces (a streamed upload, a key after its label).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t size);
  /// Lower-case hex digest; call once.
  std::string finishHex();

 private:
  void* context_;  ///< EVP_MD_CTX
};

/// True when the text is well-formed UTF-8 with no control characters except tab/newline.
bool isCleanUtf8(std::string_view text);

}  // namespace marketsage::encoding
