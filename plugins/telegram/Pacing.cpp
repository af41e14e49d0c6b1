// The pace of sends (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
// no more than one message a second inside a particular chat, about 30 messages a second per bot,
// and 20 a minute per group. Kept in process memory across
// calls (a mutex guards it), so that a burst of posts is spread instead of refused with 429.
#include "Telegram.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>

namespace telegram {
namespace {

struct Window {
  std::deque<long long> sent;  ///< send times (ms), oldest first
  /// Milliseconds until `count` more fit in `limit` per `spanMs`, 0 when they fit now.
  long long waitFor(long long now, long long count, long long limit, long long spanMs) {
    while (!sent.empty() && sent.front() <= now - spanMs) sent.pop_front();
    const long long over = static_cast<long long>(sent.size()) + count - limit;
    if (over <= 0) return 0;
    if (over > static_cast<long long>(sent.size())) return spanMs;  // more than a window holds: one window
    return sent[static_cast<size_t>(over - 1)] + spanMs - now;
  }
  void record(long long now, int count) {
    for (int i = 0; i < count; ++i) sent.push_back(now);
  }
  /// Moves the newest `count` send times to `now` (never earlier than they were).
  void restamp(long long now, int count) {
    for (auto it = sent.rbegin(); it != sent.rend() && count > 0; ++it, --count) *it = std::max(*it, now);
  }
};

std::mutex mutex;
std::map<std::string, Window> perBot;   // bot id → sends of the last second
std::map<std::string, Window> perChat;  // bot id + chat id → sends of the last minute
std::map<std::string, Window> inChat;   // bot id + chat id → sends of the last second (any chat type)

}  // namespace

void pace(const std::string& botId, const std::string& chatId, bool group, int count) {
  const long long perSecond = std::max<long long>(1, integerSetting("/per_bot_per_second", 30));
  const long long perMinute = std::max<long long>(1, integerSetting("/per_chat_per_minute", 20));
  const long long perChatSecond = integerSetting("/per_chat_per_second", 1);  // 0: off
  const long long maxWaitMs = std::clamp<long long>(integerSetting("/pace_max_wait_ms", 2000), 0, 30'000);
  const auto chatKey = botId + "/" + chatId;
  for (int round = 0;; ++round) {
    long long wait = 0;
    {
      std::lock_guard lock(mutex);
      const long long now = host.nowMs();
      wait = perBot[botId].waitFor(now, std::min<long long>(count, perSecond), perSecond, 1000);
      if (group)
        wait = std::max(wait, perChat[chatKey].waitFor(now, std::min<long long>(count, perMinute), perMinute, 60'000));
      long long chatWait = 0;
      if (perChatSecond > 0)
        chatWait = inChat[chatKey].waitFor(now, std::min<long long>(count, perChatSecond), perChatSecond, 1000);
      wait = std::max(wait, chatWait);
      if (wait <= 0) {
        perBot[botId].record(now, count);
        if (group) perChat[chatKey].record(now, count);
        if (perChatSecond > 0) inChat[chatKey].record(now, count);
        return;
      }
    }
    if (wait > maxWaitMs || round >= 20)
      throw Error(
          MS_ERR_RATE_LIMITED,
          group
              ? "pacing: at most " + std::to_string(perMinute) + " messages a minute go to one group (Telegram's limit)"
              : "pacing: at most " + std::to_string(perSecond) + " messages a second go out per bot (Telegram's limit)",
          "pacing", static_cast<int32_t>((wait + 999) / 1000));
    if (!host.sleep(static_cast<uint32_t>(wait))) throw Error(MS_ERR_TRANSIENT, "the host is stopping");
  }
}

void paced(const std::string& botId, const std::string& chatId, bool group, int count) {
  std::lock_guard lock(mutex);
  const long long now = host.nowMs();
  const auto chatKey = botId + "/" + chatId;
  perBot[botId].restamp(now, count);
  if (group) perChat[chatKey].restamp(now, count);
  if (auto it = inChat.find(chatKey); it != inChat.end()) it->second.restamp(now, count);
}

}  // namespace telegram
