// A Telegram Bot API emulator with a bot in a few chats, plus the telegram plugin loaded from
// its .so and pointed at the emulator.
#pragma once

#include "TelegramEmulator.h"

#include "../common/LoadedPlugin.h"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace telegram_test {

namespace json = boost::json;
using marketsage::plugins::CallResult;
using marketsage::plugins::ErrorKind;
using marketsage::plugins::Operation;

constexpr long long kBotId = 7001234567;
constexpr long long kChannel = -1001000000001;      ///< @acmenews: the bot is an administrator that may post
constexpr long long kSupergroup = -1001000000002;   ///< private supergroup: the bot is a member
constexpr long long kReadOnly = -1001000000003;     ///< @readonlychan: administrator without "Post messages"
constexpr long long kLeftGroup = -4000000004;       ///< a basic group the bot left (private: "chat not found")
constexpr long long kKicked = -1001000000005;       ///< @kickedgroup: the bot was banned
constexpr long long kMuted = -1001000000006;        ///< @mutedgroup: the bot is restricted, may not send
constexpr long long kPublicGroup = -1001000000007;  ///< @acmechat: public supergroup, bot administrator

class TelegramFixture {
 public:
  explicit TelegramFixture(json::object settings = {});

  emulators::TelegramApi telegram;
  std::string token;  ///< the bot's token

  CallResult call(Operation op, const json::object& request) const;
  CallResult callText(Operation op, std::string_view request) const;
  /// The Account of a connected chat, as the host stores it.
  json::object account(long long chat) const;
  /// A publish request for `chat`.
  json::object post(long long chat, const std::string& content, json::array media = {},
                    json::object options = {}) const;
  /// A file of `bytes` bytes in a temporary folder, removed with the fixture.
  std::string file(const std::string& name, size_t bytes) const;
  json::object media(const std::string& kind, const std::string& mimeType, size_t bytes, const std::string& name) const;
  std::string logs() const;

 private:
  marketsage::test::LoadedPlugin plugin_;  // after `telegram`: its settings name the emulator
};

/// A JSON string's text (anything else as JSON), to compare with std::string.
inline std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

/// The live (not deleted) messages of a chat.
std::vector<emulators::TelegramApi::Message> liveMessages(const emulators::TelegramApi& telegram, long long chat);

}  // namespace telegram_test
