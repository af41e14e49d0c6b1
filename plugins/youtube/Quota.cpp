// The YouTube Data API quota, counted per Google project (one client_id) in the plugin's memory:
// the costs of https://developers.google.com/youtube/v3/determine_quota_cost, a daily budget
// (daily_quota, default 10,000 units), videos.insert in its own bucket (videos_insert_daily,
// default 100 calls a day, 1 per call) as that page now describes the default allocation, and the
// reset at midnight Pacific Time. A project on the older allocation (videos.insert paid from the
// 10,000 units) sets videos_insert_cost.
#include "PacificTime.h"
#include "YouTube.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

namespace youtube {
namespace {

struct Usage {
  long long used = 0;     ///< units of the shared pool
  long long inserts = 0;  ///< videos.insert calls of its own bucket
  int64_t resetsAtMs = 0;
};

std::mutex quotaMutex;
std::map<std::string, Usage> usageByProject;  // guarded by quotaMutex

/// The Google project the units count against: its client_id (and api_base, so that emulators
/// and staging never share a count with production).
std::string project() { return host.setting("/client_id", "(no client_id)") + " at " + apiBase(); }

long long dailyLimit() { return std::max<long long>(1, integerSetting("/daily_quota", 10000)); }
long long insertLimit() { return std::max<long long>(1, integerSetting("/videos_insert_daily", 100)); }

/// videos_insert_cost when the operator set it (the older allocation: videos.insert paid from
/// the shared units), 0 for the default separate bucket.
int legacyInsertCost() {
  const auto value = host.setting("/videos_insert_cost");
  if (value.type != MS_JSON_STRING && value.type != MS_JSON_NUMBER) return 0;
  return static_cast<int>(std::clamp<long long>(integerSetting("/videos_insert_cost", 1600), 1, 100000));
}

/// The project's usage, reset when a Pacific midnight has passed (callers hold quotaMutex).
Usage& current(int64_t now) {
  auto& usage = usageByProject[project()];
  if (now >= usage.resetsAtMs) {
    usage.used = 0;
    usage.inserts = 0;
    usage.resetsAtMs = nextPacificMidnightMs(now);
  }
  return usage;
}

}  // namespace

bool insertHasOwnBucket() { return legacyInsertCost() == 0; }

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
                std::string(method) + " costs " + std::to_string(units) +
                    " quota units and the Google project has used " + std::to_string(usage.used) + " of its " +
                    std::to_string(limit) + " for today; the quota resets at midnight Pacific time",
                "quotaExceeded", wait);
  }
  usage.used += units;
}

void chargeVideosInsert() {
  if (const int units = legacyInsertCost(); units > 0) return chargeQuota(units, "videos.insert");
  const int64_t now = host.nowMs();
  std::lock_guard lock(quotaMutex);
  auto& usage = current(now);
  const long long limit = insertLimit();
  if (usage.inserts + 1 > limit) {
    const auto wait = static_cast<int32_t>(std::max<int64_t>(1, (usage.resetsAtMs - now + 999) / 1000));
    throw Error(MS_ERR_RATE_LIMITED,
                "the Google project has made its " + std::to_string(limit) +
                    " videos.insert calls for today (videos.insert has its own daily bucket); the quota resets at "
                    "midnight Pacific time",
                "quotaExceeded", wait);
  }
  ++usage.inserts;
}

void quotaExhausted(bool videosInsert) {
  const int64_t now = host.nowMs();
  std::lock_guard lock(quotaMutex);
  auto& usage = current(now);
  if (videosInsert && insertHasOwnBucket())
    usage.inserts = std::max(usage.inserts, insertLimit());
  else
    usage.used = std::max(usage.used, dailyLimit());
}

std::string quotaJson() {
  const int64_t now = host.nowMs();
  Usage usage;
  {
    std::lock_guard lock(quotaMutex);
    usage = current(now);
  }
  auto out = Json::object().field("usedUnits", usage.used).field("dailyLimit", dailyLimit());
  if (insertHasOwnBucket())
    out.raw("videosInsert", Json::object().field("usedCalls", usage.inserts).field("dailyLimit", insertLimit()));
  return out.field("resetsAt", host.formatTime(usage.resetsAtMs)).str();
}

}  // namespace youtube
