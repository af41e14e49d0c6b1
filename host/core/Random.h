#pragma once
/// Secure randomness (OpenSSL's CSPRNG) for keys, ids and OAuth state.

#include <cstddef>
#include <string>
#include <vector>

namespace marketsage::random {

/// Throws std::runtime_error if the CSPRNG fails; never falls back to a weak source.
std::vector<unsigned char> bytes(std::size_t count);
/// URL-safe base64 without padding of `count` random bytes.
std::string token(std::size_t count);
/// A random (v4) UUID in its canonical text form: the id of every row we create.
std::string uuid();

}  // namespace marketsage::random
