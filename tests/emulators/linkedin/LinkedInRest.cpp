// OpenID userinfo and the versioned REST resources other than media: organizationAcls,
// organizations, posts, organizationalEntityShareStatistics and networkSizes.
#include "LinkedInState.h"

#include <Poco/URI.h>

#include <algorithm>

namespace emulators {
namespace {

constexpr long long kDayMs = 86400000;
constexpr size_t kMaxCommentary = 3000;
const std::set<std::string> kTopLevelPostFields = {"author",
                                                   "commentary",
                                                   "visibility",
                                                   "distribution",
                                                   "content",
                                                   "lifecycleState",
                                                   "isReshareDisabledByAuthor",
                                                   "contentLandingPage",
                                                   "contentCallToActionLabel",
                                                   "reshareContext",
                                                   "container",
                                                   "adContext"};
const std::string kReserved = "|{}@[]()<>#\\*_~";

std::map<std::string, std::string> query(Request& request) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : Poco::URI(request.getURI()).getQueryParameters()) out[name] = value;
  return out;
}

/// The commentary as LinkedIn shows it: escapes removed, and — as LinkedIn silently does — cut
/// at the first reserved character that was not escaped.
std::string readLittleText(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size())
      out += text[++i];
    else if (kReserved.find(text[i]) != std::string::npos)
      break;
    else
      out += text[i];
  }
  return out;
}

/// Characters of the commentary as LinkedIn stores it: an escape counts as the character it escapes.
size_t littleTextLength(const std::string& text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    n += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  }
  return n;
}

/// LinkedIn's 400 for a commentary over 3,000 characters, in the shape apps report it
/// (github.com/n8n-io/n8n/issues/22899): a BadRequest with the length and one inputError.
void sendCommentaryTooLong(Response& response, const std::string& commentary, size_t length) {
  const json::object inputError{{"description", "Size of array cannot be higher than the maxLength"},
                                {"input", {{"value", {{"stringValue", commentary}}}}},
                                {"code", "FIELD_ARRAY_SIZE_TOO_HIGH"},
                                {"maxLength", kMaxCommentary}};
  const auto message =
      "com.linkedin.content.common.exception.BadRequestResponseException: ShareCommentary text length (" +
      std::to_string(length) + " characters) exceeded the maximum allowed (" + std::to_string(kMaxCommentary) +
      " characters)";
  marketsage::test::sendJson(response, 400,
                             json::serialize(json::object{{"errorDetailType", "com.linkedin.common.error.BadRequest"},
                                                          {"message", message},
                                                          {"errorDetails", {{"inputErrors", json::array{inputError}}}},
                                                          {"status", 400}}));
}

json::object statisticsJson(const LinkedInApi::ShareStatistics& s) {
  const auto engaged = s.clickCount + s.likeCount + s.commentCount + s.shareCount;
  return {
      {"impressionCount", s.impressionCount},
      {"uniqueImpressionsCount", s.uniqueImpressionsCount},
      {"clickCount", s.clickCount},
      {"likeCount", s.likeCount},
      {"commentCount", s.commentCount},
      {"shareCount", s.shareCount},
      {"engagement", s.impressionCount ? static_cast<double>(engaged) / static_cast<double>(s.impressionCount) : 0.0}};
}

/// URNs of a Rest.li 2.0 "List(a,b)" (already percent-decoded).
std::vector<std::string> restliList(const std::string& value) {
  std::vector<std::string> out;
  if (value.rfind("List(", 0) != 0 || value.back() != ')') return out;
  std::string current;
  for (const char c : value.substr(5, value.size() - 6)) {
    if (c == ',')
      out.push_back(current), current.clear();
    else
      current += c;
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

/// First check of a post body: LinkedIn's 422 for missing and unknown fields.
std::string postSchemaError(const json::object& post) {
  for (const auto& field : {"author", "commentary", "visibility", "distribution", "lifecycleState"})
    if (!post.contains(field))
      return std::string("ERROR :: /") + field + " :: field is required but not found and has no default value\n";
  for (const auto& [name, value] : post)
    if (!kTopLevelPostFields.count(std::string(name)))
      return "ERROR :: /" + std::string(name) + " :: unrecognized field found but not allowed\n";
  if (!post.at("commentary").is_string() || !post.at("author").is_string())
    return "ERROR :: /commentary :: not a string\n";
  const auto visibility = post.at("visibility");
  if (visibility != "PUBLIC" && visibility != "CONNECTIONS" && visibility != "LOGGED_IN")
    return "ERROR :: /visibility :: invalid enum\n";
  const auto lifecycle = post.at("lifecycleState");
  if (lifecycle != "PUBLISHED" && lifecycle != "DRAFT") return "ERROR :: /lifecycleState :: invalid enum\n";
  const auto* distribution = post.at("distribution").if_object();
  if (!distribution || !distribution->contains("feedDistribution"))
    return "ERROR :: /distribution/feedDistribution :: field is required\n";
  return {};
}

}  // namespace

void LinkedInApi::State::userinfo(Response& response, const Caller& caller) {
  if (!caller.has("openid") || !caller.has("profile")) return sendDenied(response, "userinfo", "GET", caller);
  marketsage::test::sendJson(response, 200,
                             json::serialize(json::object{{"sub", memberSub},
                                                          {"name", memberName},
                                                          {"given_name", "Ada"},
                                                          {"family_name", "Lovelace"},
                                                          {"picture", "https://media.licdn.com/dms/image/ada.jpg"},
                                                          {"locale", {{"country", "US"}, {"language", "en"}}}}));
}

void LinkedInApi::State::rest(Request& request, Response& response, const Caller& caller, const std::string& path) {
  const std::string method = request.getMethod();
  auto q = query(request);
  const bool orgReader = caller.has("rw_organization_admin") || caller.has("r_organization_admin") ||
                         caller.has("r_organization_social") || caller.has("w_organization_social");

  if (path == "/rest/organizationAcls" && method == "GET") {
    if (!orgReader) return sendDenied(response, "organizationAcls", "FINDER-roleAssignee", caller);
    if (q["q"] != "roleAssignee") return sendError(response, 400, "ILLEGAL_ARGUMENT", "q must be roleAssignee");
    const long long start = q["start"].empty() ? 0 : std::stoll(q["start"]),
                    count = q["count"].empty() ? 10 : std::stoll(q["count"]);
    std::lock_guard lock(mutex);
    json::array all;
    for (const auto& [id, org] : organizations)
      if (org.administered && (q["role"].empty() || q["role"] == "ADMINISTRATOR") &&
          (q["state"].empty() || q["state"] == "APPROVED"))
        all.push_back(json::object{{"roleAssignee", memberUrn()},
                                   {"state", "APPROVED"},
                                   {"role", "ADMINISTRATOR"},
                                   {"organization", "urn:li:organization:" + id}});
    json::array page;
    for (long long i = start; i < static_cast<long long>(all.size()) && i < start + count; ++i)
      page.push_back(all[static_cast<size_t>(i)]);
    return marketsage::test::sendJson(
        response, 200,
        json::serialize(json::object{
            {"paging", {{"start", start}, {"count", count}, {"links", json::array{}}, {"total", all.size()}}},
            {"elements", page}}));
  }
  if (path.rfind("/rest/organizations/", 0) == 0 && method == "GET") {
    if (!orgReader) return sendDenied(response, "organizations", "GET", caller);
    const auto id = path.substr(std::string("/rest/organizations/").size());
    std::lock_guard lock(mutex);
    const auto it = organizations.find(id);
    if (it == organizations.end()) return sendError(response, 404, "NOT_FOUND", "Organization " + id + " not found");
    return marketsage::test::sendJson(
        response, 200,
        json::serialize(json::object{{"id", std::stoll(id)},
                                     {"localizedName", it->second.name},
                                     {"vanityName", "org-" + id},
                                     {"name",
                                      {{"localized", {{"en_US", it->second.name}}},
                                       {"preferredLocale", {{"country", "US"}, {"language", "en"}}}}}}));
  }
  if (path == "/rest/posts" && method == "POST") return createPost(request, response, caller);
  if (path == "/rest/posts" && method == "GET") return findPostsByAuthor(request, response, caller);
  if (path.rfind("/rest/posts/", 0) == 0 && method == "DELETE") {
    const auto urn = path.substr(std::string("/rest/posts/").size());
    std::lock_guard lock(mutex);
    const auto it = livePosts.find(urn);
    if (it == livePosts.end()) return sendError(response, 404, "NOT_FOUND", "Post " + urn + " not found");
    const auto scope = writeScope(it->second.author);
    if (scope.empty() || !caller.has(scope)) return sendDenied(response, "partnerApiPostsExternal", "DELETE", caller);
    livePosts.erase(it);
    deleted.push_back(urn);
    response.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
    response.setContentLength(0);
    response.send();
    return;
  }
  if (path == "/rest/organizationalEntityShareStatistics" && method == "GET") {
    const auto organization = q["organizationalEntity"];
    std::lock_guard lock(mutex);
    if (!caller.has("rw_organization_admin") || !administers(organization))
      return sendDenied(response, "organizationalEntityShareStatistics", "FINDER-organizationalEntity", caller);
    if (q["q"] != "organizationalEntity")
      return sendError(response, 400, "ILLEGAL_ARGUMENT", "q must be organizationalEntity");
    const auto daily = dailyStatistics[organization];
    json::array elements;
    for (const auto& [parameter, field] : {std::pair{"shares", "share"}, std::pair{"ugcPosts", "ugcPost"}})
      for (const auto& urn : restliList(q[parameter]))
        elements.push_back(json::object{{"organizationalEntity", organization},
                                        {field, urn},
                                        {"totalShareStatistics", statisticsJson(postStatistics[urn])}});
    long long start = 0, end = 0;
    char granularity[16] = {};
    if (!q["timeIntervals"].empty()) {
      if (std::sscanf(q["timeIntervals"].c_str(), "(timeRange:(start:%lld,end:%lld),timeGranularityType:%15[A-Z])",
                      &start, &end, granularity) != 3 ||
          std::string(granularity) != "DAY" || end <= start)
        return sendError(response, 400, "ILLEGAL_ARGUMENT",
                         "Invalid timeIntervals (Rest.li 2.0): " + q["timeIntervals"]);
      for (long long day = start; day < end; day += kDayMs)
        elements.push_back(json::object{{"organizationalEntity", organization},
                                        {"timeRange", {{"start", day}, {"end", day + kDayMs}}},
                                        {"totalShareStatistics", statisticsJson(daily)}});
    } else if (elements.empty()) {
      elements.push_back(
          json::object{{"organizationalEntity", organization}, {"totalShareStatistics", statisticsJson(daily)}});
    }
    return marketsage::test::sendJson(
        response, 200,
        json::serialize(
            json::object{{"paging", {{"start", 0}, {"count", 10}, {"links", json::array{}}}}, {"elements", elements}}));
  }
  if (path.rfind("/rest/networkSizes/", 0) == 0 && method == "GET") {
    const auto organization = path.substr(std::string("/rest/networkSizes/").size());
    if (q["edgeType"] != "COMPANY_FOLLOWED_BY_MEMBER")
      return sendError(response, 400, "ILLEGAL_ARGUMENT", "Invalid edgeType");
    if (!orgReader || followersDenied) return sendDenied(response, "networkSizes", "GET", caller);
    std::lock_guard lock(mutex);
    return marketsage::test::sendJson(response, 200,
                                      json::serialize(json::object{{"firstDegreeSize", followers[organization]}}));
  }
  sendError(response, 404, "NOT_FOUND", "No resource " + method + " " + path);
}

void LinkedInApi::State::createPost(Request& request, Response& response, const Caller& caller) {
  auto post = jsonBody(request, response);
  if (!post) return;
  if (auto error = postSchemaError(*post); !error.empty())
    return sendError(response, 422, "UNPROCESSABLE_ENTITY", error);
  const std::string author(post->at("author").as_string());
  std::unique_lock lock(mutex);
  const auto scope = writeScope(author);
  if (scope.empty() || !caller.has(scope)) return sendDenied(response, "partnerApiPostsExternal", "CREATE", caller);
  // commentary: at most 3,000 characters
  // (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api).
  const std::string commentary(post->at("commentary").as_string());
  if (const size_t length = littleTextLength(commentary); length > kMaxCommentary)
    return sendCommentaryTooLong(response, commentary, length);
  std::string kind = "share";
  if (const auto* content = post->contains("content") ? post->at("content").if_object() : nullptr) {
    std::vector<std::string> ids;
    if (const auto* m = content->if_contains("media")) ids.push_back(json::value_to<std::string>(m->at("id")));
    if (const auto* multi = content->if_contains("multiImage")) {
      for (const auto& image : multi->at("images").as_array())
        ids.push_back(json::value_to<std::string>(image.at("id")));
      if (ids.size() < 2 || ids.size() > 20)
        return sendError(response, 422, "UNPROCESSABLE_ENTITY", "multiImage takes 2 to 20 images");
    }
    if (const auto* article = content->if_contains("article"); article && !article->as_object().contains("source"))
      return sendError(response, 422, "UNPROCESSABLE_ENTITY",
                       "ERROR :: /content/article/source :: field is required but not found\n");
    for (const auto& id : ids) {
      const auto asset = assets.find(id);
      if (asset == assets.end() || asset->second.owner != author)
        return sendError(response, 400, "INVALID_CONTENT", "Media " + id + " is not found or not owned by the author");
      if (asset->second.status != "AVAILABLE")
        return sendError(response, 400, "MEDIA_ASSET_PROCESSING",
                         "Media " + id + " is not ready: " + asset->second.status);
      if (asset->second.kind == "document" && !content->at("media").as_object().contains("title"))
        return sendError(response, 422, "UNPROCESSABLE_ENTITY",
                         "ERROR :: /content/media/title :: required for documents\n");
      if (asset->second.kind != "image") kind = "ugcPost";
    }
  }
  // LinkedIn refuses a post identical to a live one of its author, naming it (as apps report:
  // github.com/Arisamiga/Linkedin-RSS/issues/5).
  if (const auto existing = duplicateOf(author, *post); !existing.empty()) {
    const json::object inputError{
        {"description", "Duplicate post is detected"}, {"input", json::object{}}, {"code", "DUPLICATE_POST"}};
    return marketsage::test::sendJson(
        response, 422,
        json::serialize(json::object{
            {"errorDetailType", "com.linkedin.common.error.BadRequest"},
            {"message",
             "com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of " +
                 existing},
            {"errorDetails", {{"inputErrors", json::array{inputError}}}},
            {"status", 422}}));
  }
  PublishedPost created{
      "", author, readLittleText(std::string(post->at("commentary").as_string())), json::serialize(*post), nowMs(), 0};
  const auto publish = [this, kind](PublishedPost& p) {  // callers hold the mutex
    p.urn = "urn:li:" + kind + ":" + newId();
    p.listedFromMs = p.createdAtMs + finderLagMs;
    livePosts[p.urn] = p;
    postOrder.push_back(p.urn);
  };
  const auto fault = faults.next();
  lock.unlock();
  if (fault == marketsage::test::CreateFault::RefuseWithoutCreate)
    return sendError(response, 503, "SERVICE_UNAVAILABLE", "Service Unavailable");
  if (fault == marketsage::test::CreateFault::LateCreate) {
    // The gateway gave up; LinkedIn creates the post a moment later, unless it is a duplicate by then.
    faults.createLater([this, publish, created, body = *post]() mutable {
      std::lock_guard late(mutex);
      if (!duplicateOf(created.author, body).empty()) return;
      created.createdAtMs = nowMs();
      publish(created);
    });
    return sendError(response, 504, "GATEWAY_TIMEOUT", "Gateway Timeout");
  }
  lock.lock();
  publish(created);
  lock.unlock();
  const auto answer = [&] { marketsage::test::sendJson(response, 201, "", "x-restli-id", created.urn); };
  if (!fault) return answer();
  faults.afterCreate(*fault, request, answer, [&] { sendError(response, 504, "GATEWAY_TIMEOUT", "Gateway Timeout"); });
}

std::string LinkedInApi::State::duplicateOf(const std::string& author, const json::object& post) const {
  for (const auto& [urn, live] : livePosts) {
    if (live.author != author) continue;
    const auto body = json::parse(live.body).as_object();
    const auto* content = body.if_contains("content");
    const auto* wanted = post.if_contains("content");
    if (body.at("commentary") == post.at("commentary") && (content ? wanted && *content == *wanted : !wanted))
      return urn;
  }
  return {};
}

/// "Find Posts by Authors" (Posts API): GET /rest/posts?author={urn}&q=author[&count&start&sortBy],
/// newest first. A member's posts need r_member_social (a restricted permission), a page's
/// r_organization_social and a role on the page.
void LinkedInApi::State::findPostsByAuthor(Request& request, Response& response, const Caller& caller) {
  auto q = query(request);
  if (q["q"] != "author") return sendError(response, 400, "ILLEGAL_ARGUMENT", "Invalid finder: q must be author");
  const auto author = q["author"];
  const auto number = [&](const char* name, long long fallback) -> long long {
    const auto& text = q[name];
    if (text.empty()) return fallback;
    return text.size() < 6 && text.find_first_not_of("0123456789") == std::string::npos ? std::stoll(text) : -1;
  };
  const long long count = number("count", 10), start = number("start", 0);
  if (count < 1 || count > 100 || start < 0)
    return sendError(response, 400, "ILLEGAL_ARGUMENT", "Invalid paging: count must be 1 to 100, start 0 or more");
  const auto sortBy = q["sortBy"].empty() ? std::string("LAST_MODIFIED") : q["sortBy"];
  if (sortBy != "LAST_MODIFIED" && sortBy != "CREATED")
    return sendError(response, 400, "ILLEGAL_ARGUMENT", "Invalid sortBy: " + sortBy);
  std::lock_guard lock(mutex);
  const bool allowed = author == memberUrn() ? caller.has("r_member_social")
                                             : administers(author) && caller.has("r_organization_social");
  if (!allowed) return sendDenied(response, "partnerApiPostsExternal", "FINDER-author", caller);
  std::vector<const PublishedPost*> found;
  for (const auto& urn : postOrder)
    if (const auto it = livePosts.find(urn);
        it != livePosts.end() && it->second.author == author && it->second.listedFromMs <= nowMs())
      found.push_back(&it->second);
  std::reverse(found.begin(), found.end());  // newest first (posts are never edited here: both orders agree)
  json::array elements;
  for (auto i = static_cast<size_t>(start); i < found.size() && i < static_cast<size_t>(start + count); ++i) {
    auto element = json::parse(found[i]->body).as_object();
    element["id"] = found[i]->urn;
    element["createdAt"] = found[i]->createdAtMs;
    element["publishedAt"] = found[i]->createdAtMs;
    element["lastModifiedAt"] = found[i]->createdAtMs;
    element["lifecycleStateInfo"] = {{"isEditedByAuthor", false}};
    elements.push_back(element);
  }
  json::array links;
  if (static_cast<size_t>(start + count) < found.size()) {
    std::string encoded;
    Poco::URI::encode(author, ":,()", encoded);
    links.push_back(
        json::object{{"type", "application/json"},
                     {"rel", "next"},
                     {"href", "/rest/posts?author=" + encoded + "&count=" + std::to_string(count) +
                                  "&q=author&sortBy=" + sortBy + "&start=" + std::to_string(start + count)}});
  }
  marketsage::test::sendJson(
      response, 200,
      json::serialize(
          json::object{{"paging", {{"start", start}, {"count", count}, {"links", links}, {"total", found.size()}}},
                       {"elements", elements}}));
}

}  // namespace emulators
