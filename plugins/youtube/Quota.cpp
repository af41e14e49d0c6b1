// The YouTube Data API quota, counted per Google project (one client_id) in the plugin's memory:
// the costs of https://developers.google.com/youtube/v3/determine_quota_cost, a daily budget
// (daily_quota, default 10,000 units) and the reset at midnight Pacific Time.
#include "PacificTime.h"
#include "YouTube.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

namespace youtube {
namespace {

struct Usage {
  long long used = 0;
  int64_t resetsAtMs = 0;
};

std::mutex quotaMutex;
std::map<std::string, Usage> usageByProject;  // guarded by quotaMutex

/// The Google project the units count against: its client_id (and api_base, so that emulators
/// and staging never share a count with production).
std::string project() { return host.setting("/client_id", "(no client_id)") + " at " + apiBase(); }

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
