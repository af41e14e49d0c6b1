// A post as Mastodon takes it: the status text, options.mastodon, the thread, and the instance's
// limits (docs.joinmastodon.org/methods/statuses#create, methods/instance#v2). Counting follows
// Mastodon's StatusLengthValidator: every URL counts characters_reserved_per_url, a remote
// mention @user@domain counts as @user, and the content warning counts with the text.
#include "Mastodon.h"

#include <algorithm>
#include <cctype>

namespace mastodon {
namespace {

constexpr size_t maxThreadParts = 25;

long long codePoints(std::string_view text) {
  long long n = 0;
  for (const char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

bool validUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > text.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

/// ISO 639-1/-3 code, optionally with Mastodon's regional or script variant ("pt-BR", "zh-TW",
/// "sr-Latn": LanguagesHelper::REGIONAL_LOCALE_NAMES).
bool languageCode(const std::string& code) {
  const size_t dash = code.find('-');
  const std::string base = code.substr(0, dash);
  if (base.size() < 2 || base.size() > 3 ||
      !std::all_of(base.begin(), base.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return false;
  if (dash == std::string::npos) return true;
  const std::string variant = code.substr(dash + 1);
  return variant.size() >= 2 && variant.size() <= 4 && std::all_of(variant.begin(), variant.end(), [](char c) {
           return std::isalpha(static_cast<unsigned char>(c));
         });
}

bool optionalBool(std::string_view json, const char* pointer) {
  const auto v = host.get(json, pointer);
  if (!v.present() || v.type == MS_JSON_NULL) return false;
  if (v.type != MS_JSON_BOOL) throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " must be true or false");
  return v.text == "true";
}

std::optional<Poll> parsePoll(std::string_view json) {
  const auto v = host.get(json, "/options/poll");
  if (!v.present() || v.type == MS_JSON_NULL) return std::nullopt;
  if (v.type != MS_JSON_OBJECT) throw Error(MS_ERR_INVALID_INPUT, "/options/poll must be an object");
  Poll poll;
  poll.options = stringArray(json, "/options/poll/options", 100);
  if (auto expires = host.get(json, "/options/poll/expiresIn"); expires.present()) {
    const auto seconds = sdk::Document::integerOf(expires);
    if (!seconds) throw Error(MS_ERR_INVALID_INPUT, "/options/poll/expiresIn must be a number of seconds");
    poll.expiresIn = *seconds;
  }
  poll.multiple = optionalBool(json, "/options/poll/multiple");
  poll.hideTotals = optionalBool(json, "/options/poll/hideTotals");
  return poll;
}

}  // namespace

long long countCharacters(std::string_view text, const Limits& limits) {
  long long n = 0;
  for (size_t i = 0; i < text.size();) {
    if (isSpace(text[i])) {
      ++n;
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !isSpace(text[end])) ++end;
    auto word = text.substr(i, end - i);
    const bool url = word.rfind("http://", 0) == 0 || word.rfind("https://", 0) == 0;
    const bool mention = word.size() > 1 && word[0] == '@' && word.find('@', 1) != std::string_view::npos;
    if (url || mention) {
      // Trailing punctuation is not part of the entity (twitter-text's URLs end in [a-z0-9=_#/+-],
      // Account::MENTION_RE's domains in a word character): "https://a.example/x." is 23 + 1.
      while (word.size() > 1 && static_cast<unsigned char>(word.back()) < 0x80 &&
             !std::isalnum(static_cast<unsigned char>(word.back())) &&
             std::string_view(url ? "=_#/+-" : "_").find(word.back()) == std::string_view::npos) {
        word.remove_suffix(1);
        ++n;
      }
    }
    if (url) {
      n += limits.charactersPerUrl;
    } else if (mention) {
      n += codePoints(word.substr(0, word.find('@', 1)));  // @user@domain counts as @user
    } else {
      n += codePoints(word);
    }
    i = end;
  }
  return n;
}

Post parsePost(std::string_view json) {
  Post post;
  auto content = host.optionalString(json, "/content", 100000).value_or("");
  if (auto link = host.optionalString(json, "/link", 2000); link && !link->empty())
    content += (content.empty() ? "" : " ") + *link;
  post.parts.push_back(content);
  const auto thread = host.get(json, "/thread");
  if (thread.type == MS_JSON_ARRAY) {
    const size_t n = host.count(json, "/thread");
    if (n > maxThreadParts) throw Error(MS_ERR_INVALID_INPUT, "/thread has more than 25 parts");
    for (size_t i = 0; i < n; ++i)
      post.parts.push_back(host.requiredString(json, "/thread/" + std::to_string(i) + "/content", 100000));
  } else if (thread.present() && thread.type != MS_JSON_NULL) {
    throw Error(MS_ERR_INVALID_INPUT, "/thread must be an array of {\"content\"}");
  }
  const size_t media = host.count(json, "/media");
  if (media > 64) throw Error(MS_ERR_INVALID_INPUT, "/media has too many items");
  for (size_t i = 0; i < media; ++i) {
    const std::string at = "/media/" + std::to_string(i);
    Post::Media m;
    m.hostId = host.optionalString(json, at + "/id", 200).value_or("");
    m.platformId = host.optionalString(json, at + "/platformMediaId", 64).value_or("");
    if (!m.platformId.empty() && !isId(m.platformId))
      throw Error(MS_ERR_INVALID_INPUT, at + "/platformMediaId is not a Mastodon id");
    m.kind = host.optionalString(json, at + "/kind", 32).value_or("image");
    m.mimeType = host.optionalString(json, at + "/mimeType", 100).value_or("");
    m.path = host.optionalString(json, at + "/path", 4096).value_or("");
    m.altText = host.optionalString(json, at + "/altText", 10000).value_or("");
    m.size = host.integer(json, (at + "/size").c_str()).value_or(0);
    post.media.push_back(m);
  }
  post.visibility = host.optionalString(json, "/options/visibility", 16).value_or("");
  post.spoilerText = host.optionalString(json, "/options/spoilerText", 10000).value_or("");
  post.language = host.optionalString(json, "/options/language", 16).value_or("");
  post.inReplyToId = host.optionalString(json, "/options/inReplyToId", 64).value_or("");
  post.sensitive = optionalBool(json, "/options/sensitive");
  post.poll = parsePoll(json);
  return post;
}

std::vector<sdk::Issue> checkLimits(const Post& post, const Limits& limits) {
  std::vector<sdk::Issue> issues;
  const auto over = [&](const std::string& field, long long used) {
    issues.push_back({field, "longer than " + std::to_string(limits.maxCharacters) + " characters (" +
                                 std::to_string(used) + ", content warning included)"});
  };
  // StatusLengthValidator counts the content warning as it is: only the text's URLs and mentions
  // are shortened.
  const long long warning = codePoints(post.spoilerText);
  for (size_t i = 0; i < post.parts.size(); ++i) {
    const std::string field = i == 0 ? "/content" : "/thread/" + std::to_string(i - 1) + "/content";
    if (!validUtf8(post.parts[i])) {
      issues.push_back({field, "not valid UTF-8"});
      continue;
    }
    const long long used = countCharacters(post.parts[i], limits) + warning;
    if (used > limits.maxCharacters) over(field, used);
    // Status: validates :text, presence: true, unless: with_media? — blank text is no text, and a
    // poll does not stand in for it (methods/statuses#create: poll needs status).
    const bool carried = i == 0 && !post.media.empty();
    if (std::all_of(post.parts[i].begin(), post.parts[i].end(), isSpace) && !carried)
      issues.push_back({field, "a status needs text or media (a poll needs text too)"});
  }
  if (!post.visibility.empty() && post.visibility != "public" && post.visibility != "unlisted" &&
      post.visibility != "private" && post.visibility != "direct")
    issues.push_back({"/options/visibility", "must be public, unlisted, private or direct"});
  if (!post.language.empty() && !languageCode(post.language))
    issues.push_back({"/options/language", R"(must be an ISO 639 language code such as "en" or "pt-BR")"});
  if (!post.inReplyToId.empty() && !isId(post.inReplyToId))
    issues.push_back({"/options/inReplyToId", "is not a Mastodon status id"});
  if (static_cast<long long>(post.media.size()) > limits.maxMediaAttachments)
    issues.push_back({"/media", "more than " + std::to_string(limits.maxMediaAttachments) + " attachments"});
  // PostStatusService#validate_media!: a video or an audio file is the status's only attachment
  // ("Cannot attach a video to a post that already contains images"); GIFs (gifv) mix with images.
  const auto audioOrVideo = [](const Post::Media& m) {
    return m.kind == "video" ||
           (m.kind != "gif" && (m.mimeType.rfind("video/", 0) == 0 || m.mimeType.rfind("audio/", 0) == 0));
  };
  if (post.media.size() > 1 && std::any_of(post.media.begin(), post.media.end(), audioOrVideo))
    issues.push_back({"/media", "a video or audio file cannot be attached with other media"});
  for (size_t i = 0; i < post.media.size(); ++i) {
    const auto& m = post.media[i];
    const std::string field = "/media/" + std::to_string(i);
    const bool image = m.kind == "image";
    const long long limit = image ? limits.imageSizeLimit : limits.videoSizeLimit;
    if (m.size > limit)
      issues.push_back({field, "larger than the instance's " + std::to_string(limit / (1024 * 1024)) + " MB limit"});
    if (!m.mimeType.empty() && !limits.mimeTypes.empty() &&
        std::find(limits.mimeTypes.begin(), limits.mimeTypes.end(), m.mimeType) == limits.mimeTypes.end())
      issues.push_back({field, m.mimeType + " is not a type the instance accepts"});
    if (codePoints(m.altText) > 1500) issues.push_back({field + "/altText", "longer than 1500 characters"});
  }
  if (post.poll) {
    const auto& poll = *post.poll;
    if (!post.media.empty()) issues.push_back({"/options/poll", "a status cannot carry both media and a poll"});
    if (poll.options.size() < 2 || static_cast<long long>(poll.options.size()) > limits.pollMaxOptions)
      issues.push_back({"/options/poll/options", "needs 2 to " + std::to_string(limits.pollMaxOptions) + " options"});
    for (size_t i = 0; i < poll.options.size(); ++i)
      if (codePoints(poll.options[i]) > limits.pollMaxCharactersPerOption || poll.options[i].empty())
        issues.push_back({"/options/poll/options/" + std::to_string(i),
                          "must be 1 to " + std::to_string(limits.pollMaxCharactersPerOption) + " characters"});
    for (size_t i = 1; i < poll.options.size(); ++i)  // PollValidator: duplicate_options
      if (std::find(poll.options.begin(), poll.options.begin() + static_cast<std::ptrdiff_t>(i), poll.options[i]) !=
          poll.options.begin() + static_cast<std::ptrdiff_t>(i))
        issues.push_back({"/options/poll/options/" + std::to_string(i), "repeats an earlier option"});
    if (poll.expiresIn < limits.pollMinExpiration || poll.expiresIn > limits.pollMaxExpiration)
      issues.push_back({"/options/poll/expiresIn", "must be between " + std::to_string(limits.pollMinExpiration) +
                                                       " and " + std::to_string(limits.pollMaxExpiration) +
                                                       " seconds"});
  }
  return issues;
}

ms_status validate(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto post = parsePost(json);
    const auto limits = knownLimits();
    const auto issues = checkLimits(post, limits);
    std::optional<sdk::LengthCount> length;
    if (validUtf8(post.parts[0]) && validUtf8(post.spoilerText))
      length = sdk::LengthCount{countCharacters(post.parts[0], limits) + codePoints(post.spoilerText),
                                limits.maxCharacters, "characters"};
    auto out = sdk::validationReply(issues, length);
    if (issues.empty()) return out;
    reply->write(reply, out.data(), out.size());
    throw Error(MS_ERR_INVALID_INPUT, "");
  });
}

}  // namespace mastodon
