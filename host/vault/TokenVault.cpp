#include "vault/TokenVault.h"

#include "core/Encoding.h"
#include "core/Random.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace marketsage::vault {

namespace {

constexpr std::size_t kNonceSize = 12;  // 96 bits: GCM's native IV size
constexpr std::size_t kTagSize = 16;    // 128 bits
constexpr std::string_view kHkdfSalt = "marketsage/vault/v1";
/// Bounds the ids bound into a blob (HKDF's info is limited to 1 KiB in OpenSSL 3.0).
constexpr std::size_t kMaxIdSize = 512;
/// A bound on derived keys kept, so that no caller can grow the cache without limit.
constexpr std::size_t kMaxCachedKeys = 4096;

/// The GCM cipher and the HKDF implementation, fetched once: explicit fetches avoid a provider
/// lookup on every call. Deliberately never freed, so no thread or exit handler can see them go.
const EVP_CIPHER* aes256gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  if (!cipher) throw std::runtime_error("OpenSSL has no AES-256-GCM");
  return cipher;
}

EVP_KDF* hkdf() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (!kdf) throw std::runtime_error("OpenSSL has no HKDF");
  return kdf;
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

/// Wipes a derived key on scope exit, on every path.
struct WipedKey {
  std::array<unsigned char, KeyRing::kKeySize>& bytes;
  ~WipedKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

/// The structure of a v1 blob, decoded but not decrypted.
struct ParsedBlob {
  std::string_view prefix;  ///< "v1.<keyId>", part of the associated data
  std::string_view keyId;
  std::vector<unsigned char> nonce;
  std::vector<unsigned char> sealed;  ///< ciphertext || tag
};

bool isLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

/// Splits and decodes a blob; nullopt unless it is exactly "v1.<16 hex>.<12-byte nonce>.<≥16 bytes>".
std::optional<ParsedBlob> parse(std::string_view blob) {
  constexpr std::size_t maxBlob = (TokenVault::kMaxPlaintext + kTagSize) / 3 * 4 + 64;
  if (blob.size() > maxBlob) return std::nullopt;
  std::string_view parts[4];
  std::string_view rest = blob;
  for (int i = 0; i < 4; ++i) {
    const auto dot = rest.find('.');
    if ((i < 3) != (dot != std::string_view::npos)) return std::nullopt;  // exactly three dots
    parts[i] = rest.substr(0, dot);
    rest = i < 3 ? rest.substr(dot + 1) : std::string_view{};
  }
  if (parts[0] != TokenVault::kFormatVersion) return std::nullopt;
  if (parts[1].size() != KeyRing::kKeyIdLength || !isLowerHex(parts[1])) return std::nullopt;
  auto nonce = encoding::base64Decode(parts[2], encoding::Base64Accept::UrlSafe);
  auto sealed = encoding::base64Decode(parts[3], encoding::Base64Accept::UrlSafe);
  if (!nonce || nonce->size() != kNonceSize || !sealed || sealed->size() < kTagSize) return std::nullopt;
  return ParsedBlob{blob.substr(0, parts[0].size() + 1 + parts[1].size()), parts[1], std::move(*nonce),
                    std::move(*sealed)};
}

/// Associated data: each part as an 8-byte big-endian length then its bytes, so that no two
/// different (prefix, organization, connection, field) tuples can produce the same bytes.
std::string associatedData(std::string_view prefix, std::string_view organizationId, std::string_view connectionId,
                           std::string_view field) {
  std::string out;
  out.reserve(4 * 8 + prefix.size() + organizationId.size() + connectionId.size() + field.size());
  for (std::string_view part : {prefix, organizationId, connectionId, field}) {
    const auto size = static_cast<std::uint64_t>(part.size());
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
    out.append(part);
  }
  return out;
}

bool idsUsable(const std::string& organizationId, const std::string& connectionId, const std::string& field) {
  for (const std::string* id : {&organizationId, &connectionId, &field}) {
    if (id->empty() || id->size() > kMaxIdSize) return false;
  }
  return true;
}

}  // namespace

DecryptError::DecryptError(Reason reason)
    : std::runtime_error(reason == Reason::Malformed    ? "the encrypted value is malformed"
                         : reason == Reason::UnknownKey ? "the encrypted value was sealed with a key that is not loaded"
                                                        : "the encrypted value failed authentication"),
      reason_(reason) {}

TokenVault::CachedKey::~CachedKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

TokenVault::TokenVault(KeyRing keys) : keys_(std::move(keys)) {
  // Fail at startup rather than on the first request if the OpenSSL build lacks what we need.
  aes256gcm();
  hkdf();
}

TokenVault::~TokenVault() = default;  // the cache's entries and the ring's keys wipe themselves

bool TokenVault::organizationKey(const std::string& keyId, const std::string& organizationId, DerivedKey& out) const {
  const std::string cacheKey = keyId + organizationId;  // keyId has a fixed length: unambiguous
  {
    std::shared_lock lock(cacheMutex_);
    if (auto it = cache_.find(cacheKey); it != cache_.end()) {
      out = it->second.bytes;
      return true;
    }
  }
  const unsigned char* master = keys_.material(keyId);
  if (!master) return false;  // never cache misses: a blob's key id is attacker-influenced

  const std::string info = "org:" + organizationId;
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> context(EVP_KDF_CTX_new(hkdf()), &EVP_KDF_CTX_free);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<unsigned char*>(master), KeyRing::kKeySize),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(kHkdfSalt.data()), kHkdfSalt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end(),
  };
  if (!context || EVP_KDF_derive(context.get(), out.data(), out.size(), params) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    throw std::runtime_error("HKDF-SHA256 failed while deriving an organization key");
  }

  std::unique_lock lock(cacheMutex_);
  if (cache_.size() >= kMaxCachedKeys) cache_.clear();  // crude, but derivation is cheap
  cache_[cacheKey].bytes = out;
  return true;
}

std::string TokenVault::sign(const std::string& organizationId, std::string_view purpose,
                             std::string_view message) const {
  DerivedKey key{};
  if (!organizationKey(keys_.currentId(), organizationId, key))
    throw std::runtime_error("the current key is not in the ring");
  std::string input(purpose);
  input += '\n';
  input += message;
  auto mac = encoding::hmacSha256Hex({reinterpret_cast<const char*>(key.data()), key.size()}, input);
  OPENSSL_cleanse(key.data(), key.size());
  return mac;
}

bool TokenVault::verify(const std::string& organizationId, std::string_view purpose, std::string_view message,
                        std::string_view mac) const {
  return encoding::constantTimeEquals(sign(organizationId, purpose, message), mac);
}

std::string TokenVault::seal(const std::string& organizationId, const std::string& connectionId,
                             const std::string& field, std::string_view plaintext) const {
  if (!idsUsable(organizationId, connectionId, field)) {
    throw std::invalid_argument(
        "TokenVault::seal: organization id, connection id and field must be non-empty and "
        "at most 512 bytes");
  }
  if (plaintext.size() > kMaxPlaintext) throw std::length_error("TokenVault::seal: value too large to seal");

  const std::string& keyId = keys_.currentId();
  const std::string prefix = std::string(kFormatVersion) + "." + keyId;
  const std::string aad = associatedData(prefix, organizationId, connectionId, field);
  const std::vector<unsigned char> nonce = random::bytes(kNonceSize);

  DerivedKey key{};
  WipedKey wipe{key};
  organizationKey(keyId, organizationId, key);  // the current key is always in the ring

  std::vector<unsigned char> sealed(plaintext.size() + kTagSize);
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int length = 0;
  int finalLength = 0;
  const bool ok =
      context && EVP_EncryptInit_ex2(context.get(), aes256gcm(), key.data(), nonce.data(), nullptr) == 1 &&
      EVP_EncryptUpdate(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(context.get(), sealed.data(), &length, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(context.get(), sealed.data() + length, &finalLength) == 1 &&
      static_cast<std::size_t>(length) + static_cast<std::size_t>(finalLength) == plaintext.size() &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize),
                          sealed.data() + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");

  return prefix + "." + encoding::base64Url(nonce) + "." + encoding::base64Url(sealed);
}

std::string TokenVault::open(const std::string& organizationId, const std::string& connectionId,
                             const std::string& field, const std::string& blob) const {
  auto parsed = parse(blob);
  if (!parsed) throw DecryptError(DecryptError::Reason::Malformed);
  // seal() refuses such ids, so nothing sealed can match them.
  if (!idsUsable(organizationId, connectionId, field)) throw DecryptError(DecryptError::Reason::Rejected);

  const std::string keyId(parsed->keyId);
  DerivedKey key{};
  WipedKey wipe{key};
  if (!organizationKey(keyId, organizationId, key)) throw DecryptError(DecryptError::Reason::UnknownKey);

  const std::string aad = associatedData(parsed->prefix, organizationId, connectionId, field);
  const std::size_t size = parsed->sealed.size() - kTagSize;
  std::string plaintext(size, '\0');
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int length = 0;
  int finalLength = 0;
  const bool ok =
      context && EVP_DecryptInit_ex2(context.get(), aes256gcm(), key.data(), parsed->nonce.data(), nullptr) == 1 &&
      EVP_DecryptUpdate(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &length,
                        parsed->sealed.data(), static_cast<int>(size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagSize),
                          parsed->sealed.data() + size) == 1 &&
      EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + length, &finalLength) ==
          1 &&
      static_cast<std::size_t>(length) + static_cast<std::size_t>(finalLength) == size;
  if (!ok) {
    // GCM writes the plaintext before it checks the tag: never let unauthenticated bytes linger.
    if (!plaintext.empty()) OPENSSL_cleanse(plaintext.data(), plaintext.size());
    throw DecryptError(DecryptError::Reason::Rejected);
  }
  return plaintext;
}

std::string TokenVault::keyIdOf(const std::string& blob) {
  auto parsed = parse(blob);
  if (!parsed) throw DecryptError(DecryptError::Reason::Malformed);
  return std::string(parsed->keyId);
}

bool TokenVault::isCurrent(const std::string& blob) const {
  auto parsed = parse(blob);
  return parsed && parsed->keyId == keys_.currentId();
}

}  // namespace marketsage::vault
