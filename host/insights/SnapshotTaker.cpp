#include "insights/SnapshotTaker.h"

#include "connections/ConnectionStore.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "insights/Figures.h"
#include "insights/SnapshotStore.h"
#include "plugins/PlatformError.h"
#include "publishing/PostStore.h"

#include <boost/json.hpp>

#include <algorithm>

namespace marketsage::insights {
namespace {

namespace json = boost::json;
using plugins::ErrorKind;
using plugins::Operation;

constexpr std::int64_t hourMillis = 3600 * 1000;
constexpr std::size_t summaryBytes = 140;

/// A post's ages at which its figures are kept; a row per age, taken again while the post is in it.
struct Age {
  const char* slot;
  std::int64_t from;
};
constexpr Age ages[] = {
    {"0h", 0}, {"1h", hourMillis}, {"1d", time::dayMillis}, {"7d", 7 * time::dayMillis}, {"30d", 30 * time::dayMillis}};
/// Posts older than this are no longer measured (the last age plus a day to reach it).
constexpr std::int64_t lastAgeMillis = 31 * time::dayMillis;

const char* ageOf(std::int64_t age) {
  const char* slot = ages[0].slot;
  for (const auto& a : ages)
    if (age >= a.from) slot = a.slot;
  return slot;
}

std::string day(std::int64_t at) { return time::formatIso8601(at).substr(0, 10); }

/// The first `summaryBytes` bytes of the content, cut at a character boundary.
std::string summaryOf(const std::string& content) {
  if (content.size() <= summaryBytes) return content;
  std::size_t cut = summaryBytes;
  while (cut > 0 && (static_cast<unsigned char>(content[cut]) & 0xC0) == 0x80) --cut;
  return content.substr(0, cut) + "…";
}

json::object numeric(const json::value& metrics) {
  json::object out;
  addMetrics(out, metrics);
  return out;
}

}  // namespace

SnapshotTaker::SnapshotTaker(store::Database& db, tenants::Directory& directory, const vault::TokenVault& vault,
                             const plugins::PluginRegistry& plugins, oauth::TokenRefresher& refresher,
                             HistoryOptions options)
    : db_(db),
      directory_(directory),
      vault_(vault),
      plugins_(plugins),
      refresher_(refresher),
      options_(options),
      owner_("host-" + random::token(12)) {}

SnapshotTaker::~SnapshotTaker() { stop(); }

bool SnapshotTaker::blocked(const std::string& platform) {
  std::lock_guard lock(platformsMutex_);
  return platforms_[platform].blockedUntil > std::chrono::steady_clock::now();
}

bool SnapshotTaker::pace(const std::string& platform) {
  std::chrono::steady_clock::duration wait{};
  {
    std::lock_guard lock(platformsMutex_);
    auto& p = platforms_[platform];
    const auto now = std::chrono::steady_clock::now();
    if (p.blockedUntil > now) return false;
    const auto at = std::max(now, p.nextCall);
    p.nextCall = at + std::chrono::milliseconds(options_.paceMillis);
    wait = at - now;
  }
  if (wait.count() > 0) std::this_thread::sleep_for(wait);
  return true;
}

void SnapshotTaker::failed(const std::string& platform, ErrorKind kind, int retryAfterSeconds,
                           const std::string& reason, PassCounts& counts) {
  ++counts.failed;
  log::warn("analytics snapshot failed",
            {{"platform", platform}, {"kind", plugins::toString(kind)}, {"error", reason}});
  if (kind != ErrorKind::RateLimited) return;
  std::lock_guard lock(platformsMutex_);
  platforms_[platform].blockedUntil =
      std::chrono::steady_clock::now() + std::chrono::seconds(retryAfterSeconds > 0 ? retryAfterSeconds : 60);
}

void SnapshotTaker::measure(tenants::TenantStore& tenant, const connections::Connection& c,
                            const plugins::Plugin& plugin, bool force, PassCounts& counts) {
  SnapshotStore history(tenant);
  const auto now = time::nowMillis();
  const auto today = now / time::dayMillis * time::dayMillis;
  Snapshot base;
  base.connectionId = c.id;
  base.platform = c.platform;
  base.accountId = c.accountId;
  base.accountName = c.accountName;

  if (plugin.supports(Operation::AccountInsights)) {
    std::map<std::int64_t, std::int64_t> taken;  // day → taken_at
    for (const auto& [slot, d, at] : history.takenOf(kind::account, c.id)) taken[d] = at;
    const auto first = today - std::max<std::int64_t>(options_.backfillDays, 1) * time::dayMillis;
    for (std::int64_t d = first; d <= today; d += time::dayMillis) {
      const auto found = taken.find(d);
      bool due = false;
      if (d == today) {
        due = force || found == taken.end() || found->second < now - options_.accountRefreshSeconds * 1000LL;
      } else if (found != taken.end()) {
        due = found->second < d + time::dayMillis;  // taken before the day ended: once more, final
      } else {
        due = d >= today - options_.backfillDays * time::dayMillis;
      }
      if (!due) continue;
      if (!pace(c.platform)) return;
      const auto result = refresher_.callWithToken(tenant, c.id, plugin, Operation::AccountInsights,
                                                   {{"start", day(d)}, {"end", day(d)}});
      if (!result.ok()) {
        failed(c.platform, result.kind, result.retryAfterSeconds, result.reason(), counts);
        if (result.kind == ErrorKind::RateLimited) return;
        break;
      }
      const auto* metrics = result.json.is_object() ? result.json.as_object().if_contains("metrics") : nullptr;
      if (metrics == nullptr) continue;
      auto row = base;
      row.kind = kind::account;
      row.subjectId = c.id;
      row.slot = "day";
      row.day = d;
      row.takenAt = time::nowMillis();
      row.metrics = numeric(*metrics);
      history.put(row);
      ++counts.accounts;
    }
  }

  if (!plugin.supports(Operation::PostInsights)) return;
  publishing::PostStore posts(tenant);
  std::vector<std::pair<publishing::Target, const char*>> due;  // target, its age now
  for (const auto& t : posts.publishedBetween(c.id, now - lastAgeMillis, now, 100)) {
    if (!t.publishedAt || !t.platformPostId) continue;
    const char* slot = ageOf(now - *t.publishedAt);
    bool have = false;
    for (const auto& [s, d, at] : history.takenOf(kind::post, t.id)) have = have || s == slot;
    if (force || !have) due.emplace_back(t, slot);
  }
  if (due.empty() || !pace(c.platform)) return;
  json::array ids;
  std::int64_t earliest = now;
  for (const auto& [t, slot] : due) {
    ids.push_back(json::value(*t.platformPostId));
    earliest = std::min(earliest, *t.publishedAt);
  }
  const auto result = refresher_.callWithToken(tenant, c.id, plugin, Operation::PostInsights,
                                               {{"postIds", ids}, {"start", day(earliest)}, {"end", day(now)}});
  const auto* list = result.ok() && result.json.is_object() ? result.json.as_object().if_contains("posts") : nullptr;
  if (list == nullptr || !list->is_array()) {
    failed(c.platform, result.kind, result.retryAfterSeconds,
           result.ok() ? "the post_insights answer has no posts array" : result.reason(), counts);
    return;
  }
  for (const auto& p : list->as_array()) {
    const auto* metrics = p.is_object() ? p.as_object().if_contains("metrics") : nullptr;
    const auto* id = p.is_object() ? p.as_object().if_contains("postId") : nullptr;
    if (metrics == nullptr || !metrics->is_object() || id == nullptr || !id->is_string()) continue;
    const std::string_view postId = id->get_string();
    const auto it =
        std::find_if(due.begin(), due.end(), [&](const auto& d) { return *d.first.platformPostId == postId; });
    if (it == due.end()) continue;
    const auto& t = it->first;
    auto row = base;
    row.kind = kind::post;
    row.subjectId = t.id;
    row.slot = it->second;
    row.day = *t.publishedAt / time::dayMillis * time::dayMillis;
    row.postId = t.postId;
    row.platformPostId = t.platformPostId;
    row.url = t.url;
    if (const auto post = posts.find(t.postId, publishing::PostStore::Detail::PostOnly))
      row.summary = summaryOf(post->content);
    row.publishedAt = t.publishedAt;
    row.takenAt = time::nowMillis();
    row.metrics = numeric(*metrics);
    history.put(row);
    ++counts.posts;
  }
}

PassCounts SnapshotTaker::refresh(tenants::TenantStore& tenant, bool force) {
  PassCounts counts;
  connections::ConnectionStore store(tenant, vault_);
  SnapshotStore history(tenant);
  for (const auto& c : store.list()) {
    if (c.status != connections::status::active) continue;
    const auto plugin = plugins_.get(c.platform);
    if (!plugin || (!plugin->supports(Operation::AccountInsights) && !plugin->supports(Operation::PostInsights)))
      continue;
    if (std::find(counts.rateLimited.begin(), counts.rateLimited.end(), c.platform) != counts.rateLimited.end())
      continue;
    if (blocked(c.platform)) {
      counts.rateLimited.push_back(c.platform);
      continue;
    }
    const auto now = time::nowMillis();
    if (!history.claim(c.id, owner_, now, now + options_.leaseSeconds * 1000LL)) continue;
    try {
      measure(tenant, c, *plugin, force, counts);
      ++counts.connections;
    } catch (const plugins::PlatformError& e) {  // the token could not be made fresh
      failed(c.platform, e.kind(), e.retryAfterSeconds(), e.what(), counts);
    } catch (const Problem& p) {  // removed meanwhile
      failed(c.platform, ErrorKind::Permanent, 0, p.detail(), counts);
    }
    history.release(c.id, owner_);
    if (blocked(c.platform)) counts.rateLimited.push_back(c.platform);
  }
  return counts;
}

PassCounts SnapshotTaker::refreshAll() {
  PassCounts total;
  for (const auto& row : db_.query("SELECT DISTINCT organization_id FROM connections WHERE status = $1",
                                   {std::string(connections::status::active)})) {
    if (background_.stopping()) break;
    auto tenant = directory_.tenant(row.text(0));
    try {
      const auto counts = refresh(tenant, false);
      total.connections += counts.connections;
      total.accounts += counts.accounts;
      total.posts += counts.posts;
      total.failed += counts.failed;
    } catch (const std::exception& e) {
      log::warn("analytics pass failed for an organization", {{"organization", row.text(0)}, {"error", describe(e)}});
    }
  }
  return total;
}

void SnapshotTaker::start() {
  background_.start(std::chrono::seconds(options_.refreshIntervalSeconds), "analytics pass", [this] { refreshAll(); });
}

void SnapshotTaker::stop() { background_.stop(); }

}  // namespace marketsage::insights
