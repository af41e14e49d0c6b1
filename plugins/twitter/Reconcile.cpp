// reconcile (ABI 1.2): is a post whose create got no complete answer live on X? Read from the
// account's own posts, GET /2/users/:id/tweets (https://docs.x.com/x-api/posts/timelines/introduction), newest
// first, since a little before the attempt, matched part by part: same text, same post answered,
// same quote, same media.
#include "Capabilities.h"
#include "Common.h"
#include "MediaUpload.h"
#include "Validation.h"

#include <algorithm>

namespace twitter {
namespace {

constexpr long long oursMarginMs = 5 * 60 * 1000;        // a post this much older than the attempt may still be its own
constexpr long long lookBackMs = 24LL * 60 * 60 * 1000;  // identical older posts are looked for this far back
constexpr int maxPages = 5;                              // of 100 posts: 500 posts read at most
constexpr const char* tweetFields = "created_at,conversation_id,referenced_tweets,entities,attachments";

/// One post of the account as the timeline shows it.
struct Listed {
  std::string id, text, repliesTo, quotes;
  std::vector<std::string> mediaIds;  ///< from attachments.media_keys ("<type>_<media id>")
  struct Link {
    std::string url, expanded;
    bool added = false;  ///< X's own link to the post's media or quoted post, not written by the author
  };
  std::vector<Link> links;  ///< entities.urls: the t.co links of `text`
  long long createdAtMs = 0;
};

constexpr const char* space = " \t\r\n";

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(space);
  return first == std::string::npos ? std::string() : text.substr(first, text.find_last_not_of(space) - first + 1);
}

/// X escapes &, < and > in `text`.
std::string unescapeHtml(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool replaced = false;
    for (const auto& [entity, c] : {std::pair{"&amp;", '&'}, std::pair{"&lt;", '<'}, std::pair{"&gt;", '>'}}) {
      if (text.substr(i, std::string_view(entity).size()) == entity) {
        out += c;
        i += std::string_view(entity).size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i];
  }
  return out;
}

/// The ways an author may have written the URL X expanded to `expanded`: X adds "http://" to a
/// URL written without a scheme, and may add or drop a trailing slash.
std::vector<std::string> writtenForms(const std::string& expanded) {
  std::vector<std::string> forms = {expanded};
  if (const auto scheme = expanded.find("://"); scheme != std::string::npos)
    forms.push_back(expanded.substr(scheme + 3));
  for (size_t i = 0, n = forms.size(); i < n; ++i) {
    if (!forms[i].empty() && forms[i].back() == '/')
      forms.push_back(forms[i].substr(0, forms[i].size() - 1));
    else
      forms.push_back(forms[i] + "/");
  }
  return forms;
}

/// The text of `t` as pieces: literal text, or (url) a link the author wrote. X's own links are
/// left out, and white space around the whole is dropped.
struct Piece {
  bool url = false;
  std::string text;
};

std::vector<Piece> piecesOf(const Listed& t) {
  std::vector<Piece> pieces;
  std::string literal;
  size_t at = 0;
  for (const auto& link : t.links) {
    const auto found = t.text.find(link.url, at);
    if (found == std::string::npos) continue;
    literal += unescapeHtml(std::string_view(t.text).substr(at, found - at));
    at = found + link.url.size();
    if (link.added) continue;
    pieces.push_back({false, std::move(literal)});
    pieces.push_back({true, link.expanded});
    literal.clear();
  }
  pieces.push_back({false, literal + unescapeHtml(std::string_view(t.text).substr(at))});
  auto& first = pieces.front().text;
  first.erase(0, std::min(first.size(), first.find_first_not_of(space)));
  auto& last = pieces.back().text;
  last.erase(last.find_last_not_of(space) + 1);
  return pieces;
}

/// Whether `ours` from `at` on is pieces[i…] (each link matching one way its URL may be written).
bool spells(const std::string& ours, size_t at, const std::vector<Piece>& pieces, size_t i) {
  if (i == pieces.size()) return at == ours.size();
  const auto candidates = pieces[i].url ? writtenForms(pieces[i].text) : std::vector<std::string>{pieces[i].text};
  for (const auto& candidate : candidates)
    if (ours.compare(at, candidate.size(), candidate) == 0 && spells(ours, at + candidate.size(), pieces, i + 1))
      return true;
  return false;
}

/// Whether the author's `text` is what X shows as `t`'s text (t.co links expanded, &amp; & co.
/// unescaped, X's own media and quote links dropped, surrounding white space ignored).
bool sameText(const std::string& text, const Listed& t) { return spells(trimmed(text), 0, piecesOf(t), 0); }

/// One page of the account's posts, appended to `out`; answers the next page's token ("" at the end).
std::string readPage(const std::string& token, const std::string& userId, long long sinceMs,
                     const std::string& pageToken, std::vector<Listed>& out) {
  std::string url = apiBase() + "/2/users/" + userId +
                    "/tweets?max_results=100&start_time=" + host.urlEncode(rfc3339(sinceMs / 1000)) +
                    "&tweet.fields=" + host.urlEncode(tweetFields);
  if (!pageToken.empty()) url += "&pagination_token=" + host.urlEncode(pageToken);
  const auto r = apiCall("GET", url, token, {}, "tweet.read");
  const auto page = host.parse(r.body);
  for (size_t i = 0, n = page.count("/data"); i < n; ++i) {
    const auto at = "/data/" + std::to_string(i);
    const auto field = [&](const std::string& pointer) { return page.string((at + pointer).c_str()).value_or(""); };
    Listed t;
    t.id = field("/id");
    t.text = field("/text");
    t.createdAtMs = host.parseTime(field("/created_at")).value_or(0);
    for (size_t k = 0, m = page.count((at + "/referenced_tweets").c_str()); k < m; ++k) {
      const auto ref = "/referenced_tweets/" + std::to_string(k);
      const auto type = field(ref + "/type");
      if (type == "replied_to") t.repliesTo = field(ref + "/id");
      if (type == "quoted") t.quotes = field(ref + "/id");
    }
    for (size_t k = 0, m = page.count((at + "/attachments/media_keys").c_str()); k < m; ++k) {
      const auto key = field("/attachments/media_keys/" + std::to_string(k));
      t.mediaIds.push_back(key.substr(key.find('_') + 1));
    }
    for (size_t k = 0, m = page.count((at + "/entities/urls").c_str()); k < m; ++k) {
      const auto link = "/entities/urls/" + std::to_string(k);
      Listed::Link l{field(link + "/url"), field(link + "/expanded_url")};
      l.added = page.get((at + link + "/media_key").c_str()).present() ||
                (!t.quotes.empty() && l.expanded.find("/status/" + t.quotes) != std::string::npos);
      if (!l.url.empty()) t.links.push_back(std::move(l));
    }
    if (isXId(t.id)) out.push_back(std::move(t));
  }
  return page.string("/meta/next_token").value_or("");
}

/// What we know of one part to find: its text, the post it answers, its quote and media.
struct Wanted {
  const Part* part;
  std::string repliesTo, quotes;
  std::vector<std::string> mediaIds;  ///< empty when the ids are not known (then only their count is compared)
};

bool matches(const Listed& t, const Wanted& w) {
  if (t.repliesTo != w.repliesTo || t.quotes != w.quotes || t.mediaIds.size() != w.part->media.size()) return false;
  if (!w.mediaIds.empty()) {
    auto a = t.mediaIds, b = w.mediaIds;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) return false;
  }
  return sameText(w.part->text, t);
}

/// The oldest post of `listed` created at or after `fromMs` matching `w` and not taken yet.
const Listed* oldestMatch(const std::vector<Listed>& listed, const Wanted& w, long long fromMs,
                          const std::vector<std::string>& taken) {
  const Listed* best = nullptr;
  for (const auto& t : listed) {
    if (t.createdAtMs < fromMs || !matches(t, w) || std::find(taken.begin(), taken.end(), t.id) != taken.end())
      continue;
    // X ids grow with time: the shorter, or the smaller of equal length, is older.
    if (!best || t.id.size() < best->id.size() || (t.id.size() == best->id.size() && t.id < best->id)) best = &t;
  }
  return best;
}

std::string unknown(const std::string& reason) {
  return sdk::Json::object().field("outcome", "unknown").field("reason", reason).str();
}

}  // namespace

ms_status reconcile(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const Post post = parsePost(json);
    const auto userId = requiredId(json, "/account/id");
    const auto attemptedAt = host.parseTime(host.requiredString(json, "/attemptedAt", 64));
    if (!attemptedAt) throw Error(MS_ERR_INVALID_INPUT, "/attemptedAt must be an RFC 3339 time");
    std::vector<std::string> ids = livePartIds(json, post);

    std::vector<Wanted> wanted;
    for (size_t index = ids.size(); index < post.parts.size(); ++index) {
      Wanted w{
          &post.parts[index], index == 0 ? post.options.replyTo : "", index == 0 ? post.options.quoteTweetId : "", {}};
      for (const auto& media : w.part->media) w.mediaIds.push_back(knownMediaId(json, media));
      if (std::find(w.mediaIds.begin(), w.mediaIds.end(), std::string()) != w.mediaIds.end()) w.mediaIds.clear();
      if (trimmed(w.part->text).empty() && w.mediaIds.empty())
        return unknown(
            "a post without text whose media ids are unknown cannot be told apart from the account's other posts");
      wanted.push_back(std::move(w));
    }

    // Newest first: read until the posts are older than the attempt (bounded), then match.
    const long long oursFrom = *attemptedAt - oursMarginMs;
    std::vector<Listed> listed;
    std::string next;
    int pages = 0;
    do {
      next = readPage(token, userId, *attemptedAt - lookBackMs, next, listed);
      ++pages;
    } while (!next.empty() && pages < maxPages && (listed.empty() || listed.back().createdAtMs >= oursFrom));
    const bool readPastAttempt = next.empty() || listed.back().createdAtMs < oursFrom;

    for (auto& w : wanted) {
      if (!ids.empty() && w.repliesTo.empty()) w.repliesTo = ids.back();
      const auto* match = oldestMatch(listed, w, oursFrom, ids);
      if (!match) break;
      ids.push_back(match->id);
    }
    if (!ids.empty()) {
      return sdk::Json::object()
          .field("outcome", "found")
          .field("postId", ids.front())
          .field("url", postUrl(json, ids.front()))
          .raw("postIds", jsonList(ids))
          .str();
    }
    if (!readPastAttempt)
      return unknown("the account has posted more than " + std::to_string(listed.size()) +
                     " posts since the attempt; too many to read");
    // Nothing since the attempt. X refuses a text the account already posted: an identical older
    // post means a re-send would be refused, and perhaps this attempt was refused as its duplicate.
    while (!next.empty() && pages < maxPages) {
      next = readPage(token, userId, *attemptedAt - lookBackMs, next, listed);
      ++pages;
    }
    if (const auto* older = oldestMatch(listed, wanted.front(), *attemptedAt - lookBackMs, {}))
      return unknown("an identical post (" + older->id +
                     ") from before the attempt is on the account; X refuses duplicate text, so this "
                     "post cannot go out again as is: check whether that one is it");
    return sdk::Json::object().field("outcome", "not_found").str();
  });
}

}  // namespace twitter
