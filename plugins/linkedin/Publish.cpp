// validate, publish (Posts API) and delete_post. Media are uploaded first, and while LinkedIn
// processes them publish answers "pending" instead of waiting; a create whose answer is lost is
// OUTCOME_UNKNOWN (reconcile, in Reconcile.cpp, looks for it).
#include "LinkedIn.h"

#include <filesystem>

namespace linkedin {
namespace {

/// validate's reply: the issues, and the commentary's length as LinkedIn counts it.
std::string validation(const Post& post, const std::vector<Issue>& issues) {
  const auto [used, limit] = commentaryLength(post);
  return marketsage::sdk::validationReply(
      issues, marketsage::sdk::LengthCount{static_cast<long long>(used), static_cast<long long>(limit), "characters"});
}

std::string postReply(const std::string& urn) {
  return Json::object().field("postId", urn).field("url", postUrl(urn)).str();
}

/// The URNs of the post's media, each uploaded once (URNs travel in resume.media).
struct PreparedMedia {
  std::vector<std::string> urns;   ///< in the order of post.media
  Json uploaded = Json::object();  ///< uploaded by this call: mediaKey → URN
  bool ready = true;               ///< false while LinkedIn processes some of them
};

PreparedMedia prepareMedia(std::string_view json, const Post& post, const std::string& author,
                           const std::string& token) {
  PreparedMedia out;
  for (const auto& m : post.media) {
    auto urn = knownMediaUrn(json, m);
    bool ready = false;
    if (urn.empty()) {
      const auto uploaded = uploadMedia(m, author, token);
      urn = uploaded.urn;
      ready = uploaded.ready;
      out.uploaded.field(mediaKey(m), urn);
    } else {
      ready = mediaReady(m, urn, author, token);
    }
    out.urns.push_back(urn);
    out.ready = out.ready && ready;
  }
  return out;
}

/// {"pending": …} while LinkedIn processes the media: URNs uploaded now join resume.media (the
/// host's own entries kept); resume.processingSince bounds the wait (upload_timeout_seconds).
std::string pendingReply(std::string_view json, const PreparedMedia& media) {
  const long long now = host.nowMs();
  const long long since = host.integer(json, "/resume/processingSince").value_or(now);
  if (now - since > uploadTimeoutMs())
    throw Error(MS_ERR_TRANSIENT, "LinkedIn is still processing the media (upload_timeout_seconds reached)");
  auto resume = Json::object().field("processingSince", since);
  if (!media.uploaded.empty()) {
    std::string merged = media.uploaded.str();
    if (const auto earlier = host.get(json, "/resume/media");
        earlier.type == MS_JSON_OBJECT && earlier.text.find(':') != std::string::npos)
      merged = earlier.text.substr(0, earlier.text.rfind('}')) + "," + merged.substr(1);
    resume.raw("media", merged);
  }
  return Json::object()
      .raw("pending", Json::object()
                          .field("retryAfterSeconds", pollSeconds())
                          .field("stage", kProcessingStage)
                          .raw("resume", resume))
      .str();
}

/// Why a create that brought no post URN may have made the post live (ABI 1.2), or nullopt when
/// LinkedIn refused it or nothing reached LinkedIn: sent whole without a complete answer, a
/// gateway's 502/503/504, or LinkedIn's 422 DUPLICATE_POST ("Content is a duplicate of urn:…").
std::optional<std::string> mayHaveCreated(const HttpResponse& r) {
  if (r.result != MS_OK)
    return r.result == MS_ERR_TRANSIENT && r.sent ? std::optional<std::string>("no complete answer (" + r.error + ")")
                                                  : std::nullopt;
  if (r.status == 502 || r.status == 503 || r.status == 504)
    return "LinkedIn's gateway answered " + std::to_string(r.status);
  const auto message = host.string(r.body, "/message").value_or("");
  bool duplicate = message.find("Content is a duplicate of") != std::string::npos;
  for (size_t i = 0, n = host.count(r.body, "/errorDetails/inputErrors"); i < n && !duplicate; ++i)
    duplicate =
        host.string(r.body, ("/errorDetails/inputErrors/" + std::to_string(i) + "/code").c_str()).value_or("") ==
        "DUPLICATE_POST";
  if (r.status != 422 || !duplicate) return std::nullopt;
  const auto named = message.find("urn:li:");
  return "LinkedIn refused it as a duplicate" +
         (named == std::string::npos ? std::string()
                                     : " of " + message.substr(named, message.find_first_of(" \"',", named) - named));
}

/// The Posts API "content" of `post` with its media's URNs; empty for a text-only post.
std::string postContent(const Post& post, const std::vector<std::string>& urns) {
  if (!post.link.empty()) {
    auto article =
        Json::object().field("source", post.link).field("title", post.title.empty() ? post.link : post.title);
    if (!post.description.empty()) article.field("description", post.description);
    return Json::object().raw("article", article).str();
  }
  if (post.media.empty()) return {};
  if (post.media.size() > 1) {
    auto images = Json::array();
    for (size_t i = 0; i < post.media.size(); ++i) {
      const auto& m = post.media[i];
      auto image = Json::object().field("id", urns[i]);
      if (!m.altText.empty()) image.field("altText", m.altText);
      images.pushRaw(image);
    }
    return Json::object().raw("multiImage", Json::object().raw("images", images)).str();
  }
  const auto& m = post.media.front();
  auto media = Json::object().field("id", urns.front());
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
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto post = readPost(host.objectRequest(req, len));
    const auto issues = checkPost(post);
    auto out = validation(post, issues);
    if (issues.empty()) return out;
    reply->write(reply, out.data(), out.size());  // kept by the host as the error's details
    throw Error(MS_ERR_INVALID_INPUT, issues.front().field + ": " + issues.front().message);
  });
}

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
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
    const auto media = prepareMedia(json, post, author, token);
    if (!media.ready) return pendingReply(json, media);
    if (const auto content = postContent(post, media.urns); !content.empty()) body.raw("content", content);
    body.field("lifecycleState", "PUBLISHED").field("isReshareDisabledByAuthor", false);

    const auto r = sendApi("POST", "/rest/posts", token, body.str());
    if (r.result == MS_OK && r.status >= 200 && r.status < 300) {
      const auto urn = host.string(r.headers, "/x-restli-id");
      if (!urn || urn->empty()) throw Error(MS_ERR_PERMANENT, "LinkedIn created the post without an x-restli-id");
      return postReply(*urn);
    }
    if (const auto why = mayHaveCreated(r))
      throw Error(MS_ERR_OUTCOME_UNKNOWN, "the post may be live on LinkedIn: " + *why,
                  r.result == MS_OK ? std::to_string(r.status) : "");
    fail(r, writePermission(author));
  });
}

ms_status deletePost(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto urn = host.requiredString(json, "/postId", 200);
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
