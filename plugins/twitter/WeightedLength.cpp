// twitter-text v3 configuration (github.com/twitter/twitter-text, config/v3.json):
//   scale 100, defaultWeight 200, transformedURLLength 23, emojiParsingEnabled true, ranges
//   [0,4351] [8192,8205] [8208,8223] [8242,8247] with weight 100.
// URLs are found as twitter-text's extractUrlsWithIndices finds them (see urlAt), for ASCII hosts.
#include "WeightedLength.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace twitter {
namespace {

std::vector<char32_t> decodeUtf8(std::string_view text, bool& valid) {
  std::vector<char32_t> out;
  valid = true;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int extra = lead < 0x80 ? 0 : (lead >> 5) == 0x6 ? 1 : (lead >> 4) == 0xE ? 2 : (lead >> 3) == 0x1E ? 3 : -1;
    if (extra < 0) {
      valid = false;
      return out;
    }
    char32_t cp = extra == 0 ? lead : (lead & (0x3F >> extra));
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= text.size()) {
        valid = false;
        return out;
      }
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        valid = false;
        return out;
      }
      cp = (cp << 6) | (next & 0x3F);
    }
    const char32_t minimum[] = {0, 0x80, 0x800, 0x10000};
    if (cp < minimum[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      valid = false;
      return out;
    }
    out.push_back(cp);
    i += static_cast<size_t>(extra) + 1;
  }
  return out;
}

int weightOf(char32_t cp) {
  const bool light =
      cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247);
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
         cp == 0x3030 || cp == 0x303D || cp == 0x3297 || cp == 0x3299 || cp == 0x203C || cp == 0x2049 || cp == 0x2122 ||
         cp == 0x2139 || cp == 0x24C2;
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

/// Top-level domains X links: every country code, and the common generic ones. A host on a TLD
/// missing here is counted as text, which can only make a post look longer than X counts it.
bool knownTld(const std::string& tld) {
  static const std::set<std::string> tlds = [] {
    std::set<std::string> out;
    std::istringstream words(
        "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz ca "
        "cc cd "
        "cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr ga "
        "gb gd "
        "ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp "
        "ke kg "
        "kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt "
        "mu mv "
        "mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru "
        "rw sa "
        "sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz "
        "ua ug "
        "uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw "
        "com net org info biz edu gov mil int name pro mobi asia app dev page blog shop store online site website tech "
        "cloud news media live life world today space xyz top club art design studio agency digital email social "
        "network "
        "solutions services systems software academy");
    for (std::string word; words >> word;) out.insert(word);
    return out;
  }();
  return tlds.count(tld) > 0;
}

bool isAsciiAlnum(char32_t cp) { return cp < 0x80 && std::isalnum(static_cast<int>(cp)); }
bool oneOf(char32_t cp, std::string_view set) {
  return cp < 0x80 && set.find(static_cast<char>(cp)) != std::string_view::npos;
}

/// End of the /path or ?query at `start`: URL characters with balanced parentheses, ending on a
/// letter, digit, - _ = # / (+ in a path, & in a query) or a closing parenthesis.
size_t pathEnd(const std::vector<char32_t>& cps, size_t start) {
  const auto at = [&](size_t k) { return k < cps.size() ? cps[k] : char32_t{0}; };
  size_t stop = start, depth = 0, firstOpen = 0;
  bool query = false;
  for (; isAsciiAlnum(at(stop)) || oneOf(at(stop), "!?*'@();:&=+$/%#[]-_.,~|"); ++stop) {
    if (at(stop) == ')' && depth == 0) break;  // an unbalanced ) closes the sentence, not the URL
    if (at(stop) == '(' && depth++ == 0) firstOpen = stop;
    if (at(stop) == ')') --depth;
    query = query || at(stop) == '?';
  }
  if (depth > 0) stop = firstOpen;
  while (stop > start + 1 && !isAsciiAlnum(at(stop - 1)) && at(stop - 1) != ')' &&
         !oneOf(at(stop - 1), query ? "-_=#/&" : "-_=#/+"))
    --stop;
  return stop;
}

/// Length of the URL starting at `i`, or 0. As twitter-text finds them: after anything but a
/// letter, digit, @, $ or # (and, without a scheme, not after - _ . /); an optional http(s)://; a
/// host whose last label is a known TLD that no letter, digit or @ follows (so no localhost nor IP
/// address); an optional :port; a /path or ?query of URL characters, without the punctuation that
/// ends a sentence. Without a scheme, a lone "name.cc" (country TLD but co and tv) and no path is text.
size_t urlAt(const std::vector<char32_t>& cps, size_t i) {
  const auto at = [&](size_t k) { return k < cps.size() ? cps[k] : char32_t{0}; };
  const char32_t before = i == 0 ? U' ' : cps[i - 1];
  if (isAsciiAlnum(before) || oneOf(before, "@$#") || before == 0xFF20 || before == 0xFF03) return 0;
  size_t k = i;
  for (const std::string_view scheme : {"https://", "http://"}) {
    size_t n = 0;
    while (n < scheme.size() && at(i + n) < 0x80 && std::tolower(static_cast<int>(at(i + n))) == scheme[n]) ++n;
    if (n == scheme.size()) {
      k = i + n;
      break;
    }
  }
  const bool hasScheme = k > i;
  if (!hasScheme && oneOf(before, "-_./")) return 0;
  std::vector<size_t> dots;
  const size_t hostStart = k;
  while (isAsciiAlnum(at(k)) || at(k) == '-' || at(k) == '_' ||
         (at(k) == '.' && k > hostStart && isAsciiAlnum(at(k + 1)))) {
    if (at(k) == '.') dots.push_back(k);
    ++k;
  }
  // The longest host whose last label is a known TLD (www.example.com.x is www.example.com); _ is
  // allowed in subdomains, not in the name before the TLD.
  size_t end = 0, labels = 0;
  std::string tld;
  for (size_t d = dots.size(); d-- > 0 && end == 0;) {
    const size_t nameStart = d == 0 ? hostStart : dots[d - 1] + 1;
    if (std::find(cps.begin() + static_cast<long>(nameStart), cps.begin() + static_cast<long>(dots[d]), U'_') !=
        cps.begin() + static_cast<long>(dots[d]))
      continue;
    std::string letters;
    size_t e = dots[d] + 1;
    while (at(e) < 0x80 && std::isalpha(static_cast<int>(at(e))))
      letters += static_cast<char>(std::tolower(static_cast<int>(at(e++))));
    if (!isAsciiAlnum(at(e)) && at(e) != '@' && knownTld(letters)) end = e, labels = d + 2, tld = letters;
  }
  if (end == 0) return 0;
  if (at(end) == ':' && at(end + 1) < 0x80 && std::isdigit(static_cast<int>(at(end + 1)))) do
      ++end;
    while (at(end) < 0x80 && std::isdigit(static_cast<int>(at(end))));
  const bool path = at(end) == '/';
  if (!hasScheme && !path && labels == 2 && tld.size() == 2 && tld != "co" && tld != "tv") return 0;
  if (path || at(end) == '?') {
    const size_t stop = pathEnd(cps, end);
    if (path || stop > end + 1) end = stop;  // a query needs more than its "?"
  }
  return end - i;
}

}  // namespace

std::optional<int> weightedLength(std::string_view text) {
  bool valid = false;
  const auto cps = decodeUtf8(text, valid);
  if (!valid) return std::nullopt;
  int length = 0;
  for (size_t i = 0; i < cps.size();) {
    if (size_t url = urlAt(cps, i); url > 0) {
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
