// X's weighted length of a post, as the emulator judges POST /2/tweets.
//
// https://docs.x.com/fundamentals/counting-characters (and developer.x.com/en/docs/counting-characters):
//   at most 280 weighted characters; code points U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and
//   U+2032-U+2037 weigh 1, every other 2; an emoji weighs 2 however many code points it takes (ZWJ,
//   skin tones); every URL weighs 23, the length of its t.co link; the text is counted in NFC.
// Which text is a URL follows twitter-text's parseTweet and extractUrlsWithIndices: an optional
// http(s):// scheme, a domain ending in a known top-level domain, an optional :port, /path and
// ?query that end on the characters twitter-text allows there; without a scheme the URL must not
// follow - _ . or /, and a lone "name.cc" (a country TLD other than co and tv) without a path is text.
//
// Simpler than X: NFC composes only what changes the count (Latin letter + mark, Hangul jamo and
// three singletons); domains are ASCII; the TLD lists below are every country code but only the
// common generic TLDs, so a URL on a rarer gTLD is counted as text (stricter than X, never laxer).
#include "XText.h"

#include <cctype>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

namespace emulators {
namespace {

using Text = std::u32string;

/// The code points of `utf8`; `offsets`, when given, receives the byte offset of each, then the size.
Text decode(const std::string& utf8, std::vector<size_t>* offsets = nullptr) {
  Text out;
  for (size_t i = 0; i < utf8.size();) {
    if (offsets) offsets->push_back(i);
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const int extra = lead < 0x80 ? 0 : lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : -1;
    if (extra < 0 || i + static_cast<size_t>(extra) >= utf8.size()) {  // not UTF-8: boost::json never hands us this
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t c = extra == 0 ? lead : lead & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) c = (c << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    out.push_back(c);
    i += static_cast<size_t>(extra) + 1;
  }
  if (offsets) offsets->push_back(utf8.size());
  return out;
}

// ---- NFC, for what changes the weight --------------------------------------------------------

/// For each combining mark, pairs of (ASCII letter, its canonical composition) that land in
/// U+00C0-U+024F, from Unicode's canonical decompositions less the composition exclusions. Only
/// these change the count: the pair weighed 2, the composed letter weighs 1.
struct Composition {
  char32_t mark;
  std::u32string_view pairs;
};
constexpr Composition latinCompositions[] = {
    {0x0300, U"AÀEÈIÌOÒUÙaàeèiìoòuùNǸnǹ"},
    {0x0301, U"AÁEÉIÍOÓUÚYÝaáeéiíoóuúyýCĆcćLĹlĺNŃnńRŔrŕSŚsśZŹzźGǴgǵ"},
    {0x0302, U"AÂEÊIÎOÔUÛaâeêiîoôuûCĈcĉGĜgĝHĤhĥJĴjĵSŜsŝWŴwŵYŶyŷ"},
    {0x0303, U"AÃNÑOÕaãnñoõIĨiĩUŨuũ"},
    {0x0304, U"AĀaāEĒeēIĪiīOŌoōUŪuūYȲyȳ"},
    {0x0306, U"AĂaăEĔeĕGĞgğIĬiĭOŎoŏUŬuŭ"},
    {0x0307, U"CĊcċEĖeėGĠgġIİZŻzżAȦaȧOȮoȯ"},
    {0x0308, U"AÄEËIÏOÖUÜaäeëiïoöuüyÿYŸ"},
    {0x030A, U"AÅaåUŮuů"},
    {0x030B, U"OŐoőUŰuű"},
    {0x030C, U"CČcčDĎdďEĚeěLĽlľNŇnňRŘrřSŠsšTŤtťZŽzžAǍaǎIǏiǐOǑoǒUǓuǔGǦgǧKǨkǩjǰHȞhȟ"},
    {0x030F, U"AȀaȁEȄeȅIȈiȉOȌoȍRȐrȑUȔuȕ"},
    {0x0311, U"AȂaȃEȆeȇIȊiȋOȎoȏRȒrȓUȖuȗ"},
    {0x031B, U"OƠoơUƯuư"},
    {0x0326, U"SȘsșTȚtț"},
    {0x0327, U"CÇcçGĢgģKĶkķLĻlļNŅnņRŖrŗSŞsşTŢtţEȨeȩ"},
    {0x0328, U"AĄaąEĘeęIĮiįUŲuųOǪoǫ"},
};

char32_t composeLatin(char32_t base, char32_t mark) {
  for (const auto& c : latinCompositions)
    if (c.mark == mark)
      for (size_t i = 0; i + 1 < c.pairs.size(); i += 2)
        if (c.pairs[i] == base) return c.pairs[i + 1];
  return 0;
}

/// NFC where it matters to the count: Latin letter + mark, Hangul L+V(+T) (the Unicode standard's
/// algorithmic composition, section 3.12), and the Ohm, Kelvin and Angstrom signs.
Text nfc(const Text& in) {
  constexpr char32_t sBase = 0xAC00, lBase = 0x1100, vBase = 0x1161, tBase = 0x11A7;
  Text out;
  for (char32_t c : in) {
    if (c == 0x2126) c = 0x03A9;
    if (c == 0x212A) c = 'K';
    if (c == 0x212B) c = 0x00C5;
    if (!out.empty()) {
      char32_t& last = out.back();
      if (const char32_t composed = last < 0x80 ? composeLatin(last, c) : 0) {
        last = composed;
        continue;
      }
      if (last >= lBase && last < lBase + 19 && c >= vBase && c < vBase + 21) {
        last = sBase + ((last - lBase) * 21 + (c - vBase)) * 28;
        continue;
      }
      if (last >= sBase && last < sBase + 11172 && (last - sBase) % 28 == 0 && c > tBase && c < tBase + 28) {
        last += c - tBase;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

// ---- emoji (UTS #51 sequences: https://www.unicode.org/reports/tr51/#Definitions) -----------------

char32_t at(const Text& t, size_t i) { return i < t.size() ? t[i] : 0; }

/// Code points that are emoji (Extended_Pictographic), by block; © and ® need U+FE0F.
bool pictographic(char32_t c) {
  return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || (c >= 0x2190 && c <= 0x21FF) ||
         (c >= 0x2300 && c <= 0x23FF) || (c >= 0x25A0 && c <= 0x25FF) || (c >= 0x2B00 && c <= 0x2BFF) || c == 0x2934 ||
         c == 0x2935 || c == 0x203C || c == 0x2049 || c == 0x2122 || c == 0x2139 || c == 0x24C2 || c == 0x3030 ||
         c == 0x303D || c == 0x3297 || c == 0x3299;
}

/// One emoji_zwj_element: a pictograph with its emoji presentation selector, skin tone modifier or
/// tag sequence. Answers the index after it, or 0 when none starts at `i`.
size_t element(const Text& t, size_t i) {
  const char32_t c = at(t, i);
  if (!pictographic(c) && !((c == 0xA9 || c == 0xAE) && at(t, i + 1) == 0xFE0F)) return 0;
  size_t end = i + 1;
  for (char32_t n = at(t, end); n == 0xFE0F || (n >= 0x1F3FB && n <= 0x1F3FF) || (n >= 0xE0020 && n <= 0xE007F);
       n = at(t, ++end)) {
  }
  return end;
}

/// Code points of the emoji sequence at `i` (flag, keycap, ZWJ sequence), or 0.
size_t emojiAt(const Text& t, size_t i) {
  const char32_t c = at(t, i);
  const auto regional = [](char32_t r) { return r >= 0x1F1E6 && r <= 0x1F1FF; };
  if (regional(c)) return regional(at(t, i + 1)) ? 2 : 1;
  if ((c >= '0' && c <= '9') || c == '#' || c == '*') {
    if (at(t, i + 1) == 0x20E3) return 2;
    return at(t, i + 1) == 0xFE0F && at(t, i + 2) == 0x20E3 ? 3 : 0;
  }
  size_t end = element(t, i);
  if (end == 0) return 0;
  while (at(t, end) == 0x200D && element(t, end + 1)) end = element(t, end + 1);
  return end - i;
}

// ---- URLs --------------------------------------------------------------------------------------

/// Every country-code TLD of the IANA root zone.
constexpr const char* countryTlds =
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz "
    "ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk "
    "fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq "
    "ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh "
    "mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk "
    "pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz "
    "tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw";
/// The common generic TLDs (a subset of the root zone's).
constexpr const char* genericTlds =
    "com net org info biz edu gov mil int name pro aero coop museum mobi asia tel travel jobs cat post app dev "
    "page blog shop store online site website tech cloud news media live life world today space xyz top club "
    "art design studio agency digital email social network solutions services systems software academy "
    "school university company group global international finance bank money capital business marketing "
    "consulting photography photos video music games game fun work works jobs careers events chat link click "
    "help support one love wiki guru ninja rocks city london berlin paris nyc tokyo google amazon microsoft";

std::set<std::string> words(const char* list) {
  std::set<std::string> out;
  std::istringstream in(list);
  for (std::string word; in >> word;) out.insert(word);
  return out;
}

/// Whether `tld` (lower case) is a TLD here; `country` tells whether it is a country's.
bool knownTld(const std::string& tld, bool& country) {
  static const auto countries = words(countryTlds), generic = words(genericTlds);
  country = countries.count(tld) > 0;
  return country || generic.count(tld) > 0;
}

int weight(char32_t c) {
  const bool light =
      c <= 0x10FF || (c >= 0x2000 && c <= 0x200D) || (c >= 0x2010 && c <= 0x201F) || (c >= 0x2032 && c <= 0x2037);
  return light ? 1 : 2;
}

bool asciiAlnum(char32_t c) { return c < 0x80 && std::isalnum(static_cast<int>(c)); }
bool in(char32_t c, std::string_view set) {
  return c < 0x80 && set.find(static_cast<char>(c)) != std::string_view::npos;
}
bool letterOrMark(char32_t c) {  // twitter-text's latinAccentChars and cyrillicLettersAndMarks
  return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x300 && c <= 0x36F) ||
         (c >= 0x400 && c <= 0x4FF) || (c >= 0x1E00 && c <= 0x1EFF);
}
bool pathChar(char32_t c) { return asciiAlnum(c) || letterOrMark(c) || in(c, "!*';:=+,.$/%#[]-_~@|&") || c == 0x2013; }
bool pathEnd(char32_t c) { return asciiAlnum(c) || letterOrMark(c) || in(c, "+-=_#/"); }
bool queryChar(char32_t c) { return asciiAlnum(c) || in(c, "!?*'@();:&=+$/%#[]-_.,~|"); }
bool queryEnd(char32_t c) { return asciiAlnum(c) || in(c, "-_&=#/"); }
bool invalidChar(char32_t c) { return c == 0xFFFE || c == 0xFEFF || c == 0xFFFF; }

struct Match {
  size_t end = 0;  ///< 0: no URL candidate here
  bool counts = false;
};

/// "http://" or "https://" (any case) at `i`: its length, else 0.
size_t schemeAt(const Text& t, size_t i) {
  for (const std::string_view scheme : {"https://", "http://"}) {
    size_t k = 0;
    while (k < scheme.size() && at(t, i + k) < 0x80 && std::tolower(static_cast<int>(at(t, i + k))) == scheme[k]) ++k;
    if (k == scheme.size()) return k;
  }
  return 0;
}

/// The domain at `i`: labels and dots ending in a known TLD that no letter, digit or @ follows.
/// Answers its end (0: none), how many labels it has and whether the TLD is a country's.
size_t domainAt(const Text& t, size_t i, size_t& labels, std::string& countryTld) {
  std::vector<std::pair<size_t, size_t>> parts;
  for (size_t k = i;;) {
    const size_t start = k;
    while (asciiAlnum(at(t, k)) || at(t, k) == '-' || at(t, k) == '_') ++k;
    if (k == start) break;
    parts.emplace_back(start, k);
    if (at(t, k) != '.') break;
    ++k;
  }
  const auto validLabel = [&](size_t n, bool underscore) {
    const auto [s, e] = parts[n];
    for (size_t k = s; k < e; ++k)
      if (t[k] == '_' && !underscore) return false;
    return asciiAlnum(t[s]) && asciiAlnum(t[e - 1]);
  };
  for (size_t n = parts.size(); n >= 2; --n) {  // the longest domain first, as the regexp's greed does
    bool valid = validLabel(n - 2, false);
    for (size_t k = 0; valid && k + 2 < n; ++k) valid = validLabel(k, true);
    if (!valid) continue;
    std::string tld;
    size_t end = parts[n - 1].first;
    while (end < t.size() && t[end] < 0x80 && std::isalpha(static_cast<int>(t[end])))
      tld += static_cast<char>(std::tolower(static_cast<int>(t[end++])));
    if (asciiAlnum(at(t, end)) || at(t, end) == '@') continue;
    bool country = false;
    if (!knownTld(tld, country)) continue;
    labels = n;
    countryTld = country ? tld : "";
    return end;
  }
  return 0;
}

/// The end of a /path at `i` (at its '/'): path characters with balanced parentheses, ending on a
/// character twitter-text lets a path end on.
size_t pathEndAt(const Text& t, size_t i) {
  size_t end = i + 1;
  std::vector<size_t> open;
  for (; end < t.size() && (pathChar(t[end]) || t[end] == '(' || t[end] == ')'); ++end) {
    if (t[end] == '(') open.push_back(end);
    if (t[end] == ')') {
      if (open.empty()) break;
      open.pop_back();
    }
  }
  if (!open.empty()) end = open.front();
  while (end > i + 1 && !pathEnd(t[end - 1]) && t[end - 1] != ')') --end;
  return end;
}

Match urlAt(const Text& t, size_t i) {
  const char32_t before = i == 0 ? 0 : t[i - 1];
  if (i > 0 && (asciiAlnum(before) || in(before, "@$#") || before == 0xFF20 || before == 0xFF03 || invalidChar(before)))
    return {};
  const size_t scheme = schemeAt(t, i);
  size_t labels = 0;
  std::string countryTld;
  size_t end = domainAt(t, i + scheme, labels, countryTld);
  if (end == 0) return {};
  if (at(t, end) == ':' && at(t, end + 1) < 0x80 && std::isdigit(static_cast<int>(at(t, end + 1))))
    for (++end; end < t.size() && t[end] < 0x80 && std::isdigit(static_cast<int>(t[end]));) ++end;
  const bool path = at(t, end) == '/';
  if (path) end = pathEndAt(t, end);
  if (at(t, end) == '?') {
    size_t query = end + 1;
    while (queryChar(at(t, query))) ++query;
    while (query > end + 1 && !queryEnd(t[query - 1])) --query;
    if (query > end + 1) end = query;
  }
  if (scheme > 0) return {end, true};
  // Without a scheme: not after - _ . /, and no lone "name.cc" (co and tv excepted) without a path.
  const bool shortCountry = labels == 2 && !countryTld.empty() && countryTld != "co" && countryTld != "tv";
  return {end, !in(before, "-_./") && (path || !shortCountry)};
}

}  // namespace

std::vector<XUrlSpan> xUrls(const std::string& utf8) {
  std::vector<size_t> offsets;
  const Text text = decode(utf8, &offsets);
  std::vector<XUrlSpan> out;
  for (size_t i = 0; i < text.size();) {
    if (const Match url = urlAt(text, i); url.end > 0) {
      if (url.counts) out.push_back({offsets[i], offsets[url.end], i, url.end});
      i = url.end;
    } else {
      const size_t emoji = emojiAt(text, i);
      i += emoji > 0 ? emoji : 1;
    }
  }
  return out;
}

int xWeightedLength(const std::string& utf8) {
  const Text text = nfc(decode(utf8));
  int length = 0;
  for (size_t i = 0; i < text.size();) {
    if (const Match url = urlAt(text, i); url.end > 0) {
      if (url.counts) {
        length += 23;
      } else {  // a match that is no URL is counted as text, and the search goes on after it
        for (size_t k = i; k < url.end; ++k) length += weight(text[k]);
      }
      i = url.end;
    } else if (const size_t emoji = emojiAt(text, i); emoji > 0) {
      length += 2;
      i += emoji;
    } else {
      length += weight(text[i++]);
    }
  }
  return length;
}

}  // namespace emulators
