// How X counts the length of a post, written for the emulator from X's documentation
// (https://docs.x.com/fundamentals/counting-characters) and the behaviour of twitter-text's
// parseTweet (github.com/twitter/twitter-text, config v3), independently of the plugin's count.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace emulators {

/// X's limit on the weighted length of a post by a non-Premium account.
inline constexpr int xMaxWeightedLength = 280;

/// The weighted length of `utf8` (valid UTF-8, as boost::json hands it over): the text in NFC,
/// every URL 23, every emoji sequence 2, code points of the light ranges 1, all others 2.
int xWeightedLength(const std::string& utf8);

/// One URL of a post's text as X finds it (the ones it wraps in t.co links): byte range
/// [begin, end) and code point range [first, last).
struct XUrlSpan {
  size_t begin = 0, end = 0, first = 0, last = 0;
};
/// The URLs of `utf8`, in order, found by the same rules as the weighted length (without NFC).
std::vector<XUrlSpan> xUrls(const std::string& utf8);

}  // namespace emulators
