// How X counts the length of a post, written for the emulator from X's documentation
// (https://docs.x.com/fundamentals/counting-characters) and the behaviour of twitter-text's
// parseTweet (github.com/twitter/twitter-text, config v3), independently of the plugin's count.
#pragma once

#include <string>

namespace emulators {

/// X's limit on the weighted length of a post by a non-Premium account.
inline constexpr int xMaxWeightedLength = 280;

/// The weighted length of `utf8` (valid UTF-8, as boost::json hands it over): the text in NFC,
/// every URL 23, every emoji sequence 2, code points of the light ranges 1, all others 2.
int xWeightedLength(const std::string& utf8);

}  // namespace emulators
