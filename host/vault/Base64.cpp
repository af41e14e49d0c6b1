#include "vault/Base64.h"

#include <openssl/crypto.h>

namespace marketsage::vault::base64 {

namespace {

/// 0..63 for a digit of either alphabet (noting which alphabet it belongs to), -1 for anything else.
int digitValue(char c, bool& standard, bool& urlSafe) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') { standard = true; return 62; }
  if (c == '/') { standard = true; return 63; }
  if (c == '-') { urlSafe = true; return 62; }
  if (c == '_') { urlSafe = true; return 63; }
  return -1;
}

/// Wipes a half-decoded (possibly secret) buffer before giving up.
std::optional<std::vector<unsigned char>> reject(std::vector<unsigned char>& partial) {
  if (!partial.empty()) OPENSSL_cleanse(partial.data(), partial.size());
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<unsigned char>> decode(std::string_view text, Alphabet alphabet) {
  // Padding: only with the permissive alphabet, and then it must complete the last quantum.
  std::size_t padding = 0;
  while (padding < text.size() && padding < 3 && text[text.size() - 1 - padding] == '=') ++padding;
  if (padding > 0) {
    if (alphabet == Alphabet::UrlSafe || padding > 2 || text.size() % 4 != 0) return std::nullopt;
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
  if ((standard && urlSafe) || (alphabet == Alphabet::UrlSafe && standard)) return reject(out);
  // Leftover bits must be zero, otherwise several texts would decode to the same bytes.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return reject(out);
  return out;
}

}  // namespace marketsage::vault::base64
