// Post content: reading, Telegram's limits (UTF-16 lengths, file sizes, albums) and the plan of
// Bot API calls a post becomes.
#include "Telegram.h"

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
      if (text[i] == '\n') newline = i;
      else if (isSpace(text[i])) space = i;
      units += u;
      i += n;
    }
    if (i >= text.size()) {
      out.emplace_back(text);
      break;
    }
    // Cut at the last newline of the piece, else its last space (when they leave a piece at
    // least a quarter full), else where the limit falls.
    size_t cut = i;
    if (newline != std::string_view::npos && newline >= i / 4) cut = newline;
    else if (space != std::string_view::npos && space >= i / 4) cut = space;
    else if (i < text.size() && isSpace(text[i])) cut = i;
    const auto piece = trim(text.substr(0, cut));
    if (!piece.empty()) out.emplace_back(piece);
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
  if (media.present() && media.type != MS_JSON_NULL && media.type != MS_JSON_ARRAY) throw Error(MS_ERR_INVALID_INPUT, "media must be an array");
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

std::vector<Issue> checkPost(const Post& post) {
  std::vector<Issue> issues = post.optionIssues;
  if (post.hasThread)
    issues.push_back({"/thread", "Telegram posts have no threads: send one post, with options.telegram.split for a long text"});
  const auto text = trim(post.text);
  if (text.empty() && post.media.empty()) issues.push_back({"/content", "a Telegram message needs text or media"});

  const size_t units = utf16Length(text);
  if (!post.options.split) {
    if (post.media.empty() && units > kTextLimit)
      issues.push_back({"/content", "longer than 4096 characters (" + std::to_string(units) +
                                        " UTF-16 units): shorten it or set options.telegram.split"});
    if (!post.media.empty() && units > kCaptionLimit)
      issues.push_back({"/content", "a caption is at most 1024 characters (" + std::to_string(units) +
                                        " UTF-16 units): shorten it or set options.telegram.split"});
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
      if (m.size > kPhotoBytes) issues.push_back({field, "a photo is at most 10 MB (" + std::to_string(m.size) + " bytes)"});
      if (m.width > 0 && m.height > 0) {
        if (m.width + m.height > 10000) issues.push_back({field, "a photo's width and height must total at most 10000 pixels"});
        if (m.width > 20 * m.height || m.height > 20 * m.width) issues.push_back({field, "a photo's sides may differ at most 20 times"});
      }
    } else if (m.size > kFileBytes) {
      issues.push_back({field, "a file uploaded by a bot is at most 50 MB (" + std::to_string(m.size) + " bytes)"});
    }
    if (post.media.size() > 1 && m.kind == "gif")
      issues.push_back({field, "an animation (GIF) cannot be part of an album: post it alone"});
    documents = documents || m.kind == "document";
    visual = visual || m.kind == "image" || m.kind == "video";
  }
  if (documents && visual) issues.push_back({"/media", "an album mixes photos and videos, or holds only documents: not both"});
  return issues;
}

std::vector<Step> planPost(const Post& post) {
  std::vector<Step> steps;
  const auto text = trim(post.text);
  std::vector<std::string> pieces;
  if (!text.empty()) {
    const size_t first = post.media.empty() ? kTextLimit : kCaptionLimit;
    if (utf16Length(text) <= first || !post.options.split) pieces.emplace_back(text);
    else pieces = splitText(text, first, kTextLimit);
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
