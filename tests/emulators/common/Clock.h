// The emulators' clock: milliseconds since 1970, what they stamp records with and expire tokens,
// rate-limit windows and processing by.
#pragma once

#include <chrono>

namespace marketsage::test {

inline long long nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace marketsage::test
