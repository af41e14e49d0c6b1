// The YouTube emulator: controls, observations, request dispatch, bearer tokens, quota.
#include "Tokens.h"
#include "YouTubeState.h"

#include <Poco/URI.h>

#include <chrono>
#include <sstream>

namespace emulators {

void sendGoogleError(Response& response, int status, const std::string& reason, const std::string& message,
                     const std::string& domain) {
  static const std::map<int, std::string> statusNames = {
      {400, "INVALID_ARGUMENT"},   {401, "UNAUTHENTICATED"}, {403, "PERMISSION_DENIED"}, {404, "NOT_FOUND"},
      {429, "RESOURCE_EXHAUSTED"}, {500, "INTERNAL"},        {503, "UNAVAILABLE"}};
  json::object error{
      {"code", status},
      {"message", message},
      {"errors", json::array{json::object{{"message", message}, {"domain", domain}, {"reason", reason}}}}};
  if (auto it = statusNames.find(status); it != statusNames.end()) error["status"] = it->second;
  marketsage::test::sendJson(response, status, json::serialize(json::object{{"error", error}}));
}

bool hasAny(const std::set<std::string>& scopes, std::initializer_list<const char*> wanted) {
  for (const char* scope : wanted)
    if (scopes.count(scope)) return true;
  return false;
}

namespace {

std::string randomText(const std::string& prefix, size_t length = 40) {
  return marketsage::test::randomText(prefix, length, marketsage::test::kBase64Url);
}

}  // namespace

std::string YouTubeApi::State::newVideoId() {
  // 11 characters of base64url, as YouTube's ids; distinct per emulator.
  auto id = randomText("", 8);
  const auto n = std::to_string(nextId++ % 1000);
  return id + std::string(3 - std::min<size_t>(3, n.size()), '0') + n;
}

std::string YouTubeApi::State::mintToken(const std::string& scopes, const std::string& refresh) {
  const auto token = randomText("ya29.a0");
  Token t;
  std::istringstream words(scopes);
  for (std::string scope; words >> scope;) t.scopes.insert(scope);
  t.expiresAtMs = nowMs() + realLifetime * 1000LL;
  t.refresh = refresh;
  tokens[token] = t;
  issued.push_back(token);
  return token;
}

std::optional<std::set<std::string>> YouTubeApi::State::authorize(Request& request, Response& response) {
  const auto bearer = marketsage::test::bearerToken(request);
  const auto it = bearer ? tokens.find(*bearer) : tokens.end();
  const bool valid = it != tokens.end() && !it->second.revoked && it->second.expiresAtMs > nowMs();
  if (valid) return it->second.scopes;
  const std::string message =
      "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
      "authentication "
      "credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
  response.set("WWW-Authenticate", bearer ? "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""
                                          : "Bearer realm=\"https://accounts.google.com/\"");
  json::object error{{"code", 401},
                     {"message", message},
                     {"errors", json::array{json::object{{"message", "Invalid Credentials"},
                                                         {"domain", "global"},
                                                         {"reason", "authError"},
                                                         {"location", "Authorization"},
                                                         {"locationType", "header"}}}},
                     {"status", "UNAUTHENTICATED"}};
  marketsage::test::sendJson(response, 401, json::serialize(json::object{{"error", error}}));
  return std::nullopt;
}

bool YouTubeApi::State::charge(Response& response, long long units) {
  if (quotaUsed + units > dailyQuota) {
    sendGoogleError(response, 403, "quotaExceeded",
                    "The request cannot be completed because you have exceeded your <a "
                    "href=\"/youtube/v3/getting-started#quota\">quota</a>.",
                    "youtube.quota");
    return false;
  }
  quotaUsed += units;
  return true;
}

bool YouTubeApi::State::chargeInsert(Response& response) {
  if (insertsUsed + 1 > insertQuota) {
    sendGoogleError(response, 403, "quotaExceeded",
                    "The request cannot be completed because you have exceeded your <a "
                    "href=\"/youtube/v3/getting-started#quota\">quota</a>.",
                    "youtube.quota");
    return false;
  }
  ++insertsUsed;
  return true;
}

void YouTubeApi::State::handle(Request& request, Response& response) {
  const std::string method = request.getMethod();
  const std::string path = Poco::URI(request.getURI()).getPath();
  {
    std::lock_guard lock(mutex);
    log.push_back(method + " " + request.getURI());
  }
  if (path == "/o/oauth2/v2/auth" && method == "GET") return authorization(request, response);
  if (path == "/token" && method == "POST") return token(request, response);
  if (path == "/revoke" && method == "POST") return revoke(request, response);
  // A session URI carries upload_id; only its holder may PUT to it (the token is checked too).
  if (path == "/upload/youtube/v3/videos" && method == "PUT") return uploadToSession(request, response);

  std::set<std::string> scopes;
  {
    std::lock_guard lock(mutex);
    const auto granted = authorize(request, response);
    if (!granted) return;
    scopes = *granted;
    if (failCalls > 0) {
      if (failAfter > 0) {
        --failAfter;
      } else {
        --failCalls;
        if (!failRetryAfter.empty()) response.set("Retry-After", failRetryAfter);
        return sendGoogleError(response, failStatus, failReason, "Injected failure: " + failReason,
                               failReason == "rateLimitExceeded" ? "youtube.quota" : "global");
      }
    }
  }
  if (path == "/upload/youtube/v3/videos" && method == "POST") return openSession(request, response, scopes);
  if (path == "/upload/youtube/v3/thumbnails/set" && method == "POST") return setThumbnail(request, response, scopes);
  if (path.rfind("/youtube/v3/", 0) == 0) return data(request, response, scopes, path);
  sendGoogleError(response, 404, "notFound", "Not Found", "global");
}

// ---- the public face ----

YouTubeApi::YouTubeApi() : state_(std::make_unique<State>()) {
  state_->channels = {Channel{channelId, channelTitle, channelHandle, 1234, 98765, 0, false}};
  State* state = state_.get();
  state_->server = std::make_unique<marketsage::test::TestServer>([state](Request& request, Response& response) {
    try {
      state->handle(request, response);
    } catch (const std::exception& e) {
      if (!response.sent())
        sendGoogleError(response, 500, "backendError", std::string("emulator: ") + e.what(), "global");
    }
  });
}

YouTubeApi::~YouTubeApi() {
  state_->createFaults.waitForLateCreations();
  state_->server.reset();
}

std::string YouTubeApi::url() const { return state_->server->url(); }

void YouTubeApi::setChannels(const std::vector<Channel>& channels) {
  std::lock_guard lock(state_->mutex);
  state_->channels = channels;
}

std::string YouTubeApi::issueToken(const std::string& scopes, int expiresInSeconds) {
  std::lock_guard lock(state_->mutex);
  const auto token = state_->mintToken(scopes, "");
  state_->tokens[token].expiresAtMs = nowMs() + expiresInSeconds * 1000LL;
  return token;
}

std::string YouTubeApi::issueRefreshToken(const std::string& scopes) {
  std::lock_guard lock(state_->mutex);
  const auto refresh = randomText("1//0g");
  state_->refreshTokens[refresh] = State::Refresh{scopes, false};
  state_->issued.push_back(refresh);
  return refresh;
}

std::string YouTubeApi::refreshTokenOf(const std::string& accessToken) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->tokens.find(accessToken);
  return it == state_->tokens.end() ? std::string() : it->second.refresh;
}

void YouTubeApi::setRedirectUris(const std::vector<std::string>& uris) {
  std::lock_guard lock(state_->mutex);
  state_->redirectUris = {uris.begin(), uris.end()};
}

void YouTubeApi::setTokenLifetime(int answeredSeconds, std::optional<int> realSeconds) {
  std::lock_guard lock(state_->mutex);
  state_->answeredLifetime = answeredSeconds;
  state_->realLifetime = realSeconds.value_or(answeredSeconds);
}

void YouTubeApi::expireAllTokens() {
  std::lock_guard lock(state_->mutex);
  for (auto& [token, t] : state_->tokens) t.expiresAtMs = std::min(t.expiresAtMs, nowMs() - 1);
}

void YouTubeApi::addPlaylist(const std::string& playlistId) {
  std::lock_guard lock(state_->mutex);
  state_->playlists.insert(playlistId);
}

void YouTubeApi::setDailyQuota(long long units) {
  std::lock_guard lock(state_->mutex);
  state_->dailyQuota = units;
}

void YouTubeApi::setQuotaUsed(long long units) {
  std::lock_guard lock(state_->mutex);
  state_->quotaUsed = units;
}

void YouTubeApi::setVideosInsertQuota(long long calls) {
  std::lock_guard lock(state_->mutex);
  state_->insertQuota = calls;
}

void YouTubeApi::setVideosInsertUsed(long long calls) {
  std::lock_guard lock(state_->mutex);
  state_->insertsUsed = calls;
}

long long YouTubeApi::videosInsertUsed() const {
  std::lock_guard lock(state_->mutex);
  return state_->insertsUsed;
}

void YouTubeApi::setStatistics(const std::string& videoId, long long views, long long likes, long long comments) {
  std::lock_guard lock(state_->mutex);
  auto& v = state_->videos[videoId];
  v.views = views;
  v.likes = likes;
  v.comments = comments;
}

std::string YouTubeApi::addVideo(const std::string& title, const std::string& description) {
  std::lock_guard lock(state_->mutex);
  const auto id = state_->newVideoId();
  auto& stored = state_->videos[id];
  stored.video.id = id;
  stored.video.channelId = state_->ownChannel() ? state_->ownChannel()->id : "";
  stored.video.title = title;
  stored.video.description = description;
  stored.video.privacyStatus = "public";
  stored.video.categoryId = "22";
  stored.video.createdAtMs = nowMs();
  state_->videoOrder.push_back(id);
  return id;
}

void YouTubeApi::expireSessions() {
  std::lock_guard lock(state_->mutex);
  for (auto& [id, session] : state_->sessions) session.expired = true;
}

void YouTubeApi::setClientDeleted(bool deleted) {
  std::lock_guard lock(state_->mutex);
  state_->clientDeleted = deleted;
}

void YouTubeApi::setRelativeSessionLocation(bool relative) {
  std::lock_guard lock(state_->mutex);
  state_->relativeLocation = relative;
}

void YouTubeApi::moveSessionOnNextIncomplete() {
  std::lock_guard lock(state_->mutex);
  state_->moveNextIncomplete = true;
}

std::string YouTubeApi::movedSession() const {
  std::lock_guard lock(state_->mutex);
  return state_->movedTo;
}

void YouTubeApi::faultChunk(int nth, ChunkFault fault) {
  std::lock_guard lock(state_->mutex);
  state_->chunkFaults[state_->chunkPuts + nth] = fault;
}

void YouTubeApi::faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults) {
  state_->createFaults.push(faults);
}
void YouTubeApi::setSlowAnswerMs(int ms) { state_->createFaults.slowAnswerMs = ms; }
void YouTubeApi::setLateCreateMs(int ms) { state_->createFaults.lateCreateMs = ms; }

void YouTubeApi::failStatusQueries(int n, int after) {
  std::lock_guard lock(state_->mutex);
  state_->statusFailures = n;
  state_->statusFailuresAfter = after;
}

void YouTubeApi::failNext(int calls, int status, const std::string& reason, int after) {
  std::lock_guard lock(state_->mutex);
  state_->failCalls = calls;
  state_->failStatus = status;
  state_->failReason = reason;
  state_->failAfter = after;
}

void YouTubeApi::setFailureRetryAfter(const std::string& value) {
  std::lock_guard lock(state_->mutex);
  state_->failRetryAfter = value;
}

std::vector<YouTubeApi::Video> YouTubeApi::videos() const {
  std::lock_guard lock(state_->mutex);
  std::vector<Video> out;
  for (const auto& id : state_->videoOrder) out.push_back(state_->videos.at(id).video);
  return out;
}

std::optional<YouTubeApi::Video> YouTubeApi::video(const std::string& id) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->videos.find(id);
  if (it == state_->videos.end() || it->second.video.id.empty()) return std::nullopt;
  return it->second.video;
}

long long YouTubeApi::quotaUsed() const {
  std::lock_guard lock(state_->mutex);
  return state_->quotaUsed;
}
int YouTubeApi::sessionsOpened() const {
  std::lock_guard lock(state_->mutex);
  return state_->sessionsOpened;
}
int YouTubeApi::chunkPuts() const {
  std::lock_guard lock(state_->mutex);
  return state_->chunkPuts;
}
int YouTubeApi::statusQueries() const {
  std::lock_guard lock(state_->mutex);
  return state_->statusQueries;
}
int YouTubeApi::refreshGrants() const {
  std::lock_guard lock(state_->mutex);
  return state_->refreshGrants;
}
int YouTubeApi::revocations() const {
  std::lock_guard lock(state_->mutex);
  return state_->revocations;
}
std::vector<std::string> YouTubeApi::issuedTokens() const {
  std::lock_guard lock(state_->mutex);
  return state_->issued;
}
std::vector<std::string> YouTubeApi::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->log;
}
std::map<std::string, std::string> YouTubeApi::lastAuthorization() const {
  std::lock_guard lock(state_->mutex);
  return state_->lastAuthorization;
}

}  // namespace emulators
