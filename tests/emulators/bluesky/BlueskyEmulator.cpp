// The Bluesky emulator: state, XRPC dispatch, sessions, the repo and the AppView reads.
#include "BlueskyEmulator.h"

#include "TestServer.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <sstream>

namespace emulators {

namespace json = boost::json;
using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;
using marketsage::test::CreateFault;

namespace {

constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::string_view kSortable = "234567abcdefghijklmnopqrstuvwxyz";

long long nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// An XRPC error: {"error", "message"} with its HTTP status.
struct XrpcError {
  int status;
  std::string error, message;
};

void sendError(Response& response, const XrpcError& e) {
  marketsage::test::sendJson(response, e.status,
                             json::serialize(json::object{{"error", e.error}, {"message", e.message}}));
}

std::string base64url(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << bytes;
  encoder.close();
  return out.str();
}

/// A lower-case base32 string of `n` characters from a hash of `seed`.
std::string base32Of(const std::string& seed, size_t n) {
  std::mt19937_64 generator(std::hash<std::string>{}(seed));
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kBase32[generator() % 32];
  return out;
}

/// Grapheme clusters, roughly as the lexicon validator counts them: combining marks, variation
/// selectors, ZWJ and what follows it, skin tones and the second of a flag pair join a cluster.
size_t countGraphemes(const std::string& text) {
  std::vector<char32_t> cps;
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    const size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < n && i + k < text.size(); ++k) cp = (cp << 6) | (text[i + k] & 0x3F);
    cps.push_back(cp);
    i += n;
  }
  size_t count = 0;
  bool flagOpen = false;
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    const bool joins =
        i > 0 && ((c >= 0x300 && c <= 0x36F) || (c >= 0xFE00 && c <= 0xFE0F) || c == 0x200D || cps[i - 1] == 0x200D ||
                  (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F) || (c >= 0x20D0 && c <= 0x20FF) ||
                  (c == '\n' && cps[i - 1] == '\r'));
    const bool flag = c >= 0x1F1E6 && c <= 0x1F1FF;
    if (flag && flagOpen) {
      flagOpen = false;
      continue;
    }
    flagOpen = flag;
    if (!joins) ++count;
  }
  return count;
}

/// atproto.com/specs/record-key: 1 to 512 of A-Za-z0-9 . - _ : ~, not "." or ".." (the PDS checks
/// the syntax only, packages/pds/src/repo/prepare.ts ensureValidRecordKey).
bool validRecordKey(const std::string& rkey) {
  if (rkey.empty() || rkey.size() > 512 || rkey == "." || rkey == "..") return false;
  return std::all_of(rkey.begin(), rkey.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view(".-_:~").find(c) != std::string_view::npos;
  });
}

std::string nextTid(long long& last) {
  long long micros = nowMs() * 1000;
  if (micros <= last) micros = last + 1;
  last = micros;
  const unsigned long long value = static_cast<unsigned long long>(micros) << 10;
  std::string out(13, '2');
  for (int k = 12; k >= 0; --k) out[static_cast<size_t>(12 - k)] = kSortable[(value >> (5 * k)) & 0x1F];
  return out;
}

const json::object& objectAt(const json::object& o, std::string_view key, const std::string& what) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_object()) throw XrpcError{400, "InvalidRequest", "Invalid " + what + ": must be an object"};
  return v->as_object();
}

std::string stringAt(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

struct BlueskyApi::State {
  mutable std::mutex mutex;
  struct Account {
    std::string did, handle, appPassword;
    std::string status;  // "", "deactivated" or "takendown"
    long long followers = 0, follows = 0;
    std::map<std::string, size_t> blobs;  // cid → size
    std::vector<long long> writes;        // (time ms) of each point spent in the last hour
  };
  std::map<std::string, Account> accounts;  // did → account
  struct Token {
    std::string did;
    bool refresh = false;
    long long expiresMs = 0;
    bool revoked = false;
  };
  std::map<std::string, Token> tokens;
  std::vector<std::string> issued;
  std::vector<Record> records;
  std::map<std::string, std::array<long long, 4>> counts;  // uri → likes, reposts, replies, quotes
  std::vector<std::string> methods;
  std::vector<Blob> uploaded;
  int accessSeconds = 7200, hourlyPoints = 5000;
  int throttleCount = 0, throttleSeconds = 0, failCount = 0, failStatus = 500;
  long long lastTid = 0;
  std::string base;
  marketsage::test::CreateFaults faults;
  std::unique_ptr<marketsage::test::TestServer> server;

  void handle(Request& request, Response& response);

  // Called with the mutex held.
  std::string issue(const std::string& did, bool refresh) {
    const long long iat = nowMs() / 1000;
    const long long exp = iat + (refresh ? 90LL * 86400 : accessSeconds);
    const auto header =
        base64url(R"({"typ":)" + std::string(refresh ? R"("refresh+jwt")" : R"("at+jwt")") + R"(,"alg":"ES256K"})");
    const auto payload = base64url(json::serialize(
        json::object{{"scope", refresh ? "com.atproto.refresh" : "com.atproto.appPass"},
                     {"sub", did},
                     {"iat", iat},
                     {"exp", exp},
                     {"jti", base32Of(did + std::to_string(nowMs()) + std::to_string(issued.size()), 20)}}));
    const auto jwt = header + "." + payload + "." + base64url(base32Of(payload, 64));
    tokens[jwt] = Token{did, refresh, exp * 1000};
    issued.push_back(jwt);
    return jwt;
  }
  /// The account of the request's Bearer access JWT, or the PDS's error.
  Account& authorize(const Request& request, bool wantRefresh = false) {
    const auto bearer = marketsage::test::bearerToken(request);
    // packages/pds/src/auth-verifier.ts: no bearer is 401 AuthMissing.
    if (!bearer) throw XrpcError{401, "AuthMissing", "Authentication Required"};
    const auto it = tokens.find(*bearer);
    if (it == tokens.end() || it->second.revoked || it->second.refresh != wantRefresh)
      throw XrpcError{400, "InvalidToken", wantRefresh ? "Invalid token type" : "Token could not be verified"};
    if (it->second.expiresMs <= nowMs()) throw XrpcError{400, "ExpiredToken", "Token has expired"};
    return accounts.at(it->second.did);
  }
  json::object session(const Account& a) {
    json::object out{{"accessJwt", issue(a.did, false)},
                     {"refreshJwt", issue(a.did, true)},
                     {"handle", a.handle},
                     {"did", a.did},
                     {"active", a.status.empty()}};
    if (!a.status.empty()) out["status"] = a.status;
    return out;
  }
  /// Writes of a deactivated account: 401 AccountDeactivated (auth-verifier checkDeactivated).
  static void checkActive(const Account& a) {
    if (a.status == "deactivated") throw XrpcError{401, "AccountDeactivated", "Account is deactivated"};
    if (a.status == "takendown") throw XrpcError{401, "AccountTakedown", "Account has been taken down"};
  }
  Account& repoOf(const json::object& body, const Account& caller) {
    const auto repo = stringAt(body, "repo");
    if (repo != caller.did && repo != caller.handle)
      throw XrpcError{400, "InvalidRequest", "Input/repo: must be the authenticated account"};
    return accounts.at(caller.did);
  }
  /// Spends write points; 429 with the rate-limit headers when the hour's budget is gone.
  void spend(Account& a, int points, Response& response) {
    const long long now = nowMs();
    std::erase_if(a.writes, [&](long long t) { return t < now - 3600'000; });
    if (static_cast<int>(a.writes.size()) + points > hourlyPoints) {
      const long long reset = (a.writes.front() + 3600'000) / 1000 + 1;
      rateLimited(response, reset, 0);
      throw XrpcError{0, "", ""};
    }
    for (int i = 0; i < points; ++i) a.writes.push_back(now);
  }
  void rateLimited(Response& response, long long reset, int remaining) const {
    response.set("ratelimit-limit", std::to_string(hourlyPoints));
    response.set("ratelimit-remaining", std::to_string(remaining));
    response.set("ratelimit-reset", std::to_string(reset));
    response.set("ratelimit-policy", std::to_string(hourlyPoints) + ";w=3600");
    sendError(response, {429, "RateLimitExceeded", "Rate Limit Exceeded"});
  }
  const Record* find(const std::string& did, const std::string& rkey) const {
    for (const auto& r : records)
      if (r.did == did && r.rkey == rkey && !r.deleted) return &r;
    return nullptr;
  }
  const Record* findUri(const std::string& uri) const {
    for (const auto& r : records)
      if (r.uri == uri && !r.deleted) return &r;
    return nullptr;
  }
  void checkPost(const Account& a, const json::object& record);
  void createRecord(Request& request, Response& response, std::unique_lock<std::mutex>& lock);
};

void BlueskyApi::State::checkPost(const Account& a, const json::object& record) {
  const auto invalid = [](const std::string& message) {
    return XrpcError{400, "InvalidRequest", "Invalid app.bsky.feed.post record: " + message};
  };
  if (stringAt(record, "$type") != "app.bsky.feed.post") throw invalid("Record/$type must be app.bsky.feed.post");
  const auto* text = record.if_contains("text");
  if (!text || !text->is_string()) throw invalid("Record must have the property \"text\"");
  const std::string body(text->as_string());
  if (body.size() > 3000) throw invalid("Record/text must not be longer than 3000 characters");
  if (countGraphemes(body) > 300) throw invalid("Record/text must not be longer than 300 graphemes");
  if (stringAt(record, "createdAt").empty()) throw invalid("Record must have the property \"createdAt\"");
  // prepare.ts assertValidCreatedAt: an atproto datetime (RFC 3339 with a zone, atproto.com/specs/lexicon).
  static const std::regex kDatetime(
      "^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{1,20})?(Z|([+-][0-2][0-9]:[0-5][0-9]))"
      "$");
  const auto createdAt = stringAt(record, "createdAt");
  if (!std::regex_match(createdAt, kDatetime) || createdAt.ends_with("-00:00"))
    throw invalid("createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)");
  if (const auto* langs = record.if_contains("langs")) {
    // app.bsky.feed.post langs: at most 3, each of the "language" format (BCP-47, @atproto/syntax).
    static const std::regex kLanguage(
        "^((en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|"
        "i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE)|(art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|"
        "zh-min-nan|zh-xiang))$|^(([A-Za-z]{2,3}(-[A-Za-z]{3}(-[A-Za-z]{3}){0,2})?)|[A-Za-z]{4}|[A-Za-z]{5,8})"
        "(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
        "(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*(-x(-[A-Za-z0-9]{1,8})+)?$|^x(-[A-Za-z0-9]{1,8})+$");
    if (!langs->is_array() || langs->as_array().size() > 3)
      throw invalid("Record/langs must be an array of at most 3 items");
    for (const auto& lang : langs->as_array())
      if (!lang.is_string() || !std::regex_match(std::string(lang.as_string()), kLanguage))
        throw invalid("Record/langs/0 must be a well-formed BCP 47 language tag");
  }
  if (const auto* facets = record.if_contains("facets")) {
    if (!facets->is_array()) throw invalid("Record/facets must be an array");
    for (const auto& f : facets->as_array()) {
      const auto& index = objectAt(f.as_object(), "index", "facet index");
      const auto start = index.at("byteStart").to_number<long long>();
      const auto end = index.at("byteEnd").to_number<long long>();
      if (start < 0 || end < start || end > static_cast<long long>(body.size()))
        throw invalid("Record/facets: byte range outside the text");
      const auto& features = f.as_object().at("features").as_array();
      if (features.empty()) throw invalid("Record/facets/features must not be empty");
      for (const auto& feature : features) {
        const auto type = stringAt(feature.as_object(), "$type");
        if (type == "app.bsky.richtext.facet#mention" && !accounts.contains(stringAt(feature.as_object(), "did")) &&
            stringAt(feature.as_object(), "did").rfind("did:", 0) != 0)
          throw invalid("Record/facets/features/did must be a DID");
        if (type == "app.bsky.richtext.facet#link" && stringAt(feature.as_object(), "uri").empty())
          throw invalid("Record/facets/features/uri must be a uri");
      }
    }
  }
  if (const auto* embed = record.if_contains("embed")) {
    const auto& e = embed->as_object();
    const auto type = stringAt(e, "$type");
    if (type == "app.bsky.embed.images") {
      const auto& images = e.at("images").as_array();
      if (images.empty() || images.size() > 4) throw invalid("Record/embed/images must have 1 to 4 items");
      for (const auto& image : images) {
        const auto& i = image.as_object();
        if (!i.if_contains("alt") || !i.at("alt").is_string()) throw invalid("Record/embed/images/alt is required");
        const auto& blob = objectAt(i, "image", "image");
        const auto cid = stringAt(objectAt(blob, "ref", "blob ref"), "$link");
        const auto known = a.blobs.find(cid);
        if (known == a.blobs.end()) throw XrpcError{400, "InvalidRequest", "Could not find blob: " + cid};
        // The PDS's blob transactor (verifyBlob) against the lexicon's maxSize and accept.
        if (const auto mime = stringAt(blob, "mimeType"); mime.rfind("image/", 0) != 0)
          throw XrpcError{400, "InvalidMimeType", "Wrong type of file. It is " + mime + " but it must match image/*"};
        if (known->second > 1000000)
          throw XrpcError{400, "BlobTooLarge",
                          "This file is too large. It is " + std::to_string(known->second) +
                              " bytes but the maximum size is 1000000 bytes."};
        if (const auto* ratio = i.if_contains("aspectRatio");
            ratio && (ratio->as_object().at("width").to_number<long long>() < 1 ||
                      ratio->as_object().at("height").to_number<long long>() < 1))
          throw invalid("Record/embed/images/aspectRatio must be positive");
      }
    } else if (type == "app.bsky.embed.external") {
      const auto& external = objectAt(e, "external", "external");
      if (stringAt(external, "uri").empty() || !external.if_contains("title") || !external.if_contains("description"))
        throw invalid("Record/embed/external must have uri, title and description");
    } else {
      throw invalid("Record/embed has an unsupported $type " + type);
    }
  }
  if (const auto* reply = record.if_contains("reply")) {
    for (const char* ref : {"root", "parent"}) {
      const auto& r = objectAt(reply->as_object(), ref, std::string("reply ") + ref);
      const auto* target = findUri(stringAt(r, "uri"));
      if (!target || target->cid != stringAt(r, "cid"))
        throw XrpcError{400, "InvalidRequest", std::string("Invalid reply ") + ref + ": record not found"};
    }
  }
}

void BlueskyApi::State::createRecord(Request& request, Response& response, std::unique_lock<std::mutex>& lock) {
  auto& caller = authorize(request);
  checkActive(caller);
  if (request.getContentType().rfind("application/json", 0) != 0)
    throw XrpcError{400, "InvalidRequest", "Wrong request encoding (Content-Type): " + request.getContentType()};
  const auto parsed = json::parse(marketsage::test::readBody(request));
  const auto& body = parsed.as_object();
  auto& account = repoOf(body, caller);
  const auto collection = stringAt(body, "collection");
  if (collection != "app.bsky.feed.post")
    throw XrpcError{400, "InvalidRequest", "this emulator stores app.bsky.feed.post records only"};
  const auto& record = objectAt(body, "record", "Input/record");
  checkPost(account, record);
  if (throttleCount > 0) {
    --throttleCount;
    rateLimited(response, nowMs() / 1000 + throttleSeconds, 0);
    return;
  }
  spend(account, 3, response);
  auto rkey = stringAt(body, "rkey");
  if (rkey.empty()) rkey = nextTid(lastTid);
  if (!validRecordKey(rkey)) throw XrpcError{400, "InvalidRequest", "Invalid record key: " + rkey};
  Record created;
  created.did = account.did;
  created.rkey = rkey;
  created.uri = "at://" + account.did + "/app.bsky.feed.post/" + rkey;
  created.json = json::serialize(record);
  created.cid = "bafyrei" + base32Of(created.json, 52);
  created.text = stringAt(record, "text");
  const auto answer = [&response, created] {
    marketsage::test::sendJson(response, 200,
                               json::serialize(json::object{
                                   {"uri", created.uri},
                                   {"cid", created.cid},
                                   {"commit", {{"cid", "bafyrei" + base32Of(created.cid, 52)}, {"rev", created.rkey}}},
                                   {"validationStatus", "valid"}}));
  };
  // Store unless the key is taken; the reference PDS answers a taken key with a 500.
  const auto store = [this](const Record& r) {
    if (find(r.did, r.rkey)) return false;
    records.push_back(r);
    return true;
  };
  const auto fault = faults.next();
  if (fault == CreateFault::RefuseWithoutCreate) {
    lock.unlock();
    return sendError(response, {503, "UpstreamFailure", "Service Unavailable"});
  }
  if (fault == CreateFault::LateCreate) {
    faults.createLater([this, created, store] {
      std::lock_guard late(mutex);
      store(created);
    });
    lock.unlock();
    return sendError(response, {504, "UpstreamTimeout", "Gateway Timeout"});
  }
  if (!store(created)) throw XrpcError{500, "InternalServerError", "Internal Server Error"};
  lock.unlock();
  if (!fault) return answer();
  faults.afterCreate(*fault, request, answer, [&] {
    sendError(response, {504, "UpstreamTimeout", "Gateway Timeout"});
  });
}

void BlueskyApi::State::handle(Request& request, Response& response) {
  std::unique_lock lock(mutex);
  try {
    const Poco::URI uri(request.getURI());
    const auto path = uri.getPath();
    std::multimap<std::string, std::string> query;
    for (const auto& [k, v] : uri.getQueryParameters()) query.emplace(k, v);
    const auto param = [&](const std::string& name) {
      const auto it = query.find(name);
      return it == query.end() ? std::string() : it->second;
    };
    if (path.rfind("/did:plc:", 0) == 0) {  // the PLC directory
      const auto did = path.substr(1);
      const auto it = accounts.find(did);
      if (it == accounts.end()) throw XrpcError{404, "NotFound", "DID not registered: " + did};
      json::object doc{
          {"@context", json::array{"https://www.w3.org/ns/did/v1"}},
          {"id", did},
          {"alsoKnownAs", json::array{"at://" + it->second.handle}},
          {"verificationMethod", json::array{}},
          {"service", json::array{json::object{
                          {"id", "#atproto_pds"}, {"type", "AtprotoPersonalDataServer"}, {"serviceEndpoint", base}}}}};
      return marketsage::test::sendJson(response, 200, json::serialize(doc));
    }
    if (path.rfind("/xrpc/", 0) != 0) throw XrpcError{404, "NotFound", "Not Found"};
    const auto method = path.substr(6);
    methods.push_back(method);
    if (failCount > 0) {
      --failCount;
      throw XrpcError{failStatus, failStatus == 502 ? "UpstreamFailure" : "InternalServerError", "Injected failure"};
    }
    const bool post = request.getMethod() == "POST";
    const auto jsonBody = [&]() -> json::object {
      if (request.getContentType().rfind("application/json", 0) != 0)
        throw XrpcError{400, "InvalidRequest", "Wrong request encoding (Content-Type): " + request.getContentType()};
      const auto v = json::parse(marketsage::test::readBody(request));
      if (!v.is_object()) throw XrpcError{400, "InvalidRequest", "Input must be an object"};
      return v.as_object();
    };
    const auto needPost = [&](bool wanted) {
      // @atproto/xrpc-server: a query over POST or a procedure over GET is 400 InvalidRequest.
      if (post != wanted)
        throw XrpcError{400, "InvalidRequest",
                        "Incorrect HTTP method (" + request.getMethod() + ") expected " + (wanted ? "POST" : "GET")};
    };
    if (method == "com.atproto.identity.resolveHandle") {
      needPost(false);
      const auto handle = param("handle");
      if (handle.empty()) throw XrpcError{400, "InvalidRequest", "Error: Params must have the property \"handle\""};
      for (const auto& [did, a] : accounts)
        if (a.handle == handle)
          return marketsage::test::sendJson(response, 200, json::serialize(json::object{{"did", did}}));
      throw XrpcError{400, "InvalidRequest", "Unable to resolve handle"};
    }
    if (method == "com.atproto.server.createSession") {
      needPost(true);
      const auto body = jsonBody();
      const auto identifier = stringAt(body, "identifier");
      const auto password = stringAt(body, "password");
      if (identifier.empty() || password.empty())
        throw XrpcError{400, "InvalidRequest", "Input must have the properties \"identifier\" and \"password\""};
      for (auto& [did, a] : accounts) {
        if ((did != identifier && a.handle != identifier) || a.appPassword != password) continue;
        if (a.status == "takendown") throw XrpcError{401, "AccountTakedown", "Account has been taken down"};
        return marketsage::test::sendJson(response, 200, json::serialize(session(a)));
      }
      throw XrpcError{401, "AuthenticationRequired", "Invalid identifier or password"};
    }
    if (method == "com.atproto.server.refreshSession" || method == "com.atproto.server.deleteSession") {
      needPost(true);
      auto& a = authorize(request, true);
      tokens.at(*marketsage::test::bearerToken(request)).revoked = true;  // refresh JWTs rotate
      if (method == "com.atproto.server.deleteSession") return marketsage::test::sendJson(response, 200, "{}");
      return marketsage::test::sendJson(response, 200, json::serialize(session(a)));
    }
    if (method == "com.atproto.server.getSession") {
      needPost(false);
      const auto& a = authorize(request);
      return marketsage::test::sendJson(
          response, 200,
          json::serialize(
              a.status.empty()
                  ? json::object{{"handle", a.handle}, {"did", a.did}, {"active", true}}
                  : json::object{{"handle", a.handle}, {"did", a.did}, {"active", false}, {"status", a.status}}));
    }
    if (method == "com.atproto.repo.uploadBlob") {
      needPost(true);
      auto& a = authorize(request);
      checkActive(a);
      const auto type = request.getContentType();
      if (type.empty() || type == "*/*") throw XrpcError{400, "InvalidRequest", "Missing Content-Type"};
      const auto bytes = marketsage::test::readBody(request);
      if (bytes.empty()) throw XrpcError{400, "InvalidRequest", "Request body is empty"};
      if (bytes.size() > 50'000'000) throw XrpcError{413, "PayloadTooLarge", "request entity too large"};
      const auto cid = "bafkrei" + base32Of(bytes, 52);
      a.blobs[cid] = bytes.size();
      uploaded.push_back({type, bytes.size()});
      json::object blob{{"$type", "blob"},
                        {"ref", {{"$link", cid}}},
                        {"mimeType", type},
                        {"size", static_cast<long long>(bytes.size())}};
      return marketsage::test::sendJson(response, 200, json::serialize(json::object{{"blob", blob}}));
    }
    if (method == "com.atproto.repo.createRecord") {
      needPost(true);
      return createRecord(request, response, lock);
    }
    if (method == "com.atproto.repo.getRecord") {
      needPost(false);
      const auto repo = param("repo"), collection = param("collection"), rkey = param("rkey");
      if (repo.empty() || collection.empty() || rkey.empty())
        throw XrpcError{400, "InvalidRequest", "Params must have the properties \"repo\", \"collection\", \"rkey\""};
      const auto* r = find(repo, rkey);
      if (!r || collection != "app.bsky.feed.post")
        throw XrpcError{400, "RecordNotFound", "Could not locate record: at://" + repo + "/" + collection + "/" + rkey};
      return marketsage::test::sendJson(
          response, 200,
          json::serialize(json::object{{"uri", r->uri}, {"cid", r->cid}, {"value", json::parse(r->json)}}));
    }
    if (method == "com.atproto.repo.deleteRecord") {
      needPost(true);
      auto& caller = authorize(request);
      const auto body = jsonBody();
      auto& a = repoOf(body, caller);
      spend(a, 1, response);
      for (auto& r : records)
        if (r.did == a.did && r.rkey == stringAt(body, "rkey") && stringAt(body, "collection") == "app.bsky.feed.post")
          r.deleted = true;
      return marketsage::test::sendJson(response, 200, "{}");  // also when there was nothing to delete
    }
    if (method == "app.bsky.feed.getPosts") {
      needPost(false);
      authorize(request);
      json::array posts;
      const auto [from, to] = query.equal_range("uris");
      if (std::distance(from, to) > 25)
        throw XrpcError{400, "InvalidRequest", "Error: uris must not have more than 25 elements"};
      for (auto it = from; it != to; ++it) {
        const auto* r = findUri(it->second);
        if (!r) continue;  // deleted or unknown posts are left out
        const auto c = counts.contains(r->uri) ? counts.at(r->uri) : std::array<long long, 4>{0, 0, 0, 0};
        const auto& author = accounts.at(r->did);
        posts.push_back({{"uri", r->uri},
                         {"cid", r->cid},
                         {"author", {{"did", author.did}, {"handle", author.handle}}},
                         {"record", json::parse(r->json)},
                         {"likeCount", c[0]},
                         {"repostCount", c[1]},
                         {"replyCount", c[2]},
                         {"quoteCount", c[3]},
                         {"indexedAt", "2026-12-01T10:00:00.000Z"}});
      }
      return marketsage::test::sendJson(response, 200, json::serialize(json::object{{"posts", posts}}));
    }
    if (method == "app.bsky.actor.getProfile") {
      needPost(false);
      authorize(request);
      const auto actor = param("actor");
      for (const auto& [did, a] : accounts) {
        if (did != actor && a.handle != actor) continue;
        long long count = 0;
        for (const auto& r : records) count += r.did == did && !r.deleted ? 1 : 0;
        return marketsage::test::sendJson(response, 200,
                                          json::serialize(json::object{{"did", did},
                                                                       {"handle", a.handle},
                                                                       {"followersCount", a.followers},
                                                                       {"followsCount", a.follows},
                                                                       {"postsCount", count}}));
      }
      throw XrpcError{400, "InvalidRequest", "Profile not found"};
    }
    throw XrpcError{501, "MethodNotImplemented", "Method Not Implemented"};
  } catch (const XrpcError& e) {
    if (lock.owns_lock()) lock.unlock();
    if (e.status != 0) sendError(response, e);  // 0: already answered (a rate limit)
  } catch (const std::exception& e) {
    if (lock.owns_lock()) lock.unlock();
    sendError(response, {400, "InvalidRequest", std::string("Invalid input: ") + e.what()});
  }
}

BlueskyApi::BlueskyApi() : state_(std::make_unique<State>()) {
  state_->server = std::make_unique<marketsage::test::TestServer>(
      [this](Request& request, Response& response) { state_->handle(request, response); });
  state_->base = state_->server->url();
}

BlueskyApi::~BlueskyApi() {
  state_->faults.waitForLateCreations();
  state_->server.reset();
}

std::string BlueskyApi::url() const { return state_->base; }

std::string BlueskyApi::addAccount(const std::string& handle, const std::string& appPassword) {
  std::lock_guard lock(state_->mutex);
  const auto did = "did:plc:" + base32Of(handle, 24);
  State::Account account;
  account.did = did;
  account.handle = handle;
  account.appPassword = appPassword;
  state_->accounts[did] = account;
  state_->issued.push_back(appPassword);
  return did;
}

void BlueskyApi::setProfile(const std::string& did, long long followers, long long follows) {
  std::lock_guard lock(state_->mutex);
  state_->accounts.at(did).followers = followers;
  state_->accounts.at(did).follows = follows;
}

void BlueskyApi::setCounts(const std::string& uri, long long likes, long long reposts, long long replies,
                           long long quotes) {
  std::lock_guard lock(state_->mutex);
  state_->counts[uri] = {likes, reposts, replies, quotes};
}

void BlueskyApi::setAccountStatus(const std::string& did, const std::string& status) {
  std::lock_guard lock(state_->mutex);
  state_->accounts.at(did).status = status;
}

void BlueskyApi::setAccessLifetime(int seconds) {
  std::lock_guard lock(state_->mutex);
  state_->accessSeconds = seconds;
}

void BlueskyApi::expireAccessTokens() {
  std::lock_guard lock(state_->mutex);
  for (auto& [jwt, t] : state_->tokens)
    if (!t.refresh) t.expiresMs = 0;
}

void BlueskyApi::expireRefreshTokens() {
  std::lock_guard lock(state_->mutex);
  for (auto& [jwt, t] : state_->tokens)
    if (t.refresh) t.expiresMs = 0;
}

void BlueskyApi::throttleNextCreates(int count, int seconds) {
  std::lock_guard lock(state_->mutex);
  state_->throttleCount = count;
  state_->throttleSeconds = seconds;
}

void BlueskyApi::setHourlyPoints(int points) {
  std::lock_guard lock(state_->mutex);
  state_->hourlyPoints = points;
}

void BlueskyApi::failNextCalls(int count, int status) {
  std::lock_guard lock(state_->mutex);
  state_->failCount = count;
  state_->failStatus = status;
}

void BlueskyApi::faultNextCreates(const std::vector<CreateFault>& faults) { state_->faults.push(faults); }
void BlueskyApi::setSlowAnswerMs(int ms) { state_->faults.slowAnswerMs = ms; }

std::vector<BlueskyApi::Record> BlueskyApi::posts(const std::string& did) const {
  std::lock_guard lock(state_->mutex);
  std::vector<Record> out;
  for (const auto& r : state_->records)
    if (r.did == did) out.push_back(r);
  return out;
}

std::vector<std::string> BlueskyApi::calls() const {
  std::lock_guard lock(state_->mutex);
  return state_->methods;
}

std::vector<std::string> BlueskyApi::secrets() const {
  std::lock_guard lock(state_->mutex);
  return state_->issued;
}

std::vector<BlueskyApi::Blob> BlueskyApi::blobs() const {
  std::lock_guard lock(state_->mutex);
  return state_->uploaded;
}

}  // namespace emulators
