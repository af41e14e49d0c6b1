// The TikTok emulator: controls, observations, request dispatch, bearer tokens, scopes, rate limits.
#include "TikTokState.h"
#include "Tokens.h"

#include <Poco/URI.h>

#include <chrono>
#include <sstream>

namespace emulators {

namespace {

std::string logId() {
  static std::atomic<long long> n{1};
  return "20261202" + std::to_string(1000000000LL + n++) + "A1B2C3";
}

std::string randomText(const std::string& prefix) {
  return marketsage::test::randomText(prefix, 40, marketsage::test::kLowercaseAlphanumeric);
}

}  // namespace

void sendTikTokError(Response& response, int status, const std::string& code, const std::string& message) {
  json::object body{{"data", json::object{}},
                    {"error", json::object{{"code", code}, {"message", message}, {"log_id", logId()}}}};
  marketsage::test::sendJson(response, status, json::serialize(body));
}

void sendTikTokData(Response& response, const json::value& data) {
  json::object body{{"data", data}, {"error", json::object{{"code", "ok"}, {"message", ""}, {"log_id", logId()}}}};
  marketsage::test::sendJson(response, 200, json::serialize(body));
}

size_t utf16Units(const std::string& text) {
  size_t units = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

std::string TikTokApi::State::mintToken(const std::string& scopes, const std::string& refresh) {
  const auto token = randomText("act.");
  Token t;
  std::string current;
  for (const char c : scopes + ",") {
    if (c == ',') {
      if (!current.empty()) t.scopes.insert(current);
      current.clear();
    } else {
      current += c;
    }
  }
  t.expiresAtMs = nowMs() + kAccessTokenSeconds * 1000LL;
  t.refresh = refresh;
  tokens[token] = t;
  issued.push_back(token);
  return token;
}

std::optional<std::set<std::string>> TikTokApi::State::authorize(Request& request, Response& response,
                                                                 const std::string& endpoint, const char* scope) {
  const auto bearer = marketsage::test::bearerToken(request);
  const auto it = bearer ? tokens.find(*bearer) : tokens.end();
  if (it == tokens.end() || it->second.revoked || it->second.expiresAtMs <= nowMs()) {
    sendTikTokError(response, 401, "access_token_invalid", "The access token is invalid or not found in the request.");
    return std::nullopt;
  }
  if (scope != nullptr && !it->second.scopes.count(scope)) {
    sendTikTokError(response, 401, "scope_not_authorized",
                    "The user did not authorize the scope required for completing this request.");
    return std::nullopt;
  }
  if (failCalls > 0) {
    --failCalls;
    sendTikTokError(response, failStatus, failCode, "Injected failure: " + failCode);
    return std::nullopt;
  }
  // A sliding one-minute window per user token and endpoint.
  auto& window = calls[*bearer + " " + endpoint];
  const auto now = nowMs();
  while (!window.empty() && window.front() <= now - 60000) window.pop_front();
  if (const auto limit = limits.find(endpoint);
      limit != limits.end() && static_cast<int>(window.size()) >= limit->second) {
    sendTikTokError(response, 429, "rate_limit_exceeded", "The API rate limit was exceeded. Please try again later.");
    return std::nullopt;
  }
  window.push_back(now);
  return it->second.scopes;
}

void TikTokApi::State::handle(Request& request, Response& response) {
  const std::string method = request.getMethod();
  const std::string path = Poco::URI(request.getURI()).getPath();
  {
    std::lock_guard lock(mutex);
    log.push_back(method + " " + request.getURI());
  }
  if (path == "/v2/auth/authorize/" && method == "GET") return authorization(request, response);
  if (path == "/v2/oauth/token/" && method == "POST") return token(request, response);
  if (path == "/v2/oauth/revoke/" && method == "POST") return revoke(request, response);
  if (path == "/upload/" && method == "PUT") return upload(request, response);
  if (path == "/v2/user/info/" && method == "GET") return userInfo(request, response);
  if (method == "POST") {
    if (path == "/v2/post/publish/creator_info/query/") return creatorInfo(request, response);
    if (path == "/v2/post/publish/video/init/") return videoInit(request, response);
    if (path == "/v2/post/publish/content/init/") return contentInit(request, response);
    if (path == "/v2/post/publish/status/fetch/") return status(request, response);
    if (path == "/v2/video/query/") return videoQuery(request, response);
    if (path == "/v2/video/list/") return videoList(request, response);
  }
  sendTikTokError(response, 404, "invalid_params", "The requested path does not exist.");
}

// ---- the public face ----

TikTokApi::TikTokApi() : state_(std::make_unique<State>()) {
  State* state = state_.get();
  state_->server = std::make_unique<marketsage::test::TestServer>([state](Request& request, Response& response) {
    try {
      state->handle(request, response);
    } catch (const std::exception& e) {
      if (!response.sent()) sendTikTokError(response, 500, "internal_error", std::string("emulator: ") + e.what());
    }
  });
}

TikTokApi::~TikTokApi() {
  state_->createFaults.waitForLateCreations();
  state_->server.reset();
}

std::string TikTokApi::url() const { return state_->server->url(); }

std::string TikTokApi::issueToken(const std::string& scopes, int expiresInSeconds) {
  std::lock_guard lock(state_->mutex);
  const auto refresh = randomText("rft.");
  state_->refreshTokens[refresh] = {scopes, false};
  const auto token = state_->mintToken(scopes, refresh);
  state_->tokens[token].expiresAtMs = nowMs() + expiresInSeconds * 1000LL;
  return token;
}

std::string TikTokApi::refreshTokenOf(const std::string& accessToken) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->tokens.find(accessToken);
  return it == state_->tokens.end() ? std::string() : it->second.refresh;
}

void TikTokApi::expireAllTokens() {
  std::lock_guard lock(state_->mutex);
  for (auto& [token, t] : state_->tokens) t.expiresAtMs = nowMs() - 1;
}

void TikTokApi::setCreator(const Creator& creator) {
  std::lock_guard lock(state_->mutex);
  state_->creator = creator;
}

void TikTokApi::setUserStats(long long followers, long long likes, long long videos) {
  std::lock_guard lock(state_->mutex);
  state_->followers = followers;
  state_->likes = likes;
  state_->videoCount = videos;
}

void TikTokApi::setVideoStats(const std::string& videoId, long long views, long long likes, long long comments,
                              long long shares) {
  std::lock_guard lock(state_->mutex);
  state_->videoStats[videoId] = {views, likes, comments, shares};
}

void TikTokApi::setRateLimit(const std::string& endpoint, int perMinute) {
  std::lock_guard lock(state_->mutex);
  state_->limits[endpoint] = perMinute;
}

void TikTokApi::setProcessingPolls(int polls) {
  std::lock_guard lock(state_->mutex);
  state_->processingPolls = polls;
}

void TikTokApi::setModerationPolls(int polls) {
  std::lock_guard lock(state_->mutex);
  state_->moderationPolls = polls;
}

void TikTokApi::failNextPublish(const std::string& failReason) {
  std::lock_guard lock(state_->mutex);
  state_->nextFailReason = failReason;
}

void TikTokApi::setPostsLeftToday(int posts) {
  std::lock_guard lock(state_->mutex);
  state_->postsLeft = posts;
}

void TikTokApi::failNextChunks(int n, int status) {
  std::lock_guard lock(state_->mutex);
  state_->failChunks = n;
  state_->failChunkStatus = status;
}

void TikTokApi::faultNextInits(const std::vector<marketsage::test::CreateFault>& faults) {
  state_->createFaults.push(faults);
}
void TikTokApi::setSlowAnswerMs(int ms) { state_->createFaults.slowAnswerMs = ms; }
void TikTokApi::setLateCreateMs(int ms) { state_->createFaults.lateCreateMs = ms; }

void TikTokApi::failNext(int calls, int status, const std::string& code) {
  std::lock_guard lock(state_->mutex);
  state_->failCalls = calls;
  state_->failStatus = status;
  state_->failCode = code;
}

std::vector<TikTokApi::Post> TikTokApi::posts() const {
  std::lock_guard lock(state_->mutex);
  std::vector<Post> out;
  for (const auto& id : state_->postOrder) out.push_back(state_->posts.at(id).post);
  return out;
}

std::optional<TikTokApi::Post> TikTokApi::post(const std::string& publishId) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->posts.find(publishId);
  if (it == state_->posts.end()) return std::nullopt;
  return it->second.post;
}

int TikTokApi::inits() const {
  std::lock_guard lock(state_->mutex);
  return state_->inits;
}
int TikTokApi::chunkPuts() const {
  std::lock_guard lock(state_->mutex);
  return state_->chunkPuts;
}
int TikTokApi::statusFetches() const {
  std::lock_guard lock(state_->mutex);
  return state_->statusFetches;
}
int TikTokApi::refreshGrants() const {
  std::lock_guard lock(state_->mutex);
  return state_->refreshGrants;
}
int TikTokApi::revocations() const {
  std::lock_guard lock(state_->mutex);
  return state_->revocations;
}
std::vector<std::string> TikTokApi::issuedTokens() const {
  std::lock_guard lock(state_->mutex);
  return state_->issued;
}
std::vector<std::string> TikTokApi::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->log;
}
std::map<std::string, std::string> TikTokApi::lastAuthorization() const {
  std::lock_guard lock(state_->mutex);
  return state_->lastAuthorization;
}

}  // namespace emulators
