#pragma once
/// Seals secrets (OAuth access and refresh tokens, client secrets) for storage, and opens them.
///
/// A sealed value ("blob") is text: "v1.<keyId>.<base64url(nonce)>.<base64url(ciphertext||tag)>".
/// AES-256-GCM, a fresh random 96-bit nonce per seal, a 128-bit tag. The AES key is derived per
/// organization: HKDF-SHA256(master key, salt "marketsage/vault/v1", info "org:" + organizationId).
/// The associated data binds the blob to its organization, connection and field (and to its own
/// "v1.<keyId>" prefix), so a blob copied into another tenant, row or column does not open.

#include "vault/KeyRing.h"

#include <array>
#include <cstddef>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace marketsage::vault {

/// A blob that cannot be opened. The message is fixed per reason and says nothing about the blob,
/// the key or the plaintext.
class DecryptError : public std::runtime_error {
 public:
  enum class Reason {
    Malformed,   ///< not a v1 blob (truncated, bad encoding, wrong sizes)
    UnknownKey,  ///< sealed under a key id not in the ring (a key missing from FIELD_ENCRYPTION_KEY_PREVIOUS?)
    Rejected,    ///< authentication failed: other organization/connection/field, other key, or tampered
  };
  explicit DecryptError(Reason reason);
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

class TokenVault {
 public:
  static constexpr std::string_view kFormatVersion = "v1";
  /// Largest plaintext seal() accepts (and so the largest blob open() considers).
  static constexpr std::size_t kMaxPlaintext = 16 * 1024 * 1024;

  /// Keeps its own copy of the ring, so `keys` may go away afterwards.
  explicit TokenVault(KeyRing keys);
  ~TokenVault();
  TokenVault(const TokenVault&) = delete;
  TokenVault& operator=(const TokenVault&) = delete;

  /// Encrypts `plaintext` under the current key for (organizationId, connectionId, field), which
  /// must all be non-empty (std::invalid_argument otherwise). Two seals of the same plaintext
  /// differ. Throws std::length_error above kMaxPlaintext, std::runtime_error if OpenSSL fails.
  /// [thread-safe]
  std::string seal(const std::string& organizationId, const std::string& connectionId, const std::string& field,
                   std::string_view plaintext) const;

  /// Decrypts a blob made by seal() with the same organizationId, connectionId and field, under any
  /// key of the ring. Throws DecryptError on anything else. [thread-safe]
  std::string open(const std::string& organizationId, const std::string& connectionId, const std::string& field,
                   const std::string& blob) const;

  /// The key id a blob was sealed under (no key needed). Throws DecryptError(Malformed) when
  /// `blob` is not shaped like a v1 blob.
  static std::string keyIdOf(const std::string& blob);

  /// True when `blob` is sealed under the current key; false for an older key or a malformed blob
  /// (key rotation opens and re-seals every blob for which this is false). [thread-safe]
  bool isCurrent(const std::string& blob) const;

  /// A MAC (hex HMAC-SHA256) of `message` under the organization's key derived from the current
  /// master key, separated by `purpose` — for links that must not be forgeable, such as signed
  /// media URLs. Rotating the master key invalidates outstanding MACs. [thread-safe]
  std::string sign(const std::string& organizationId, std::string_view purpose, std::string_view message) const;
  /// True when `mac` is sign(organizationId, purpose, message); compared in constant time.
  bool verify(const std::string& organizationId, std::string_view purpose, std::string_view message,
              std::string_view mac) const;

  /// The ring this vault seals and opens with.
  const KeyRing& keys() const { return keys_; }

 private:
  using DerivedKey = std::array<unsigned char, KeyRing::kKeySize>;

  /// HKDF-SHA256 of master key `keyId` for the organization, from the cache when present.
  /// Returns false when `keyId` is not in the ring.
  bool organizationKey(const std::string& keyId, const std::string& organizationId, DerivedKey& out) const;

  /// A cached derived key; wiped when evicted or when the vault goes away.
  struct CachedKey {
    DerivedKey bytes{};
    CachedKey() = default;
    CachedKey(const CachedKey&) = default;
    CachedKey& operator=(const CachedKey&) = default;
    ~CachedKey();
  };

  KeyRing keys_;
  mutable std::shared_mutex cacheMutex_;
  mutable std::unordered_map<std::string, CachedKey> cache_;  ///< keyId + org id -> derived key
};

}  // namespace marketsage::vault
