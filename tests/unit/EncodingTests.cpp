// core/Encoding: the one base64 (encode, strict decode), SHA-256 and HMAC-SHA256 of the host.
#include "core/Encoding.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace marketsage;
using encoding::Base64Accept;
using encoding::Base64Alphabet;
using encoding::Base64Padding;

namespace {

std::string encode(std::string_view text, Base64Alphabet alphabet, Base64Padding padding) {
  return encoding::base64Encode(text.data(), text.size(), alphabet, padding);
}

std::optional<std::string> decode(std::string_view text, Base64Accept accept) {
  auto bytes = encoding::base64Decode(text, accept);
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

std::string hexOf(const encoding::Sha256Digest& digest) { return encoding::hex(digest.data(), digest.size()); }

}  // namespace

TEST_CASE("base64 encodes the RFC 4648 test vectors in both alphabets, padded or not", "[encoding]") {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, padded] : vectors) {
    CHECK(encode(plain, Base64Alphabet::Standard, Base64Padding::Pad) == padded);
    const std::string unpadded = padded.substr(0, padded.find('='));
    CHECK(encode(plain, Base64Alphabet::UrlSafe, Base64Padding::Omit) == unpadded);
    CHECK(encoding::base64Url(plain.data(), plain.size()) == unpadded);
    CHECK(decode(padded, Base64Accept::Any) == plain);
    CHECK(decode(unpadded, Base64Accept::Any) == plain);
    CHECK(decode(unpadded, Base64Accept::UrlSafe) == plain);
  }
  CHECK(encode("\xfb\xff", Base64Alphabet::Standard, Base64Padding::Pad) == "+/8=");
  CHECK(encode("\xfb\xff", Base64Alphabet::UrlSafe, Base64Padding::Pad) == "-_8=");
  CHECK(encoding::base64Encode(nullptr, 5, Base64Alphabet::Standard, Base64Padding::Pad).empty());
}

TEST_CASE("base64 decode gives back every encoded byte string, in every spelling", "[encoding]") {
  for (std::size_t size = 0; size <= 40; ++size) {
    std::vector<unsigned char> bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(i * 97 + size * 31 + 255);
    for (auto alphabet : {Base64Alphabet::Standard, Base64Alphabet::UrlSafe}) {
      for (auto padding : {Base64Padding::Pad, Base64Padding::Omit}) {
        const auto text = encoding::base64Encode(bytes.data(), bytes.size(), alphabet, padding);
        CHECK(encoding::base64Decode(text, Base64Accept::Any) == bytes);
      }
    }
    CHECK(encoding::base64Decode(encoding::base64Url(bytes), Base64Accept::UrlSafe) == bytes);
  }
}

TEST_CASE("base64 decode is strict: one spelling per byte string", "[encoding]") {
  CHECK_FALSE(decode("Zg==", Base64Accept::UrlSafe));  // padding only with Any
  CHECK_FALSE(decode("Zg=", Base64Accept::Any));       // padding that does not complete a quantum
  CHECK_FALSE(decode("Zg===", Base64Accept::Any));     // too much padding
  CHECK_FALSE(decode("Zh==", Base64Accept::Any));      // non-zero leftover bits
  CHECK_FALSE(decode("Zm9vY", Base64Accept::Any));     // a lone trailing digit
  CHECK_FALSE(decode("Zm9v Yg", Base64Accept::Any));   // whitespace
  CHECK_FALSE(decode("Zm9v\n", Base64Accept::Any));    // a trailing newline: callers trim first
  CHECK_FALSE(decode("+/-_", Base64Accept::Any));      // both alphabets in one text
  CHECK_FALSE(decode("+/8", Base64Accept::UrlSafe));   // standard digits where URL-safe is required
  CHECK(decode("+/8", Base64Accept::Any) == "\xfb\xff");
  CHECK(decode("-_8", Base64Accept::UrlSafe) == "\xfb\xff");
  CHECK(decode("", Base64Accept::UrlSafe) == "");
}

TEST_CASE("SHA-256 and HMAC-SHA256 match the FIPS 180-2 and RFC 4231 vectors", "[encoding]") {
  CHECK(encoding::sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hexOf(encoding::sha256(nullptr, 0)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  encoding::Sha256 streamed;
  streamed.update("a", 1);
  streamed.update("bc", 2);
  CHECK(streamed.finishHex() == encoding::sha256Hex("abc"));

  // RFC 4231 test case 1: 20 bytes of 0x0b, "Hi There".
  const std::string key1(20, '\x0b');
  CHECK(encoding::hmacSha256Hex(key1, "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // RFC 4231 test case 2: a key shorter than the output.
  const std::string data2 = "what do ya want for nothing?";
  CHECK(hexOf(encoding::hmacSha256("Jefe", 4, data2.data(), data2.size())) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 test case 6: a key longer than the block size is hashed first.
  const std::string key6(131, '\xaa');
  CHECK(encoding::hmacSha256Hex(key6, "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // NULL key or data count as no bytes (the plugins' hmac_sha256 passes them on).
  CHECK(encoding::hmacSha256(nullptr, 7, nullptr, 9) == encoding::hmacSha256("", 0, "", 0));
}
