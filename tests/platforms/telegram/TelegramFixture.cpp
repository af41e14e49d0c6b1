#include "TelegramFixture.h"

namespace telegram_test {

using namespace marketsage::plugins;
using Chat = emulators::TelegramApi::Chat;

TelegramFixture::TelegramFixture(json::object settings)
    : plugin_(TELEGRAM_PLUGIN, "telegram", {{"api_base", telegram.url()}, {"http_timeout_ms", 1000}}, settings) {
  token = telegram.addBot(kBotId, "acme_poster_bot");
  telegram.addChat(Chat{kChannel, "channel", "Acme News", "acmenews", 1234});
  telegram.addChat(Chat{kSupergroup, "supergroup", "Acme Team", "", 42});
  telegram.addChat(Chat{kReadOnly, "channel", "Read Only", "readonlychan", 10});
  telegram.addChat(Chat{kLeftGroup, "group", "Old Group", "", 5});
  telegram.addChat(Chat{kKicked, "supergroup", "Kicked Group", "kickedgroup", 7});
  telegram.addChat(Chat{kMuted, "supergroup", "Muted Group", "mutedgroup", 8});
  telegram.addChat(Chat{kPublicGroup, "supergroup", "Acme Chat", "acmechat", 99});
  telegram.setMember(kChannel, kBotId, emulators::TelegramApi::administrator(true));
  telegram.setMember(kSupergroup, kBotId, emulators::TelegramApi::member());
  telegram.setMember(kReadOnly, kBotId, emulators::TelegramApi::administrator(false));
  telegram.kickBot(kKicked, kBotId);
  telegram.setMember(kMuted, kBotId, emulators::TelegramApi::restricted(false));
  telegram.setMember(kPublicGroup, kBotId, emulators::TelegramApi::administrator(false));
}

CallResult TelegramFixture::call(Operation op, const json::object& request) const { return plugin_.call(op, request); }

CallResult TelegramFixture::callText(Operation op, std::string_view request) const {
  return plugin_.callText(op, request);
}

json::object TelegramFixture::account(long long chat) const {
  json::object metadata;
  if (chat == kChannel)
    metadata = {{"type", "channel"}, {"chatType", "channel"}, {"username", "acmenews"}};
  else if (chat == kPublicGroup)
    metadata = {{"type", "group"}, {"chatType", "supergroup"}, {"username", "acmechat"}};
  else if (chat == kReadOnly)
    metadata = {{"type", "channel"}, {"chatType", "channel"}, {"username", "readonlychan"}};
  else
    metadata = {{"type", "group"}, {"chatType", "supergroup"}};
  return {{"id", std::to_string(chat)}, {"name", "chat"}, {"metadata", metadata}};
}

json::object TelegramFixture::post(long long chat, const std::string& content, json::array media,
                                   json::object options) const {
  return {{"accessToken", token}, {"account", account(chat)}, {"content", content},
          {"media", media},       {"options", options},       {"idempotencyKey", "ms-test"}};
}

std::string TelegramFixture::file(const std::string& name, size_t bytes) const { return plugin_.file(name, bytes); }

json::object TelegramFixture::media(const std::string& kind, const std::string& mimeType, size_t bytes,
                                    const std::string& name) const {
  return plugin_.media(kind, mimeType, bytes, name);
}

std::string TelegramFixture::logs() const { return plugin_.logs(); }

std::vector<emulators::TelegramApi::Message> liveMessages(const emulators::TelegramApi& telegram, long long chat) {
  std::vector<emulators::TelegramApi::Message> out;
  for (const auto& m : telegram.messages(chat))
    if (!m.deleted) out.push_back(m);
  return out;
}

}  // namespace telegram_test
