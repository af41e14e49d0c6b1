// The LinkedIn emulator: controls, request dispatch, and the checks every API call goes through
// (bearer token, LinkedIn-Version, X-Restli-Protocol-Version, injected throttling and failures).
#include "LinkedInState.h"
#include "Tokens.h"

#include <Poco/URI.h>

#include <chrono>
#include <ctime>
#include <sstream>

namespace emulators {

void sendError(Response& response, int status, const std::string& code, const std::string& message,
               int serviceErrorCode) {
  json::object body{{"status", status}, {"code", code}, {"message", message}};
  if (serviceErrorCode) body["serviceErrorCode"] = serviceErrorCode;
  marketsage::test::sendJson(response, status, json::serialize(body));
}

void sendDenied(Response& response, const std::string& resource, const std::string& method, const Caller& caller) {
  sendError(response, 403, "ACCESS_DENIED",
            "Not enough permissions to access: " + resource + "." + method + "." + caller.version + "01", 100);
}

std::optional<json::object> jsonBody(Request& request, Response& response) {
  const auto text = marketsage::test::readBody(request);
  boost::system::error_code error;
  auto value = json::parse(text, error);
  if (error || !value.is_object()) {
    sendError(response, 400, "ILLEGAL_ARGUMENT", "Request body could not be converted to data map");
    return std::nullopt;
  }
  return value.as_object();
}

namespace {

/// "202510" or "202510.01" → its YYYYMM, or "" when malformed.
std::string versionMonth(const std::string& version) {
  if (version.size() != 6 && !(version.size() == 9 && version[6] == '.')) return {};
  for (size_t i = 0; i < version.size(); ++i)
    if (i != 6 && !std::isdigit(static_cast<unsigned char>(version[i]))) return {};
  return version.substr(0, 6);
}

}  // namespace

std::string LinkedInApi::State::mintToken(const std::string& scopes, int expiresIn) {
  const auto token = marketsage::test::randomText("AQV", 32, marketsage::test::kHex);
  Token t;
  std::istringstream words(scopes);
  for (std::string scope; words >> scope;) t.scopes.insert(scope);
  t.expiresAtMs = nowMs() + expiresIn * 1000LL;
  tokens[token] = t;
  issued.push_back(token);
  return token;
}

bool LinkedInApi::State::administers(const std::string& organizationUrn) const {
  static const std::string prefix = "urn:li:organization:";
  if (organizationUrn.rfind(prefix, 0) != 0) return false;
  const auto it = organizations.find(organizationUrn.substr(prefix.size()));
  return it != organizations.end() && it->second.administered;
}

std::string LinkedInApi::State::writeScope(const std::string& authorUrn) const {
  if (authorUrn == memberUrn()) return "w_member_social";
  return administers(authorUrn) ? "w_organization_social" : "";
}

void LinkedInApi::State::handle(Request& request, Response& response) {
  const std::string method = request.getMethod();
  const std::string path = Poco::URI(request.getURI()).getPath();
  {
    std::lock_guard lock(mutex);
    log.push_back(method + " " + request.getURI());
  }
  if (path == "/oauth/v2/authorization" && method == "GET") return authorization(request, response);
  if (path == "/oauth/v2/accessToken" && method == "POST") return accessToken(request, response);
  if (path == "/oauth/v2/revoke" && method == "POST") return revoke(request, response);
  if (path.rfind("/dms-uploads/", 0) == 0 && method == "PUT") return uploadBytes(request, response, path);
  const bool restCall = path.rfind("/rest/", 0) == 0;
  if (!restCall && path != "/v2/userinfo") return sendError(response, 404, "NOT_FOUND", "No resource found");

  Caller caller;
  {
    std::lock_guard lock(mutex);
    const auto token = marketsage::test::bearerToken(request);
    if (!token) return sendError(response, 401, "EMPTY_ACCESS_TOKEN", "Empty oauth2 access token", 65604);
    const auto it = tokens.find(*token);
    if (it == tokens.end()) return sendError(response, 401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600);
    if (it->second.revoked)
      return sendError(response, 401, "REVOKED_ACCESS_TOKEN",
                       "The token used in the request has been revoked by the user", 65601);
    if (it->second.expiresAtMs <= nowMs())
      return sendError(response, 401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602);
    caller.scopes = it->second.scopes;
    if (restCall) {
      caller.version = request.get("LinkedIn-Version", "");
      if (caller.version.empty())
        return sendError(response, 400, "VERSION_MISSING",
                         "A version must be present. Please specify a version by adding the LinkedIn-Version header.");
      const auto month = versionMonth(caller.version);
      if (month.empty() || month < oldestVersion || month > newestVersion)
        return sendError(response, 426, "NONEXISTENT_VERSION",
                         "Requested version " + caller.version + " is not active");
      if (request.get("X-Restli-Protocol-Version", "") != "2.0.0")
        return sendError(response, 400, "ILLEGAL_ARGUMENT",
                         "Rest.li protocol version 2.0.0 is required (X-Restli-Protocol-Version)");
      versionsSeen.insert(caller.version);
    }
    if (throttleLeft > 0) {
      --throttleLeft;
      if (retryAfter) response.set("Retry-After", std::to_string(*retryAfter));
      return sendError(response, 429, "TOO_MANY_REQUESTS",
                       "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.", 101);
    }
    if (failLeft > 0 && failAfter > 0) {
      --failAfter;
    } else if (failLeft > 0) {
      --failLeft;
      return sendError(response, failStatus, "INTERNAL_SERVER_ERROR", "Internal Server Error");
    }
  }
  if (!restCall)
    return method == "GET" ? userinfo(response, caller)
                           : sendError(response, 405, "METHOD_NOT_ALLOWED", "Method not allowed");
  if (media(request, response, caller, path)) return;
  rest(request, response, caller, path);
}

// ---- public API ----

LinkedInApi::LinkedInApi() : state_(std::make_unique<State>()) {
  state_->oldestVersion = versionMonthsAgo(12);
  state_->newestVersion = versionMonthsAgo(1);
  setAppScopes(defaultAppScopes);
  state_->server =
      std::make_unique<marketsage::test::TestServer>([this](Request& q, Response& r) { state_->handle(q, r); });
}
LinkedInApi::~LinkedInApi() {
  state_->server.reset();                 // no handler runs any more…
  state_->faults.waitForLateCreations();  // …and late creations land while the state exists
}

std::string LinkedInApi::url() const { return state_->server->url(); }

void LinkedInApi::addOrganization(const std::string& id, const std::string& name, bool administered) {
  std::lock_guard lock(state_->mutex);
  state_->organizations[id] = {name, administered};
}
std::string LinkedInApi::issueToken(const std::string& scopes, int expiresInSeconds) {
  std::lock_guard lock(state_->mutex);
  return state_->mintToken(scopes, expiresInSeconds);
}
std::string LinkedInApi::versionMonthsAgo(int months) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const int index = (utc.tm_year + 1900) * 12 + utc.tm_mon - months;
  char text[8];
  std::snprintf(text, sizeof text, "%04d%02d", index / 12, index % 12 + 1);
  return text;
}

void LinkedInApi::setActiveVersions(const std::string& oldest, const std::string& newest) {
  std::lock_guard lock(state_->mutex);
  state_->oldestVersion = oldest;
  state_->newestVersion = newest;
}
void LinkedInApi::setRedirectUris(const std::vector<std::string>& uris) {
  std::lock_guard lock(state_->mutex);
  state_->redirectUris = {uris.begin(), uris.end()};
}
void LinkedInApi::setAppScopes(const std::string& scopes) {
  std::lock_guard lock(state_->mutex);
  state_->appScopes.clear();
  std::istringstream words(scopes);
  for (std::string scope; words >> scope;) state_->appScopes.insert(scope);
}
void LinkedInApi::setRefreshTokensEnabled(bool enabled) {
  std::lock_guard lock(state_->mutex);
  state_->refreshEnabled = enabled;
}
void LinkedInApi::setProcessingPolls(int images, int videos) {
  std::lock_guard lock(state_->mutex);
  state_->imagePolls = images;
  state_->videoPolls = videos;
}
void LinkedInApi::setVideoPartSize(long long bytes) {
  std::lock_guard lock(state_->mutex);
  state_->partSize = bytes;
}
void LinkedInApi::setDailyStatistics(const std::string& organizationUrn, const ShareStatistics& perDay) {
  std::lock_guard lock(state_->mutex);
  state_->dailyStatistics[organizationUrn] = perDay;
}
void LinkedInApi::setFollowers(const std::string& organizationUrn, long long followers) {
  std::lock_guard lock(state_->mutex);
  state_->followers[organizationUrn] = followers;
}
void LinkedInApi::setPostStatistics(const std::string& postUrn, const ShareStatistics& lifetime) {
  std::lock_guard lock(state_->mutex);
  state_->postStatistics[postUrn] = lifetime;
}
void LinkedInApi::backdatePost(const std::string& urn, long long ms) {
  std::lock_guard lock(state_->mutex);
  if (const auto it = state_->livePosts.find(urn); it != state_->livePosts.end()) it->second.createdAtMs -= ms;
}
void LinkedInApi::throttleNext(int calls, std::optional<int> retryAfterSeconds) {
  std::lock_guard lock(state_->mutex);
  state_->throttleLeft = calls;
  state_->retryAfter = retryAfterSeconds;
}
void LinkedInApi::failNext(int calls, int status, int after) {
  std::lock_guard lock(state_->mutex);
  state_->failLeft = calls;
  state_->failAfter = after;
  state_->failStatus = status;
}
void LinkedInApi::faultNextCreates(const std::vector<marketsage::test::CreateFault>& faults) {
  state_->faults.push(faults);
}
void LinkedInApi::setSlowAnswerMs(int ms) { state_->faults.slowAnswerMs = ms; }
void LinkedInApi::setLateCreateMs(int ms) { state_->faults.lateCreateMs = ms; }
void LinkedInApi::setFinderLagMs(int ms) {
  std::lock_guard lock(state_->mutex);
  state_->finderLagMs = ms;
}

void LinkedInApi::expireAllTokens() {
  std::lock_guard lock(state_->mutex);
  for (auto& [token, t] : state_->tokens) t.expiresAtMs = nowMs() - 1;
}

std::vector<LinkedInApi::PublishedPost> LinkedInApi::posts() const {
  std::lock_guard lock(state_->mutex);
  std::vector<PublishedPost> out;
  for (const auto& urn : state_->postOrder)
    if (auto it = state_->livePosts.find(urn); it != state_->livePosts.end()) out.push_back(it->second);
  return out;
}
std::vector<std::string> LinkedInApi::deletedPosts() const {
  std::lock_guard lock(state_->mutex);
  return state_->deleted;
}
std::vector<std::string> LinkedInApi::issuedTokens() const {
  std::lock_guard lock(state_->mutex);
  return state_->issued;
}
int LinkedInApi::refreshGrants() const {
  std::lock_guard lock(state_->mutex);
  return state_->refreshGrants;
}
int LinkedInApi::revocations() const {
  std::lock_guard lock(state_->mutex);
  return state_->revocations;
}
int LinkedInApi::videoPartsUploaded() const {
  std::lock_guard lock(state_->mutex);
  return state_->partsUploaded;
}
int LinkedInApi::statusPolls() const {
  std::lock_guard lock(state_->mutex);
  return state_->statusPolls;
}
std::vector<std::string> LinkedInApi::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->log;
}
void LinkedInApi::denyFollowerCounts(bool denied) {
  std::lock_guard lock(state_->mutex);
  state_->followersDenied = denied;
}

std::set<std::string> LinkedInApi::versionsSeen() const {
  std::lock_guard lock(state_->mutex);
  return state_->versionsSeen;
}

}  // namespace emulators
