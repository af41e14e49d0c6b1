#include "core/Time.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/Timestamp.h>

#include <chrono>

namespace marketsage::time {

std::int64_t nowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string formatIso8601(std::int64_t millis) {
  Poco::Timestamp ts(static_cast<Poco::Timestamp::TimeVal>(millis) * 1000);
  return Poco::DateTimeFormatter::format(ts, "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::optional<std::int64_t> parseIso8601(std::string_view text) {
  int zone = 0;
  Poco::DateTime parsed;
  const std::string input(text);
  // A zone is required: a bare local time is ambiguous.
  if (input.size() < 20 || input[10] != 'T') return std::nullopt;
  const auto sign = input.find_last_of("+-");
  if (input.back() != 'Z' && (sign == std::string::npos || sign < 19)) return std::nullopt;
  try {
    if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, input, parsed, zone) &&
        !Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, input, parsed, zone)) {
      return std::nullopt;
    }
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  parsed.makeUTC(zone);
  return parsed.timestamp().epochMicroseconds() / 1000;
}

}  // namespace marketsage::time
