#pragma once
/// API keys: 256 random bits shown once; only their SHA-256 is stored. A plain digest is the
/// right tool here (not a slow password hash): the input has full entropy, and the lookup
/// runs on every request.

#include <string>
#include <string_view>

namespace marketsage::auth {

struct NewApiKey {
  std::string key;     ///< "msk_" + 43 base64url characters; give to the user once
  std::string hash;    ///< what the database stores
  std::string prefix;  ///< first characters, safe to show in listings
};

NewApiKey generateApiKey();
std::string hashApiKey(std::string_view key);
/// Cheap shape check before any lookup.
bool looksLikeApiKey(std::string_view key);

}  // namespace marketsage::auth
