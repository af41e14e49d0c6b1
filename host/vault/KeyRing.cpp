#include "vault/KeyRing.h"

#include "core/Encoding.h"
#include "core/Log.h"
#include "core/Random.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace marketsage::vault {

namespace {

constexpr std::string_view kFormats = "32 bytes, raw, hex or base64";

/// Wipes a byte buffer holding key material.
void cleanse(std::vector<unsigned char>& bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}
void cleanse(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
}

/// Wipes a key buffer when it goes out of scope, on every path (including exceptions).
struct Wiped {
  std::vector<unsigned char>& bytes;
  ~Wiped() { cleanse(bytes); }
};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::vector<unsigned char>> decodeHex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<unsigned char> out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hexValue(text[2 * i]);
    const int lo = hexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      cleanse(out);
      return std::nullopt;
    }
    out[i] = static_cast<unsigned char>((hi << 4) | lo);
  }
  return out;
}

bool allHex(std::string_view text) {
  for (char c : text) {
    if (hexValue(c) < 0) return false;
  }
  return true;
}

std::string errnoText() { return std::strerror(errno); }

/// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

/// Reads the dev key file, or nullopt when it does not exist. Tightens loose permissions.
std::optional<std::vector<unsigned char>> readDevKey(const std::filesystem::path& path) {
  Fd file{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (file.fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw KeyError("cannot read the development key " + path.string() + ": " + errnoText());
  }
  struct stat info {};
  if (::fstat(file.fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    throw KeyError("the development key " + path.string() + " is not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    // Someone loosened it (a copy, an archive extraction): close the gap before using it.
    if (::fchmod(file.fd, 0600) != 0) {
      throw KeyError("the development key " + path.string() +
                     " is readable by others and cannot be made 0600: " + errnoText());
    }
    log::warn("development key file was readable by other users; its mode is now 0600", {{"path", path.string()}});
  }
  std::string text(1024, '\0');
  std::size_t used = 0;
  while (used < text.size()) {
    const ssize_t n = ::read(file.fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      cleanse(text);
      throw KeyError("cannot read the development key " + path.string() + ": " + errnoText());
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  try {
    auto key = KeyRing::parseKey(std::string_view(text.data(), used), "the development key " + path.string());
    cleanse(text);
    return key;
  } catch (const KeyError&) {
    cleanse(text);
    throw KeyError("the development key " + path.string() + " does not hold a key (" + std::string(kFormats) +
                   "); remove it to create a new one (anything sealed with it becomes unreadable)");
  }
}

/// Writes a new random dev key to `path` without ever exposing it: a private temporary file
/// (O_EXCL, 0600) is filled and synced, then hard-linked into place, which fails instead of
/// replacing a key another host created meanwhile. Returns false when such a key appeared.
bool createDevKey(const std::filesystem::path& path) {
  const auto temporary = path.parent_path() / ("." + path.filename().string() + "." + random::token(9) + ".tmp");
  auto key = random::bytes(KeyRing::kKeySize);
  Wiped wipeKey{key};
  std::string text = encoding::base64Url(key) + "\n";
  {
    Fd file{::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
    if (file.fd < 0) {
      cleanse(text);
      throw KeyError("cannot create the development key in " + path.parent_path().string() + ": " + errnoText());
    }
    bool ok = ::fchmod(file.fd, 0600) == 0;  // the umask can only narrow 0600, but say it exactly
    std::size_t written = 0;
    while (ok && written < text.size()) {
      const ssize_t n = ::write(file.fd, text.data() + written, text.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        ok = false;
      else
        written += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(file.fd) == 0;
    cleanse(text);
    if (!ok) {
      const std::string reason = errnoText();
      ::unlink(temporary.c_str());
      throw KeyError("cannot write the development key " + path.string() + ": " + reason);
    }
  }
  const int linked = ::link(temporary.c_str(), path.c_str());
  const int linkErrno = errno;
  ::unlink(temporary.c_str());
  if (linked != 0) {
    if (linkErrno == EEXIST) return false;
    throw KeyError("cannot create the development key " + path.string() + ": " + std::strerror(linkErrno));
  }
  // Make the new directory entry durable too, so a crash cannot lose a key already in use.
  Fd dir{::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir.fd >= 0) ::fsync(dir.fd);
  return true;
}

}  // namespace

KeyRing::MasterKey::~MasterKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

KeyRing::KeyRing(const std::vector<unsigned char>& current, const std::vector<std::vector<unsigned char>>& previous) {
  add(current.data(), current.size(), "the current key");
  for (std::size_t i = 0; i < previous.size(); ++i) {
    add(previous[i].data(), previous[i].size(), "previous key " + std::to_string(i + 1));
  }
}

KeyRing KeyRing::fromEnvironment(bool production, const std::filesystem::path& dataDir, bool sharedDatabase) {
  const char* current = std::getenv("FIELD_ENCRYPTION_KEY");
  const char* previous = std::getenv("FIELD_ENCRYPTION_KEY_PREVIOUS");
  return fromValues(production, dataDir, current ? current : "", previous ? previous : "", sharedDatabase);
}

KeyRing KeyRing::fromValues(bool production, const std::filesystem::path& dataDir, std::string_view current,
                            std::string_view previous, bool sharedDatabase) {
  KeyRing ring;
  if (trim(current).empty()) {
    if (production) {
      throw KeyError("FIELD_ENCRYPTION_KEY is required in production: " + std::string(kFormats));
    }
    if (sharedDatabase) {
      throw KeyError(
          "FIELD_ENCRYPTION_KEY is required with PostgreSQL (every host on the database must hold the same key; a "
          "development key file would exist on this host's disk only): " +
          std::string(kFormats));
    }
    ring = loadOrCreateDevKey(dataDir);
  } else {
    auto key = parseKey(current, "FIELD_ENCRYPTION_KEY");
    Wiped wipe{key};
    ring.add(key.data(), key.size(), "FIELD_ENCRYPTION_KEY");
  }
  ring.addPrevious(previous);
  return ring;
}

KeyRing KeyRing::loadOrCreateDevKey(const std::filesystem::path& dataDir) {
  std::error_code error;
  std::filesystem::create_directories(dataDir, error);
  if (error) {
    throw KeyError("cannot create the data directory " + dataDir.string() +
                   " for the development key: " + error.message());
  }
  const auto path = dataDir / kDevKeyFile;
  bool created = false;
  std::optional<std::vector<unsigned char>> key = readDevKey(path);
  if (!key) {
    created = createDevKey(path);
    key = readDevKey(path);  // ours, or the one a concurrently starting host linked first
    if (!key) throw KeyError("the development key " + path.string() + " vanished while it was being created");
  }
  Wiped wipe{*key};
  KeyRing ring;
  ring.add(key->data(), key->size(), "the development key");
  log::warn(
      "DEVELOPMENT ENCRYPTION KEY IN USE - for development only, never for real accounts: set "
      "FIELD_ENCRYPTION_KEY (" +
          std::string(kFormats) + ") and run in production mode",
      {{"path", path.string()}, {"key_id", ring.currentId()}, {"created", created ? "true" : "false"}});
  return ring;
}

std::vector<unsigned char> KeyRing::parseKey(std::string_view text, std::string_view name) {
  const std::string_view trimmed = trim(text);
  if (trimmed.size() == 2 * kKeySize && allHex(trimmed)) {
    if (auto key = decodeHex(trimmed)) return std::move(*key);
  }
  if (auto key = encoding::base64Decode(trimmed, encoding::Base64Accept::Any)) {
    if (key->size() == kKeySize) return std::move(*key);
    cleanse(*key);
  }
  // Raw: exactly 32 bytes as given; trimmed only if the untrimmed text is not 32 bytes itself.
  const std::string_view raw = text.size() == kKeySize ? text : trimmed;
  if (raw.size() == kKeySize) {
    if (allHex(raw)) {
      // 32 hex digits are most likely a 16-byte key written in hex: usable, but only 128 bits.
      log::warn("encryption key is 32 hex characters, used as 32 raw bytes; a 64-hex-character key is stronger",
                {{"key", name}});
    }
    return std::vector<unsigned char>(raw.begin(), raw.end());
  }
  // The length helps spot a stray newline or a truncated copy; the text itself is never shown.
  throw KeyError(std::string(name) + " is not a valid key: expected " + std::string(kFormats) +
                 " (32 characters raw, 64 hex characters, or base64 of 32 bytes); got " +
                 std::to_string(trimmed.size()) + " characters");
}

std::string KeyRing::keyIdOf(const unsigned char* key, std::size_t size) {
  static constexpr std::string_view label = "marketsage-key-id";
  try {
    // Hashed in two updates so the key is never copied next to the label.
    encoding::Sha256 digest;
    digest.update(label.data(), label.size());
    digest.update(key, size);
    return digest.finishHex().substr(0, kKeyIdLength);
  } catch (const std::runtime_error&) {
    throw std::runtime_error("SHA-256 failed while computing a key id");
  }
}

std::vector<std::string> KeyRing::ids() const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const auto& key : keys_) out.push_back(key.id);
  return out;
}

bool KeyRing::contains(std::string_view keyId) const { return material(keyId) != nullptr; }

void KeyRing::add(const unsigned char* key, std::size_t size, std::string_view name) {
  if (size != kKeySize) {
    throw KeyError(std::string(name) + " is not a valid key: expected 32 bytes, got " + std::to_string(size));
  }
  const std::string id = keyIdOf(key, size);
  for (const auto& existing : keys_) {
    if (existing.id != id) continue;
    if (CRYPTO_memcmp(existing.bytes.data(), key, kKeySize) == 0) return;  // the same key listed twice
    throw KeyError(std::string(name) + " has the same key id as another key; generate a new key");
  }
  MasterKey entry;
  entry.id = id;
  std::memcpy(entry.bytes.data(), key, kKeySize);
  keys_.push_back(entry);
}

void KeyRing::addPrevious(std::string_view list) {
  // Raw keys cannot contain ',' here; such a key must be given as hex or base64.
  std::size_t index = 0;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    ++index;
    if (item.empty()) continue;  // tolerate "a,,b" and a trailing comma
    const std::string name = "FIELD_ENCRYPTION_KEY_PREVIOUS (entry " + std::to_string(index) + ")";
    auto key = parseKey(item, name);
    Wiped wipe{key};
    add(key.data(), key.size(), name);
  }
}

const unsigned char* KeyRing::material(std::string_view keyId) const {
  for (const auto& key : keys_) {
    if (key.id == keyId) return key.bytes.data();
  }
  return nullptr;
}

}  // namespace marketsage::vault
