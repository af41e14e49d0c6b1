// Times as the platforms write them: a unix time in UTC through a strftime format.
#pragma once

#include <ctime>
#include <string>

namespace marketsage::test {

/// `unixSeconds` in UTC written with the strftime `format` (e.g. Graph's "%Y-%m-%dT%H:%M:%S+0000").
inline std::string utcTime(long long unixSeconds, const char* format) {
  const std::time_t t = unixSeconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  const std::size_t n = std::strftime(text, sizeof text, format, &tm);
  return {text, n};
}

}  // namespace marketsage::test
