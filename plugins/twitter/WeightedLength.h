// How X counts the length of a post: twitter-text v3 configuration ("weighted length").
// Pure C++ (no host call) so it can be unit-tested on its own.
#pragma once

#include <optional>
#include <string_view>

namespace twitter {

/// X's limit on the weighted length of one post.
inline constexpr int maxWeightedLength = 280;

/// The weighted length of UTF-8 `text` as twitter-text v3 counts it: code points in
/// U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and U+2032-U+2037 weigh 1, every other 2; every
/// URL weighs 23 whatever its length; every emoji sequence (ZWJ, modifiers, flags, keycaps) 2.
/// nullopt when `text` is not valid UTF-8.
std::optional<int> weightedLength(std::string_view text);

}  // namespace twitter
