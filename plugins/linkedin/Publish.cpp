// validate, publish (Posts API) and delete_post.
#include "LinkedIn.h"

#include <filesystem>

namespace linkedin {
namespace {

std::string issuesJson(const std::vector<Issue>& issues) {
  auto list = Json::array();
  for (const auto& issue : issues) list.pushRaw(Json::object().field("field", issue.field).field("message", issue.message));
  return Json::object().raw("issues", list).str();
}

std::string postReply(const std::string& urn) {
  return Json::object().field("postId", urn).field("url", "https://www.linkedin.com/feed/update/" + urn + "/").str();
}

/// The URN of a media item: already uploaded by the host, or uploaded now.
std::string mediaUrn(const MediaItem& media, const std::string& author, const std::string& token) {
  return media.platformMediaId.empty() ? uploadMedia(media, author, token) : media.platformMediaId;
}

/// The Posts API "content" of `post`, uploading its media; empty for a text-only post.
std::string postContent(const Post& post, const std::string& author, const std::string& token) {
  if (!post.link.empty()) {
    auto article = Json::object().field("source", post.link).field("title", post.title.empty() ? post.link : post.title);
    if (!post.description.empty()) article.field("description", post.description);
    return Json::object().raw("article", article).str();
  }
  if (post.media.empty()) return {};
  if (post.media.size() > 1) {
    auto images = Json::array();
    for (const auto& m : post.media) {
      auto image = Json::object().field("id", mediaUrn(m, author, token));
      if (!m.altText.empty()) image.field("altText", m.altText);
      images.pushRaw(image);
    }
    return Json::object().raw("multiImage", Json::object().raw("images", images)).str();
  }
  const auto& m = post.media.front();
  auto media = Json::object().field("id", mediaUrn(m, author, token));
  if (m.kind == "image" || m.kind == "gif") {
    if (!m.altText.empty()) media.field("altText", m.altText);
  } else if (!post.title.empty() || m.kind == "document") {  // documents must carry a title
    const auto fileName = std::filesystem::path(m.path).filename().string();
    media.field("title", !post.title.empty() ? post.title : fileName.empty() ? std::string("Document") : fileName);
  }
  return Json::object().raw("media", media).str();
}

}  // namespace

ms_status validate(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(reply, [&] {
    const auto issues = checkPost(readPost(objectRequest(req, len)));
    const auto out = issuesJson(issues);
    if (issues.empty()) return out;
    reply->write(reply, out.data(), out.size());  // kept by the host as the error's details
    throw Error(MS_ERR_INVALID_INPUT, issues.front().field + ": " + issues.front().message);
  });
}

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = accessToken(json);
    const auto author = authorUrn(json);
    const auto post = readPost(json);
    if (const auto issues = checkPost(post); !issues.empty())
      throw Error(MS_ERR_INVALID_INPUT, issues.front().field + ": " + issues.front().message);
    // A retry of a post that is already live (LinkedIn posts are single parts): never post twice.
    if (auto live = optionalString(json, "/resume/postIds/0", 200); !live.empty()) return postReply(live);

    auto body = Json::object()
                    .field("author", author)
                    .field("commentary", escapeLittleText(post.content))
                    .field("visibility", post.visibility)
                    .raw("distribution", Json::object()
                                             .field("feedDistribution", "MAIN_FEED")
                                             .raw("targetEntities", "[]")
                                             .raw("thirdPartyDistributionChannels", "[]"));
    if (const auto content = postContent(post, author, token); !content.empty()) body.raw("content", content);
    body.field("lifecycleState", "PUBLISHED").field("isReshareDisabledByAuthor", false);

    const auto r = callApi("POST", "/rest/posts", token, writePermission(author), body.str());
    const auto urn = host.string(r.headers, "/x-restli-id");
    if (!urn || urn->empty()) throw Error(MS_ERR_PERMANENT, "LinkedIn created the post without an x-restli-id");
    return postReply(*urn);
  });
}

ms_status deletePost(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = accessToken(json);
    const auto urn = requiredString(json, "/postId", 200);
    if (urn.rfind("urn:li:", 0) != 0) throw Error(MS_ERR_INVALID_INPUT, "/postId must be a LinkedIn post URN");
    const auto account = optionalString(json, "/account/id", 200);
    const auto r = sendApi("DELETE", "/rest/posts/" + encodeUrn(urn), token);
    if (r.result == MS_OK && r.status == 404) return std::string("{}");  // already gone: nothing left to delete
    if (r.result != MS_OK || r.status < 200 || r.status >= 300)
      fail(r, account.empty() ? "w_member_social or w_organization_social" : writePermission(account));
    return std::string("{}");
  });
}

}  // namespace linkedin
