// reconcile (ABI 1.2): is a post whose create got no complete answer live on LinkedIn? Read from
// the author's posts, newest first (Posts API, "Find Posts by Authors": GET /rest/posts?author=…
// &q=author&sortBy=CREATED, X-RestLi-Method: FINDER), matched by commentary and content.
// LinkedIn lets an app read a member's posts only with r_member_social, which few apps have: a
// refusal is an honest "unknown", never an error.
#include "LinkedIn.h"

#include <algorithm>

namespace linkedin {
namespace {

constexpr long long kOursMarginMs = 5 * 60 * 1000;  // a post this much older than the attempt may still be its own
constexpr long long kLookBackMs = 24LL * 60 * 60 * 1000;  // identical older posts are looked for this far back
constexpr int kPageSize = 50;
constexpr int kMaxPages = 4;  // 200 posts read at most

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
}

/// The commentary as its author wrote it: LinkedIn's little text with its backslash escapes removed.
std::string unescapeLittleText(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    out += text[i];
  }
  return out;
}

/// Whether the post at `at` in `page` (one of "elements") is the post of the request: the same
/// commentary, and the same article, media (by URN when known, else by count) or none.
bool matches(const marketsage::sdk::Document& page, const std::string& at, const Post& post,
             const std::vector<std::string>& urns) {
  const auto field = [&](const std::string& pointer) { return page.string((at + pointer).c_str()).value_or(""); };
  if (field("/lifecycleState") != "PUBLISHED") return false;
  if (trimmed(unescapeLittleText(field("/commentary"))) != trimmed(post.content)) return false;
  if (!post.link.empty()) return field("/content/article/source") == post.link;
  std::vector<std::string> listed;
  if (const auto single = field("/content/media/id"); !single.empty()) listed.push_back(single);
  for (size_t i = 0, n = page.count((at + "/content/multiImage/images").c_str()); i < n; ++i)
    listed.push_back(field("/content/multiImage/images/" + std::to_string(i) + "/id"));
  if (post.media.empty()) return listed.empty() && !page.get((at + "/content/article").c_str()).present();
  if (listed.size() != post.media.size()) return false;
  if (urns.empty()) return true;  // URNs unknown: the count has to do
  auto wanted = urns;
  std::sort(wanted.begin(), wanted.end());
  std::sort(listed.begin(), listed.end());
  return wanted == listed;
}

std::string unknown(const std::string& reason) {
  return Json::object().field("outcome", "unknown").field("reason", reason).str();
}

}  // namespace

ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto author = authorUrn(json);
    const auto post = readPost(json);
    const auto attemptedAt = host.parseTime(host.requiredString(json, "/attemptedAt", 64));
    if (!attemptedAt) throw Error(MS_ERR_INVALID_INPUT, "/attemptedAt must be an RFC 3339 time");
    std::vector<std::string> urns;
    for (const auto& m : post.media) urns.push_back(knownMediaUrn(json, m));
    if (std::find(urns.begin(), urns.end(), std::string()) != urns.end()) urns.clear();
    if (trimmed(post.content).empty() && post.link.empty() && urns.empty())
      return unknown(
          "a post without text whose media URNs are unknown cannot be told apart from the author's other posts");

    const long long oursFrom = *attemptedAt - kOursMarginMs;
    std::string ours, older;  // the oldest match since the attempt; the newest one before it
    bool passedAttempt = false, readAll = false;
    for (int page = 0; page < kMaxPages && !readAll && !(passedAttempt && (!ours.empty() || !older.empty())); ++page) {
      const auto path = "/rest/posts?author=" + encodeUrn(author) + "&q=author&count=" + std::to_string(kPageSize) +
                        "&start=" + std::to_string(page * kPageSize) + "&sortBy=CREATED";
      const auto r = sendApi("GET", path, token, {}, {{"X-RestLi-Method", "FINDER"}});
      const auto permission = isOrganization(author) ? "r_organization_social" : "r_member_social";
      if (r.result == MS_OK && r.status == 403)
        return unknown(std::string("LinkedIn does not let this app read the author's posts (it needs ") + permission +
                       "): check the author's activity for this post");
      if (r.result != MS_OK || r.status < 200 || r.status >= 300) fail(r, permission);
      const auto listing = host.parse(r.body);
      const size_t n = listing.count("/elements");
      for (size_t i = 0; i < n && !readAll; ++i) {  // newest first
        const auto at = "/elements/" + std::to_string(i);
        const auto createdAt = listing.integer((at + "/createdAt").c_str()).value_or(0);
        passedAttempt = passedAttempt || createdAt < oursFrom;
        readAll = createdAt < *attemptedAt - kLookBackMs;
        if (readAll || !matches(listing, at, post, urns)) continue;
        (createdAt >= oursFrom ? ours : older) = listing.string((at + "/id").c_str()).value_or("");
        if (createdAt < oursFrom) break;  // the newest identical post before the attempt is enough
      }
      readAll = readAll || n < static_cast<size_t>(kPageSize);
    }
    if (!ours.empty())
      return Json::object().field("outcome", "found").field("postId", ours).field("url", postUrl(ours)).str();
    if (!older.empty())
      return unknown("an identical post (" + older +
                     ") from before the attempt is on the account; LinkedIn refuses duplicates, so "
                     "this post cannot go out again as is: check whether that one is it");
    if (!passedAttempt && !readAll)
      return unknown("the author has more posts since the attempt than the plugin reads (" +
                     std::to_string(kMaxPages * kPageSize) + ")");
    return Json::object().field("outcome", "not_found").str();
  });
}

}  // namespace linkedin
