#pragma once
/// The authorization-code flow with PKCE (RFC 6749, RFC 7636), for every plugin that offers the
/// oauth capability: a single-use state bound to organization, user and platform; the code
/// exchanged through the plugin; one connection stored per account the token can act for.

#include "tenants/Model.h"

#include <map>
#include <string>

namespace marketsage::app { class Host; }
namespace marketsage::tenants { class TenantStore; }

namespace marketsage::oauth {

class OAuthFlow {
 public:
  explicit OAuthFlow(app::Host& host) : host_(host) {}

  /// Makes and stores a state and PKCE verifier; returns the platform's consent-page URL.
  /// Throws Problem 404 for an unknown platform, 400 for one without OAuth.
  std::string start(tenants::TenantStore& tenant, const tenants::Actor& actor, const std::string& platform);

  struct Outcome {
    std::string dashboardUrl;  ///< where to send the browser (302)
    int connected = 0;         ///< connections stored or updated
  };
  /// Handles the platform's redirect back. Throws Problem 400 (nothing stored) for a missing,
  /// unknown, expired, reused or other-platform state, or when `callerOrganization` is set and
  /// is not the state's organization. A platform error or a refused code returns an Outcome that
  /// sends the user back to the dashboard with the reason.
  Outcome complete(const std::string& platform, const std::map<std::string, std::string>& query,
                   const std::string& callerOrganization, const std::string& remoteAddr, const std::string& requestId);

  /// For platforms without OAuth (a bot token, an app password): checks the credential against
  /// the platform by listing the accounts it can act for, then stores one connection per account.
  /// Nothing is stored when the platform refuses it (Problem 409/422/429/503).
  int connectWithCredential(tenants::TenantStore& tenant, const tenants::Actor& actor, const std::string& platform,
                            const std::string& credential);

  /// The redirect URI registered with the platform: MARKETSAGE_PUBLIC_URL + /api/auth/callback/{platform}.
  std::string redirectUri(const std::string& platform) const;

 private:
  std::string dashboard(const std::string& query) const;
  app::Host& host_;
};

}  // namespace marketsage::oauth
