// twitter-text v3 configuration (github.com/twitter/twitter-text, config/v3.json):
//   scale 100, defaultWeight 200, transformedURLLength 23, emojiParsingEnabled true, ranges
//   [0,4351] [8192,8205] [8208,8223] [8242,8247] with weight 100.
// URLs are found as twitter-text does for the common cases: an http(s):// scheme, or a bare
// domain ending in a well-known TLD; trailing punctuation is not part of the URL.
#include "WeightedLength.h"

#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace twitter {
namespace {

std::vector<char32_t> decodeUtf8(std::string_view text, bool& valid) {
  std::vector<char32_t> out;
  valid = true;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int extra = lead < 0x80 ? 0 : (lead >> 5) == 0x6 ? 1 : (lead >> 4) == 0xE ? 2 : (lead >> 3) == 0x1E ? 3 : -1;
    if (extra < 0) { valid = false; return out; }
    char32_t cp = extra == 0 ? lead : (lead & (0x3F >> extra));
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= text.size()) { valid = false; return out; }
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) { valid = false; return out; }
      cp = (cp << 6) | (next & 0x3F);
    }
    const char32_t minimum[] = {0, 0x80, 0x800, 0x10000};
    if (cp < minimum[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { valid = false; return out; }
    out.push_back(cp);
    i += static_cast<size_t>(extra) + 1;
  }
  return out;
}

int weightOf(char32_t cp) {
  const bool light = cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247);
  return light ? 1 : 2;
}

bool isRegionalIndicator(char32_t cp) { return cp >= 0x1F1E6 && cp <= 0x1F1FF; }
bool isModifier(char32_t cp) { return cp >= 0x1F3FB && cp <= 0x1F3FF; }
bool isVariationSelector(char32_t cp) { return cp == 0xFE0F || cp == 0xFE0E; }
bool isTag(char32_t cp) { return cp >= 0xE0020 && cp <= 0xE007F; }
bool isKeycapBase(char32_t cp) { return (cp >= '0' && cp <= '9') || cp == '#' || cp == '*'; }

/// Code points that start an emoji on their own (pictographs, dingbats, symbols).
bool isPictograph(char32_t cp) {
  return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x2300 && cp <= 0x23FF) ||
         (cp >= 0x2B05 && cp <= 0x2B55) || (cp >= 0x2190 && cp <= 0x21FF) || (cp >= 0x25A0 && cp <= 0x25FF) ||
         cp == 0x3030 || cp == 0x303D || cp == 0x3297 || cp == 0x3299 || cp == 0x203C || cp == 0x2049 ||
         cp == 0x2122 || cp == 0x2139 || cp == 0x24C2;
}

/// Length of the emoji sequence starting at `i`, or 0 when none starts there.
size_t emojiAt(const std::vector<char32_t>& cps, size_t i) {
  const auto at = [&](size_t k) { return k < cps.size() ? cps[k] : char32_t{0}; };
  if (isRegionalIndicator(at(i))) return isRegionalIndicator(at(i + 1)) ? 2 : 1;
  if (isKeycapBase(at(i))) {  // 1️⃣ = digit, optional U+FE0F, U+20E3
    if (at(i + 1) == 0x20E3) return 2;
    if (at(i + 1) == 0xFE0F && at(i + 2) == 0x20E3) return 3;
    return 0;
  }
  const bool textSymbol = at(i) == 0xA9 || at(i) == 0xAE;  // ©/® are emoji only with U+FE0F
  if (!(isPictograph(at(i)) || (textSymbol && at(i + 1) == 0xFE0F))) return 0;
  size_t end = i + 1;
  for (;;) {
    const char32_t next = at(end);
    if (isVariationSelector(next) || isModifier(next) || isTag(next) || next == 0x20E3) {
      ++end;
    } else if (next == 0x200D && isPictograph(at(end + 1))) {  // zero width joiner: one family emoji
      end += 2;
    } else {
      return end - i;
    }
  }
}

bool isSpace(char32_t cp) { return cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r' || cp == 0x3000 || cp == 0xA0; }

/// Bare domains X links without a scheme, kept to the TLDs seen in practice.
bool knownTld(const std::string& tld) {
  static const std::array<const char*, 24> tlds = {"com", "net", "org", "io", "co", "dev", "app", "ai",  "me", "ly",  "info", "biz",
                                                   "xyz", "edu", "gov", "uk", "de",  "fr",  "jp", "tv", "news", "blog", "site", "online"};
  for (const char* known : tlds)
    if (tld == known) return true;
  return false;
}

/// Length of the URL starting at `i` (at the start of a word), or 0.
size_t urlAt(const std::vector<char32_t>& cps, size_t i) {
  size_t end = i;
  while (end < cps.size() && !isSpace(cps[end]) && cps[end] < 0x80) ++end;
  // Punctuation closing a sentence is not part of the link.
  while (end > i && std::string(".,;:!?)\"'").find(static_cast<char>(cps[end - 1])) != std::string::npos) --end;
  std::string word;
  for (size_t k = i; k < end; ++k) word += static_cast<char>(std::tolower(static_cast<int>(cps[k])));
  for (const char* scheme : {"http://", "https://"})
    if (word.rfind(scheme, 0) == 0) return word.size() > std::string(scheme).size() ? word.size() : 0;
  const auto hostEnd = word.find_first_of("/?#:");
  const auto hostName = word.substr(0, hostEnd);
  const auto dot = hostName.rfind('.');
  if (dot == std::string::npos || dot == 0 || hostName.find("..") != std::string::npos) return 0;
  for (const char c : hostName)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return 0;
  return knownTld(hostName.substr(dot + 1)) ? word.size() : 0;
}

}  // namespace

std::optional<int> weightedLength(std::string_view text) {
  bool valid = false;
  const auto cps = decodeUtf8(text, valid);
  if (!valid) return std::nullopt;
  int length = 0;
  for (size_t i = 0; i < cps.size();) {
    const bool wordStart = i == 0 || isSpace(cps[i - 1]);
    if (size_t url = wordStart ? urlAt(cps, i) : 0; url > 0) {
      length += 23;
      i += url;
    } else if (size_t emoji = emojiAt(cps, i); emoji > 0) {
      length += 2;
      i += emoji;
    } else {
      length += weightOf(cps[i]);
      ++i;
    }
  }
  return length;
}

}  // namespace twitter
