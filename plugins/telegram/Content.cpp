// Post content: reading, Telegram's limits (UTF-16 lengths, file sizes, albums) and the plan of
// Bot API calls a post becomes.
#include "Telegram.h"

#include <algorithm>

namespace telegram {
namespace {

size_t sequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;  // not UTF-8: one unit (the host refuses such text before it gets here)
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool optionalBool(const Document& json, const char* pointer, bool fallback, std::vector<Issue>& issues) {
  const auto v = json.get(pointer);
  if (!v.present() || v.type == MS_JSON_NULL) return fallback;
  if (v.type != MS_JSON_BOOL) {
    issues.push_back({pointer, "must be true or false"});
    return fallback;
  }
  return v.text == "true";
}

}  // namespace

size_t utf16Length(std::string_view text) {
  size_t units = 0;
  for (size_t i = 0; i < text.size();) {
    const auto n = sequenceLength(static_cast<unsigned char>(text[i]));
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

std::string telegramText(std::string_view text) {
  // tdlib td/telegram/misc.cpp clean_input_string, as fix_formatted_text applies it to every text
  // and caption a bot sends.
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r') continue;     // removed
    if (c <= 32 && c != '\n') {  // control characters and the space: a space
      out += ' ';
      continue;
    }
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) {
      const auto next = static_cast<unsigned char>(text[i + 2]);
      if (next >= 0xA8 && next <= 0xAE) {  // U+2028-U+202E: removed
        i += 2;
        continue;
      }
    }
    if (c == 0xCC && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next == 0xB3 || next == 0xBF || next == 0x8A) {  // U+0333, U+033F, U+030A: removed
        ++i;
        continue;
      }
    }
    out += text[i];
  }
  // fix_formatted_text (td/telegram/MessageEntity.cpp): leading and trailing ' ' and '\n' cut.
  const auto first = out.find_first_not_of(" \n");
  if (first == std::string::npos) return {};
  const auto last = out.find_last_not_of(" \n");
  return out.substr(first, last - first + 1);
}

bool emptyForTelegram(std::string_view text) {
  // tdlib td/telegram/misc.cpp strip_empty_characters / is_empty_string.
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const auto n = std::min(sequenceLength(lead), text.size() - i);
    uint32_t cp = n == 1 ? lead : lead & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    i += n;
    const bool empty = cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r' || cp == 0xA0 || cp == 0x1680 ||
                       cp == 0x180E || (cp >= 0x2000 && cp <= 0x200F) || cp == 0x202E || cp == 0x202F || cp == 0x205F ||
                       cp == 0x2800 || cp == 0x3000 || cp == 0xFEFF || cp == 0xFFFC || (cp >= 0xE0000 && cp <= 0xE007F);
    if (!empty) return false;
  }
  return true;
}

std::vector<std::string> splitText(std::string_view text, size_t firstLimit, size_t restLimit) {
  std::vector<std::string> out;
  text = trim(text);
  while (!text.empty()) {
    const size_t limit = out.empty() ? firstLimit : restLimit;
    size_t i = 0, units = 0, newline = std::string_view::npos, space = std::string_view::npos;
    while (i < text.size()) {
      const auto n = std::min(sequenceLength(static_cast<unsigned char>(text[i])), text.size() - i);
      const size_t u = n == 4 ? 2 : 1;
      if (units + u > limit) break;
      if (text[i] == '\n')
        newline = i;
      else if (isSpace(text[i]))
        space = i;
      units += u;
      i += n;
    }
    if (i >= text.size()) {
      if (!emptyForTelegram(text)) out.emplace_back(text);
      break;
    }
    // Cut at the last newline of the piece, else its last space (when they leave a piece at
    // least a quarter full), else where the limit falls.
    size_t cut = i;
    if (newline != std::string_view::npos && newline >= i / 4)
      cut = newline;
    else if (space != std::string_view::npos && space >= i / 4)
      cut = space;
    else if (i < text.size() && isSpace(text[i]))
      cut = i;
    const auto piece = trim(text.substr(0, cut));
    if (!emptyForTelegram(piece)) out.emplace_back(piece);  // Telegram refuses an empty message
    text = trim(text.substr(cut));
  }
  return out;
}

std::string MediaItem::method() const {
  if (kind == "image") return "sendPhoto";
  if (kind == "video") return "sendVideo";
  if (kind == "gif") return "sendAnimation";
  return "sendDocument";
}

std::string MediaItem::field() const {
  if (kind == "image") return "photo";
  if (kind == "video") return "video";
  if (kind == "gif") return "animation";
  return "document";
}

Post readPost(const Document& json) {
  Post post;
  const auto content = json.get("/content");
  if (content.present() && content.type != MS_JSON_NULL && !content.isString())
    throw Error(MS_ERR_INVALID_INPUT, "content must be a string");
  if (content.text.size() > 1'000'000) throw Error(MS_ERR_INVALID_INPUT, "content is too long");
  post.text = content.text;
  const auto link = optionalString(json, "/link", 4096);
  if (!link.empty() && post.text.find(link) == std::string::npos) post.text += (post.text.empty() ? "" : "\n\n") + link;

  const auto media = json.get("/media");
  if (media.present() && media.type != MS_JSON_NULL && media.type != MS_JSON_ARRAY)
    throw Error(MS_ERR_INVALID_INPUT, "media must be an array");
  const size_t count = json.count("/media");
  if (count > 100) throw Error(MS_ERR_INVALID_INPUT, "media has too many items");
  for (size_t i = 0; i < count; ++i) {
    const auto base = "/media/" + std::to_string(i);
    if (json.get(base.c_str()).type != MS_JSON_OBJECT) throw Error(MS_ERR_INVALID_INPUT, base + " must be an object");
    MediaItem m;
    m.kind = requiredString(json, (base + "/kind").c_str(), 32);
    m.mimeType = optionalString(json, (base + "/mimeType").c_str(), 200);
    m.path = requiredString(json, (base + "/path").c_str(), 4096);
    m.hostId = optionalString(json, (base + "/id").c_str(), 200);
    m.altText = optionalString(json, (base + "/altText").c_str(), 4096);
    m.size = json.integer((base + "/size").c_str()).value_or(0);
    m.width = json.integer((base + "/width").c_str()).value_or(0);
    m.height = json.integer((base + "/height").c_str()).value_or(0);
    post.media.push_back(std::move(m));
  }
  post.hasThread = json.count("/thread") > 0;

  const auto options = json.get("/options");
  if (options.present() && options.type != MS_JSON_NULL && options.type != MS_JSON_OBJECT)
    throw Error(MS_ERR_INVALID_INPUT, "options must be an object");
  post.options.disableNotification = optionalBool(json, "/options/disable_notification", false, post.optionIssues);
  post.options.protectContent = optionalBool(json, "/options/protect_content", false, post.optionIssues);
  post.options.linkPreview = optionalBool(json, "/options/link_preview", true, post.optionIssues);
  post.options.split = optionalBool(json, "/options/split", false, post.optionIssues);
  return post;
}

TextLength textLength(const Post& post) {
  const auto text = telegramText(post.text);
  return {emptyForTelegram(text) ? 0 : utf16Length(text), post.media.empty() ? kTextLimit : kCaptionLimit};
}

std::vector<Issue> checkPost(const Post& post) {
  std::vector<Issue> issues = post.optionIssues;
  if (post.hasThread)
    issues.push_back(
        {"/thread", "Telegram posts have no threads: send one post, with options.telegram.split for a long text"});
  // Telegram counts (and keeps) the text after its own cleaning and trimming.
  if (emptyForTelegram(telegramText(post.text)) && post.media.empty())
    issues.push_back(
        {"/content",
         "a Telegram message needs text or media (Telegram refuses a text of only spaces or invisible characters)"});

  const auto [units, limit] = textLength(post);
  if (!post.options.split && units > limit) {
    issues.push_back(
        {"/content", (post.media.empty() ? "longer than 4096 characters (" : "a caption is at most 1024 characters (") +
                         std::to_string(units) + " UTF-16 units): shorten it or set options.telegram.split"});
  }

  if (post.media.size() > 10) issues.push_back({"/media", "an album holds at most 10 photos, videos or documents"});
  bool documents = false, visual = false;
  for (size_t i = 0; i < post.media.size(); ++i) {
    const auto& m = post.media[i];
    const auto field = "/media/" + std::to_string(i);
    if (m.kind != "image" && m.kind != "video" && m.kind != "gif" && m.kind != "document") {
      issues.push_back({field + "/kind", "unknown media kind " + m.kind});
      continue;
    }
    if (m.kind == "image") {
      if (m.size > kPhotoBytes)
        issues.push_back({field, "a photo is at most 10 MB (" + std::to_string(m.size) + " bytes)"});
      if (m.width > 0 && m.height > 0) {
        if (m.width + m.height > 10000)
          issues.push_back({field, "a photo's width and height must total at most 10000 pixels"});
        if (m.width > 20 * m.height || m.height > 20 * m.width)
          issues.push_back({field, "a photo's sides may differ at most 20 times"});
      }
    } else if (m.size > kFileBytes) {
      issues.push_back({field, "a file uploaded by a bot is at most 50 MB (" + std::to_string(m.size) + " bytes)"});
    }
    if (post.media.size() > 1 && m.kind == "gif")
      issues.push_back({field, "an animation (GIF) cannot be part of an album: post it alone"});
    documents = documents || m.kind == "document";
    visual = visual || m.kind == "image" || m.kind == "video";
  }
  if (documents && visual)
    issues.push_back({"/media", "an album mixes photos and videos, or holds only documents: not both"});
  return issues;
}

std::vector<Step> planPost(const Post& post) {
  std::vector<Step> steps;
  const auto text = telegramText(post.text);
  std::vector<std::string> pieces;
  if (!emptyForTelegram(text)) {
    const size_t first = post.media.empty() ? kTextLimit : kCaptionLimit;
    if (utf16Length(text) <= first || !post.options.split) {
      // It fits: sent as written, only its edges trimmed (control characters and spaces, which
      // Telegram would cut anyway); Telegram itself does the rest of its cleaning.
      std::string_view raw(post.text);
      while (!raw.empty() && static_cast<unsigned char>(raw.front()) <= 0x20) raw.remove_prefix(1);
      while (!raw.empty() && static_cast<unsigned char>(raw.back()) <= 0x20) raw.remove_suffix(1);
      pieces.emplace_back(raw);
    } else {
      pieces = splitText(text, first, kTextLimit);  // cut on the text Telegram keeps
    }
  }
  size_t next = 0;
  if (!post.media.empty()) {
    Step step;
    step.kind = post.media.size() == 1 ? Step::Media : Step::Album;
    for (size_t i = 0; i < post.media.size(); ++i) step.media.push_back(i);
    if (!pieces.empty()) step.text = pieces[next++];
    steps.push_back(std::move(step));
  }
  for (; next < pieces.size(); ++next) {
    Step step;
    step.kind = Step::Text;
    step.text = pieces[next];
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace telegram
