// Midnight in America/Los_Angeles, when the YouTube Data API quota resets. Header-only and pure
// (no host call), so that tests can check it against the system's time zone database.
#pragma once

#include <chrono>
#include <cstdint>

namespace youtube {

inline constexpr int64_t kHourMs = 3600'000, kDayMs = 24 * kHourMs;

/// Whether US daylight saving time is in force in Los Angeles at `unixMs`: from the second Sunday
/// of March 02:00 PST (10:00 UTC) to the first Sunday of November 02:00 PDT (09:00 UTC).
inline bool pacificDaylightTime(int64_t unixMs) {
  using namespace std::chrono;
  const auto dayStart = [](year_month_day date) {
    return static_cast<int64_t>(sys_days(date).time_since_epoch().count()) * kDayMs;
  };
  const int64_t day = unixMs >= 0 ? unixMs / kDayMs : (unixMs - kDayMs + 1) / kDayMs;
  const year y = year_month_day(sys_days(days(day))).year();
  const int64_t start = dayStart(year_month_day(sys_days(y / March / Sunday[2]))) + 10 * kHourMs;
  const int64_t end = dayStart(year_month_day(sys_days(y / November / Sunday[1]))) + 9 * kHourMs;
  return unixMs >= start && unixMs < end;
}

/// The first midnight in Los Angeles strictly after `unixMs`, as ms since 1970 UTC.
inline int64_t nextPacificMidnightMs(int64_t unixMs) {
  const int64_t local = unixMs + (pacificDaylightTime(unixMs) ? -7 : -8) * kHourMs;
  const int64_t day = local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs;
  const int64_t nextLocalMidnight = (day + 1) * kDayMs;
  // Midnight comes before the 02:00 switch: that midnight is in the zone of the day before it.
  const int64_t asDaylight = nextLocalMidnight + 7 * kHourMs;
  return pacificDaylightTime(asDaylight) ? asDaylight : nextLocalMidnight + 8 * kHourMs;
}

}  // namespace youtube
