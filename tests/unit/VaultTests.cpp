#include "core/Encoding.h"
#include "core/Random.h"
#include "vault/KeyRing.h"
#include "vault/TokenVault.h"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

using namespace marketsage;
using vault::DecryptError;
using vault::KeyError;
using vault::KeyRing;
using vault::TokenVault;

namespace {

std::vector<unsigned char> keyOf(unsigned char seed) {
  std::vector<unsigned char> key(32);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(seed * 31 + i * 7);
  return key;
}

std::string standardBase64(const std::vector<unsigned char>& data, bool padded) {
  return encoding::base64Encode(data.data(), data.size(), encoding::Base64Alphabet::Standard,
                                padded ? encoding::Base64Padding::Pad : encoding::Base64Padding::Omit);
}

/// The KeyError message for `text`, or nullopt when it parses.
std::optional<std::string> keyErrorFor(const std::string& text) {
  try {
    KeyRing::parseKey(text, "FIELD_ENCRYPTION_KEY");
    return std::nullopt;
  } catch (const KeyError& e) {
    return std::string(e.what());
  }
}

DecryptError::Reason reasonOf(const TokenVault& vault, const std::string& org, const std::string& connection,
                              const std::string& field, const std::string& blob) {
  try {
    vault.open(org, connection, field, blob);
  } catch (const DecryptError& e) {
    return e.reason();
  }
  FAIL("open() succeeded where it had to fail");
  return DecryptError::Reason::Malformed;
}

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("marketsage-vault-" + random::token(9));
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

/// The documented format, rebuilt independently of TokenVault (EVP_PKEY HKDF, not EVP_KDF): the
/// organization key, then AES-256-GCM with length-prefixed associated data. nullopt = rejected.
std::optional<std::string> openByHand(const std::vector<unsigned char>& master, const std::string& keyOrg,
                                      const std::string& org, const std::string& connection, const std::string& field,
                                      const std::string& blob) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = blob.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(blob.substr(start, dot - start));
  }
  parts.push_back(blob.substr(start));
  REQUIRE(parts.size() == 4);
  const auto nonce = encoding::base64Decode(parts[2], encoding::Base64Accept::UrlSafe);
  const auto sealed = encoding::base64Decode(parts[3], encoding::Base64Accept::UrlSafe);
  REQUIRE(nonce);
  REQUIRE(sealed);
  REQUIRE(nonce->size() == 12);
  REQUIRE(sealed->size() >= 16);

  unsigned char key[32];
  std::size_t keySize = sizeof key;
  const std::string salt = "marketsage/vault/v1";
  const std::string info = "org:" + keyOrg;
  EVP_PKEY_CTX* kdf = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  REQUIRE(kdf);
  REQUIRE(EVP_PKEY_derive_init(kdf) == 1);
  REQUIRE(EVP_PKEY_CTX_set_hkdf_md(kdf, EVP_sha256()) == 1);
  REQUIRE(EVP_PKEY_CTX_set1_hkdf_key(kdf, master.data(), static_cast<int>(master.size())) == 1);
  REQUIRE(EVP_PKEY_CTX_set1_hkdf_salt(kdf, reinterpret_cast<const unsigned char*>(salt.data()),
                                      static_cast<int>(salt.size())) == 1);
  REQUIRE(EVP_PKEY_CTX_add1_hkdf_info(kdf, reinterpret_cast<const unsigned char*>(info.data()),
                                      static_cast<int>(info.size())) == 1);
  REQUIRE(EVP_PKEY_derive(kdf, key, &keySize) == 1);
  EVP_PKEY_CTX_free(kdf);

  std::string aad;
  for (const std::string& part : {parts[0] + "." + parts[1], org, connection, field}) {
    for (int shift = 56; shift >= 0; shift -= 8) aad.push_back(static_cast<char>((part.size() >> shift) & 0xff));
    aad += part;
  }
  const int size = static_cast<int>(sealed->size() - 16);
  std::string plaintext(static_cast<std::size_t>(size), '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  REQUIRE(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key, nonce->data()) == 1);
  REQUIRE(EVP_DecryptUpdate(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                            static_cast<int>(aad.size())) == 1);
  REQUIRE(EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plaintext.data()), &n, sealed->data(), size) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, const_cast<unsigned char*>(sealed->data() + size)) == 1);
  const bool ok = EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(plaintext.data()) + n, &n) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return plaintext;
}

const std::string kOrg = "0b7c3c2e-7a1f-4d7e-9a55-1c7e0c6f3e01";
const std::string kConnection = "8d1e5c44-4b1d-4a4e-8b77-0f3c1e2a9b10";
const std::string kToken = "EAAB-very-secret-access-token-0123456789";

}  // namespace

TEST_CASE("vault: seal then open returns the plaintext, for empty and binary values too", "[vault]") {
  TokenVault vault(KeyRing(keyOf(1)));
  const std::string blob = vault.seal(kOrg, kConnection, "access_token", kToken);
  CHECK(vault.open(kOrg, kConnection, "access_token", blob) == kToken);

  const std::string empty = vault.seal(kOrg, kConnection, "refresh_token", "");
  CHECK(vault.open(kOrg, kConnection, "refresh_token", empty).empty());

  const std::string binary("\0\x01\xff token \n", 10);
  CHECK(vault.open(kOrg, kConnection, "f", vault.seal(kOrg, kConnection, "f", binary)) == binary);

  const std::string large(100000, 'x');
  CHECK(vault.open(kOrg, kConnection, "f", vault.seal(kOrg, kConnection, "f", large)) == large);
}

TEST_CASE("vault: a blob is v1.<keyId>.<nonce>.<ciphertext> and hides the plaintext", "[vault]") {
  KeyRing ring(keyOf(1));
  TokenVault vault(ring);
  const std::string blob = vault.seal(kOrg, kConnection, "access_token", kToken);
  CHECK(blob.rfind("v1." + ring.currentId() + ".", 0) == 0);
  CHECK(std::count(blob.begin(), blob.end(), '.') == 3);
  CHECK(TokenVault::keyIdOf(blob) == ring.currentId());
  CHECK(vault.isCurrent(blob));
  CHECK(blob.find(kToken) == std::string::npos);
  CHECK(blob.find("very-secret") == std::string::npos);
  CHECK(blob.find(encoding::base64Url({kToken.begin(), kToken.end()})) == std::string::npos);
  CHECK(blob.find(encoding::hex(reinterpret_cast<const unsigned char*>(kToken.data()), kToken.size())) ==
        std::string::npos);
}

TEST_CASE("vault: blobs follow the documented construction (per-organization HKDF key, AES-256-GCM)", "[vault]") {
  const auto master = keyOf(5);
  TokenVault vault{KeyRing(master)};
  for (const std::string& org : {kOrg, std::string("org-b"), std::string("org-c")}) {
    // Seal for several organizations first, so a cache mixing them up would show.
    const std::string blob = vault.seal(org, kConnection, "access_token", kToken);
    CHECK(openByHand(master, org, org, kConnection, "access_token", blob) == kToken);
    // The key really is per organization: the right associated data under another org's key fails.
    CHECK_FALSE(openByHand(master, org + "-other", org, kConnection, "access_token", blob));
    CHECK_FALSE(openByHand(keyOf(6), org, org, kConnection, "access_token", blob));
  }
}

TEST_CASE("vault: two seals of the same plaintext differ (fresh nonce)", "[vault]") {
  TokenVault vault(KeyRing(keyOf(1)));
  const std::string a = vault.seal(kOrg, kConnection, "access_token", kToken);
  const std::string b = vault.seal(kOrg, kConnection, "access_token", kToken);
  CHECK(a != b);
  const auto nonceOf = [](const std::string& blob) {
    const auto third = blob.find('.', blob.find('.', 3) + 1);
    return blob.substr(0, third).substr(blob.find('.', 3) + 1);
  };
  CHECK(nonceOf(a) != nonceOf(b));
  CHECK(vault.open(kOrg, kConnection, "access_token", a) == kToken);
  CHECK(vault.open(kOrg, kConnection, "access_token", b) == kToken);
}

TEST_CASE("vault: a blob moved to another organization, connection or field does not open", "[vault]") {
  TokenVault vault(KeyRing(keyOf(1)));
  const std::string blob = vault.seal(kOrg, kConnection, "access_token", kToken);
  using R = DecryptError::Reason;
  CHECK(reasonOf(vault, "another-org", kConnection, "access_token", blob) == R::Rejected);
  CHECK(reasonOf(vault, kOrg, "another-connection", "access_token", blob) == R::Rejected);
  CHECK(reasonOf(vault, kOrg, kConnection, "refresh_token", blob) == R::Rejected);
  // Length prefixes: shifting bytes between the ids does not produce the same associated data.
  const std::string ab = vault.seal("org-a", "bc", "field", kToken);
  CHECK(reasonOf(vault, "org-ab", "c", "field", ab) == R::Rejected);
  CHECK(reasonOf(vault, "org-a", "b", "cfield", ab) == R::Rejected);
  CHECK(reasonOf(vault, kOrg, kConnection, "", blob) == R::Rejected);
  // The error text says nothing about the value.
  try {
    vault.open("another-org", kConnection, "access_token", blob);
  } catch (const DecryptError& e) {
    const std::string message = e.what();
    CHECK(message.find(kToken) == std::string::npos);
    CHECK(message.find(kOrg) == std::string::npos);
    CHECK(message.find(blob.substr(20, 10)) == std::string::npos);
  }
}

TEST_CASE("vault: a flipped bit anywhere in the blob makes it fail", "[vault]") {
  KeyRing ring(keyOf(1));
  TokenVault vault(ring);
  const std::string blob = vault.seal(kOrg, kConnection, "access_token", kToken);
  for (std::size_t i = 0; i < blob.size(); ++i) {
    for (unsigned char mask : {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80}) {
      std::string tampered = blob;
      tampered[i] = static_cast<char>(tampered[i] ^ mask);
      CAPTURE(i, static_cast<int>(mask));
      CHECK_THROWS_AS(vault.open(kOrg, kConnection, "access_token", tampered), DecryptError);
    }
  }
  // Truncated, extended, and re-assembled blobs fail too.
  CHECK_THROWS_AS(vault.open(kOrg, kConnection, "access_token", blob.substr(0, blob.size() - 1)), DecryptError);
  CHECK_THROWS_AS(vault.open(kOrg, kConnection, "access_token", blob + "A"), DecryptError);
  CHECK_THROWS_AS(vault.open(kOrg, kConnection, "access_token", blob + "."), DecryptError);
  CHECK_THROWS_AS(vault.open(kOrg, kConnection, "access_token", "v2" + blob.substr(2)), DecryptError);
  for (const std::string malformed : {"", "v1", "v1...", "not a blob", "v1.0123456789abcdef.AAAA.AAAA"}) {
    CHECK_THROWS_AS(vault.open(kOrg, kConnection, "access_token", malformed), DecryptError);
    CHECK_THROWS_AS(TokenVault::keyIdOf(malformed), DecryptError);
    CHECK_FALSE(vault.isCurrent(malformed));
  }
}

TEST_CASE("vault: rotation - an old key opens as previous, isCurrent is false, re-sealing fixes it", "[vault]") {
  const KeyRing ringA(keyOf(1));
  const KeyRing ringB(keyOf(2), {keyOf(1)});
  CHECK(ringA.currentId() != ringB.currentId());
  CHECK(ringB.ids() == std::vector<std::string>{ringB.currentId(), ringA.currentId()});

  TokenVault oldVault(ringA);
  const std::string old = oldVault.seal(kOrg, kConnection, "refresh_token", kToken);

  TokenVault vault(ringB);
  CHECK(TokenVault::keyIdOf(old) == ringA.currentId());
  CHECK_FALSE(vault.isCurrent(old));
  CHECK(vault.open(kOrg, kConnection, "refresh_token", old) == kToken);

  const std::string resealed =
      vault.seal(kOrg, kConnection, "refresh_token", vault.open(kOrg, kConnection, "refresh_token", old));
  CHECK(vault.isCurrent(resealed));
  CHECK(TokenVault::keyIdOf(resealed) == ringB.currentId());
  CHECK(vault.open(kOrg, kConnection, "refresh_token", resealed) == kToken);
  // The old ring cannot open what the new key sealed.
  CHECK(reasonOf(oldVault, kOrg, kConnection, "refresh_token", resealed) == DecryptError::Reason::UnknownKey);
}

TEST_CASE("vault: a blob under a key that is not in the ring fails as UnknownKey", "[vault]") {
  TokenVault vaultA(KeyRing(keyOf(1)));
  TokenVault vaultC(KeyRing(keyOf(3)));
  const std::string blob = vaultA.seal(kOrg, kConnection, "access_token", kToken);
  CHECK(reasonOf(vaultC, kOrg, kConnection, "access_token", blob) == DecryptError::Reason::UnknownKey);
  // A key id forged to name the ring's key does not help: the associated data covers the prefix.
  std::string forged = blob;
  const std::string idC = vaultC.keys().currentId();
  forged.replace(3, idC.size(), idC);
  CHECK(reasonOf(vaultC, kOrg, kConnection, "access_token", forged) == DecryptError::Reason::Rejected);
}

TEST_CASE("vault: key ids are stable, 16 hex, and per key", "[vault]") {
  const auto key = keyOf(1);
  const std::string expected =
      encoding::sha256Hex("marketsage-key-id" + std::string(key.begin(), key.end())).substr(0, 16);
  CHECK(KeyRing(key).currentId() == expected);
  CHECK(KeyRing::keyIdOf(key.data(), key.size()) == expected);
  CHECK(KeyRing(keyOf(1)).currentId() == KeyRing(keyOf(1)).currentId());
  CHECK(KeyRing(keyOf(1)).currentId() != KeyRing(keyOf(2)).currentId());
  // A previous key equal to the current one is listed once.
  CHECK(KeyRing(keyOf(1), {keyOf(1), keyOf(2), keyOf(2)}).ids().size() == 2);
  CHECK_THROWS_AS(KeyRing(std::vector<unsigned char>(31, 1)), KeyError);
  CHECK_THROWS_AS(KeyRing(keyOf(1), {std::vector<unsigned char>(33, 1)}), KeyError);
}

TEST_CASE("vault: key texts - raw, hex, base64 and base64url accepted", "[vault]") {
  const auto key = random::bytes(32);
  const std::string hex = encoding::hex(key.data(), key.size());
  CHECK(KeyRing::parseKey(hex, "k") == key);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(KeyRing::parseKey(upper, "k") == key);
  CHECK(KeyRing::parseKey(standardBase64(key, true), "k") == key);
  CHECK(KeyRing::parseKey(standardBase64(key, false), "k") == key);
  CHECK(KeyRing::parseKey(encoding::base64Url(key), "k") == key);
  CHECK(KeyRing::parseKey(encoding::base64Url(key) + "=", "k") == key);
  CHECK(KeyRing::parseKey(standardBase64(key, true) + "\n", "k") == key);  // from `openssl rand -base64 32 > f`

  const std::string raw = "0123456789abcdefghijklmnopqrstuv";
  REQUIRE(raw.size() == 32);
  CHECK(KeyRing::parseKey(raw, "k") == std::vector<unsigned char>(raw.begin(), raw.end()));
  const std::string rawWithSpace = " 123456789abcdefghijklmnopqrstu ";
  CHECK(KeyRing::parseKey(rawWithSpace, "k") == std::vector<unsigned char>(rawWithSpace.begin(), rawWithSpace.end()));

  // The same key in every spelling gets the same key id.
  const auto id = [](const std::string& text) { return KeyRing::fromValues(true, {}, text, "").currentId(); };
  CHECK(id(hex) == id(standardBase64(key, true)));
  CHECK(id(hex) == id(encoding::base64Url(key)));
}

TEST_CASE("vault: bad key texts are rejected without echoing them", "[vault]") {
  const auto key31 = random::bytes(31);
  const auto key33 = random::bytes(33);
  const std::vector<std::string> rejected = {
      "0123456789abcdefghijklmnopqrstu",                             // 31 raw
      "0123456789abcdefghijklmnopqrstuvw",                           // 33 raw
      encoding::hex(key31.data(), key31.size()),                     // 62 hex
      encoding::hex(key33.data(), key33.size()),                     // 66 hex
      encoding::base64Url(key31),                                    // base64 of 31 bytes
      encoding::base64Url(key33),                                    // base64 of 33 bytes
      standardBase64(key33, true),                                   // padded base64 of 33 bytes
      "this is certainly not a valid key, is it? no!!",              // garbage
      "zz" + std::string(62, '0'),                                   // 64 chars, not hex, not base64 of 32
      standardBase64(random::bytes(32), true).substr(0, 43) + "==",  // wrong padding
  };
  for (const auto& text : rejected) {
    CAPTURE(text.size());
    const auto message = keyErrorFor(text);
    REQUIRE(message);
    CHECK(message->find("FIELD_ENCRYPTION_KEY") != std::string::npos);
    CHECK(message->find('\n') == std::string::npos);
    CHECK(message->find(text) == std::string::npos);
    CHECK(message->find(text.substr(0, 8)) == std::string::npos);
  }
  CHECK_THROWS_AS(KeyRing::fromValues(true, {}, "short", ""), KeyError);
  // PREVIOUS is checked the same way, and names the bad entry, not its text.
  const auto good = encoding::base64Url(random::bytes(32));
  try {
    KeyRing::fromValues(true, {}, good, good + ",not-a-key-at-all");
    FAIL("a bad previous key was accepted");
  } catch (const KeyError& e) {
    const std::string message = e.what();
    CHECK(message.find("FIELD_ENCRYPTION_KEY_PREVIOUS (entry 2)") != std::string::npos);
    CHECK(message.find("not-a-key") == std::string::npos);
    CHECK(message.find(good) == std::string::npos);
  }
}

TEST_CASE("vault: FIELD_ENCRYPTION_KEY_PREVIOUS lists older keys, comma-separated", "[vault]") {
  const auto a = random::bytes(32);
  const auto b = random::bytes(32);
  const auto c = random::bytes(32);
  const KeyRing ring = KeyRing::fromValues(
      true, {}, encoding::hex(c.data(), c.size()),
      " " + standardBase64(a, true) + " ,, " + encoding::base64Url(b) + "," + encoding::hex(c.data(), c.size()) + ",");
  CHECK(ring.ids() == std::vector<std::string>{KeyRing::keyIdOf(c.data(), 32), KeyRing::keyIdOf(a.data(), 32),
                                               KeyRing::keyIdOf(b.data(), 32)});
  CHECK(ring.contains(KeyRing::keyIdOf(b.data(), 32)));
  CHECK_FALSE(ring.contains("0000000000000000"));
}

TEST_CASE("vault: fromEnvironment reads FIELD_ENCRYPTION_KEY and _PREVIOUS", "[vault]") {
  const auto current = random::bytes(32);
  const auto previous = random::bytes(32);
  const char* savedCurrent = std::getenv("FIELD_ENCRYPTION_KEY");
  const char* savedPrevious = std::getenv("FIELD_ENCRYPTION_KEY_PREVIOUS");
  const std::optional<std::string> restoreCurrent =
      savedCurrent ? std::optional<std::string>(savedCurrent) : std::nullopt;
  const std::optional<std::string> restorePrevious =
      savedPrevious ? std::optional<std::string>(savedPrevious) : std::nullopt;

  ::setenv("FIELD_ENCRYPTION_KEY", encoding::base64Url(current).c_str(), 1);
  ::setenv("FIELD_ENCRYPTION_KEY_PREVIOUS", encoding::hex(previous.data(), previous.size()).c_str(), 1);
  const KeyRing ring = KeyRing::fromEnvironment(true, "/nonexistent");
  CHECK(ring.ids() ==
        std::vector<std::string>{KeyRing::keyIdOf(current.data(), 32), KeyRing::keyIdOf(previous.data(), 32)});
  ::unsetenv("FIELD_ENCRYPTION_KEY");
  ::unsetenv("FIELD_ENCRYPTION_KEY_PREVIOUS");
  try {
    KeyRing::fromEnvironment(true, "/nonexistent");
    FAIL("production started without a key");
  } catch (const KeyError& e) {
    CHECK(std::string(e.what()) == "FIELD_ENCRYPTION_KEY is required in production: 32 bytes, raw, hex or base64");
  }

  if (restoreCurrent) ::setenv("FIELD_ENCRYPTION_KEY", restoreCurrent->c_str(), 1);
  if (restorePrevious) ::setenv("FIELD_ENCRYPTION_KEY_PREVIOUS", restorePrevious->c_str(), 1);
}

TEST_CASE("vault: the development key file is 0600, reused, and never used in production", "[vault]") {
  TempDir dir;
  const auto data = dir.path / "var";  // does not exist yet
  const KeyRing first = KeyRing::fromValues(false, data, "", "");
  const auto file = data / KeyRing::kDevKeyFile;
  REQUIRE(std::filesystem::is_regular_file(file));
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  // No temporary file is left behind.
  CHECK(std::distance(std::filesystem::directory_iterator(data), std::filesystem::directory_iterator()) == 1);

  const KeyRing second = KeyRing::loadOrCreateDevKey(data);
  CHECK(second.currentId() == first.currentId());
  const std::string blob = TokenVault(first).seal(kOrg, kConnection, "access_token", kToken);
  CHECK(TokenVault(second).open(kOrg, kConnection, "access_token", blob) == kToken);

  // The file holds base64 of 32 bytes whose key id is the ring's.
  std::ifstream in(file);
  std::string text;
  std::getline(in, text);
  const auto bytes = KeyRing::parseKey(text, "file");
  CHECK(KeyRing::keyIdOf(bytes.data(), bytes.size()) == first.currentId());

  // Loosened permissions are tightened again.
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  CHECK(KeyRing::loadOrCreateDevKey(data).currentId() == first.currentId());
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  // Production ignores the file and insists on FIELD_ENCRYPTION_KEY.
  CHECK_THROWS_AS(KeyRing::fromValues(true, data, "", ""), KeyError);
  CHECK_THROWS_AS(KeyRing::fromValues(true, data, "  \n", ""), KeyError);
  // So does a host on a shared database (PostgreSQL), even in development: the file is on one host only.
  CHECK_THROWS_WITH(KeyRing::fromValues(false, data, "", "", true),
                    Catch::Matchers::StartsWith("FIELD_ENCRYPTION_KEY is required with PostgreSQL"));
  CHECK(KeyRing::fromValues(false, data, encoding::base64Url(random::bytes(32)), "", true).currentId().size() == 16);

  // An explicit key wins over the file in development too.
  const auto explicitKey = random::bytes(32);
  CHECK(KeyRing::fromValues(false, data, encoding::base64Url(explicitKey), "").currentId() ==
        KeyRing::keyIdOf(explicitKey.data(), 32));

  // A corrupt file is an error naming the file, not its contents.
  { std::ofstream(file, std::ios::trunc) << "garbage-garbage\n"; }
  try {
    KeyRing::loadOrCreateDevKey(data);
    FAIL("a corrupt dev key was accepted");
  } catch (const KeyError& e) {
    CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
    CHECK(std::string(e.what()).find("garbage") == std::string::npos);
  }
}

TEST_CASE("vault: hosts starting together agree on one development key", "[vault]") {
  TempDir dir;
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] { ids[i] = KeyRing::loadOrCreateDevKey(dir.path).currentId(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& id : ids) CHECK(id == ids.front());
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("vault: seal and open from 16 threads at once", "[vault]") {
  const TokenVault vault(KeyRing(keyOf(2), {keyOf(1)}));
  const std::string old = TokenVault(KeyRing(keyOf(1))).seal("org-0", "conn", "access_token", "old-token");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::string org = "org-" + std::to_string((t + i) % 7);
        const std::string value = "token-" + std::to_string(t) + "-" + std::to_string(i);
        try {
          const std::string blob = vault.seal(org, "conn", "access_token", value);
          if (vault.open(org, "conn", "access_token", blob) != value) ++failures;
          if (vault.open("org-0", "conn", "access_token", old) != "old-token") ++failures;
          try {
            vault.open(org + "x", "conn", "access_token", blob);
            ++failures;
          } catch (const DecryptError&) {
          }
        } catch (...) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures.load() == 0);
}

TEST_CASE("vault: seal refuses empty ids and opening with them fails", "[vault]") {
  TokenVault vault(KeyRing(keyOf(1)));
  CHECK_THROWS_AS(vault.seal("", kConnection, "f", kToken), std::invalid_argument);
  CHECK_THROWS_AS(vault.seal(kOrg, "", "f", kToken), std::invalid_argument);
  CHECK_THROWS_AS(vault.seal(kOrg, kConnection, "", kToken), std::invalid_argument);
  CHECK_THROWS_AS(vault.seal(std::string(513, 'o'), kConnection, "f", kToken), std::invalid_argument);
  // Long but allowed ids work (HKDF info stays within OpenSSL's limit).
  const std::string longOrg(512, 'o');
  CHECK(vault.open(longOrg, kConnection, "f", vault.seal(longOrg, kConnection, "f", kToken)) == kToken);
}
