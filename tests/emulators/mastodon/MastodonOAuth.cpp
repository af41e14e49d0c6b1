// Apps and OAuth of the Mastodon emulator: POST /api/v1/apps (docs.joinmastodon.org/methods/apps),
// /oauth/authorize, /oauth/token, /oauth/revoke (methods/oauth) and the RFC 8414 metadata of
// Mastodon 4.3+ (spec/oauth). Errors as Doorkeeper answers them.
#include "ConsentPage.h"
#include "MastodonImpl.h"
#include "Tokens.h"

#include <Poco/Base64Decoder.h>
#include <Poco/URI.h>

#include <sstream>

namespace emulators {

using mastodon::error;
using mastodon::json;

namespace {

const std::set<std::string> knownScopes = {"read",
                                           "write",
                                           "follow",
                                           "push",
                                           "profile",
                                           "read:accounts",
                                           "read:blocks",
                                           "read:bookmarks",
                                           "read:favourites",
                                           "read:filters",
                                           "read:follows",
                                           "read:lists",
                                           "read:mutes",
                                           "read:notifications",
                                           "read:search",
                                           "read:statuses",
                                           "write:accounts",
                                           "write:blocks",
                                           "write:bookmarks",
                                           "write:conversations",
                                           "write:favourites",
                                           "write:filters",
                                           "write:follows",
                                           "write:lists",
                                           "write:media",
                                           "write:mutes",
                                           "write:notifications",
                                           "write:reports",
                                           "write:statuses"};

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

mastodon::Reply oauthError(int status, const std::string& error, const std::string& description) {
  return json(status, boost::json::object{{"error", error}, {"error_description", description}});
}

/// The request's parameters: the query and a form body, or the members of a JSON body (arrays
/// joined by newlines, as Mastodon reads redirect_uris).
std::map<std::string, std::string> parameters(const mastodon::Request& r) {
  auto out = r.query;
  if (r.contentType.find("application/json") == std::string::npos) return out;
  boost::system::error_code ec;
  const auto body = boost::json::parse(r.body, ec);
  if (ec || !body.is_object()) return out;
  for (const auto& [key, value] : body.as_object()) {
    if (value.is_string()) {
      out[key] = std::string(value.as_string());
    } else if (value.is_array()) {
      std::string joined;
      for (const auto& item : value.as_array())
        if (item.is_string()) joined += (joined.empty() ? "" : "\n") + std::string(item.as_string());
      out[key] = joined;
    }
  }
  return out;
}

std::string param(const std::map<std::string, std::string>& params, const std::string& name) {
  const auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

/// Client credentials from the body or HTTP Basic (Doorkeeper takes both).
std::pair<std::string, std::string> clientCredentials(const mastodon::Request& r,
                                                      const std::map<std::string, std::string>& params) {
  if (r.authorization.rfind("Basic ", 0) == 0) {
    std::istringstream in(r.authorization.substr(6));
    Poco::Base64Decoder decoder(in);
    const std::string credentials((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
    const size_t colon = credentials.find(':');
    if (colon != std::string::npos) return {credentials.substr(0, colon), credentials.substr(colon + 1)};
  }
  return {param(params, "client_id"), param(params, "client_secret")};
}

std::string encoded(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "&=+#?/:", out);
  return out;
}

const char* invalidClient =
    "Client authentication failed due to unknown client, no client authentication included, or unsupported "
    "authentication method.";
const char* invalidGrant =
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the "
    "authorization request, or was issued to another client.";

}  // namespace

MastodonInstance::Impl::Reply MastodonInstance::Impl::createApp(const Request& r) {
  const auto params = parameters(r);
  const auto name = param(params, "client_name");
  if (name.empty()) return error(422, "Validation failed: Application name can't be blank");
  std::vector<std::string> uris = words(param(params, "redirect_uris"));
  if (uris.empty()) uris = words(param(params, "redirect_uris[]"));
  if (uris.empty()) return error(422, "Validation failed: Redirect URI can't be blank");
  for (const auto& uri : uris)
    if (uri != "urn:ietf:wg:oauth:2.0:oob" && uri.find("://") == std::string::npos)
      return error(422, "Validation failed: Redirect URI must be an absolute URI.");
  auto scopes = param(params, "scopes");
  if (scopes.empty()) scopes = "read";
  for (const auto& scope : words(scopes))
    if (!knownScopes.count(scope)) return error(422, "Validation failed: Scopes are invalid");
  const auto app = addApp(name, uris, scopes, param(params, "website"));
  boost::json::array scopeList, uriList;
  for (const auto& scope : words(scopes)) scopeList.emplace_back(scope);
  std::string joined;
  for (const auto& uri : uris) {
    uriList.emplace_back(uri);
    joined += (joined.empty() ? "" : "\n") + uri;
  }
  return json(200, boost::json::object{
                       {"id", newId()},
                       {"name", app.name},
                       {"website", app.website.empty() ? boost::json::value() : boost::json::value(app.website)},
                       {"scopes", scopeList},
                       {"redirect_uri", joined},
                       {"redirect_uris", uriList},
                       {"client_id", app.clientId},
                       {"client_secret", app.clientSecret},
                       {"client_secret_expires_at", 0},
                       {"vapid_key",
                        "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M="}});
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::serverMetadata() {
  if (!pkceSupported) return error(404, "Not Found");  // before 4.3
  boost::json::array scopes;
  for (const auto& scope : knownScopes) scopes.emplace_back(scope);
  return json(200, boost::json::object{
                       {"issuer", baseUrl + "/"},
                       {"authorization_endpoint", baseUrl + "/oauth/authorize"},
                       {"token_endpoint", baseUrl + "/oauth/token"},
                       {"revocation_endpoint", baseUrl + "/oauth/revoke"},
                       {"app_registration_endpoint", baseUrl + "/api/v1/apps"},
                       {"scopes_supported", scopes},
                       {"response_types_supported", boost::json::array{"code"}},
                       {"grant_types_supported", boost::json::array{"authorization_code", "client_credentials"}},
                       {"code_challenge_methods_supported", boost::json::array{"S256"}},
                       {"token_endpoint_auth_methods_supported",
                        boost::json::array{"client_secret_basic", "client_secret_post"}}});
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::authorize(const Request& r) {
  const auto app = apps.find(r.param("client_id"));
  const auto redirectUri = r.param("redirect_uri"), state = r.param("state");
  if (app == apps.end())
    return Reply{401,
                 std::string("<html><body><h2>An error has occurred</h2><p>") + invalidClient + "</p></body></html>",
                 "text/html"};
  if (std::find(app->second.redirectUris.begin(), app->second.redirectUris.end(), redirectUri) ==
      app->second.redirectUris.end())
    return Reply{400,
                 "<html><body><h2>An error has occurred</h2><p>The requested redirect uri is malformed or doesn't "
                 "match client redirect URI.</p></body></html>",
                 "text/html"};
  const auto errorRedirect = [&](const std::string& code) {
    Reply reply{302};
    reply.headers.emplace_back("Location", redirectUri + (redirectUri.find('?') == std::string::npos ? "?" : "&") +
                                               "error=" + code + "&state=" + encoded(state));
    return reply;
  };
  if (r.param("response_type") != "code") return errorRedirect("unsupported_response_type");
  auto scopes = r.param("scope");
  if (scopes.empty()) scopes = "read";
  const auto allowed = words(app->second.scopes);
  for (const auto& scope : words(scopes))
    if (std::find(allowed.begin(), allowed.end(), scope) == allowed.end()) return errorRedirect("invalid_scope");
  Code code{app->first, redirectUri, scopes, "", ""};
  if (pkceSupported && !r.param("code_challenge").empty()) {
    if (r.param("code_challenge_method") != "S256") return errorRedirect("invalid_request");
    code.challenge = r.param("code_challenge");
    code.method = "S256";
  }
  if (marketsage::test::showConsentPage(r.raw ? r.raw->get("Accept", "") : "", r.query))
    return Reply{200, marketsage::test::consentPage("Mastodon", app->second.name, words(scopes), r.path, r.query),
                 "text/html; charset=utf-8"};
  if (r.param(marketsage::test::consentParameter) == "deny") return errorRedirect("access_denied");
  const auto value = newSecret("");
  codes[value] = code;
  Reply reply{302};
  reply.headers.emplace_back("Location", redirectUri + (redirectUri.find('?') == std::string::npos ? "?" : "&") +
                                             "code=" + value + "&state=" + encoded(state));
  return reply;
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::token(const Request& r) {
  const auto params = parameters(r);
  const auto [clientId, clientSecret] = clientCredentials(r, params);
  const auto app = apps.find(clientId);
  if (app == apps.end() || app->second.clientSecret != clientSecret)
    return oauthError(401, "invalid_client", invalidClient);
  if (param(params, "grant_type") != "authorization_code")
    return oauthError(400, "unsupported_grant_type",
                      "The authorization grant type is not supported by the authorization server.");
  const auto it = codes.find(param(params, "code"));
  if (it == codes.end() || it->second.clientId != clientId || it->second.redirectUri != param(params, "redirect_uri"))
    return oauthError(400, "invalid_grant", invalidGrant);
  const Code code = it->second;
  codes.erase(it);  // single use, whatever happens next
  if (!code.challenge.empty() && marketsage::test::pkceS256(param(params, "code_verifier")) != code.challenge)
    return oauthError(400, "invalid_grant", invalidGrant);
  const auto access = grant(clientId, code.scopes);
  return json(200, boost::json::object{{"access_token", access},
                                       {"token_type", "Bearer"},
                                       {"scope", code.scopes},
                                       {"created_at", mastodon::nowMs() / 1000}});
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::revoke(const Request& r) {
  const auto params = parameters(r);
  const auto [clientId, clientSecret] = clientCredentials(r, params);
  const auto app = apps.find(clientId);
  if (app == apps.end() || app->second.clientSecret != clientSecret)
    return oauthError(403, "unauthorized_client", "You are not authorized to revoke this token");
  const auto it = tokens.find(param(params, "token"));
  if (it != tokens.end() && it->second.clientId == clientId) {
    tokens.erase(it);
    ++revocations;
  }
  return json(200, boost::json::object{});  // RFC 7009: 200 whether or not the token existed
}

}  // namespace emulators
