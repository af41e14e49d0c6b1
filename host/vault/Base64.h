#pragma once
/// Strict base64 decoding for the vault (core/Encoding.h only encodes). Strict because a key or a
/// stored blob must have exactly one spelling: no whitespace, no mixed alphabets, canonical
/// trailing bits, and padding either absent or exactly right.

#include <optional>
#include <string_view>
#include <vector>

namespace marketsage::vault::base64 {

enum class Alphabet {
  Any,      ///< standard ("+/") or URL-safe ("-_"), but not both in one text; padding optional
  UrlSafe,  ///< URL-safe only, no padding: the vault's own blobs
};

/// The decoded bytes, or nullopt when `text` is not strict base64 of the given alphabet.
/// Empty text decodes to no bytes. The caller owns (and should cleanse) secret results.
std::optional<std::vector<unsigned char>> decode(std::string_view text, Alphabet alphabet);

}  // namespace marketsage::vault::base64
