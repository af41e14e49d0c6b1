// The emulator's state rules: tokens (validity, expiry, revocation), permissions, object lookup,
// and the small crypto helpers (appsecret_proof, PKCE, upload digests).
#include "GraphInternals.h"
#include "UtcTime.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <chrono>
#include <random>

namespace emulators {

using namespace graph;

namespace graph {

long long nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string sha256(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string hmacSha256Hex(const std::string& key, const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()),
       text.size(), digest, &length);
  return hex(std::string(reinterpret_cast<const char*>(digest), length));
}

std::string isoTime(long long seconds) { return marketsage::test::utcTime(seconds, "%Y-%m-%dT%H:%M:%S+0000"); }

std::string randomToken(const std::string& prefix) {
  static std::mt19937_64 generator{std::random_device{}()};
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out = prefix;
  for (int i = 0; i < 40; ++i) out += alphabet[generator() % (sizeof alphabet - 1)];
  return out;
}

}  // namespace graph

namespace {

std::string facebookTime(long long ms) { return marketsage::test::utcTime(ms / 1000, "%A, %d-%b-%y %H:%M:%S UTC"); }

[[noreturn]] void tokenError(const std::string& reason, int subcode) {
  throw GraphError{190, "Error validating access token: " + reason, subcode};
}

/// The message Meta gives for every Page publishing permission failure (user token, wrong Page,
/// missing pages_manage_posts or pages_read_engagement).
const char* pagePublishingDenied =
    "(#200) If posting to a group, requires app being installed in the group, and either publish_to_groups "
    "permission with user token, or both pages_read_engagement and pages_manage_posts permission with page token; "
    "If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient "
    "administrative permission";

}  // namespace

std::string Impl::issueToken(Token token, const std::string& prefix) {
  token.issuedAtMs = nowMs();
  std::string value = randomToken(prefix);
  tokens[value] = token;
  issued.push_back(value);
  return value;
}

std::string Impl::pageTokenFor(const std::string& pageId, const std::string& userToken) {
  auto& existing = pageTokens[pageId + "|" + userToken];
  if (existing.empty()) {
    Token token;
    token.page = true;
    token.pageId = pageId;
    // From a long-lived user token a Page token does not expire; from a short-lived one it ends with it.
    auto user = tokens.find(userToken);
    const bool shortLived = user != tokens.end() && user->second.expiresAtMs != 0 &&
                            user->second.expiresAtMs - user->second.issuedAtMs <= api.shortLivedExpiresIn * 1000LL;
    token.expiresAtMs = shortLived ? user->second.expiresAtMs : 0;
    existing = issueToken(token, "EAAEmuPage");
  }
  return existing;
}

Item& Impl::add(Item item) {
  item.createdAt = nowMs() / 1000;
  order.push_back(item.id);
  return itemsById[item.id] = std::move(item);
}

Item* Impl::find(const std::string& id) {
  auto it = itemsById.find(id);
  return it == itemsById.end() ? nullptr : &it->second;
}

const Item* Impl::find(const std::string& id) const {
  auto it = itemsById.find(id);
  return it == itemsById.end() ? nullptr : &it->second;
}

const GraphApi::Page* Impl::page(const std::string& id) const {
  for (const auto& p : pages)
    if (p.id == id) return &p;
  return nullptr;
}

const GraphApi::Page* Impl::igUser(const std::string& id) const {
  for (const auto& p : pages)
    if (!p.igUserId.empty() && p.igUserId == id) return &p;
  return nullptr;
}

const Token& Impl::authenticate(const Call& call) {
  if (call.token.empty()) throw GraphError{104, "An access token is required to request this resource."};
  auto it = tokens.find(call.token);
  if (it == tokens.end()) throw GraphError{190, "Invalid OAuth access token - Cannot parse access token"};
  Token& token = it->second;
  if (token.state == Token::Valid && token.expiresAtMs != 0 && token.expiresAtMs <= nowMs())
    token.state = Token::Expired;
  switch (token.state) {
    case Token::Expired:
      tokenError("Session has expired on " + facebookTime(token.expiresAtMs ? token.expiresAtMs : nowMs() - 60000) +
                     ". The current time is " + facebookTime(nowMs()) + ".",
                 463);
    case Token::Revoked:
      tokenError(
          "The session has been invalidated because the user changed their password or Facebook has changed "
          "the session for security reasons.",
          460);
    case Token::Deauthorized:
      tokenError(std::string("The user has not authorized application ") + GraphApi::appId + ".", 458);
    case Token::Valid: break;
  }
  return token;
}

void Impl::require(const std::string& permission, int code) const {
  if (granted.count(permission)) return;
  if (code == 200) throw GraphError{200, pagePublishingDenied, 0, 403};
  throw GraphError{code,
                   "(#" + std::to_string(code) +
                       ") Application does not have permission for this action: requires the '" + permission +
                       "' permission",
                   0, 403};
}

void Impl::requirePageToken(const Call& call, const std::string& pageId) {
  const Token& token = authenticate(call);
  if (!token.page || token.pageId != pageId) throw GraphError{200, pagePublishingDenied, 0, 403};
  require("pages_read_engagement", 200);
  require("pages_manage_posts", 200);
}

void Impl::requireInstagram(const Call& call, const std::string& igUserId, const std::string& permission) {
  const Token& token = authenticate(call);
  const Page* owner = igUser(igUserId);
  if (token.page && (!owner || owner->id != token.pageId)) unknownObject(call.method, igUserId);
  require("instagram_basic");
  require(permission);
}

}  // namespace emulators
