// GraphApi's public side: construction, the controls tests use to inject faults and change the
// platform's behaviour, and what tests read back.
#include "GraphInternals.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace emulators {

using namespace graph;

GraphApi::GraphApi() : impl_(std::make_unique<Impl>(*this)) {
  impl_->pages = {{"104000000000001", "Emulated Bakery", "17841400000000001", "emulated.bakery"},
                  {"104000000000002", "Emulated Garage", "", ""},
                  {"104000000000003", "Emulated Florist", "17841400000000003", "emulated.florist"}};
  impl_->server = std::make_unique<marketsage::test::TestServer>(
      [impl = impl_.get()](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
        serve(*impl, req, resp);
      });
}

GraphApi::~GraphApi() {
  impl_->server.reset();
  faults_.waitForLateCreations();  // they write into impl_, which goes first
}

std::string GraphApi::url() const { return impl_->server->url(); }
const std::vector<GraphApi::Page>& GraphApi::pages() const { return impl_->pages; }

std::vector<std::string> GraphApi::defaultScopes() {
  return {"public_profile",     "pages_show_list", "pages_read_engagement",     "pages_manage_posts",
          "read_insights",      "instagram_basic", "instagram_content_publish", "instagram_manage_insights",
          "business_management"};
}

std::string GraphApi::userToken(const std::vector<std::string>& scopes) {
  std::lock_guard lock(impl_->mutex);
  impl_->granted = {scopes.begin(), scopes.end()};
  Token token;
  token.expiresAtMs = nowMs() + longLivedExpiresIn * 1000LL;
  return impl_->issueToken(token, "EAAEmuUser");
}

std::string GraphApi::pageToken(const std::string& pageId, const std::string& userToken) {
  std::lock_guard lock(impl_->mutex);
  return impl_->pageTokenFor(pageId, userToken);
}

std::string GraphApi::consent(const std::string& dialogUrl) const {
  Poco::URI uri(dialogUrl);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  return response.get("Location", "");
}

void GraphApi::denyNextConsent() {
  std::lock_guard lock(impl_->mutex);
  impl_->denyConsent = true;
}

void GraphApi::expireAllTokens() {
  std::lock_guard lock(impl_->mutex);
  for (auto& [_, token] : impl_->tokens)
    if (token.state == Token::Valid) token.state = Token::Expired;
}

void GraphApi::revokeAllTokens() {
  std::lock_guard lock(impl_->mutex);
  for (auto& [_, token] : impl_->tokens) token.state = Token::Revoked;
}

void GraphApi::removePermission(const std::string& permission) {
  std::lock_guard lock(impl_->mutex);
  impl_->granted.erase(permission);
}

std::vector<std::string> GraphApi::issuedTokens() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->issued;
}

std::vector<std::string> GraphApi::lastConsentScopes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->consentScopes;
}

void GraphApi::rateLimitNext(int calls, int code) {
  std::lock_guard lock(impl_->mutex);
  impl_->rateLimitCalls = calls;
  impl_->rateLimitCode = code;
}

void GraphApi::failNext(int calls) {
  std::lock_guard lock(impl_->mutex);
  impl_->failingCalls = calls;
}

void GraphApi::failCall(int nth) {
  std::lock_guard lock(impl_->mutex);
  impl_->failAt = nth;
}

void GraphApi::nextContainerEnds(const std::string& status) {
  std::lock_guard lock(impl_->mutex);
  impl_->nextContainerStatus = status;
}

void GraphApi::setStats(const std::string& id, const Stats& stats) {
  std::lock_guard lock(impl_->mutex);
  if (Item* item = impl_->find(id)) item->stats = stats;
}

void GraphApi::backdate(const std::string& id, long long seconds) {
  std::lock_guard lock(impl_->mutex);
  if (Item* item = impl_->find(id)) item->createdAt -= seconds;
}

std::vector<GraphApi::Item> GraphApi::items() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<Item> out;
  for (const auto& id : impl_->order) out.push_back(impl_->itemsById.at(id));
  return out;
}

GraphApi::Item GraphApi::item(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  const Item* found = impl_->find(id);
  return found ? *found : Item{};
}

std::vector<GraphApi::Item> GraphApi::livePosts(const std::string& ownerId) const {
  std::vector<Item> out;
  for (auto& item : items())
    if (item.ownerId == ownerId && !item.deleted && item.published &&
        (item.kind == "post" || item.kind == "ig_media" || item.kind == "video"))
      out.push_back(item);
  return out;
}

std::vector<std::string> GraphApi::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

std::set<std::string> GraphApi::versions() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->versionsSeen;
}

int GraphApi::apiCalls() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->calls;
}

}  // namespace emulators
