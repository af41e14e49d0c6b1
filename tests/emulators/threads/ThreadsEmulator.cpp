// The Threads emulator's server, state and test knobs; the endpoints are in ThreadsRoutes.cpp.
#include "ThreadsInternals.h"
#include "UtcTime.h"

#include <Poco/URI.h>

#include <chrono>
#include <random>

namespace emulators {

using marketsage::test::sendJson;

namespace threadsimpl {

GraphError badParameter(const std::string& message) { return {100, "(#100) " + message, 0, 400, "OAuthException"}; }

GraphError noSuchObject(const std::string& id, const char* method) {
  return {100,
          std::string("Unsupported ") + method + " request. Object with ID '" + id +
              "' does not exist, cannot be loaded due to missing permissions, or does not support this operation",
          33, 400, "GraphMethodException"};
}

void sendError(Poco::Net::HTTPServerResponse& response, const GraphError& e) {
  json::object error{{"message", e.what()}, {"type", e.type}, {"code", e.code}, {"fbtrace_id", "AbCdEfGhIjKl"}};
  if (e.subcode) error["error_subcode"] = e.subcode;
  if (e.transient) error["is_transient"] = true;
  if (e.code == 4)
    return sendJson(response, e.status, json::serialize(json::object{{"error", error}}), "X-App-Usage",
                    R"({"call_count":100,"total_cputime":12,"total_time":20})");
  sendJson(response, e.status, json::serialize(json::object{{"error", error}}));
}

long long nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string isoTime(long long unixSeconds) { return marketsage::test::utcTime(unixSeconds, "%Y-%m-%dT%H:%M:%S+0000"); }

}  // namespace threadsimpl

std::string ThreadsApi::Impl::issue(const std::string& prefix, bool longLived) {
  static std::mt19937_64 random{std::random_device{}()};
  std::string token = prefix;
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (int i = 0; i < 48; ++i) token += alphabet[random() % (sizeof alphabet - 1)];
  tokens[token] = {api.userId(), longLived, false};
  issued.push_back(token);
  return token;
}

void ThreadsApi::Impl::handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  const std::string body = marketsage::test::readBody(request);
  Call call{request,
            response,
            request.getMethod(),
            Poco::URI(request.getURI()).getPath(),
            {},
            marketsage::test::formParameters(request, body)};
  {
    std::lock_guard lock(mutex);
    requests.push_back(call.method + " " + call.path);
  }
  try {
    if (call.path == "/oauth/authorize") return authorize(call);
    if (call.path == "/oauth/access_token" && call.method == "POST")
      return sendJson(response, 200, json::serialize(codeExchange(call)));
    if (call.path == "/access_token" && call.method == "GET")
      return sendJson(response, 200, json::serialize(longLivedExchange(call)));
    if (call.path == "/refresh_access_token" && call.method == "GET")
      return sendJson(response, 200, json::serialize(refresh(call)));
    const std::string prefix = std::string("/") + version + "/";
    if (call.path.rfind(prefix, 0) != 0) throw GraphError(2500, "Unknown path components: " + call.path, 0, 400);
    std::string rest = call.path.substr(prefix.size());
    for (std::size_t start = 0; start <= rest.size();) {
      const auto slash = rest.find('/', start);
      call.segments.push_back(rest.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    const auto user = authenticate(call);
    const auto answer = route(call, user);
    if (!answer.is_null()) sendJson(response, 200, json::serialize(answer));
  } catch (const GraphError& e) {
    sendError(response, e);
  }
}

ThreadsApi::ThreadsApi() : impl_(std::make_unique<Impl>(*this)) {
  impl_->server = std::make_unique<marketsage::test::TestServer>(
      [this](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        impl_->handle(request, response);
      });
}

ThreadsApi::~ThreadsApi() {
  impl_->faults.waitForLateCreations();
  impl_->server.reset();
}

std::string ThreadsApi::url() const { return impl_->server->url(); }

std::string ThreadsApi::longLivedToken() {
  std::lock_guard lock(impl_->mutex);
  return impl_->issue("THAA", true);
}

void ThreadsApi::expire(const std::string& token) {
  std::lock_guard lock(impl_->mutex);
  impl_->tokens[token].expired = true;
}

void ThreadsApi::nextContainerEnds(const std::string& status, const std::string& errorMessage) {
  std::lock_guard lock(impl_->mutex);
  impl_->endings.emplace_back(status, errorMessage);
}

marketsage::test::CreateFaults& ThreadsApi::publishFaults() { return impl_->faults; }

std::vector<ThreadsApi::Item> ThreadsApi::items() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<Item> out;
  for (const auto& id : impl_->order) out.push_back(impl_->items.at(id));
  return out;
}

ThreadsApi::Item ThreadsApi::item(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->items.find(id);
  return it == impl_->items.end() ? Item{} : it->second;
}

std::vector<ThreadsApi::Item> ThreadsApi::livePosts() const {
  std::vector<Item> out;
  for (auto& item : items())
    if (item.kind == "media" && !item.deleted) out.push_back(std::move(item));
  return out;
}

void ThreadsApi::setStats(const std::string& mediaId, Stats stats) {
  std::lock_guard lock(impl_->mutex);
  impl_->stats[mediaId] = stats;
}

std::vector<std::string> ThreadsApi::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

int ThreadsApi::apiCalls() const { return static_cast<int>(requests().size()); }

std::vector<std::string> ThreadsApi::issuedTokens() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->issued;
}

}  // namespace emulators
