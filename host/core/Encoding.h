#pragma once
/// Byte encodings and digests used across the host.

#include <string>
#include <string_view>
#include <vector>

namespace marketsage::encoding {

std::string base64Url(const std::vector<unsigned char>& data);
std::string hex(const unsigned char* data, std::size_t size);
/// Lower-case hex SHA-256 of the text.
std::string sha256Hex(std::string_view text);
/// Lower-case hex HMAC-SHA256 of `message` under `key`.
std::string hmacSha256Hex(std::string_view key, std::string_view message);
/// Compares two strings in time independent of where they differ (for MACs).
bool constantTimeEquals(std::string_view a, std::string_view b);

/// SHA-256 over data that arrives in pieces (a streamed upload).
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
