#pragma once
/// The authorization-code flow with PKCE (RFC 6749, RFC 7636), for every plugin that offers the
/// oauth capability: a single-use state bound to organization, user and platform; the code
/// exchanged through the plugin; one connection stored per account the token can act for.

#include "apps/AppSettings.h"
#include "apps/AppStore.h"
#include "config/Config.h"
#include "plugins/PluginRegistry.h"
#include "store/Database.h"
#include "tenants/Directory.h"
#include "tenants/Model.h"
#include "vault/TokenVault.h"

#include <boost/json/array.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::oauth {

/// What a credential connect stored, and the named accounts the platform refused.
struct CredentialConnect {
  int connected = 0;
  boost::json::array refused;  ///< [{"account", "reason"}]
};

class OAuthFlow {
 public:
  /// `db`: where flows in progress are kept (oauth_states, across organizations until the callback
  /// says whose it is).
  /// `apps`: the organizations' own platform apps; a flow uses the organization's when it has one.
  OAuthFlow(const config::Config& config, store::Database& db, tenants::Directory& directory,
            const vault::TokenVault& vault, const plugins::PluginRegistry& plugins, apps::AppSettings& apps)
      : config_(config), db_(db), directory_(directory), vault_(vault), plugins_(plugins), apps_(apps) {}

  /// The cookie that ties a flow to the browser that started it (RFC 9700 section 4.7.1): the
  /// callback is refused unless the browser bringing the code holds it.
  struct BrowserBinding {
    std::string cookieName;  ///< per flow, so flows in several tabs do not overwrite each other
    std::string value;       ///< 256 random bits; only its SHA-256 is stored
    std::string setCookie;   ///< the whole Set-Cookie field value
  };

  /// How the browser reaches the platform's consent page.
  enum class Handoff {
    Redirect,  ///< this answer redirects the caller's browser there: it gets the cookie now
    Link,      ///< the caller passes a host link to the browser (JSON answer); following it, once
               ///< and within oauth.startLinkSeconds, sets the cookie and redirects on
  };
  struct Started {
    std::string url;                        ///< the consent page (Redirect) or the host link (Link)
    std::optional<BrowserBinding> binding;  ///< with Redirect
  };

  /// Makes and stores a state and PKCE verifier and where the browser goes next. `instance` names
  /// the server of a platform with many (Mastodon; required there, refused elsewhere): the
  /// organization's app on it is registered there the first time.
  /// Throws Problem 404 for an unknown platform, 400 for one without OAuth.
  Started start(tenants::TenantStore& tenant, const tenants::Actor& actor, const std::string& platform, Handoff handoff,
                const std::optional<std::string>& instance = std::nullopt);

  /// Follows a host link made by start(…, Link): binds the browser and returns the consent page.
  /// Throws Problem 400 for an unknown, used or expired link.
  Started followLink(const std::string& platform, const std::string& link);

  struct Outcome {
    std::string dashboardUrl;  ///< where to send the browser (302)
    int connected = 0;         ///< connections stored or updated
  };
  /// Handles the platform's redirect back. Throws Problem 400 (nothing stored, no code exchanged)
  /// for a missing, unknown, expired, reused or other-platform state, a browser that does not hold
  /// the flow's cookie (`cookies`: the request's cookies), or when `callerOrganization` is set
  /// and is not the state's organization. A platform error or a refused code returns an Outcome
  /// that sends the user back to the dashboard with the reason.
  Outcome complete(const std::string& platform, const std::map<std::string, std::string>& query,
                   const std::map<std::string, std::string>& cookies, const std::string& callerOrganization,
                   const std::string& remoteAddr, const std::string& requestId);
  /// A Set-Cookie value that removes the flow's cookie once the callback has used it.
  std::string clearBinding(const std::string& platform, const std::map<std::string, std::string>& query) const;

  /// For platforms without OAuth (a bot token, an app password): checks the credential against
  /// the platform by listing the accounts it can act for — or checking the `accounts` the user
  /// names, where the platform cannot list them — then stores one connection per account. No
  /// credential: the instance's default (the plugin's `bot_token` setting), if any. Nothing is
  /// stored when the platform refuses it (Problem 409/422/429/503).
  CredentialConnect connectWithCredential(tenants::TenantStore& tenant, const tenants::Actor& actor,
                                          const std::string& platform, const std::optional<std::string>& credential,
                                          const std::vector<std::string>& accounts);

  /// Forgets a connection: its tokens are revoked at the platform where the plugin can (a refusal
  /// there is logged; the row goes either way, as the user asked). False when there is no such
  /// connection in this organization.
  bool disconnect(tenants::TenantStore& tenant, const tenants::Actor& actor, const std::string& connectionId,
                  const std::string& requestId);

  /// The dashboard URL for a failed connect: a short `error` code and a readable `message`.
  std::string failedAt(const std::string& platform, const std::string& code, const std::string& message) const;

  /// The redirect URI registered with the platform: MARKETSAGE_PUBLIC_URL + /api/auth/callback/{platform}.
  std::string redirectUri(const std::string& platform) const;

 private:
  /// A flow the callback may complete: its stored state, taken (single use) once checked.
  struct PendingFlow {
    std::string organizationId, userId;
    std::string sealedVerifier;  ///< the PKCE code_verifier, sealed by the vault
    std::string redirectUri;
    std::string appId;  ///< the organization's app the flow started with; empty: the instance's
  };
  /// Takes the flow of `state` (deleting it, so a replay finds nothing), after checking it is this
  /// platform's, unexpired, brought by the browser that started it and, when the caller is
  /// authenticated, of the caller's organization. Throws Problem 400 otherwise.
  PendingFlow takeFlow(const std::string& platform, const std::string& state,
                       const std::map<std::string, std::string>& cookies, const std::string& callerOrganization,
                       const std::string& requestId);
  std::string dashboard(const std::string& query) const;
  /// The app a connect starts with: the organization's own for the platform (nullopt: the
  /// instance's), or, for a platform with many servers, its app on `instance`, registered there
  /// (register_app) the first time.
  std::optional<apps::PlatformApp> connectApp(tenants::TenantStore& tenant, const tenants::Actor& actor,
                                              const plugins::Plugin& plugin,
                                              const std::optional<std::string>& instance);
  BrowserBinding bind(const std::string& platform, const std::string& stateHash) const;
  const config::Config& config_;
  store::Database& db_;
  tenants::Directory& directory_;
  const vault::TokenVault& vault_;
  const plugins::PluginRegistry& plugins_;
  apps::AppSettings& apps_;
};

}  // namespace marketsage::oauth
