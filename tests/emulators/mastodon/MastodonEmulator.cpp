// Server, dispatch, scopes, rate-limit headers, faults and the public controls of the Mastodon
// emulator (docs.joinmastodon.org/api/rate-limits, api/oauth-scopes, entities/Error).
#include "MastodonEmulator.h"

#include "MastodonImpl.h"
#include "TestServer.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <chrono>
#include <ctime>
#include <random>
#include <sstream>

namespace emulators::mastodon {

std::string iso(long long ms, bool micro) {
  const auto t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  char fraction[16];
  if (micro)
    std::snprintf(fraction, sizeof fraction, ".%06lldZ", (ms % 1000) * 1000);
  else
    std::snprintf(fraction, sizeof fraction, ".%03lldZ", ms % 1000);
  return std::string(buffer) + fraction;
}

Reply json(int status, const boost::json::value& body) { return Reply{status, boost::json::serialize(body)}; }

Reply error(int status, const std::string& message) { return json(status, boost::json::object{{"error", message}}); }

}  // namespace emulators::mastodon

namespace emulators {

using marketsage::test::TestServer;
using mastodon::error;
using mastodon::nowMs;

std::string MastodonInstance::Impl::newSecret(const char* prefix) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::ostringstream out;
  out << prefix << std::hex << random() << random() << random();
  return out.str();
}

MastodonInstance::App MastodonInstance::Impl::addApp(const std::string& name,
                                                     const std::vector<std::string>& redirectUris,
                                                     const std::string& scopes, const std::string& website) {
  App app{newSecret(""), newSecret(""), name, website, redirectUris, scopes};
  apps[app.clientId] = app;
  issued.push_back(app.clientSecret);
  return app;
}

std::string MastodonInstance::Impl::grant(const std::string& clientId, const std::string& scopes) {
  const auto token = newSecret("");
  Grant g{clientId, MastodonInstance::accountId, {}};
  std::istringstream in(scopes);
  for (std::string scope; in >> scope;) g.scopes.insert(scope);
  tokens[token] = g;
  issued.push_back(token);
  return token;
}

namespace {

/// The scope an endpoint needs (docs.joinmastodon.org/api/oauth-scopes); "" = none.
std::string requiredScope(const mastodon::Request& r) {
  const auto& s = r.segments;
  if (r.path == "/api/v1/accounts/verify_credentials") return "read:accounts";
  if (s.size() >= 3 && s[2] == "media") return "write:media";
  if (s.size() >= 3 && s[2] == "statuses" && (r.method == "POST" || r.method == "DELETE")) return "write:statuses";
  return "read:statuses";
}

/// A scope is granted by itself or by its parent ("write" covers "write:statuses").
bool granted(const std::set<std::string>& scopes, const std::string& scope) {
  return scopes.count(scope) > 0 || scopes.count(scope.substr(0, scope.find(':'))) > 0;
}

}  // namespace

MastodonInstance::Impl::Reply MastodonInstance::Impl::handle(Request& r) {
  requestLog.push_back(r.method + " " + r.path);
  if (r.path == "/.well-known/oauth-authorization-server" && r.method == "GET") return serverMetadata();
  if (r.path == "/oauth/authorize" && r.method == "GET") return authorize(r);
  if (r.path == "/oauth/token" && r.method == "POST") return token(r);
  if (r.path == "/oauth/revoke" && r.method == "POST") return revoke(r);
  if (r.segments.empty() || r.segments[0] != "api") return error(404, "Not Found");

  // Every API answer carries the rate-limit window (per account; per address without a token).
  const std::string bearer = r.authorization.rfind("Bearer ", 0) == 0 ? r.authorization.substr(7) : "";
  const auto grantIt = tokens.find(bearer);
  const long long now = nowMs();
  if (now >= windowEndMs) {
    windowEndMs = now + 5 * 60 * 1000;
    callsInWindow.clear();
  }
  int& used = callsInWindow[grantIt != tokens.end() ? grantIt->second.accountId : std::string("ip")];
  auto withLimits = [&](Reply reply, long long resetMs, int remaining) {
    reply.headers.emplace_back("X-RateLimit-Limit", std::to_string(windowLimit));
    reply.headers.emplace_back("X-RateLimit-Remaining", std::to_string(remaining));
    reply.headers.emplace_back("X-RateLimit-Reset", mastodon::iso(resetMs, true));
    return reply;
  };
  if (throttledCalls > 0 || used >= windowLimit) {
    const long long reset = throttledCalls > 0 ? now + throttleResetIn * 1000LL : windowEndMs;
    if (throttledCalls > 0) --throttledCalls;
    return withLimits(error(429, "Too many requests"), reset, 0);
  }
  ++used;
  const int remaining = windowLimit - used;
  if (failedCalls > 0) {
    --failedCalls;
    return withLimits(error(failStatus, failStatus == 503 ? "Service Unavailable" : "Internal Server Error"),
                      windowEndMs, remaining);
  }

  Reply reply = error(404, "Record not found");
  const auto& s = r.segments;
  if (r.method == "POST" && r.path == "/api/v1/apps") return withLimits(createApp(r), windowEndMs, remaining);
  if (r.method == "GET" && r.path == "/api/v2/instance") return withLimits(instance(), windowEndMs, remaining);
  if (grantIt == tokens.end()) return withLimits(error(401, "The access token is invalid"), windowEndMs, remaining);
  const auto& g = grantIt->second;
  if (!granted(g.scopes, requiredScope(r)))
    return withLimits(error(403, "This action is outside the authorized scopes"), windowEndMs, remaining);

  if (r.method == "GET" && r.path == "/api/v1/accounts/verify_credentials")
    reply = verifyCredentials();
  else if (r.method == "POST" && r.path == "/api/v1/statuses")
    reply = createStatus(r, g);
  else if (r.method == "GET" && s.size() == 4 && s[2] == "statuses")
    reply = showStatus(s[3], false);
  else if (r.method == "GET" && s.size() == 5 && s[2] == "statuses" && s[4] == "source")
    reply = showStatus(s[3], true);
  else if (r.method == "DELETE" && s.size() == 4 && s[2] == "statuses")
    reply = deleteStatus(s[3], g);
  else if (r.method == "GET" && s.size() == 5 && s[2] == "accounts" && s[4] == "statuses")
    reply = accountStatuses(r, s[3]);
  else if (r.method == "POST" && r.path == "/api/v2/media")
    reply = uploadMedia(r, g);
  else if (r.method == "GET" && s.size() == 4 && s[1] == "v1" && s[2] == "media")
    reply = showMedia(s[3], g);
  return withLimits(std::move(reply), windowEndMs, remaining);
}

MastodonInstance::MastodonInstance() : impl_(std::make_unique<Impl>()) {
  server_ =
      std::make_unique<TestServer>([this](Poco::Net::HTTPServerRequest& raw, Poco::Net::HTTPServerResponse& response) {
        mastodon::Request r;
        r.raw = &raw;
        r.method = raw.getMethod();
        const Poco::URI uri(raw.getURI());
        r.path = uri.getPath();
        r.contentType = raw.getContentType();
        r.authorization = raw.get("Authorization", "");
        r.idempotencyKey = raw.get("Idempotency-Key", "");
        r.body = marketsage::test::readBody(raw);
        r.query = marketsage::test::formParameters(raw, r.body);
        std::istringstream path(r.path);
        for (std::string segment; std::getline(path, segment, '/');)
          if (!segment.empty()) r.segments.push_back(segment);
        mastodon::Reply reply;
        {
          std::lock_guard lock(impl_->mutex);
          reply = impl_->handle(r);
        }
        const auto send = [&response](const mastodon::Reply& answer) {
          for (const auto& [name, value] : answer.headers) response.set(name, value);
          response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
          if (answer.status == 302) {
            response.setContentLength(0);
            response.send();
            return;
          }
          response.setContentType(answer.contentType);
          response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
          response.send() << answer.body;
        };
        if (!reply.fault) return send(reply);
        auto timeout = mastodon::Reply{504, "<html><body><h1>504 Gateway Time-out</h1></body></html>", "text/html"};
        impl_->faults.afterCreate(
            *reply.fault, raw, [&] { send(reply); }, [&] { send(timeout); });
      });
  impl_->baseUrl = server_->url();
}

MastodonInstance::~MastodonInstance() {
  server_.reset();
  impl_->faults.waitForLateCreations();
}

std::string MastodonInstance::url() const { return server_->url(); }

MastodonInstance::App MastodonInstance::registerApp(const std::string& redirectUri, const std::string& scopes) {
  std::lock_guard lock(impl_->mutex);
  return impl_->addApp("MarketSage", {redirectUri}, scopes, "");
}

std::vector<MastodonInstance::App> MastodonInstance::apps() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<App> out;
  for (const auto& [id, app] : impl_->apps) out.push_back(app);
  return out;
}

void MastodonInstance::setPkceSupported(bool supported) {
  std::lock_guard lock(impl_->mutex);
  impl_->pkceSupported = supported;
}

std::string MastodonInstance::approve(const std::string& authorizeUrl) const {
  const Poco::URI uri(authorizeUrl);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response).ignore(1 << 20);
  return response.get("Location", "");
}

std::string MastodonInstance::issueToken(const App& app, const std::string& scopes) {
  std::lock_guard lock(impl_->mutex);
  return impl_->grant(app.clientId, scopes);
}

std::vector<std::string> MastodonInstance::issuedTokens() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->issued;
}

void MastodonInstance::revokeAllTokens() {
  std::lock_guard lock(impl_->mutex);
  impl_->tokens.clear();
}

int MastodonInstance::revocations() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->revocations;
}

void MastodonInstance::throttleNext(int calls, int resetInSeconds) {
  std::lock_guard lock(impl_->mutex);
  impl_->throttledCalls = calls;
  impl_->throttleResetIn = resetInSeconds;
}

void MastodonInstance::failNext(int calls, int status) {
  std::lock_guard lock(impl_->mutex);
  impl_->failedCalls = calls;
  impl_->failStatus = status;
}

void MastodonInstance::setWindowLimit(int requests) {
  std::lock_guard lock(impl_->mutex);
  impl_->windowLimit = requests;
}

void MastodonInstance::faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults) {
  impl_->faults.push(faults);
}
void MastodonInstance::setSlowAnswerMs(int ms) { impl_->faults.slowAnswerMs = ms; }
void MastodonInstance::setLateCreateMs(int ms) { impl_->faults.lateCreateMs = ms; }

void MastodonInstance::setProcessingPolls(int polls) {
  std::lock_guard lock(impl_->mutex);
  impl_->processingPolls = polls;
}

void MastodonInstance::failProcessing(bool fail) {
  std::lock_guard lock(impl_->mutex);
  impl_->processingFails = fail;
}

void MastodonInstance::setLimits(const Limits& limits) {
  std::lock_guard lock(impl_->mutex);
  impl_->limits = limits;
}

int MastodonInstance::statusesCreated() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->created;
}

int MastodonInstance::idempotentReplays() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->replays;
}

std::vector<MastodonInstance::Status> MastodonInstance::statuses() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->statuses;
}

std::optional<MastodonInstance::Status> MastodonInstance::status(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  for (const auto& s : impl_->statuses)
    if (s.id == id) return s;
  return std::nullopt;
}

std::optional<MastodonInstance::Media> MastodonInstance::media(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->media.find(id);
  return it == impl_->media.end() ? std::nullopt : std::optional<Media>(it->second);
}

std::string MastodonInstance::seedForeignStatus(const std::string& text) {
  std::lock_guard lock(impl_->mutex);
  Status s;
  s.id = impl_->newId();
  s.accountId = "108000000000000001";
  s.text = text;
  s.visibility = "public";
  s.createdAtMs = nowMs();
  impl_->statuses.push_back(s);
  return s.id;
}

void MastodonInstance::setCounts(const std::string& statusId, long long favourites, long long reblogs,
                                 long long replies) {
  std::lock_guard lock(impl_->mutex);
  for (auto& s : impl_->statuses)
    if (s.id == statusId) {
      s.favourites = favourites;
      s.reblogs = reblogs;
      s.replies = replies;
    }
}

void MastodonInstance::setFollowers(long long followers) {
  std::lock_guard lock(impl_->mutex);
  impl_->followers = followers;
}

std::vector<std::string> MastodonInstance::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requestLog;
}

}  // namespace emulators
