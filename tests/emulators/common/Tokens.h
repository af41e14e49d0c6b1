// What emulators mint and check: random tokens and ids, SHA-256 digests of uploaded bytes, and the
// PKCE S256 code challenge (RFC 7636).
#pragma once

#include <cstddef>
#include <string>

namespace marketsage::test {

inline constexpr const char* kAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
inline constexpr const char* kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
inline constexpr const char* kLowercaseAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";
inline constexpr const char* kHex = "0123456789abcdef";

/// `prefix` followed by `length` random characters of `alphabet` (thread-safe).
std::string randomText(const std::string& prefix, std::size_t length = 40, const std::string& alphabet = kAlphanumeric);

/// The lowercase hex SHA-256 of `bytes`.
std::string sha256Hex(const std::string& bytes);

/// The PKCE S256 challenge of `verifier`: BASE64URL(SHA256(verifier)) without padding.
std::string pkceS256(const std::string& verifier);

}  // namespace marketsage::test
