#include "oauth/OAuthFlow.h"

#include "apps/AppStore.h"
#include "config/Config.h"
#include "config/PluginSettings.h"
#include "connections/ConnectionStore.h"
#include "core/AddressGuard.h"
#include "core/Encoding.h"
#include "core/Log.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "monitoring/ErrorLog.h"
#include "oauth/Accounts.h"
#include "plugins/HostServices.h"
#include "plugins/PlatformError.h"
#include "plugins/PluginRegistry.h"
#include "tenants/Directory.h"
#include "vault/TokenVault.h"

#include <Poco/URI.h>
#include <boost/json.hpp>

namespace marketsage::oauth {
namespace {

/// S256 challenge of a verifier (RFC 7636 section 4.2).
std::string challengeOf(const std::string& verifier) {
  const auto digest = encoding::sha256(verifier.data(), verifier.size());
  return encoding::base64Url(digest.data(), digest.size());
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

std::string OAuthFlow::redirectUri(const std::string& platform) const { return config::callbackUrl(config_, platform); }

std::string OAuthFlow::failedAt(const std::string& platform, const std::string& code,
                                const std::string& message) const {
  // A short, printable reason the dashboard can show as text: plugins' messages hold no secrets.
  std::string readable;
  for (const char c : message.substr(0, 300)) readable += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  std::string encoded;
  Poco::URI::encode(readable, "&=+?#/:", encoded);
  std::string platformName;
  Poco::URI::encode(platform.substr(0, 64), "&=+?#/:", platformName);
  return dashboard("platform=" + platformName + "&error=" + safeReason(code) +
                   (encoded.empty() ? "" : "&message=" + encoded));
}

std::string OAuthFlow::dashboard(const std::string& query) const {
  std::string base = config_.publicUrl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/social-media?" + query;
}

OAuthFlow::BrowserBinding OAuthFlow::bind(const std::string& platform, const std::string& stateHash) const {
  BrowserBinding binding;
  binding.cookieName = "ms_oauth_" + stateHash.substr(0, 16);
  binding.value = random::token(32);
  const bool https = config_.publicUrl.rfind("https://", 0) == 0;
  binding.setCookie = binding.cookieName + "=" + binding.value + "; Path=/api/auth/callback/" + platform +
                      "; Max-Age=" + std::to_string(config_.oauth.stateLifetimeSeconds) + "; HttpOnly; SameSite=Lax" +
                      (https ? "; Secure" : "");
  return binding;
}

std::optional<apps::PlatformApp> OAuthFlow::connectApp(tenants::TenantStore& tenant, const tenants::Actor& actor,
                                                       const plugins::Plugin& plugin,
                                                       const std::optional<std::string>& instance) {
  apps::AppStore store(tenant, vault_);
  if (!plugin.supports(plugins::Operation::RegisterApp)) {
    if (instance) throw Problem::badInput(plugin.id() + " has one server: \"instance\" does not apply");
    return store.current(plugin.id());
  }
  if (!instance || instance->empty()) {
    throw Problem::badInput(plugin.id() + " has many servers: name yours with ?instance=https://…");
  }
  const auto server = guard::checkedBaseUrl(*instance, config_.media.fetchAllowHosts, "the instance URL");
  if (auto app = store.current(plugin.id(), server)) return app;
  const auto reply = plugins::callOrThrow(plugin, plugins::Operation::RegisterApp,
                                          {{"instance", server}, {"redirectUri", redirectUri(plugin.id())}});
  // The reply holds the app's settings under the plugin's names: client_id, client_secret, others.
  apps::AppCredentials credentials;
  for (const auto& [key, value] : reply.json.is_object() ? reply.json.as_object() : boost::json::object()) {
    if (!value.is_string()) continue;
    const std::string name(key), text(value.as_string());
    if (name == "client_id") {
      credentials.clientId = text;
    } else if (name == "client_secret") {
      credentials.clientSecret = text;
    } else if (name != "api_base" && name != "auth_base") {
      credentials.fields[name] = text;
    }
  }
  if (credentials.clientId.empty())
    throw Problem(502, "plugin-fault", "Plugin fault", plugin.id() + ": register_app answered no client_id");
  credentials.fields["apiBase"] = server;  // every call for this server's connections goes there
  credentials.fields["authBase"] = server;
  return store.adopt(plugin.id(), server, credentials, actor);
}

OAuthFlow::Started OAuthFlow::start(tenants::TenantStore& tenant, const tenants::Actor& actor,
                                    const std::string& platform, Handoff handoff,
                                    const std::optional<std::string>& instance) {
  const auto plugin = plugins_.require(platform, plugins::Operation::AuthorizeUrl);
  const std::string state = random::token(32);     // 256 bits
  const std::string verifier = random::token(48);  // 64 characters, within RFC 7636's 43..128
  const std::string stateHash = encoding::sha256Hex(state);
  const auto now = time::nowMillis();

  boost::json::object request{{"redirectUri", redirectUri(platform)},
                              {"state", state},
                              {"codeChallenge", challengeOf(verifier)},
                              {"codeChallengeMethod", "S256"}};
  // The organization's own app, when it registered one: its name on the consent page, its quotas.
  const auto app = connectApp(tenant, actor, *plugin, instance);
  const std::string appId = app ? app->id : std::string();
  if (app && !apps::takesOrganizationApps(*plugin)) {
    throw Problem::conflict("the installed " + platform +
                            " plugin cannot use an organization's own app (built for plugin ABI 1." +
                            std::to_string(plugin->info().abiMinor) + "); remove the app or update the plugin");
  }
  apps_.addTo(request, tenant, appId, *plugin);
  const auto reply = plugins::callOrThrow(*plugin, plugins::Operation::AuthorizeUrl, request);
  const auto* url = reply.json.is_object() ? reply.json.as_object().if_contains("url") : nullptr;
  if (url == nullptr || !url->is_string())
    throw Problem(502, "plugin-fault", "Plugin fault", "the " + platform + " plugin built no authorize URL");
  const std::string authorizeUrl(url->as_string());

  Started started;
  store::Param bindingHash = nullptr;
  store::Param linkHash = nullptr;
  store::Param linkExpires = nullptr;
  store::Param sealedUrl = nullptr;
  if (handoff == Handoff::Redirect) {
    started.binding = bind(platform, stateHash);
    bindingHash = encoding::sha256Hex(started.binding->value);
    started.url = authorizeUrl;
  } else {
    const std::string link = random::token(32);
    linkHash = encoding::sha256Hex(link);
    linkExpires = static_cast<std::int64_t>(now + config_.oauth.startLinkSeconds * 1000LL);
    sealedUrl = vault_.seal(tenant.organizationId(), stateHash, "authorize_url", authorizeUrl);
    std::string base = config_.publicUrl;
    while (!base.empty() && base.back() == '/') base.pop_back();
    started.url = base + "/api/auth/start/" + platform + "?link=" + link;
  }

  // Expired states of anyone are swept here: cheap, and the table stays small.
  db_.execute("DELETE FROM oauth_states WHERE expires_at < $1", {now});
  db_.execute(
      "INSERT INTO oauth_states (state_hash, organization_id, user_id, platform, code_verifier, redirect_uri, "
      "created_at, expires_at,"
      " binding_hash, start_hash, start_expires_at, authorize_url, app_id)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      {stateHash, tenant.organizationId(), actor.userId, platform,
       vault_.seal(tenant.organizationId(), stateHash, "code_verifier", verifier), redirectUri(platform), now,
       now + config_.oauth.stateLifetimeSeconds * 1000LL, bindingHash, linkHash, linkExpires, sealedUrl,
       app ? store::Param{appId} : store::Param{nullptr}});
  return started;
}

OAuthFlow::Started OAuthFlow::followLink(const std::string& platform, const std::string& link) {
  if (link.empty()) throw Problem::badInput("the link has no flow");
  const auto now = time::nowMillis();
  // Single use: the statement that reads the link also forgets it and binds the browser.
  const std::string linkHash = encoding::sha256Hex(link);
  const auto found =
      db_.query("SELECT state_hash FROM oauth_states WHERE start_hash = $1 AND platform = $2", {linkHash, platform});
  if (found.empty()) throw Problem::badInput("unknown or already used connect link; start connecting again");
  const std::string stateHash = found.front().text(0);
  auto binding = bind(platform, stateHash);
  const auto rows = db_.query(
      "UPDATE oauth_states SET start_hash = NULL, binding_hash = $1 WHERE state_hash = $2 AND start_hash = $3"
      " AND start_expires_at >= $4 AND expires_at >= $4 RETURNING organization_id, authorize_url",
      {encoding::sha256Hex(binding.value), stateHash, linkHash, now});
  if (rows.empty()) throw Problem::badInput("the connect link has expired or was used; start connecting again");
  Started started;
  started.url = vault_.open(rows.front().text(0), stateHash, "authorize_url", rows.front().text(1));
  started.binding = std::move(binding);
  return started;
}

std::string OAuthFlow::clearBinding(const std::string& platform,
                                    const std::map<std::string, std::string>& query) const {
  const auto state = queryValue(query, "state");
  return "ms_oauth_" + encoding::sha256Hex(state).substr(0, 16) + "=; Path=/api/auth/callback/" + platform +
         "; Max-Age=0; HttpOnly; SameSite=Lax";
}

OAuthFlow::PendingFlow OAuthFlow::takeFlow(const std::string& platform, const std::string& state,
                                           const std::map<std::string, std::string>& cookies,
                                           const std::string& callerOrganization, const std::string& requestId) {
  // Single use: the row is deleted by the statement that reads it, so a replay finds nothing.
  const std::string stateHash = encoding::sha256Hex(state);
  const auto rows = db_.query(
      "DELETE FROM oauth_states WHERE state_hash = $1"
      " RETURNING organization_id, user_id, platform, code_verifier, redirect_uri, expires_at, binding_hash,"
      " COALESCE(app_id, '')",
      {stateHash});
  if (rows.empty()) throw Problem::badInput("unknown or already used state");
  const auto& row = rows.front();
  if (row.text(2) != platform) throw Problem::badInput("the state was issued for another platform");
  if (row.integer(5) < time::nowMillis()) throw Problem::badInput("the state has expired; connect again");
  // The browser bringing the code must be the one that started the flow: otherwise a consent
  // link sent to someone else would put their account into the starter's organization.
  const auto cookie = cookies.find("ms_oauth_" + stateHash.substr(0, 16));
  const auto bindingHash = row.optionalText(6);
  if (!bindingHash || cookie == cookies.end() ||
      !encoding::constantTimeEquals(encoding::sha256Hex(cookie->second), *bindingHash)) {
    log::warn("callback from a browser that did not start the flow",
              {{"platform", platform}, {"requestId", requestId}});
    throw Problem(
        400, "browser-mismatch", "Not the browser that started connecting",
        "this connect flow was started in another browser; start connecting again from the dashboard in this one");
  }
  if (!callerOrganization.empty() && callerOrganization != row.text(0))
    throw Problem::badInput("the state belongs to another organization");
  return {row.text(0), row.text(1), row.text(3), row.text(4), row.text(7)};
}

OAuthFlow::Outcome OAuthFlow::complete(const std::string& platform, const std::map<std::string, std::string>& query,
                                       const std::map<std::string, std::string>& cookies,
                                       const std::string& callerOrganization, const std::string& remoteAddr,
                                       const std::string& requestId) {
  const std::string state = queryValue(query, "state");
  if (state.empty()) throw Problem::badInput("the callback has no state");
  const auto plugin = plugins_.require(platform, plugins::Operation::ExchangeCode);

  const auto flow = takeFlow(platform, state, cookies, callerOrganization, requestId);
  const auto& organizationId = flow.organizationId;

  const tenants::Actor actor{flow.userId, remoteAddr, requestId};
  if (const auto error = queryValue(query, "error"); !error.empty()) {
    const auto description = queryValue(query, "error_description");
    log::info("authorization declined",
              {{"platform", platform}, {"reason", safeReason(error)}, {"requestId", requestId}});
    return {
        failedAt(platform, error, description.empty() ? "the authorization was declined at " + platform : description),
        0};
  }
  const std::string code = queryValue(query, "code");
  if (code.empty()) throw Problem::badInput("the callback has neither code nor error");

  auto tenant = directory_.tenant(organizationId);
  // A connect that failed at the platform is an oauth error of no connection yet.
  const auto logFailure = [&](const std::string& message, const std::string& platformCode) {
    monitoring::ErrorLog(tenant).record({platform, std::nullopt, monitoring::errorType::oauth, message, platformCode});
  };
  const auto verifier = vault_.open(organizationId, encoding::sha256Hex(state), "code_verifier", flow.sealedVerifier);
  // The code was issued to the app the flow started with: exchange it, and list, as that app.
  boost::json::object asApp;
  try {
    apps_.addTo(asApp, tenant, flow.appId, *plugin);
  } catch (const plugins::PlatformError& e) {
    logFailure(e.what(), {});
    return {failedAt(platform, "app_unavailable", e.what()), 0};
  }
  auto exchange = asApp;
  exchange["code"] = code;
  exchange["redirectUri"] = flow.redirectUri;
  exchange["codeVerifier"] = verifier;
  const auto exchanged = plugin->call(plugins::Operation::ExchangeCode, exchange);
  if (!exchanged.ok()) {
    // The platform's own reason (invalid_client, redirect_uri_mismatch …) goes to the log and the
    // dashboard: an operator must see a wrong app secret as such, not as a passing fault.
    log::warn("code exchange failed", {{"platform", platform},
                                       {"kind", plugins::toString(exchanged.kind)},
                                       {"platformCode", exchanged.platformCode},
                                       {"reason", exchanged.reason()},
                                       {"requestId", requestId}});
    logFailure("the code exchange failed: " + exchanged.reason(), exchanged.platformCode);
    const auto code =
        exchanged.platformCode.empty() ? std::string(plugins::toString(exchanged.kind)) : exchanged.platformCode;
    return {failedAt(platform, code, "the code exchange failed: " + exchanged.reason()), 0};
  }
  const auto userTokens = tokensFrom(exchanged.json);
  if (!userTokens) {
    logFailure("the plugin's code exchange answer had no access token", {});
    return {failedAt(platform, "plugin_fault", "the plugin's code exchange answer had no access token"), 0};
  }

  const auto unlisted = [&](const std::exception& e) -> Outcome {
    log::warn("listing accounts failed", {{"platform", platform}, {"error", e.what()}, {"requestId", requestId}});
    logFailure(std::string("the accounts of this login could not be listed: ") + e.what(), {});
    return {failedAt(platform, "accounts_unavailable",
                     std::string("the accounts of this login could not be listed: ") + e.what()),
            0};
  };
  std::vector<connections::Account> accounts;
  try {
    accounts = listAccounts(*plugin, *userTokens, exchanged.json, {}, asApp).accounts;
  } catch (const plugins::PlatformError& e) {
    return unlisted(e);
  } catch (const Problem& e) {  // no account, or every named one refused
    return unlisted(e);
  }
  connections::ConnectionStore store(tenant, vault_);
  // Accounts acting through the user's own tokens share one grant (and its refresh token).
  const std::string grant = random::uuid();
  std::vector<std::string> connected;
  connected.reserve(accounts.size());
  for (const auto& account : accounts) {
    connected.push_back(store
                            .upsert(platform, account, account.tokens.value_or(*userTokens),
                                    account.tokens ? std::nullopt : std::optional(grant), flow.appId, actor)
                            .id);
  }
  monitoring::ErrorLog(tenant).recoverConnect(platform, connected);
  return {dashboard("platform=" + platform + "&connected=" + std::to_string(accounts.size())),
          static_cast<int>(accounts.size())};
}

CredentialConnect OAuthFlow::connectWithCredential(tenants::TenantStore& tenant, const tenants::Actor& actor,
                                                   const std::string& platform,
                                                   const std::optional<std::string>& credential,
                                                   const std::vector<std::string>& accounts) {
  const auto plugin = plugins_.require(platform, plugins::Operation::ListAccounts);
  // Without one of its own, an organization uses the instance's default (TELEGRAM_BOT_TOKEN…).
  auto secret = credential;
  if (!secret) {
    const auto settings = config::pluginSettings(config_, platform);
    if (const auto* fallback = settings.values.if_contains("bot_token");
        fallback && fallback->is_string() && !fallback->get_string().empty()) {
      secret = std::string(fallback->get_string());
    }
  }
  if (!secret)
    throw Problem::badInput("\"credential\" is required: this instance has no default credential for " + platform);
  const connections::Tokens tokens{*secret, std::nullopt, std::nullopt, {}};
  AccountListing listing;
  try {
    listing = listAccounts(*plugin, tokens, boost::json::value(), accounts);
  } catch (const plugins::PlatformError& e) {
    monitoring::ErrorLog(tenant).record(
        {platform, std::nullopt, monitoring::errorType::oauth, plugins::redact(e.what(), {*secret}), e.platformCode()});
    if (!e.needsReconnect()) throw;
    throw Problem(422, "credential-refused", "The platform refused the credential", e.what());
  }
  connections::ConnectionStore store(tenant, vault_);
  std::vector<std::string> connected;
  connected.reserve(listing.accounts.size());
  for (const auto& account : listing.accounts)
    connected.push_back(store.upsert(platform, account, account.tokens.value_or(tokens), std::nullopt, {}, actor).id);
  monitoring::ErrorLog(tenant).recoverConnect(platform, connected);
  return {static_cast<int>(listing.accounts.size()), std::move(listing.refused)};
}

bool OAuthFlow::disconnect(tenants::TenantStore& tenant, const tenants::Actor& actor, const std::string& connectionId,
                           const std::string& requestId) {
  connections::ConnectionStore store(tenant, vault_);
  const auto connection = store.find(connectionId);
  if (!connection) return false;
  if (auto plugin = plugins_.get(connection->platform); plugin && plugin->supports(plugins::Operation::RevokeToken)) {
    const auto tokens = store.tokens(connection->id);
    boost::json::object request{{"accessToken", tokens->accessToken}};
    if (tokens->refreshToken) request["refreshToken"] = *tokens->refreshToken;
    try {
      apps_.addTo(request, tenant, connection->appId, *plugin);  // revoked by the app that holds the grant
      const auto result = plugin->call(plugins::Operation::RevokeToken, request);
      if (!result.ok()) {
        log::warn(
            "revoke at the platform failed; forgetting the token anyway",
            {{"platform", connection->platform}, {"kind", plugins::toString(result.kind)}, {"requestId", requestId}});
      }
    } catch (const plugins::PlatformError& e) {
      log::warn("revoke impossible; forgetting the token anyway",
                {{"platform", connection->platform}, {"error", e.what()}, {"requestId", requestId}});
    }
  }
  return store.remove(connection->id, actor);
}

}  // namespace marketsage::oauth
