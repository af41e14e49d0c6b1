// The YouTube Data API quota, counted per Google project (one client_id) in the plugin's memory:
// the costs of https://developers.google.com/youtube/v3/determine_quota_cost, a daily budget
// (daily_quota, default 10,000 units) and the reset at midnight Pacific Time.
#include "YouTube.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

namespace youtube {
namespace {

constexpr int64_t kHourMs = 3600'000, kDayMs = 24 * kHourMs;

struct Usage {
  long long used = 0;
  int64_t resetsAtMs = 0;
};

std::mutex quotaMutex;
std::map<std::string, Usage> usageByProject;  // guarded by quotaMutex

/// Milliseconds since 1970 of 00:00 UTC of `date`.
int64_t dayStartMs(std::chrono::year_month_day date) { return std::chrono::sys_days(date).time_since_epoch().count() * kDayMs; }

/// Whether US daylight saving time is in force in Los Angeles at `unixMs`: from the second Sunday
/// of March 02:00 PST (10:00 UTC) to the first Sunday of November 02:00 PDT (09:00 UTC).
bool pacificDaylightTime(int64_t unixMs) {
  using namespace std::chrono;
  const year y = year_month_day(sys_days(days(unixMs / kDayMs))).year();
  const int64_t start = dayStartMs(year_month_day(sys_days(y / March / Sunday[2]))) + 10 * kHourMs;
  const int64_t end = dayStartMs(year_month_day(sys_days(y / November / Sunday[1]))) + 9 * kHourMs;
  return unixMs >= start && unixMs < end;
}

int64_t pacificOffsetMs(int64_t unixMs) { return (pacificDaylightTime(unixMs) ? -7 : -8) * kHourMs; }

std::string project() {
  const auto id = host.setting("/client_id", "");
  return id.empty() ? std::string("(no client_id)") : id;
}

long long dailyLimit() { return std::max<long long>(1, integerSetting("/daily_quota", 10000)); }

/// The project's usage, reset when a Pacific midnight has passed (callers hold quotaMutex).
Usage& current(int64_t now) {
  auto& usage = usageByProject[project()];
  if (now >= usage.resetsAtMs) {
    usage.used = 0;
    usage.resetsAtMs = nextPacificMidnightMs(now);
  }
  return usage;
}

}  // namespace

int cost::videosInsert() { return static_cast<int>(std::clamp<long long>(integerSetting("/videos_insert_cost", 1600), 1, 100000)); }

int64_t nextPacificMidnightMs(int64_t unixMs) {
  const int64_t local = unixMs + pacificOffsetMs(unixMs);
  const int64_t nextLocalMidnight = (local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs) * kDayMs + kDayMs;
  // Midnight is before the 02:00 switch, so the zone of that midnight is the zone of the day it starts.
  const int64_t asDaylight = nextLocalMidnight + 7 * kHourMs;
  return pacificDaylightTime(asDaylight) ? asDaylight : nextLocalMidnight + 8 * kHourMs;
}

int32_t secondsUntilQuotaReset() {
  const int64_t now = host.nowMs();
  return static_cast<int32_t>(std::max<int64_t>(1, (nextPacificMidnightMs(now) - now + 999) / 1000));
}

void chargeQuota(int units, const char* method) {
  const int64_t now = host.nowMs();
  std::lock_guard lock(quotaMutex);
  auto& usage = current(now);
  const long long limit = dailyLimit();
  if (usage.used + units > limit) {
    const auto wait = static_cast<int32_t>(std::max<int64_t>(1, (usage.resetsAtMs - now + 999) / 1000));
    throw Error(MS_ERR_RATE_LIMITED,
                std::string(method) + " costs " + std::to_string(units) + " quota units and the Google project has used " +
                    std::to_string(usage.used) + " of its " + std::to_string(limit) + " for today; the quota resets at midnight Pacific time",
                "quotaExceeded", wait);
  }
  usage.used += units;
}

void quotaExhausted() {
  const int64_t now = host.nowMs();
  std::lock_guard lock(quotaMutex);
  auto& usage = current(now);
  usage.used = std::max(usage.used, dailyLimit());
}

std::string quotaJson() {
  const int64_t now = host.nowMs();
  Usage usage;
  {
    std::lock_guard lock(quotaMutex);
    usage = current(now);
  }
  return Json::object()
      .field("usedUnits", usage.used)
      .field("dailyLimit", dailyLimit())
      .field("resetsAt", host.formatTime(usage.resetsAtMs))
      .str();
}

}  // namespace youtube
