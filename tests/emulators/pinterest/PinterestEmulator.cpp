// The Pinterest emulator: controls, observations, request dispatch, OAuth, bearer tokens, rate
// limits, the user account and boards.
// https://developers.pinterest.com/docs/getting-started/set-up-authentication-and-authorization/
// https://developers.pinterest.com/docs/reference/rate-limits/
#include "ConsentPage.h"
#include "PinterestState.h"
#include "Tokens.h"

#include <Poco/Base64Decoder.h>
#include <Poco/URI.h>

#include <chrono>
#include <sstream>

namespace emulators {

void sendPinterestError(Response& response, int status, int code, const std::string& message) {
  marketsage::test::sendJson(response, status, json::serialize(json::object{{"code", code}, {"message", message}}));
}

std::string pinterestQuery(const Request& request, const std::string& name) {
  for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters())
    if (key == name) return value;
  return {};
}

namespace {

using marketsage::test::randomText;

std::set<std::string> scopeSet(const std::string& scopes) {
  std::set<std::string> out;
  std::string current;
  for (const char c : scopes + ",") {
    if (c == ',') {
      if (!current.empty()) out.insert(current);
      current.clear();
    } else {
      current += c;
    }
  }
  return out;
}

const std::set<std::string> knownScopes = {"ads:read",           "ads:write",          "boards:read",
                                           "boards:read_secret", "boards:write",       "boards:write_secret",
                                           "pins:read",          "pins:read_secret",   "pins:write",
                                           "pins:write_secret",  "user_accounts:read", "catalogs:read",
                                           "catalogs:write"};

}  // namespace

// ---- state ----

std::string PinterestApi::State::newId() { return std::to_string(1'125'899'906'842'624LL + nextId++ * 7919); }

std::string PinterestApi::State::mintToken(const std::string& scopes, int expiresIn) {
  const auto token = randomText("pina_");
  const auto refresh = randomText("pinr_");
  tokens[token] = Token{scopeSet(scopes), nowMs() + expiresIn * 1000LL, refresh};
  refreshTokens[refresh] = scopes;
  issued.push_back(token);
  issued.push_back(refresh);
  return token;
}

bool PinterestApi::State::authorize(Request& request, Response& response, std::initializer_list<const char*> needed) {
  const auto bearer = marketsage::test::bearerToken(request);
  const auto it = bearer ? tokens.find(*bearer) : tokens.end();
  if (it == tokens.end() || it->second.expiresAtMs <= nowMs()) {
    sendPinterestError(response, 401, 2, "Authentication failed.");
    return false;
  }
  // A token without the scope: 401 with code 3, as Pinterest answers it (a real trace in
  // https://github.com/pinterest/api-quickstart/issues/97), not 403.
  for (const char* scope : needed)
    if (!it->second.scopes.count(scope)) {
      sendPinterestError(response, 401, 3,
                         "Your token does not have sufficient permissions to perform this operation. Please ensure "
                         "your token is authorized with the correct set of scopes.");
      return false;
    }
  return true;
}

bool PinterestApi::State::injected(Response& response) {
  response.set("x-ratelimit-limit", "1000");
  if (rateLimited > 0) {
    --rateLimited;
    response.set("x-ratelimit-remaining", "0");
    response.set("x-ratelimit-reset", std::to_string(rateLimitReset));
    sendPinterestError(response, 429, 29, "You have exceeded your rate limit. Try again later.");
    return true;
  }
  response.set("x-ratelimit-remaining", "999");
  if (failCalls > 0) {
    --failCalls;
    sendPinterestError(response, failStatus, failCode, failMessage);
    return true;
  }
  return false;
}

const PinterestApi::Board* PinterestApi::State::ownBoard(const std::string& id) const {
  for (const auto& board : boards)
    if (board.id == id) return &board;
  return nullptr;
}

// ---- dispatch ----

void PinterestApi::State::handle(Request& request, Response& response) {
  const std::string method = request.getMethod();
  const std::string path = Poco::URI(request.getURI()).getPath();
  {
    std::lock_guard lock(mutex);
    log.push_back(method + " " + request.getURI());
  }
  if (path == "/oauth/" && method == "GET") return consent(request, response);
  if (path == "/v5/oauth/token" && method == "POST") return token(request, response);
  if (path == "/storage-upload/" && method == "POST") return storageUpload(request, response);
  if (path.rfind("/v5/", 0) != 0) return sendPinterestError(response, 404, 404, "Not found.");
  {
    std::lock_guard lock(mutex);
    if (injected(response)) return;
  }
  std::vector<std::string> parts;
  std::istringstream segments(path.substr(4));
  for (std::string part; std::getline(segments, part, '/');)
    if (!part.empty()) parts.push_back(part);
  const auto n = parts.size();
  if (n == 1 && parts[0] == "user_account" && method == "GET") return userAccount(request, response);
  if (n == 2 && parts[0] == "user_account" && parts[1] == "analytics" && method == "GET")
    return analytics(request, response, "");
  if (n == 1 && parts[0] == "boards" && method == "GET") return listBoards(request, response);
  if (n == 2 && parts[0] == "boards" && method == "GET") return getBoard(request, response, parts[1]);
  if (n == 3 && parts[0] == "boards" && parts[2] == "pins" && method == "GET")
    return boardPins(request, response, parts[1]);
  if (n == 1 && parts[0] == "pins" && method == "POST") return createPin(request, response);
  if (n == 2 && parts[0] == "pins" && method == "DELETE") return deletePin(request, response, parts[1]);
  if (n == 3 && parts[0] == "pins" && parts[2] == "analytics" && method == "GET")
    return analytics(request, response, parts[1]);
  if (n == 1 && parts[0] == "media" && method == "POST") return registerMedia(request, response);
  if (n == 2 && parts[0] == "media" && method == "GET") return getMedia(request, response, parts[1]);
  sendPinterestError(response, 404, 404, "Not found.");
}

// ---- OAuth ----

void PinterestApi::State::consent(Request& request, Response& response) {
  std::map<std::string, std::string> params;
  for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) params[key] = value;
  std::unique_lock lock(mutex);
  lastAuthorization = params;
  if (params["client_id"] != clientId) return sendPinterestError(response, 400, 1, "Invalid client_id.");
  if (params["response_type"] != "code") return sendPinterestError(response, 400, 1, "response_type must be code.");
  const auto redirectUri = params["redirect_uri"];
  if (redirectUri.rfind("http://", 0) != 0 && redirectUri.rfind("https://", 0) != 0)
    return sendPinterestError(response, 400, 1, "Invalid redirect_uri.");
  const auto scopes = scopeSet(params["scope"]);
  if (scopes.empty()) return sendPinterestError(response, 400, 1, "scope is required.");
  for (const auto& scope : scopes)
    if (!knownScopes.count(scope)) return sendPinterestError(response, 400, 1, "Invalid scope: " + scope);
  lock.unlock();
  if (marketsage::test::showConsentPage(request.get("Accept", ""), params)) {
    const auto page =
        marketsage::test::consentPage("Pinterest", "MarketSage", {scopes.begin(), scopes.end()}, "/oauth/", params);
    response.setContentType("text/html; charset=utf-8");
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.sendBuffer(page.data(), page.size());
    return;
  }
  std::string state;
  Poco::URI::encode(params["state"], "!#$&'()*+,/:;=?@[]", state);
  const auto separator = redirectUri.find('?') == std::string::npos ? "?" : "&";
  if (params[marketsage::test::consentParameter] == "deny")
    return marketsage::test::redirect(response, redirectUri + separator + "error=access_denied&state=" + state);
  lock.lock();
  const auto code = randomText("", 30);
  codes[code] = Code{redirectUri, params["scope"]};
  lock.unlock();
  marketsage::test::redirect(response, redirectUri + separator + "code=" + code + "&state=" + state);
}

void PinterestApi::State::token(Request& request, Response& response) {
  const auto body = marketsage::test::readBody(request);
  std::lock_guard lock(mutex);
  lastTokenAuthorization = request.get("Authorization", "");
  // The app authenticates with HTTP Basic: base64(client_id:client_secret).
  std::string credentials;
  if (lastTokenAuthorization.rfind("Basic ", 0) == 0) {
    std::istringstream in(lastTokenAuthorization.substr(6));
    Poco::Base64Decoder decoder(in);
    std::getline(decoder, credentials, '\0');
  }
  if (credentials != std::string(clientId) + ":" + clientSecret)
    return sendPinterestError(response, 401, 2, "Authentication failed.");
  if (request.getContentType().rfind("application/x-www-form-urlencoded", 0) != 0)
    return sendPinterestError(response, 415, 415, "Content-Type must be application/x-www-form-urlencoded.");
  if (!Poco::URI(request.getURI()).getQuery().empty())
    return sendPinterestError(response, 400, 1, "Parameters belong in the request body.");
  auto form = marketsage::test::formParameters(request, body);
  const auto grant = form["grant_type"];
  std::string scopes;
  if (grant == "authorization_code") {
    const auto it = codes.find(form["code"]);
    if (it == codes.end()) return sendPinterestError(response, 400, 1, "Invalid authorization code.");
    if (it->second.redirectUri != form["redirect_uri"]) {
      codes.erase(it);
      return sendPinterestError(response, 400, 1, "redirect_uri does not match the authorization request.");
    }
    scopes = it->second.scopes;
    codes.erase(it);
    const auto access = mintToken(scopes, 2592000);
    return marketsage::test::sendJson(response, 200,
                                      json::serialize(json::object{{"access_token", access},
                                                                   {"refresh_token", tokens[access].refresh},
                                                                   {"response_type", "authorization_code"},
                                                                   {"token_type", "bearer"},
                                                                   {"expires_in", 2592000},
                                                                   {"refresh_token_expires_in", 31536000},
                                                                   {"scope", scopes}}));
  }
  if (grant == "refresh_token") {
    const auto it = refreshTokens.find(form["refresh_token"]);
    if (it == refreshTokens.end()) return sendPinterestError(response, 400, 1, "Invalid refresh token.");
    ++refreshGrants;
    const auto access = mintToken(it->second, 2592000);
    tokens[access].refresh = it->first;  // the same refresh token keeps working
    return marketsage::test::sendJson(response, 200,
                                      json::serialize(json::object{{"access_token", access},
                                                                   {"response_type", "refresh_token"},
                                                                   {"token_type", "bearer"},
                                                                   {"expires_in", 2592000},
                                                                   {"scope", it->second}}));
  }
  sendPinterestError(response, 400, 1, "Unsupported grant_type.");
}

// ---- the user and the boards ----

void PinterestApi::State::userAccount(Request& request, Response& response) {
  std::lock_guard lock(mutex);
  if (!authorize(request, response, {"user_accounts:read"})) return;
  marketsage::test::sendJson(response, 200,
                             json::serialize(json::object{{"account_type", "BUSINESS"},
                                                          {"username", username},
                                                          {"profile_image", "https://i.pinimg.com/600x600/ada.jpg"},
                                                          {"website_url", "https://ada.example"},
                                                          {"business_name", "Ada's Workshop"}}));
}

void PinterestApi::State::listBoards(Request& request, Response& response) {
  std::lock_guard lock(mutex);
  if (!authorize(request, response, {"boards:read"})) return;
  const auto sizeText = pinterestQuery(request, "page_size");
  const int pageSize = sizeText.empty() ? 25 : std::atoi(sizeText.c_str());
  if (pageSize < 1 || pageSize > 250)
    return sendPinterestError(response, 400, 1, "Invalid parameters: page_size must be between 1 and 250.");
  const auto bookmark = pinterestQuery(request, "bookmark");
  size_t start = 0;
  if (!bookmark.empty()) {
    start = bookmark.rfind("bm", 0) == 0 ? static_cast<size_t>(std::atoll(bookmark.c_str() + 2)) : boards.size() + 1;
    if (start == 0 || start > boards.size()) return sendPinterestError(response, 400, 1, "Invalid bookmark.");
  }
  json::array items;
  for (size_t i = start; i < boards.size() && items.size() < static_cast<size_t>(pageSize); ++i)
    items.push_back(json::object{{"id", boards[i].id},
                                 {"name", boards[i].name},
                                 {"description", ""},
                                 {"privacy", boards[i].privacy},
                                 {"owner", json::object{{"username", boards[i].owner}}},
                                 {"pin_count", 0},
                                 {"follower_count", boards[i].followers}});
  const auto next = start + items.size();
  json::value mark = next < boards.size() ? json::value("bm" + std::to_string(next)) : json::value(nullptr);
  marketsage::test::sendJson(response, 200, json::serialize(json::object{{"items", items}, {"bookmark", mark}}));
}

void PinterestApi::State::getBoard(Request& request, Response& response, const std::string& id) {
  std::lock_guard lock(mutex);
  if (!authorize(request, response, {"boards:read"})) return;
  const auto* board = ownBoard(id);
  if (!board) return sendPinterestError(response, 404, 40, "Board not found.");
  long long count = 0;
  for (const auto& pin : pins) count += pin.boardId == id && !pin.deleted ? 1 : 0;
  marketsage::test::sendJson(response, 200,
                             json::serialize(json::object{{"id", board->id},
                                                          {"name", board->name},
                                                          {"privacy", board->privacy},
                                                          {"owner", json::object{{"username", board->owner}}},
                                                          {"pin_count", count},
                                                          {"follower_count", board->followers}}));
}

// ---- controls and observations ----

PinterestApi::PinterestApi() : state_(std::make_unique<State>()) {
  state_->boards = {Board{boardId, boardName, "PUBLIC", username, 321}, Board{secondBoardId, secondBoardName}};
  state_->server = std::make_unique<marketsage::test::TestServer>(
      [s = state_.get()](Request& request, Response& response) { s->handle(request, response); });
}

PinterestApi::~PinterestApi() {
  state_->createFaults.waitForLateCreations();
  state_->server.reset();
}

std::string PinterestApi::url() const { return state_->server->url(); }

void PinterestApi::setBoards(const std::vector<Board>& boards) {
  std::lock_guard lock(state_->mutex);
  state_->boards = boards;
}
void PinterestApi::addForeignBoard(const std::string& id) {
  std::lock_guard lock(state_->mutex);
  state_->foreignBoards.insert(id);
}
std::string PinterestApi::issueToken(const std::string& scopes, int expiresInSeconds) {
  std::lock_guard lock(state_->mutex);
  return state_->mintToken(scopes, expiresInSeconds);
}
std::string PinterestApi::refreshTokenOf(const std::string& accessToken) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->tokens.find(accessToken);
  return it == state_->tokens.end() ? std::string() : it->second.refresh;
}
void PinterestApi::expireAllTokens() {
  std::lock_guard lock(state_->mutex);
  for (auto& [token, t] : state_->tokens) t.expiresAtMs = 0;
}
void PinterestApi::revokeRefreshTokens() {
  std::lock_guard lock(state_->mutex);
  state_->refreshTokens.clear();
}
void PinterestApi::rateLimitNext(int calls, int resetSeconds) {
  std::lock_guard lock(state_->mutex);
  state_->rateLimited = calls;
  state_->rateLimitReset = resetSeconds;
}
void PinterestApi::failNext(int calls, int status, int code, const std::string& message) {
  std::lock_guard lock(state_->mutex);
  state_->failCalls = calls;
  state_->failStatus = status;
  state_->failCode = code;
  state_->failMessage = message;
}
void PinterestApi::setProcessingPolls(int polls) {
  std::lock_guard lock(state_->mutex);
  state_->processingPolls = polls;
}
void PinterestApi::failNextVideoProcessing() {
  std::lock_guard lock(state_->mutex);
  state_->failNextVideo = true;
}
void PinterestApi::refuseNextStorageUpload(int status) {
  std::lock_guard lock(state_->mutex);
  state_->refuseStorage = status;
}
void PinterestApi::faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults) {
  state_->createFaults.push(faults);
}
void PinterestApi::setSlowAnswerMs(int ms) { state_->createFaults.slowAnswerMs = ms; }

std::string PinterestApi::addPin(const std::string& board, const std::string& title, const std::string& description,
                                 const std::string& link, long long createdAtMs) {
  std::lock_guard lock(state_->mutex);
  Pin pin;
  pin.id = state_->newId();
  pin.boardId = board;
  pin.title = title;
  pin.description = description;
  pin.link = link;
  pin.sourceType = "image_url";
  pin.createdAtMs = createdAtMs ? createdAtMs : nowMs();
  state_->pins.push_back(pin);
  return pin.id;
}
void PinterestApi::setPinAnalytics(const std::string& pinId, long long impressions, long long saves,
                                   long long outboundClicks, long long pinClicks) {
  std::lock_guard lock(state_->mutex);
  state_->pinAnalytics[pinId] = {impressions, saves, outboundClicks, pinClicks};
}
void PinterestApi::setUserAnalytics(long long impressions, long long saves, long long outboundClicks,
                                    long long pinClicks) {
  std::lock_guard lock(state_->mutex);
  state_->userAnalytics = {impressions, saves, outboundClicks, pinClicks};
}

std::vector<PinterestApi::Pin> PinterestApi::pins() const {
  std::lock_guard lock(state_->mutex);
  return state_->pins;
}
std::optional<PinterestApi::Pin> PinterestApi::pin(const std::string& id) const {
  std::lock_guard lock(state_->mutex);
  for (const auto& pin : state_->pins)
    if (pin.id == id) return pin;
  return std::nullopt;
}
std::vector<PinterestApi::Upload> PinterestApi::uploads() const {
  std::lock_guard lock(state_->mutex);
  std::vector<Upload> out;
  for (const auto& [id, media] : state_->media) out.push_back(media.upload);
  return out;
}
int PinterestApi::pinCreates() const {
  std::lock_guard lock(state_->mutex);
  return state_->creates;
}
int PinterestApi::mediaPolls() const {
  std::lock_guard lock(state_->mutex);
  return state_->polls;
}
int PinterestApi::refreshGrants() const {
  std::lock_guard lock(state_->mutex);
  return state_->refreshGrants;
}
std::vector<std::string> PinterestApi::issuedTokens() const {
  std::lock_guard lock(state_->mutex);
  return state_->issued;
}
std::vector<std::string> PinterestApi::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->log;
}
std::map<std::string, std::string> PinterestApi::lastAuthorization() const {
  std::lock_guard lock(state_->mutex);
  return state_->lastAuthorization;
}
std::string PinterestApi::lastTokenAuthorization() const {
  std::lock_guard lock(state_->mutex);
  return state_->lastTokenAuthorization;
}

}  // namespace emulators
