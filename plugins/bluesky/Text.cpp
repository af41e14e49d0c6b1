// Post text as Bluesky counts and annotates it: UTF-8, graphemes (the 300 limit), rich-text facets
// in UTF-8 byte offsets, TID record keys, at:// URIs and the expiry of a session JWT.
#include "Bluesky.h"

#include <array>
#include <cctype>

namespace bluesky {
namespace {

/// The code point at `i` (advancing `i`), or nullopt for invalid UTF-8.
std::optional<char32_t> next(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  char32_t cp = 0;
  if (b < 0x80) {
    ++i;
    return b;
  }
  if ((b & 0xE0) == 0xC0) {
    n = 1;
    cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 2;
    cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 3;
    cp = b & 0x07;
  } else {
    return std::nullopt;
  }
  if (i + n >= s.size()) return std::nullopt;
  for (size_t k = 1; k <= n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr std::array<char32_t, 4> kMin = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += n + 1;
  return cp;
}

/// Code points that never start a grapheme cluster: they extend the one before.
bool extends(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x0483 && c <= 0x0489) || (c >= 0x0591 && c <= 0x05BD) ||
         (c >= 0x0610 && c <= 0x061A) || (c >= 0x064B && c <= 0x065F) || (c >= 0x0900 && c <= 0x0903) ||
         (c >= 0x093A && c <= 0x094F) || (c >= 0x0E31 && c <= 0x0E3A && c != 0x0E32 && c != 0x0E33) ||
         (c >= 0x0E47 && c <= 0x0E4E) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
         (c >= 0x20D0 && c <= 0x20FF) || (c >= 0x302A && c <= 0x302F) || c == 0x3099 || c == 0x309A ||
         (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200C || c == 0x200D ||
         (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F) || (c >= 0xE0100 && c <= 0xE01EF);
}

bool regionalIndicator(char32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }

bool wordChar(unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c >= 0x80; }

size_t urlEnd(std::string_view text, size_t start) {
  size_t end = start;
  while (end < text.size() && static_cast<unsigned char>(text[end]) > 0x20 && text[end] != '<' && text[end] != '>' &&
         text[end] != '"')
    ++end;
  // Trailing punctuation ends the sentence, not the URL (as the Bluesky app's detectFacets does).
  while (end > start && std::string_view(".,;:!?").find(text[end - 1]) != std::string_view::npos) --end;
  if (end > start && text[end - 1] == ')' && text.substr(start, end - start).find('(') == std::string_view::npos) --end;
  return end;
}

}  // namespace

bool validUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();)
    if (!next(text, i)) return false;
  return true;
}

size_t graphemes(std::string_view text) {
  size_t count = 0, i = 0;
  char32_t previous = 0;
  bool joinNext = false, pendingRegional = false;
  while (i < text.size()) {
    const auto cp = next(text, i);
    if (!cp) return count + (text.size() - i);  // invalid bytes: one each (validate refuses them anyway)
    const char32_t c = *cp;
    const bool joins =
        (previous == '\r' && c == '\n') || extends(c) || joinNext || (regionalIndicator(c) && pendingRegional);
    const bool starts = count == 0 || !joins;
    if (regionalIndicator(c))
      pendingRegional = starts;  // the first of a pair waits for its partner
    else if (starts)
      pendingRegional = false;
    joinNext = c == 0x200D;
    if (starts) ++count;
    previous = c;
  }
  return count;
}

std::vector<Facet> detectFacets(std::string_view text) {
  std::vector<Facet> facets;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool boundary = i == 0 || !wordChar(static_cast<unsigned char>(text[i - 1]));
    if (!boundary) continue;
    if (text.compare(i, 8, "https://") == 0 || text.compare(i, 7, "http://") == 0) {
      const size_t end = urlEnd(text, i);
      facets.push_back({i, end, "link", std::string(text.substr(i, end - i))});
      i = end - 1;
    } else if (text[i] == '@') {
      size_t end = i + 1;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '.' || text[end] == '-'))
        ++end;
      while (end > i + 1 && text[end - 1] == '.') --end;
      const auto handle = std::string(text.substr(i + 1, end - i - 1));
      if (isHandle(handle)) facets.push_back({i, end, "mention", handle});
      i = end - 1;
    } else if (text[i] == '#' || text.compare(i, 3, "\xEF\xBC\x83") == 0) {  // '#' or the fullwidth '＃'
      const size_t from = i + (text[i] == '#' ? 1 : 3);
      size_t end = from;
      while (end < text.size() && static_cast<unsigned char>(text[end]) > 0x20 &&
             std::string_view(".,;:!?#'\"()[]{}<>").find(text[end]) == std::string_view::npos)
        ++end;
      const auto tag = text.substr(from, end - from);
      // The lexicon: a tag is at most 64 graphemes (640 bytes); a number alone is no tag.
      const bool digitsOnly = tag.find_first_not_of("0123456789") == std::string_view::npos;
      if (!tag.empty() && !digitsOnly && tag.size() <= 640 && graphemes(tag) <= 64)
        facets.push_back({i, end, "tag", std::string(tag)});
      if (end > i) i = end - 1;
    }
  }
  return facets;
}

std::string tid(uint64_t micros, uint32_t clockId) {
  static constexpr std::string_view kAlphabet = "234567abcdefghijklmnopqrstuvwxyz";
  const uint64_t value = ((micros & ((1ULL << 53) - 1)) << 10) | (clockId & 0x3FF);
  std::string out(13, '2');
  for (int k = 12; k >= 0; --k) out[static_cast<size_t>(12 - k)] = kAlphabet[(value >> (5 * k)) & 0x1F];
  return out;
}

uint32_t clockIdOf(std::string_view key) {
  uint64_t hash = 1469598103934665603ULL;
  for (const char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return static_cast<uint32_t>((hash ^ (hash >> 32)) & 0x3FF);
}

std::optional<AtUri> parseAtUri(std::string_view uri) {
  if (uri.rfind("at://", 0) != 0) return std::nullopt;
  uri.remove_prefix(5);
  const auto a = uri.find('/');
  if (a == std::string_view::npos) return std::nullopt;
  const auto b = uri.find('/', a + 1);
  if (b == std::string_view::npos || b + 1 >= uri.size()) return std::nullopt;
  AtUri out{std::string(uri.substr(0, a)), std::string(uri.substr(a + 1, b - a - 1)), std::string(uri.substr(b + 1))};
  if (!isDid(out.did) || out.collection.empty() || out.rkey.find('/') != std::string::npos) return std::nullopt;
  return out;
}

long long jwtExpiry(std::string_view jwt) {
  const auto a = jwt.find('.');
  const auto b = a == std::string_view::npos ? a : jwt.find('.', a + 1);
  if (b == std::string_view::npos) return 0;
  std::string payload;
  uint32_t bits = 0;
  int count = 0;
  for (const char c : jwt.substr(a + 1, b - a - 1)) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '-' || c == '+') v = 62;
    if (c == '_' || c == '/') v = 63;
    if (v < 0) break;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      payload += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return host.integer(payload, "/exp").value_or(0);
}

}  // namespace bluesky
