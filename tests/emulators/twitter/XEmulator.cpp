// Server, dispatch, rate-limit headers, faults and the public controls of the X emulator.
#include "XEmulator.h"

#include "TestServer.h"
#include "XImpl.h"

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

namespace emulators {

using marketsage::test::TestServer;

long long nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string nowIso() {
  const std::time_t t = static_cast<std::time_t>(nowSeconds());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buffer;
}

Reply json(int status, const boost::json::value& body) {
  return Reply{status, boost::json::serialize(body), "application/json", {}};
}

Reply problem(int status, const std::string& title, const std::string& detail, const std::string& type) {
  auto reply =
      json(status, boost::json::object{{"title", title}, {"detail", detail}, {"type", type}, {"status", status}});
  reply.contentType = "application/problem+json";
  return reply;
}

Reply invalidRequest(const std::string& parameter, const std::string& value, const std::string& message) {
  boost::json::object error{
      {"parameters", boost::json::object{{parameter, boost::json::array{boost::json::value(value)}}}},
      {"message", message}};
  return json(400, boost::json::object{{"errors", boost::json::array{error}},
                                       {"title", "Invalid Request"},
                                       {"detail", "One or more parameters to your request was invalid."},
                                       {"type", "https://api.twitter.com/2/problems/invalid-request"}});
}

std::string XApi::Impl::newToken(const char* prefix) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::ostringstream out;
  out << prefix << std::hex << random() << random();
  issued.push_back(out.str());
  return out.str();
}

XApi::Impl::Grant& XApi::Impl::grantTokens(const std::string& userId, const std::set<std::string>& scopes,
                                           boost::json::object& reply) {
  const auto access = newToken("xat-");
  auto& grant = accessTokens[access] = Grant{userId, scopes, nowSeconds() + tokenLifetime};
  std::string scope;
  for (const auto& s : scopes) scope += (scope.empty() ? "" : " ") + s;
  reply = {{"token_type", "bearer"}, {"expires_in", tokenLifetime}, {"access_token", access}, {"scope", scope}};
  if (scopes.count("offline.access")) {  // refresh tokens only come with offline.access
    const auto refresh = newToken("xrt-");
    refreshTokens[refresh] = Grant{userId, scopes, 0};
    reply["refresh_token"] = refresh;
  }
  return grant;
}

namespace {

constexpr int windowLimit = 300;  // requests per 15-minute window, per endpoint

/// The scopes X requires for each endpoint (docs.x.com API reference, "Authorization").
std::set<std::string> requiredScopes(const Request& r) {
  const auto& s = r.segments;
  if (s.size() >= 2 && s[1] == "media") return {"media.write"};
  if (s.size() >= 2 && s[1] == "users") return {"tweet.read", "users.read"};
  if (r.method == "GET") return {"tweet.read", "users.read"};
  return {"tweet.read", "tweet.write", "users.read"};
}

std::string endpointKey(const Request& r) {
  std::string key = r.method;
  for (const auto& segment : r.segments)
    key += "/" + (!segment.empty() && std::isdigit(static_cast<unsigned char>(segment[0])) && segment != "2"
                      ? std::string(":id")
                      : segment);
  return key;
}

}  // namespace

Reply XApi::Impl::handle(Request& r) {
  if (r.method == "GET" && r.path == "/i/oauth2/authorize") return authorize(r);
  if (r.method == "POST" && r.path == "/2/oauth2/token") return token(r);
  if (r.method == "POST" && r.path == "/2/oauth2/revoke") return revoke(r);

  // Every API answer carries the endpoint's rate-limit window.
  const long long now = nowSeconds();
  if (now >= windowEnd) {
    windowEnd = now + 900;
    callsInWindow.clear();
  }
  const auto key = endpointKey(r);
  int& used = callsInWindow[key];
  auto withLimits = [&](Reply reply, long long reset, int remaining) {
    reply.headers.emplace_back("x-rate-limit-limit", std::to_string(windowLimit));
    reply.headers.emplace_back("x-rate-limit-remaining", std::to_string(remaining));
    reply.headers.emplace_back("x-rate-limit-reset", std::to_string(reset));
    return reply;
  };
  if (throttledCalls > 0 || used >= windowLimit) {
    const long long reset = throttledCalls > 0 ? now + throttleResetIn : windowEnd;
    if (throttledCalls > 0) --throttledCalls;
    return withLimits(problem(429, "Too Many Requests", "Too Many Requests"), reset, 0);
  }
  ++used;
  const int remaining = windowLimit - used;
  if (failedCalls > 0) {
    --failedCalls;
    const std::string title = failStatus == 503   ? "Service Unavailable"
                              : failStatus >= 500 ? "Internal Server Error"
                                                  : "Error";
    return withLimits(problem(failStatus, title, title), windowEnd, remaining);
  }

  const std::string bearer = r.authorization.rfind("Bearer ", 0) == 0 ? r.authorization.substr(7) : "";
  const auto grant = accessTokens.find(bearer);
  if (grant == accessTokens.end() || grant->second.expiresAtSeconds <= now)
    return withLimits(problem(401, "Unauthorized", "Unauthorized"), windowEnd, remaining);
  for (const auto& scope : requiredScopes(r))
    if (!grant->second.scopes.count(scope))
      return withLimits(problem(403, "Forbidden", "Forbidden"), windowEnd, remaining);

  const auto& s = r.segments;
  Reply reply = problem(404, "Not Found Error", "The requested resource was not found.");
  if (r.method == "GET" && r.path == "/2/users/me")
    reply = me(r, grant->second);
  else if (r.method == "POST" && r.path == "/2/tweets")
    reply = createTweet(r, grant->second);
  else if (r.method == "GET" && r.path == "/2/tweets")
    reply = lookupTweets(r, grant->second);
  else if (r.method == "GET" && s.size() == 4 && s[1] == "users" && s[3] == "tweets")
    reply = userTweets(r, s[2]);
  else if (r.method == "DELETE" && s.size() == 3 && s[1] == "tweets")
    reply = deleteTweet(s[2], grant->second);
  else if (r.method == "POST" && r.path == "/2/media/upload/initialize")
    reply = initializeUpload(r);
  else if (r.method == "POST" && s.size() == 5 && s[1] == "media" && s[4] == "append")
    reply = appendUpload(r, s[3]);
  else if (r.method == "POST" && s.size() == 5 && s[1] == "media" && s[4] == "finalize")
    reply = finalizeUpload(s[3]);
  else if (r.method == "GET" && r.path == "/2/media/upload")
    reply = uploadStatus(r);
  else if (r.method == "POST" && r.path == "/2/media/metadata")
    reply = mediaMetadata(r);
  return withLimits(std::move(reply), windowEnd, remaining);
}

XApi::XApi() : impl_(std::make_unique<Impl>()) {
  server_ =
      std::make_unique<TestServer>([this](Poco::Net::HTTPServerRequest& raw, Poco::Net::HTTPServerResponse& response) {
        Request r;
        r.raw = &raw;
        r.method = raw.getMethod();
        const Poco::URI uri(raw.getURI());
        r.path = uri.getPath();
        r.contentType = raw.getContentType();
        r.authorization = raw.get("Authorization", "");
        r.body = marketsage::test::readBody(raw);
        r.query = marketsage::test::formParameters(raw, r.body);
        std::istringstream path(r.path);
        for (std::string segment; std::getline(path, segment, '/');)
          if (!segment.empty()) r.segments.push_back(segment);
        Reply reply;
        {
          std::lock_guard lock(impl_->mutex);
          reply = impl_->handle(r);
        }
        const auto send = [&response](const Reply& answer) {
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
        // The post exists; the answer meets the fault on its way back.
        auto timeout = problem(504, "Gateway Timeout", "Gateway Timeout");
        timeout.headers = reply.headers;
        impl_->faults.afterCreate(
            *reply.fault, raw, [&] { send(reply); }, [&] { send(timeout); });
      });
}

XApi::~XApi() {
  server_.reset();                       // no handler runs any more…
  impl_->faults.waitForLateCreations();  // …and late creations land while the state exists
}

std::string XApi::url() const { return server_->url(); }

std::string XApi::approve(const std::string& authorizeUrl) const {
  const Poco::URI uri(authorizeUrl);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response).ignore(1 << 20);
  return response.get("Location", "");
}

std::string XApi::issueToken(const std::vector<std::string>& scopes) {
  std::lock_guard lock(impl_->mutex);
  boost::json::object reply;
  impl_->grantTokens(userId, {scopes.begin(), scopes.end()}, reply);
  return std::string(reply["access_token"].as_string());
}

std::vector<std::string> XApi::issuedTokens() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->issued;
}

void XApi::expireAllTokens() {
  std::lock_guard lock(impl_->mutex);
  for (auto& [token, grant] : impl_->accessTokens) grant.expiresAtSeconds = 0;
}

void XApi::revokeAllTokens() {
  std::lock_guard lock(impl_->mutex);
  impl_->accessTokens.clear();
  impl_->refreshTokens.clear();
}

int XApi::refreshGrants() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->refreshGrants;
}

int XApi::revocations() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->revocations;
}

void XApi::setTokenLifetime(int seconds) {
  std::lock_guard lock(impl_->mutex);
  impl_->tokenLifetime = seconds;
}

void XApi::throttleNext(int calls, int resetInSeconds) {
  std::lock_guard lock(impl_->mutex);
  impl_->throttledCalls = calls;
  impl_->throttleResetIn = resetInSeconds;
}

void XApi::failNext(int calls, int status) {
  std::lock_guard lock(impl_->mutex);
  impl_->failedCalls = calls;
  impl_->failStatus = status;
}

void XApi::failTweetAttempt(int n, int status) {
  std::lock_guard lock(impl_->mutex);
  impl_->tweetFailures[impl_->tweetAttempts + n] = status;
}

void XApi::faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults) { impl_->faults.push(faults); }
void XApi::setSlowAnswerMs(int ms) { impl_->faults.slowAnswerMs = ms; }
void XApi::setLateCreateMs(int ms) { impl_->faults.lateCreateMs = ms; }
void XApi::setTimelineLagMs(int ms) {
  std::lock_guard lock(impl_->mutex);
  impl_->timelineLagMs = ms;
}

void XApi::setProcessing(int polls, int checkAfterSecs) {
  std::lock_guard lock(impl_->mutex);
  impl_->processingPolls = polls;
  impl_->checkAfterSecs = checkAfterSecs;
}

void XApi::failProcessing(bool fail) {
  std::lock_guard lock(impl_->mutex);
  impl_->processingFails = fail;
}

int XApi::tweetsCreated() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->created;
}

std::vector<XApi::Tweet> XApi::tweets() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->tweets;
}

std::optional<XApi::Tweet> XApi::tweet(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  for (const auto& t : impl_->tweets)
    if (t.id == id) return t;
  return std::nullopt;
}

std::optional<XApi::Upload> XApi::upload(const std::string& mediaId) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->uploads.find(mediaId);
  return it == impl_->uploads.end() ? std::nullopt : std::optional<Upload>(it->second);
}

namespace {
std::string seed(XApi::Impl& impl, const std::string& authorId, const std::string& text) {
  std::lock_guard lock(impl.mutex);
  XApi::Tweet t;
  t.id = impl.newId();
  t.authorId = authorId;
  t.text = text;
  t.createdAtSeconds = nowSeconds();
  impl.tweets.push_back(t);
  return t.id;
}
}  // namespace

std::string XApi::seedForeignTweet(const std::string& text) { return seed(*impl_, "783214", text); }
std::string XApi::seedOwnTweet(const std::string& text) { return seed(*impl_, userId, text); }

void XApi::setMetrics(const std::string& tweetId, const Metrics& metrics) {
  std::lock_guard lock(impl_->mutex);
  for (auto& t : impl_->tweets)
    if (t.id == tweetId) t.metrics = metrics;
}

void XApi::ageTweet(const std::string& tweetId, int days) {
  backdateTweet(tweetId, static_cast<long long>(days) * 86400);
}

void XApi::backdateTweet(const std::string& tweetId, long long seconds) {
  std::lock_guard lock(impl_->mutex);
  for (auto& t : impl_->tweets)
    if (t.id == tweetId) t.createdAtSeconds -= seconds;
}

void XApi::setFollowers(long long followers) {
  std::lock_guard lock(impl_->mutex);
  impl_->followers = followers;
}

}  // namespace emulators
