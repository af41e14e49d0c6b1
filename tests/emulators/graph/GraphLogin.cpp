// Facebook Login and the user node: the Login dialog, code and long-lived token exchange,
// debug_token, /me, /me/permissions and /me/accounts (the Pages with their Page tokens).
// https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
// https://developers.facebook.com/docs/facebook-login/guides/advanced/oidc-token (PKCE)
// https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
// https://developers.facebook.com/docs/pages-api/getting-started (GET /me/accounts)
#include "ConsentPage.h"
#include "GraphInternals.h"

#include <Poco/Base64Encoder.h>
#include <Poco/URI.h>

#include <sstream>

namespace emulators::graph {

namespace {

const std::set<std::string> knownPermissions = {"public_profile",
                                                "email",
                                                "pages_show_list",
                                                "pages_read_engagement",
                                                "pages_manage_posts",
                                                "pages_manage_metadata",
                                                "pages_manage_engagement",
                                                "pages_read_user_content",
                                                "read_insights",
                                                "publish_video",
                                                "business_management",
                                                "instagram_basic",
                                                "instagram_content_publish",
                                                "instagram_manage_insights",
                                                "instagram_manage_comments"};

std::vector<std::string> splitScopes(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text + ",") {
    if (c == ',' || c == ' ') {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  return out;
}

std::string base64UrlSha256(const std::string& text) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << sha256(text);
  encoder.close();
  return out.str();
}

void checkClient(const Call& call) {
  if (call.param("client_id") != GraphApi::appId)
    throw GraphError{101, "Error validating application. Invalid application ID."};
  if (call.param("client_secret") != GraphApi::appSecret) throw GraphError{1, "Error validating client secret."};
}

json::object tokenAnswer(const std::string& token, int expiresIn) {
  return {{"access_token", token}, {"token_type", "bearer"}, {"expires_in", expiresIn}};
}

json::value exchangeCode(Impl& impl, const Call& call) {
  checkClient(call);
  const std::string code = call.param("code");
  auto it = impl.codes.find(code);
  if (code.empty() || it == impl.codes.end()) throw GraphError{100, "Invalid verification code format.", 36007};
  if (it->second.redirectUri.empty()) throw GraphError{100, "This authorization code has been used.", 36009};
  // The same redirect_uri as the dialog's, exactly (manual-flow, "Exchanging Code for an Access Token").
  if (call.param("redirect_uri") != it->second.redirectUri)
    throw GraphError{100,
                     "Error validating verification code. Please make sure your redirect_uri is identical to the one "
                     "you used in the OAuth dialog request",
                     36008};
  // A code issued for a code_challenge is only exchanged with its code_verifier (RFC 7636 section 4.6;
  // https://developers.facebook.com/docs/facebook-login/guides/advanced/oidc-token). No method is plain.
  if (!it->second.challenge.empty()) {
    const std::string verifier = call.param("code_verifier");
    const std::string expected = it->second.challengeMethod == "S256" ? base64UrlSha256(verifier) : verifier;
    if (verifier.empty() || expected != it->second.challenge) invalidParameter("Invalid code_verifier for this code");
  }
  it->second.redirectUri.clear();  // single use
  Token token;
  token.expiresAtMs = nowMs() + impl.api.shortLivedExpiresIn * 1000LL;
  return tokenAnswer(impl.issueToken(token, "EAAEmuUser"), impl.api.shortLivedExpiresIn);
}

json::value exchangeForLongLived(Impl& impl, Call& call) {
  checkClient(call);
  call.token = call.param("fb_exchange_token");
  if (impl.authenticate(call).page) invalidParameter("fb_exchange_token must be a user access token");
  Token token;
  token.expiresAtMs = nowMs() + impl.api.longLivedExpiresIn * 1000LL;
  return tokenAnswer(impl.issueToken(token, "EAAEmuUser"), impl.api.longLivedExpiresIn);
}

json::value debugToken(Impl& impl, Call& call) {
  const bool appToken = call.token == std::string(GraphApi::appId) + "|" + GraphApi::appSecret;
  if (!appToken) impl.authenticate(call);
  Call input = call;
  input.token = call.param("input_token");
  json::object data{{"app_id", GraphApi::appId}, {"application", "MarketSage Emulated"}};
  try {
    const Token& token = impl.authenticate(input);
    data["type"] = token.page ? "PAGE" : "USER";
    data["is_valid"] = true;
    data["issued_at"] = token.issuedAtMs / 1000;
    data["expires_at"] = token.expiresAtMs / 1000;
    data["data_access_expires_at"] = token.issuedAtMs / 1000 + 90 * 86400;
    data["user_id"] = GraphApi::userId;
    if (token.page) data["profile_id"] = token.pageId;
    json::array scopes;
    for (const auto& s : impl.granted) scopes.push_back(json::string(s));
    data["scopes"] = scopes;
  } catch (const GraphError& error) {
    data["is_valid"] = false;
    data["error"] = {{"code", error.code}, {"message", error.message}, {"subcode", error.subcode}};
    data["scopes"] = json::array();
  }
  return json::object{{"data", data}};
}

json::value permissions(Impl& impl, const Call& call) {
  impl.authenticate(call);
  if (call.method == "DELETE") {  // the user removes the app: every grant ends
    for (auto& [_, token] : impl.tokens) token.state = Token::Deauthorized;
    impl.granted.clear();
    return json::object{{"success", true}};
  }
  json::array data;
  for (const auto& p : knownPermissions) {
    if (impl.granted.count(p))
      data.push_back({{"permission", p}, {"status", "granted"}});
    else if (std::count(impl.consentScopes.begin(), impl.consentScopes.end(), p))
      data.push_back({{"permission", p}, {"status", "declined"}});
  }
  return json::object{{"data", data}};
}

/// One /me/accounts entry with the requested fields (the documented default set without `fields`).
json::object pageEntry(Impl& impl, const Call& call, const GraphApi::Page& page) {
  std::vector<std::string> fields = call.fields();
  if (fields.empty()) fields = {"access_token", "category", "name", "id", "tasks"};
  json::object entry;
  for (const auto& field : fields) {
    const std::string name = field.substr(0, field.find('{'));
    if (name == "id") entry["id"] = page.id;
    if (name == "name") entry["name"] = page.name;
    if (name == "category") entry["category"] = "Local business";
    if (name == "access_token") entry["access_token"] = impl.pageTokenFor(page.id, call.token);
    if (name == "tasks") entry["tasks"] = json::array{"ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"};
    if (name == "picture")
      entry["picture"] = {{"data",
                           {{"height", 50},
                            {"is_silhouette", false},
                            {"url", "https://scontent.example/p/" + page.id + ".jpg"},
                            {"width", 50}}}};
    if (name == "instagram_business_account" && !page.igUserId.empty()) {
      json::object ig{{"id", page.igUserId}};
      if (field.find("username") != std::string::npos) ig["username"] = page.igUsername;
      if (field.find("name,") != std::string::npos || field.find("name}") != std::string::npos) ig["name"] = page.name;
      if (field.find("profile_picture_url") != std::string::npos)
        ig["profile_picture_url"] = "https://scontent.example/ig/" + page.igUserId + ".jpg";
      entry["instagram_business_account"] = ig;
    }
  }
  return entry;
}

json::value accounts(Impl& impl, const Call& call) {
  if (impl.authenticate(call).page)
    throw GraphError{100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)"};
  json::array data;
  if (!impl.granted.count("pages_show_list")) return json::object{{"data", data}};
  const size_t start = call.has("after") ? std::stoul(call.param("after").substr(6)) : 0;
  size_t pageSize = std::max(1, impl.api.accountsPageSize.load());
  if (call.has("limit")) pageSize = std::min<size_t>(pageSize, std::max(1, std::stoi(call.param("limit"))));
  const size_t end = std::min(impl.pages.size(), start + pageSize);
  for (size_t i = start; i < end; ++i) data.push_back(pageEntry(impl, call, impl.pages[i]));
  json::object paging{
      {"cursors", {{"before", "cursor" + std::to_string(start)}, {"after", "cursor" + std::to_string(end)}}}};
  if (end < impl.pages.size()) {
    Poco::URI next(impl.server->url() + "/" + call.version + "/me/accounts");
    next.addQueryParameter("access_token", call.token);  // Graph puts the token in paging URLs
    if (call.has("fields")) next.addQueryParameter("fields", call.param("fields"));
    next.addQueryParameter("limit", std::to_string(pageSize));
    next.addQueryParameter("after", "cursor" + std::to_string(end));
    paging["next"] = next.toString();
  }
  if (start > 0)
    paging["previous"] = impl.server->url() + "/" + call.version + "/me/accounts?before=cursor" + std::to_string(start);
  return json::object{{"data", data}, {"paging", paging}};
}

json::value me(Impl& impl, const Call& call) {
  const Token& token = impl.authenticate(call);
  if (token.page) return json::object{{"id", token.pageId}, {"name", impl.page(token.pageId)->name}};
  json::object out{{"id", GraphApi::userId}, {"name", GraphApi::userName}};
  if (call.param("fields").find("permissions") != std::string::npos) out["permissions"] = permissions(impl, call);
  return out;
}

}  // namespace

void dialog(Impl& impl, Call& call, Poco::Net::HTTPServerResponse& response) {
  const std::string redirectUri = call.param("redirect_uri");
  auto refuse = [&](const std::string& why) {
    marketsage::test::sendJson(
        response, 400,
        json::serialize(json::object{{"error", {{"message", why}, {"type", "OAuthException"}, {"code", 100}}}}));
  };
  if (call.param("client_id") != GraphApi::appId) return refuse("Invalid App ID: " + call.param("client_id"));
  if (redirectUri.rfind("http", 0) != 0) return refuse("URL blocked: redirect_uri is missing or not an absolute URL");
  if (call.has("response_type") && call.param("response_type") != "code") return refuse("Unsupported response_type");
  if (call.param("state").empty()) return refuse("state is required (CSRF protection)");
  const std::string method = call.param("code_challenge_method");
  if (call.has("code_challenge") && !method.empty() && method != "S256" && method != "plain")
    return refuse("Invalid code_challenge_method: " + method + " (S256 or plain)");
  const auto scopes = splitScopes(call.param("scope"));
  for (const auto& s : scopes)
    if (!knownPermissions.count(s)) return refuse("Invalid Scopes: " + s);
  // A browser sees the Login dialog first; its buttons come back here with `consent`.
  if (marketsage::test::showConsentPage(call.header("Accept"), call.params)) {
    const auto page = marketsage::test::consentPage("Facebook", "MarketSage", scopes,
                                                    Poco::URI(call.request->getURI()).getPath(), call.params);
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("text/html; charset=utf-8");
    response.setContentLength(static_cast<std::streamsize>(page.size()));
    response.send() << page;
    return;
  }
  impl.consentScopes = scopes;
  Poco::URI back(redirectUri);
  if (impl.denyConsent || call.param(marketsage::test::consentParameter) == "deny") {  // denyNextConsent, or "Cancel"
    impl.denyConsent = false;
    back.addQueryParameter("error", "access_denied");
    back.addQueryParameter("error_code", "200");
    back.addQueryParameter("error_description", "Permissions error");
    back.addQueryParameter("error_reason", "user_denied");
  } else {
    const std::string code = randomToken("AQDemuCode");
    impl.codes[code] = {redirectUri, call.param("code_challenge"), method, scopes};
    impl.issued.push_back(code);
    impl.granted.insert("public_profile");  // Meta keeps what the user granted the app before
    impl.granted.insert(scopes.begin(), scopes.end());
    back.addQueryParameter("code", code);
  }
  back.addQueryParameter("state", call.param("state"));
  marketsage::test::redirect(response, back.toString());
}

json::value login(Impl& impl, Call& call) {
  const auto& p = call.path;
  if (p[0] == "oauth" && p.size() == 2 && p[1] == "access_token" && call.method == "GET")
    return call.param("grant_type") == "fb_exchange_token" ? exchangeForLongLived(impl, call)
                                                           : exchangeCode(impl, call);
  if (p[0] == "debug_token" && p.size() == 1) return debugToken(impl, call);
  if (p[0] == "me" && p.size() == 1 && call.method == "GET") return me(impl, call);
  if (p[0] == "me" && p.size() == 2 && p[1] == "permissions") return permissions(impl, call);
  if (p[0] == "me" && p.size() == 2 && p[1] == "accounts" && call.method == "GET") return accounts(impl, call);
  unknownObject(call.method, p[0]);
}

}  // namespace emulators::graph
