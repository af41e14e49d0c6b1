#include "oauth/OAuthFlow.h"

#include "app/Host.h"
#include "connections/ConnectionStore.h"
#include "core/Encoding.h"
#include "core/Log.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "platforms/PlatformCalls.h"
#include "tenants/TenantStore.h"
#include "vault/TokenVault.h"

#include <Poco/URI.h>
#include <boost/json.hpp>
#include <openssl/sha.h>

namespace marketsage::oauth {
namespace {

/// S256 challenge of a verifier (RFC 7636 section 4.2).
std::string challengeOf(const std::string& verifier) {
  std::vector<unsigned char> digest(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest.data());
  return encoding::base64Url(digest);
}

std::string queryValue(const std::map<std::string, std::string>& query, const std::string& name) {
  const auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

/// Keeps only characters safe to echo into a URL we build (error codes are short tokens).
std::string safeReason(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 64)) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') out += c;
  }
  return out.empty() ? "error" : out;
}

}  // namespace

std::string OAuthFlow::redirectUri(const std::string& platform) const {
  std::string base = host_.config().publicUrl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/auth/callback/" + platform;
}

std::string OAuthFlow::dashboard(const std::string& query) const {
  std::string base = host_.config().publicUrl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/social-media?" + query;
}

std::string OAuthFlow::start(tenants::TenantStore& tenant, const tenants::Actor& actor, const std::string& platform) {
  const auto plugin = platforms::requirePlugin(host_, platform, plugins::Operation::AuthorizeUrl);
  const std::string state = random::token(32);     // 256 bits
  const std::string verifier = random::token(48);  // 64 characters, within RFC 7636's 43..128
  const std::string stateHash = encoding::sha256Hex(state);
  const auto now = time::nowMillis();

  boost::json::object request{{"redirectUri", redirectUri(platform)},
                              {"state", state},
                              {"codeChallenge", challengeOf(verifier)},
                              {"codeChallengeMethod", "S256"}};
  const auto reply = platforms::callPlugin(*plugin, plugins::Operation::AuthorizeUrl, request);
  const auto* url = reply.json.is_object() ? reply.json.as_object().if_contains("url") : nullptr;
  if (url == nullptr || !url->is_string()) throw Problem(502, "plugin-fault", "Plugin fault", "the " + platform + " plugin built no authorize URL");

  auto& db = tenant.database();
  // Expired states of anyone are swept here: cheap, and the table stays small.
  db.execute("DELETE FROM oauth_states WHERE expires_at < $1", {now});
  db.execute("INSERT INTO oauth_states (state_hash, organization_id, user_id, platform, code_verifier, redirect_uri, created_at, expires_at)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
             {stateHash, tenant.organizationId(), actor.userId, platform,
              host_.vault().seal(tenant.organizationId(), stateHash, "code_verifier", verifier), redirectUri(platform), now,
              now + host_.config().oauth.stateLifetimeSeconds * 1000LL});
  return std::string(url->as_string());
}

OAuthFlow::Outcome OAuthFlow::complete(const std::string& platform, const std::map<std::string, std::string>& query,
                                       const std::string& callerOrganization, const std::string& remoteAddr, const std::string& requestId) {
  const std::string state = queryValue(query, "state");
  if (state.empty()) throw Problem::badInput("the callback has no state");
  const auto plugin = platforms::requirePlugin(host_, platform, plugins::Operation::ExchangeCode);

  // Single use: the row is deleted by the statement that reads it, so a replay finds nothing.
  auto& db = host_.database();
  const auto rows = db.query("DELETE FROM oauth_states WHERE state_hash = $1"
                             " RETURNING organization_id, user_id, platform, code_verifier, redirect_uri, expires_at",
                             {encoding::sha256Hex(state)});
  if (rows.empty()) throw Problem::badInput("unknown or already used state");
  const auto& row = rows.front();
  const std::string organizationId = row.text(0);
  if (row.text(2) != platform) throw Problem::badInput("the state was issued for another platform");
  if (row.integer(5) < time::nowMillis()) throw Problem::badInput("the state has expired; connect again");
  if (!callerOrganization.empty() && callerOrganization != organizationId) throw Problem::badInput("the state belongs to another organization");

  const tenants::Actor actor{row.text(1), remoteAddr, requestId};
  if (const auto error = queryValue(query, "error"); !error.empty()) {
    log::info("authorization declined", {{"platform", platform}, {"reason", safeReason(error)}, {"requestId", requestId}});
    return {dashboard("platform=" + platform + "&error=" + safeReason(error)), 0};
  }
  const std::string code = queryValue(query, "code");
  if (code.empty()) throw Problem::badInput("the callback has neither code nor error");

  const auto verifier = host_.vault().open(organizationId, encoding::sha256Hex(state), "code_verifier", row.text(3));
  const auto exchanged = plugin->call(plugins::Operation::ExchangeCode,
                                      boost::json::object{{"code", code}, {"redirectUri", row.text(4)}, {"codeVerifier", verifier}});
  if (!exchanged.ok()) {
    log::warn("code exchange failed", {{"platform", platform}, {"kind", plugins::toString(exchanged.kind)}, {"requestId", requestId}});
    return {dashboard("platform=" + platform + "&error=" + std::string(plugins::toString(exchanged.kind))), 0};
  }
  const auto userTokens = platforms::tokensFrom(exchanged.json);
  if (!userTokens) return {dashboard("platform=" + platform + "&error=plugin_fault"), 0};

  std::vector<connections::Account> accounts;
  try {
    accounts = platforms::listAccounts(*plugin, *userTokens, exchanged.json);
  } catch (const Problem& problem) {
    log::warn("listing accounts failed", {{"platform", platform}, {"error", problem.detail()}, {"requestId", requestId}});
    return {dashboard("platform=" + platform + "&error=accounts_unavailable"), 0};
  }
  tenants::TenantStore tenant(db, organizationId);
  connections::ConnectionStore store(tenant, host_.vault());
  for (const auto& account : accounts) store.upsert(platform, account, account.tokens.value_or(*userTokens), actor);
  return {dashboard("platform=" + platform + "&connected=" + std::to_string(accounts.size())), static_cast<int>(accounts.size())};
}

int OAuthFlow::connectWithCredential(tenants::TenantStore& tenant, const tenants::Actor& actor, const std::string& platform,
                                     const std::string& credential) {
  const auto plugin = platforms::requirePlugin(host_, platform, plugins::Operation::ListAccounts);
  const connections::Tokens tokens{credential, std::nullopt, std::nullopt, {}};
  std::vector<connections::Account> accounts;
  try {
    accounts = platforms::listAccounts(*plugin, tokens, boost::json::value());
  } catch (const Problem& problem) {
    if (problem.status() != 409) throw;
    throw Problem(422, "credential-refused", "The platform refused the credential", problem.detail());
  }
  connections::ConnectionStore store(tenant, host_.vault());
  for (const auto& account : accounts) store.upsert(platform, account, account.tokens.value_or(tokens), actor);
  return static_cast<int>(accounts.size());
}

}  // namespace marketsage::oauth
