// Identity (handle → DID → DID document → PDS), sessions (createSession with an app password,
// refreshSession, getSession) and account insights (app.bsky.actor.getProfile).
#include "Bluesky.h"

#include <algorithm>
#include <cctype>

namespace bluesky {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

/// A handle as a person types it ("@alice.bsky.social", "Alice.bsky.social ", "at://alice…").
std::string normalizeHandle(std::string name) {
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.erase(0, 1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '/')) name.pop_back();
  if (name.rfind("at://", 0) == 0) name.erase(0, 5);
  if (!name.empty() && name.front() == '@') name.erase(0, 1);
  return isDid(name) ? name : lower(name);
}

std::string originOf(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  const auto slash = url.find('/', scheme + 3);
  return lower(url.substr(0, slash));
}

/// The PDS a DID document names may receive the app password: https, or the operator's own
/// api_base (a self-hosted or test entryway on http).
bool acceptablePds(const std::string& pds) {
  return pds.rfind("https://", 0) == 0 || (!pds.empty() && originOf(pds) == originOf(apiBase()));
}

/// The session fields of createSession / refreshSession as a Token (json-schemas.md).
std::string tokenJson(const Document& session, const Identity& id) {
  const auto access = session.string("/accessJwt").value_or("");
  const auto refresh = session.string("/refreshJwt").value_or("");
  if (access.empty() || refresh.empty()) throw Error(MS_ERR_PERMANENT, "Bluesky answered a session without its tokens");
  const long long exp = jwtExpiry(access);
  const long long now = host.nowMs() / 1000;
  const long long expiresIn = exp > now ? exp - now : 7200;
  const auto handle = session.string("/handle").value_or(id.handle);
  return Json::object()
      .field("id", id.did)
      .field("name", handle)
      .field("type", "user")
      .field("accessToken", access)
      .field("refreshToken", refresh)
      .field("expiresIn", expiresIn)
      .raw("metadata", Json::object().field("pds", id.pds).field("handle", handle))
      .str();
}

}  // namespace

bool isDid(std::string_view text) {
  if (text.rfind("did:plc:", 0) == 0)
    return text.size() == 32 && std::all_of(text.begin() + 8, text.end(),
                                            [](char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); });
  if (text.rfind("did:web:", 0) == 0)
    return text.size() > 8 && text.size() <= 253 && std::all_of(text.begin() + 8, text.end(), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '%';
           });
  return false;
}

bool isHandle(std::string_view text) {
  // atproto.com/specs/handle: at least two labels of letters, digits and hyphens, at most 253
  // characters; the last label (the TLD) does not start with a digit.
  if (text.empty() || text.size() > 253) return false;
  size_t labels = 0, start = 0;
  while (start <= text.size()) {
    auto end = text.find('.', start);
    if (end == std::string_view::npos) end = text.size();
    const auto label = text.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-'; }))
      return false;
    ++labels;
    if (end == text.size()) {
      if (std::isdigit(static_cast<unsigned char>(label.front())) != 0) return false;
      break;
    }
    start = end + 1;
  }
  return labels >= 2;
}

std::string resolveHandle(const std::string& handle) {
  const auto a = xrpcGet(apiBase(), "com.atproto.identity.resolveHandle", "handle=" + host.urlEncode(handle), "");
  if (a.ok) {
    auto did = host.string(a.http.body, "/did").value_or("");
    return isDid(did) ? did : std::string();
  }
  if (a.http.result == MS_OK && a.http.status == 400) return {};  // "Unable to resolve handle"
  fail(a, "resolveHandle " + handle);
}

Identity resolveDid(const std::string& did) {
  HttpRequest request;
  request.method = "GET";
  request.url =
      did.rfind("did:plc:", 0) == 0 ? plcBase() + "/" + did : "https://" + did.substr(8) + "/.well-known/did.json";
  request.headers = {{"Accept", "application/did+ld+json, application/json"}};
  Answer a;
  a.http = host.http(request);
  a.ok = a.http.result == MS_OK && a.http.status == 200;
  if (!a.ok) {
    if (a.http.result == MS_OK && (a.http.status == 404 || a.http.status == 410))
      throw Error(MS_ERR_PERMANENT, "the DID " + did + " has no DID document (deactivated or unknown)");
    fail(a, "the DID document of " + did);
  }
  const auto doc = host.parse(a.http.body);
  if (doc.string("/id").value_or("") != did)
    throw Error(MS_ERR_PERMANENT, "the DID document of " + did + " names another DID");
  Identity id;
  id.did = did;
  for (size_t i = 0, n = doc.count("/service"); i < n; ++i) {
    const auto at = "/service/" + std::to_string(i);
    const auto sid = doc.string((at + "/id").c_str()).value_or("");
    if (sid == "#atproto_pds" || sid == did + "#atproto_pds") {
      id.pds = doc.string((at + "/serviceEndpoint").c_str()).value_or("");
      break;
    }
  }
  while (!id.pds.empty() && id.pds.back() == '/') id.pds.pop_back();
  for (size_t i = 0, n = doc.count("/alsoKnownAs"); i < n; ++i) {
    const auto aka = doc.string(("/alsoKnownAs/" + std::to_string(i)).c_str()).value_or("");
    if (aka.rfind("at://", 0) == 0) {
      id.handle = aka.substr(5);
      break;
    }
  }
  if (id.pds.empty()) throw Error(MS_ERR_PERMANENT, "the DID document of " + did + " names no #atproto_pds service");
  return id;
}

ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto password = requiredString(json, "/accessToken", 1024);
    const size_t n = json.count("/accounts");
    if (json.get("/accounts").type != MS_JSON_ARRAY || n == 0)
      throw Error(MS_ERR_INVALID_INPUT, "accounts must name the Bluesky handle(s) the app password belongs to");
    if (n > 20) throw Error(MS_ERR_INVALID_INPUT, "accounts names more than 20 handles");
    std::vector<std::string> names;
    for (size_t i = 0; i < n; ++i)
      names.push_back(requiredString(json, ("/accounts/" + std::to_string(i)).c_str(), 300));
    auto accounts = Json::array();
    auto refused = Json::array();
    for (const auto& typed : names) {
      const auto name = normalizeHandle(typed);
      const auto refuse = [&](const std::string& reason) {
        refused.pushRaw(Json::object().field("account", typed).field("reason", reason));
      };
      if (!isDid(name) && !isHandle(name)) {
        refuse("not a Bluesky handle (like alice.bsky.social) or DID");
        continue;
      }
      const auto did = isDid(name) ? name : resolveHandle(name);
      if (did.empty()) {
        refuse("the handle " + name + " does not resolve to an account");
        continue;
      }
      Identity id;
      try {
        id = resolveDid(did);
      } catch (const Error& e) {
        if (e.status != MS_ERR_PERMANENT) throw;
        refuse(e.message);
        continue;
      }
      if (!isDid(name) && lower(id.handle) != name) {
        std::string reason = "the DID document of " + did;
        reason += " does not claim the handle " + name;
        refuse(reason);
        continue;
      }
      if (!acceptablePds(id.pds)) {
        refuse("the account's PDS " + id.pds + " is not an https URL");
        continue;
      }
      const auto a = xrpcPost(id.pds, "com.atproto.server.createSession",
                              Json::object().field("identifier", did).field("password", password).str(), "");
      if (!a.ok) {
        // AccountTakedown is a 401 too (the reference PDS's createSession): name it, not the password.
        if (a.http.result == MS_OK && (a.error == "AccountTakedown" || a.error == "AccountDeactivated")) {
          refuse("the account " + name + " cannot sign in: " + a.error);
          continue;
        }
        if (a.http.result == MS_OK && (a.http.status == 401 || a.error == "AuthenticationRequired")) {
          refuse("Bluesky refused the app password for " + name + " (" + a.message + ")");
          continue;
        }
        fail(a, "createSession for " + name);
      }
      const auto session = host.parse(a.http.body);
      if (session.string("/did").value_or("") != did)
        throw Error(MS_ERR_PERMANENT, "createSession answered for another account than " + did);
      // A deactivated (or suspended) account still gets a session, with "active": false and its
      // "status" (lexicon com.atproto.server.createSession); its PDS refuses every write.
      if (session.get("/active").type == MS_JSON_BOOL && session.get("/active").text == "false") {
        refuse("the account " + name + " is not active on its PDS (" + session.string("/status").value_or("inactive") +
               ")");
        continue;
      }
      if (id.handle.empty()) id.handle = name;
      accounts.pushRaw(tokenJson(session, id));
    }
    return Json::object().raw("accounts", accounts).raw("refused", refused).str();
  });
}

ms_status refresh(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto refreshJwt = requiredString(json, "/refreshToken", 8192);
    Identity id;
    id.did = optionalString(json, "/account/id", 2048);
    id.handle = optionalString(json, "/account/metadata/handle", 253);
    id.pds = optionalString(json, "/account/metadata/pds", 2048);
    if (id.pds.empty()) id.pds = apiBase();
    const auto a = xrpcPost(id.pds, "com.atproto.server.refreshSession", "", refreshJwt);
    if (!a.ok) {
      // An expired or revoked refresh JWT cannot be cured by retrying: the user signs in again.
      if (a.http.result == MS_OK && (a.error == "ExpiredToken" || a.error == "InvalidToken"))
        throw Error(MS_ERR_AUTH_INVALID, "the Bluesky session can no longer be refreshed (" + a.error + ")", a.error);
      fail(a, "refreshSession");
    }
    const auto session = host.parse(a.http.body);
    const auto did = session.string("/did").value_or("");
    if (!id.did.empty() && did != id.did) throw Error(MS_ERR_PERMANENT, "refreshSession answered for another account");
    id.did = did;
    const auto account = tokenJson(session, id);
    const auto doc = host.parse(account);
    return Json::object()
        .field("accessToken", doc.string("/accessToken").value_or(""))
        .field("refreshToken", doc.string("/refreshToken").value_or(""))
        .field("expiresIn", doc.integer("/expiresIn").value_or(7200))
        .raw("account", Json::object().field("id", id.did).field("name", doc.string("/name").value_or("")))
        .str();
  });
}

ms_status revoke(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    requiredString(json, "/accessToken", 8192);
    const auto refreshJwt = optionalString(json, "/refreshToken", 8192);
    if (refreshJwt.empty()) return std::string("{}");
    auto pds = optionalString(json, "/account/metadata/pds", 2048);
    // deleteSession takes the refresh JWT as its bearer and ends the session at the PDS.
    const auto a = xrpcPost(pds.empty() ? apiBase() : pds, "com.atproto.server.deleteSession", "", refreshJwt);
    if (!a.ok && !(a.http.result == MS_OK && (a.error == "ExpiredToken" || a.error == "InvalidToken")))
      fail(a, "deleteSession");
    return std::string("{}");
  });
}

ms_status checkToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto s = sessionOf(json);
    const auto a = xrpcGet(s.pds, "com.atproto.server.getSession", "", s.accessJwt);
    if (!a.ok) fail(a, "getSession");
    const auto session = host.parse(a.http.body);
    const auto did = session.string("/did").value_or("");
    if (did != s.did) throw Error(MS_ERR_AUTH_INVALID, "the session belongs to another account than " + s.did);
    // getSession answers a deactivated account's session too, with "active": false and its
    // "status" (lexicon com.atproto.server.getSession): the session works, but every write fails.
    if (session.get("/active").type == MS_JSON_BOOL && session.get("/active").text == "false")
      throw Error(MS_ERR_AUTH_INVALID,
                  "the Bluesky account is not active on its PDS (" + session.string("/status").value_or("inactive") +
                      "): reactivate it, then connect again",
                  "AccountDeactivated");
    auto out = Json::object().field("healthy", true).field("accountId", did);
    if (const long long exp = jwtExpiry(s.accessJwt); exp > 0) out.field("expiresAt", host.formatTime(exp * 1000));
    return out.str();
  });
}

ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto s = sessionOf(json);
    const auto a = xrpcGet(s.pds, "app.bsky.actor.getProfile", "actor=" + host.urlEncode(s.did), s.accessJwt);
    if (!a.ok) fail(a, "getProfile");
    const auto profile = host.parse(a.http.body);
    auto metrics = Json::object();
    auto extra = Json::object();
    if (const auto followers = profile.integer("/followersCount")) metrics.field("followers", *followers);
    if (const auto follows = profile.integer("/followsCount")) extra.field("follows", *follows);
    if (const auto posts = profile.integer("/postsCount")) extra.field("posts", *posts);
    return Json::object().raw("metrics", metrics).raw("extra", extra).str();
  });
}

}  // namespace bluesky
