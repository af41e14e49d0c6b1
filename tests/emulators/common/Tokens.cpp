#include "Tokens.h"

#include <Poco/Base64Encoder.h>
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <mutex>
#include <random>
#include <sstream>

namespace marketsage::test {

std::string randomText(const std::string& prefix, std::size_t length, const std::string& alphabet) {
  static std::mt19937_64 generator{std::random_device{}()};
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::string out = prefix;
  for (std::size_t i = 0; i < length; ++i) out += alphabet[generator() % alphabet.size()];
  return out;
}

std::string sha256Hex(const std::string& bytes) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(bytes);
  return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string pkceS256(const std::string& verifier) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(verifier);
  const auto& digest = sha.digest();
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
  encoder.close();
  return out.str();
}

}  // namespace marketsage::test
