#include "integration/OAuthEmulator.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>
#include <openssl/sha.h>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

namespace harness {
namespace {

long long nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string randomToken(const std::string& prefix) {
  static std::mt19937_64 generator{std::random_device{}()};
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::ostringstream out;
  out << prefix << std::hex << generator() << generator();
  return out.str();
}

std::string base64UrlSha256(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : digest) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      out += alphabet[(buffer >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 63];
  return out;
}

void reply(Poco::Net::HTTPServerResponse& response, int status, const std::string& json) {
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType("application/json");
  response.set("Cache-Control", "no-store");
  response.setContentLength(static_cast<std::streamsize>(json.size()));
  response.send() << json;
}

}  // namespace

struct OAuthEmulator::Handler : Poco::Net::HTTPRequestHandler {
  explicit Handler(OAuthEmulator& e) : emulator(e) {}
  OAuthEmulator& emulator;

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const Poco::URI uri(request.getURI());
    const std::string path = uri.getPath();
    if (request.getMethod() == "GET" && path == "/authorize") return authorize(uri, response);
    if (request.getMethod() == "POST" && path == "/token") return token(request, response);
    if (request.getMethod() == "POST" && path == "/revoke") return revoke(request, response);
    if (request.getMethod() == "GET" && (path == "/me" || path == "/me/accounts")) return api(request, path, response);
    if (path == "/posts" || path.rfind("/posts/", 0) == 0 || path == "/media" || path.rfind("/media/", 0) == 0 ||
        path == "/me/insights") {
      return posting(request, path, response);
    }
    reply(response, 404, R"({"error":"not_found"})");
  }

  void authorize(const Poco::URI& uri, Poco::Net::HTTPServerResponse& response) {
    std::map<std::string, std::string> q;
    for (const auto& [k, v] : uri.getQueryParameters()) q[k] = v;
    const bool knownClient = [&] {
      std::lock_guard lock(emulator.mutex_);
      return emulator.clients_.count(q["client_id"]) > 0;
    }();
    if (q["response_type"] != "code" || !knownClient || q["redirect_uri"].empty() || q["state"].empty() ||
        q["code_challenge"].size() != 43 || q["code_challenge_method"] != "S256") {
      return reply(response, 400, R"({"error":"invalid_request"})");
    }
    const auto code = randomToken("code_");
    {
      std::lock_guard lock(emulator.mutex_);
      emulator.codes_[code] = {q["code_challenge"], q["redirect_uri"], emulator.consentUser_, q["client_id"]};
      emulator.clientsSeen_.push_back("authorize:" + q["client_id"]);
    }
    Poco::URI back(q["redirect_uri"]);
    back.addQueryParameter("code", code);
    back.addQueryParameter("state", q["state"]);
    response.set("Location", back.toString());
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_FOUND);
    response.setContentLength(0);
    response.send();
  }

  /// The registered client whose id and secret the request's HTTP Basic credentials give.
  std::optional<std::string> authenticatedClient(Poco::Net::HTTPServerRequest& request) {
    const std::string header = request.get("Authorization", "");
    if (header.rfind("Basic ", 0) != 0) return std::nullopt;
    std::istringstream encoded(header.substr(6));
    Poco::Base64Decoder decoder(encoded);
    std::string decoded((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return std::nullopt;
    const auto id = decoded.substr(0, colon);
    std::lock_guard lock(emulator.mutex_);
    const auto it = emulator.clients_.find(id);
    if (it == emulator.clients_.end() || it->second != decoded.substr(colon + 1)) return std::nullopt;
    return id;
  }

  /// A user's token pair: the access token acts for the user and, when pages do not own tokens,
  /// for the organization the user administers.
  std::string issue(int expiresIn, const std::string& user, const std::string& client) {
    const auto access = randomToken("at_");
    const auto refresh = randomToken("rt_");
    std::lock_guard lock(emulator.mutex_);
    std::set<std::string> accounts{"u-" + user};
    if (!emulator.pagesOwnTokens) accounts.insert("o-" + user);
    emulator.accessTokens_[access] = {nowMs() + expiresIn * 1000LL, accounts};
    emulator.refreshTokens_[refresh] = {user, client};
    emulator.issued_.push_back(access);
    emulator.issued_.push_back(refresh);
    return R"({"access_token":")" + access + R"(","token_type":"Bearer","expires_in":)" + std::to_string(expiresIn) +
           R"(,"refresh_token":")" + refresh + R"(","scope":"publish offline_access"})";
  }

  void token(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    if (request.getContentType().rfind("application/x-www-form-urlencoded", 0) != 0)
      return reply(response, 400, R"({"error":"invalid_request"})");
    Poco::Net::HTMLForm form(request, request.stream());
    const auto client = authenticatedClient(request);
    if (!client) return reply(response, 401, R"({"error":"invalid_client"})");
    const auto grant = form.get("grant_type", "");
    if (grant == "authorization_code") {
      Code code;
      {
        std::lock_guard lock(emulator.mutex_);
        const auto it = emulator.codes_.find(form.get("code", ""));
        if (it == emulator.codes_.end()) return reply(response, 400, R"({"error":"invalid_grant"})");
        code = it->second;
        emulator.codes_.erase(it);  // single use
        emulator.clientsSeen_.push_back("authorization_code:" + *client);
      }
      // A code is redeemed only by the client it was issued to (RFC 6749 section 4.1.3).
      if (code.client != *client || code.redirectUri != form.get("redirect_uri", "") ||
          base64UrlSha256(form.get("code_verifier", "")) != code.challenge) {
        return reply(response, 400, R"({"error":"invalid_grant"})");
      }
      return reply(response, 200, issue(emulator.initialExpiresIn, code.user, *client));
    }
    if (grant == "refresh_token") {
      std::string user;
      {
        std::lock_guard lock(emulator.mutex_);
        emulator.clientsSeen_.push_back("refresh_token:" + *client);
        // Rotation: a refresh token works once (OAuth 2.0 Security BCP, section 4.14); and only
        // for the client it was issued to (RFC 6749 section 6).
        const auto it = emulator.refreshTokens_.find(form.get("refresh_token", ""));
        if (it == emulator.refreshTokens_.end() || it->second.client != *client)
          return reply(response, 400, R"({"error":"invalid_grant"})");
        user = it->second.user;
        emulator.refreshTokens_.erase(it);
      }
      ++emulator.refreshGrants_;
      std::this_thread::sleep_for(std::chrono::milliseconds(emulator.refreshDelayMs.load()));
      return reply(response, 200, issue(emulator.refreshedExpiresIn, user, *client));
    }
    reply(response, 400, R"({"error":"unsupported_grant_type"})");
  }

  void revoke(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    Poco::Net::HTMLForm form(request, request.stream());
    std::lock_guard lock(emulator.mutex_);
    // RFC 7009: an unknown token is answered 200 as well, but only a known one was revoked.
    const auto token = form.get("token", "");
    if (emulator.accessTokens_.erase(token) + emulator.refreshTokens_.erase(token) > 0) ++emulator.revocations_;
    reply(response, 200, "{}");
  }

  /// The accounts the request's live bearer token may act for; nullopt (after answering 401)
  /// when there is no live token.
  std::optional<std::set<std::string>> authorized(Poco::Net::HTTPServerRequest& request,
                                                  Poco::Net::HTTPServerResponse& response) {
    const std::string header = request.get("Authorization", "");
    const std::string token = header.rfind("Bearer ", 0) == 0 ? header.substr(7) : "";
    std::lock_guard lock(emulator.mutex_);
    const auto it = emulator.accessTokens_.find(token);
    if (it == emulator.accessTokens_.end() || it->second.expiresAt < nowMs()) {
      response.set("WWW-Authenticate", R"(Bearer error="invalid_token")");
      reply(response, 401, R"({"error":"invalid_token"})");
      return std::nullopt;
    }
    return it->second.accounts;
  }

  /// False (after answering 403) when the token cannot act for `account`.
  bool mayActFor(const std::set<std::string>& accounts, const std::string& account,
                 Poco::Net::HTTPServerResponse& response) {
    if (accounts.count(account) > 0) return true;
    ++emulator.wrongAccount_;
    reply(response, 403,
          R"({"error":"insufficient_permissions","message":"this token cannot act for account )" + account + R"("})");
    return false;
  }

  void posting(Poco::Net::HTTPServerRequest& request, const std::string& path,
               Poco::Net::HTTPServerResponse& response) {
    std::string body;
    {
      char buffer[65536];
      while (request.stream()) {
        request.stream().read(buffer, sizeof buffer);
        body.append(buffer, static_cast<std::size_t>(request.stream().gcount()));
      }
    }
    const auto accounts = authorized(request, response);
    if (!accounts) return;
    const std::string method = request.getMethod();
    if (method == "POST" && path == "/media") {
      const auto id = "m-" + randomToken("");
      const int polls = emulator.mediaProcessingPolls.load();
      const auto size = std::to_string(body.size());
      {
        std::lock_guard lock(emulator.mutex_);
        emulator.mediaPollsLeft_[id] = polls;
        emulator.mediaUploads_[id] = std::move(body);
      }
      return reply(
          response, 201,
          R"({"id":")" + id + R"(","size":)" + size + R"(,"state":")" + (polls > 0 ? "processing" : "ready") + R"("})");
    }
    if (method == "GET" && path.rfind("/media/", 0) == 0) {
      ++emulator.mediaStatusReads_;
      std::lock_guard lock(emulator.mutex_);
      const auto it = emulator.mediaPollsLeft_.find(path.substr(7));
      if (it == emulator.mediaPollsLeft_.end()) return reply(response, 404, R"({"error":"not_found"})");
      const bool processing = it->second > 0;
      if (processing) --it->second;
      return reply(response, 200, std::string(R"({"state":")") + (processing ? "processing" : "ready") + R"("})");
    }
    if (method == "GET" && path == "/posts") {
      // The account's posts since a time: what a platform's timeline gives a client that must
      // find out whether its post went out.
      std::map<std::string, std::string> q;
      for (const auto& [k, v] : Poco::URI(request.getURI()).getQueryParameters()) q[k] = v;
      if (!mayActFor(*accounts, q["account"], response)) return;
      const long long since = q["since"].empty() ? 0 : std::stoll(q["since"]);
      boost::json::array data;
      std::lock_guard lock(emulator.mutex_);
      for (const auto& p : emulator.posts_) {
        if (p.account != q["account"] || p.createdAt < since) continue;
        data.push_back({{"id", p.id}, {"text", p.text}, {"reply_to", p.replyTo}, {"created", p.createdAt}});
      }
      return reply(response, 200, boost::json::serialize(boost::json::object{{"data", data}}));
    }
    const int insightsStatus = emulator.insightsStatus.load();
    const bool insightsCall = method == "GET" && (path == "/me/insights" || path.ends_with("/metrics"));
    if (insightsCall && insightsStatus != 0) {
      if (insightsStatus == 429) response.set("Retry-After", "120");
      return reply(response, insightsStatus, R"({"error":"insights_unavailable"})");
    }
    if (method == "GET" && path == "/me/insights") {
      ++emulator.insightsCalls_;
      std::lock_guard lock(emulator.mutex_);
      return reply(response, 200,
                   R"({"reach":)" + std::to_string(1000 + 10 * emulator.posts_.size()) + R"(,"followers":42})");
    }
    if (method == "POST" && path == "/posts") {
      ++emulator.postAttempts_;
      std::this_thread::sleep_for(std::chrono::milliseconds(emulator.postLatencyMs.load()));
      boost::json::error_code ec;
      const auto parsed = boost::json::parse(body, ec);
      if (ec || !parsed.is_object()) return reply(response, 400, R"({"error":"invalid_json"})");
      const auto text = [&](const char* name) {
        const auto* v = parsed.as_object().if_contains(name);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
      };
      if (!mayActFor(*accounts, text("account"), response)) return;
      std::unique_lock lock(emulator.mutex_);
      if (emulator.failCount_ > 0 && emulator.failSkip_ == 0) {
        --emulator.failCount_;
        if (emulator.failRetryAfter_ > 0) response.set("Retry-After", std::to_string(emulator.failRetryAfter_));
        return reply(response, emulator.failStatus_, R"({"error":"scripted_failure"})");
      }
      Published p{"post-" + std::to_string(++emulator.nextId_),
                  text("account"),
                  text("text"),
                  text("reply_to"),
                  0,
                  nowMs(),
                  {},
                  {}};
      for (const auto& [name, list] : {std::pair{"media", &p.media}, std::pair{"media_urls", &p.mediaUrls}}) {
        const auto* given = parsed.as_object().if_contains(name);
        if (!given || !given->is_array()) continue;
        for (const auto& v : given->as_array())
          if (v.is_string()) list->emplace_back(v.get_string());
      }
      if (!emulator.refuseMarker_.empty() && p.text.find(emulator.refuseMarker_) != std::string::npos) {
        return reply(response, 400, R"({"error":"content_refused"})");
      }
      if (emulator.refuseDuplicates &&
          std::any_of(emulator.posts_.begin(), emulator.posts_.end(), [&](const Published& live) {
            return live.account == p.account && live.text == p.text && live.replyTo == p.replyTo;
          })) {
        return reply(response, 409, R"({"error":"duplicate","message":"you already posted this"})");
      }
      const auto fault = emulator.faults_.next();
      if (fault == Fault::RefuseWithoutCreate) return reply(response, 503, R"({"error":"unavailable"})");
      if (fault == Fault::LateCreate) {
        // The gateway gives up at once; the platform creates the post a moment later.
        emulator.faults_.createLater([&platform = emulator, p]() mutable {
          std::lock_guard late(platform.mutex_);
          p.createdAt = nowMs();
          platform.posts_.push_back(p);
        });
        return reply(response, 504, R"({"error":"gateway_timeout"})");
      }
      emulator.posts_.push_back(p);
      if (emulator.failSkip_ > 0) --emulator.failSkip_;
      lock.unlock();
      const auto created = [&] { reply(response, 201, R"({"id":")" + p.id + R"("})"); };
      if (!fault) return created();
      return emulator.faults_.afterCreate(*fault, request, created,
                                          [&] { reply(response, 504, R"({"error":"gateway_timeout"})"); });
    }
    const std::string id = path.substr(std::string("/posts/").size());
    std::lock_guard lock(emulator.mutex_);
    auto it = std::find_if(emulator.posts_.begin(), emulator.posts_.end(),
                           [&](const Published& p) { return id == p.id || id == p.id + "/metrics"; });
    if (it == emulator.posts_.end()) return reply(response, 404, R"({"error":"not_found"})");
    if (accounts->count(it->account) == 0) {  // another account's post: as if it did not exist to this token
      ++emulator.wrongAccount_;
      return reply(response, 403, R"({"error":"insufficient_permissions"})");
    }
    if (method == "DELETE") {
      emulator.posts_.erase(it);
      return reply(response, 200, "{}");
    }
    return reply(response, 200,
                 R"({"likes":)" + std::to_string(it->text.size()) + R"(,"comments":1,"impressions":100})");
  }

  void api(Poco::Net::HTTPServerRequest& request, const std::string& path, Poco::Net::HTTPServerResponse& response) {
    const auto accounts = authorized(request, response);
    if (!accounts) return;
    // The user behind the token: its "u-" account.
    std::string user;
    for (const auto& account : *accounts)
      if (account.rfind("u-", 0) == 0) user = account.substr(2);
    if (user.empty())
      return reply(response, 403, R"({"error":"insufficient_permissions","message":"not a user token"})");
    if (path == "/me") return reply(response, 200, R"({"id":"u-)" + user + R"(","name":"Test User )" + user + R"("})");
    const std::string me = R"({"id":"u-)" + user + R"(","name":"Test User )" + user + R"(","type":"user"})";
    if (!emulator.pagesOwnTokens) {
      return reply(response, 200,
                   R"({"data":[)" + me + R"(,{"id":"o-)" + user + R"(","name":"Test Org )" + user +
                       R"(","type":"organization"}]})");
    }
    const auto pageToken = randomToken("pt_");
    {
      std::lock_guard lock(emulator.mutex_);
      emulator.accessTokens_[pageToken] = {nowMs() + 86'400'000LL * 60, {"p-" + user}};  // acts for its page only
      emulator.issued_.push_back(pageToken);
    }
    reply(response, 200,
          R"({"data":[)" + me + R"(,{"id":"p-)" + user + R"(","name":"Test Page )" + user +
              R"(","type":"page","access_token":")" + pageToken + R"("}]})");
  }
};

namespace {
struct Factory : Poco::Net::HTTPRequestHandlerFactory {
  explicit Factory(OAuthEmulator& e) : emulator(e) {}
  OAuthEmulator& emulator;
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new OAuthEmulator::Handler(emulator);
  }
};
}  // namespace

void OAuthEmulator::registerClient(const std::string& id, const std::string& secret) {
  std::lock_guard lock(mutex_);
  clients_[id] = secret;
}

std::vector<std::string> OAuthEmulator::clientsSeen() const {
  std::lock_guard lock(mutex_);
  return clientsSeen_;
}

OAuthEmulator::OAuthEmulator() {
  clients_[clientId] = clientSecret;
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(64);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
  server_->start();
}

OAuthEmulator::~OAuthEmulator() {
  server_->stopAll(true);
  faults_.waitForLateCreations();
}

std::string OAuthEmulator::baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<std::string> OAuthEmulator::issuedTokens() const {
  std::lock_guard lock(mutex_);
  return issued_;
}

void OAuthEmulator::consentAs(const std::string& user) {
  std::lock_guard lock(mutex_);
  consentUser_ = user;
}

void OAuthEmulator::expireAllAccessTokens() {
  std::lock_guard lock(mutex_);
  for (auto& [token, record] : accessTokens_) record.expiresAt = 0;
}

void OAuthEmulator::revokeAllRefreshTokens() {
  std::lock_guard lock(mutex_);
  refreshTokens_.clear();
}

std::string OAuthEmulator::mediaUpload(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto it = mediaUploads_.find(id);
  return it == mediaUploads_.end() ? std::string() : it->second;
}

std::vector<OAuthEmulator::Published> OAuthEmulator::published() const {
  std::lock_guard lock(mutex_);
  return posts_;
}

void OAuthEmulator::failNextPosts(int count, int status, int retryAfterSeconds, int skip) {
  std::lock_guard lock(mutex_);
  failSkip_ = skip;
  failCount_ = count;
  failStatus_ = status;
  failRetryAfter_ = retryAfterSeconds;
}

void OAuthEmulator::refusePostsContaining(const std::string& marker) {
  std::lock_guard lock(mutex_);
  refuseMarker_ = marker;
}

}  // namespace harness
