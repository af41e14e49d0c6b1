#pragma once
/// The master keys of the token vault: the current one (FIELD_ENCRYPTION_KEY), which seals, and
/// older ones (FIELD_ENCRYPTION_KEY_PREVIOUS), which still open what they sealed until
/// `marketsage keys rotate` has re-sealed it. Every key is known by a stable key id (its "key
/// version"), computed from the key itself, so every host agrees on it with no shared state.
/// Key bytes never leave this class except to TokenVault, and are wiped when a ring goes away.

#include <array>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace marketsage::vault {

/// A master key that is missing or unusable. The message is one line, fit for stderr, and never
/// contains any part of the key text.
struct KeyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class KeyRing {
 public:
  static constexpr std::size_t kKeySize = 32;      ///< AES-256 / HKDF-SHA256 input key bytes
  static constexpr std::size_t kKeyIdLength = 16;  ///< hex characters of a key id
  static constexpr const char* kDevKeyFile = "dev-encryption.key";

  /// A ring from explicit key bytes (tests, tools). Every key must be exactly 32 bytes. `previous`
  /// lists older keys; copies of the current key or of each other are dropped. Throws KeyError.
  explicit KeyRing(const std::vector<unsigned char>& current,
                   const std::vector<std::vector<unsigned char>>& previous = {});

  /// The host's ring: FIELD_ENCRYPTION_KEY as the current key and FIELD_ENCRYPTION_KEY_PREVIOUS
  /// (comma-separated) as older ones. With FIELD_ENCRYPTION_KEY unset or empty, production throws
  /// KeyError, and so does a host on a database other hosts share (`sharedDatabase`: PostgreSQL),
  /// since a development key file would exist on one host's disk only; otherwise development uses
  /// loadOrCreateDevKey(dataDir). Throws KeyError. [main-thread]
  static KeyRing fromEnvironment(bool production, const std::filesystem::path& dataDir, bool sharedDatabase = false);

  /// fromEnvironment with the two variables' values given (empty = unset); for tests and tools.
  static KeyRing fromValues(bool production, const std::filesystem::path& dataDir, std::string_view current,
                            std::string_view previous, bool sharedDatabase = false);

  /// The development default: the key in <dataDir>/dev-encryption.key, created when absent
  /// (32 random bytes, base64, mode 0600 from the moment it exists; several hosts starting at once
  /// all end up with the same key). Logs a loud warning on every call. Throws KeyError.
  static KeyRing loadOrCreateDevKey(const std::filesystem::path& dataDir);

  /// Decodes one key text: exactly 32 bytes given raw (32 characters), 64 hex characters, or
  /// base64 (standard or URL-safe, padded or not) of 32 bytes. Surrounding whitespace (a trailing
  /// newline from a file) is ignored. `name` labels the error ("FIELD_ENCRYPTION_KEY"), which never
  /// echoes the text. Throws KeyError. The caller should OPENSSL_cleanse the result.
  static std::vector<unsigned char> parseKey(std::string_view text, std::string_view name);

  /// The key id ("key version") of a 32-byte key: the first 16 hex characters of
  /// SHA-256("marketsage-key-id" || key).
  static std::string keyIdOf(const unsigned char* key, std::size_t size);

  /// The id of the key that seals.
  const std::string& currentId() const { return keys_.front().id; }
  /// The ids of every key in the ring, current first.
  std::vector<std::string> ids() const;
  /// True when a key with this id is in the ring (so its blobs can be opened).
  bool contains(std::string_view keyId) const;

  KeyRing(const KeyRing&) = default;
  KeyRing& operator=(const KeyRing&) = default;
  KeyRing(KeyRing&&) noexcept = default;
  KeyRing& operator=(KeyRing&&) noexcept = default;
  ~KeyRing() = default;  // each MasterKey wipes itself

 private:
  friend class TokenVault;

  /// One master key; wipes its bytes when destroyed, wherever a copy of it lives.
  struct MasterKey {
    std::string id;
    std::array<unsigned char, kKeySize> bytes{};

    MasterKey() = default;
    MasterKey(const MasterKey&) = default;
    MasterKey& operator=(const MasterKey&) = default;
    ~MasterKey();
  };

  KeyRing() = default;
  /// Adds a key (current when the ring is empty); skips a key already present. Throws KeyError
  /// on a different key with the same id (a 64-bit collision: practically never).
  void add(const unsigned char* key, std::size_t size, std::string_view name);
  /// Adds every comma-separated key of FIELD_ENCRYPTION_KEY_PREVIOUS.
  void addPrevious(std::string_view list);
  /// The 32 bytes of `keyId`, or nullptr. Valid while this ring lives.
  const unsigned char* material(std::string_view keyId) const;

  std::vector<MasterKey> keys_;  ///< [0] is the current key; never empty once constructed
};

}  // namespace marketsage::vault
