#pragma once
/// The Telegram Bot API (https://core.telegram.org/bots/api) as its documentation and the
/// tdlib/telegram-bot-api server describe it, for tests: in-process, on a loopback port, serving
/// api_base (methods at /bot<token>/<method>). Bots have tokens (revocable); chats (channels,
/// supergroups, groups, private) hold the bots' memberships and rights. Parameters are read from
/// the query string, JSON, urlencoded and multipart/form-data bodies (files, and attach://<name>
/// in sendMediaGroup), as the real server accepts them. Answers are {"ok":true,"result":…} or
/// {"ok":false,"error_code":n,"description":"…"} with Telegram's texts: 401 Unauthorized, 400
/// Bad Request: chat not found, 403 Forbidden: bot was kicked from the channel chat, 400 message
/// is too long (UTF-16 units), 429 Too Many Requests: retry after N (with parameters.retry_after,
/// injected or from the flood limits: 20 messages a minute per group, 30 a second per bot).
/// parse_mode (HTML, MarkdownV2, Markdown) is honoured: the text a chat shows is what the parser
/// leaves, and malformed entities are refused. Every message received is recorded with the time
/// it arrived. Thread-safe.

#include "CreateFaults.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace emulators {

class TelegramApi {
 public:
  TelegramApi();
  ~TelegramApi();
  TelegramApi(const TelegramApi&) = delete;
  TelegramApi& operator=(const TelegramApi&) = delete;

  /// Base URL for api_base: "http://127.0.0.1:<port>".
  std::string url() const;

  // ---- set-up ----
  /// A bot; answers its token "<id>:<35 random characters>", as @BotFather gives.
  std::string addBot(long long id, const std::string& username, const std::string& firstName = "MarketSage Bot");
  struct Chat {
    long long id = 0;
    std::string type;      ///< "channel" | "supergroup" | "group" | "private"
    std::string title;     ///< (private chats: the person's first name)
    std::string username;  ///< without '@'; empty for private chats and groups
    long long memberCount = 1;
    /// The chat's default permissions (getChat "permissions", groups and supergroups): whether
    /// plain members may send messages.
    bool membersCanSendMessages = true;
  };
  void addChat(const Chat& chat);
  /// A user's (a bot's) membership in a chat, as getChatMember answers it.
  struct Member {
    std::string status = "member";   ///< creator | administrator | member | restricted | left | kicked
    bool canPostMessages = false;    ///< administrators of channels
    bool canDeleteMessages = false;  ///< administrators
    bool canSendMessages = true;     ///< restricted members
    bool canSendMedia = true;  ///< restricted members: can_send_photos, _videos, _documents, _audios, _other_messages
    bool isMember = true;      ///< restricted members
  };
  static Member administrator(bool canPostMessages = true);
  static Member member();
  static Member restricted(bool canSendMessages, bool canSendMedia = true);
  void setMember(long long chatId, long long userId, const Member& member);
  /// The bot's token stops working (401 Unauthorized), as after /revoke at @BotFather.
  void revokeToken(const std::string& token);
  /// The bot is banned from the chat (status "kicked").
  void kickBot(long long chatId, long long botId);
  /// The group became a supergroup: calls naming `groupId` answer 400 "Bad Request: group chat
  /// was upgraded to a supergroup chat" with parameters.migrate_to_chat_id = `supergroupId`.
  void migrateGroup(long long groupId, long long supergroupId);
  /// Telegram's flood limits, enforced with 429 (0 turns one off). Default 20 and 30, and no
  /// per-chat limit: with `perChatPerSecond`, a send to a chat that already received that many
  /// messages in the last second is refused ("avoid sending more than one message per second"
  /// inside a particular chat, Bots FAQ).
  void setFloodLimits(int perGroupPerMinute, int perBotPerSecond, int perChatPerSecond = 0);

  // ---- failure injection ----
  /// After `after` more sends succeed, the next `count` sends (send* methods) answer 429 with
  /// retry_after `seconds` (in the description, and in parameters unless `withParameters` is false:
  /// ResponseParameters are optional in the documentation).
  void throttleNextSends(int count, int seconds, int after = 0, bool withParameters = true);
  /// The next `count` calls of any method answer `status` (500, 502…) without acting.
  void failNextCalls(int count, int status);
  /// The next sends (one each) meet these faults (tests/emulators/common/CreateFaults).
  void faultNextSends(const std::vector<marketsage::test::CreateFault>& faults);
  void setSlowAnswerMs(int ms);

  // ---- observations ----
  struct Message {
    long long chatId = 0, messageId = 0;
    std::string method;        ///< sendMessage, sendPhoto, sendMediaGroup…
    std::string text;          ///< text or caption, as the chat shows it (after parse_mode)
    std::string sentText;      ///< text or caption exactly as the request carried it
    std::string parseMode;     ///< as received ("" when none)
    std::string mediaType;     ///< photo | video | document | animation, "" for text
    std::string mediaGroupId;  ///< albums
    std::string fileName, fileContentType;
    size_t fileSize = 0;
    bool disableNotification = false, protectContent = false, linkPreviewDisabled = false;
    long long receivedAtMs = 0;
    bool deleted = false;
  };
  /// Every message the chat received (0: all chats), in order, deleted ones flagged.
  std::vector<Message> messages(long long chatId = 0) const;
  /// The method of every request, in order ("sendMessage"); tokens never appear.
  std::vector<std::string> requests() const;
  /// The Content-Type of every send request, in order.
  std::vector<std::string> sendContentTypes() const;
  /// Every token addBot() issued (to search logs and databases for).
  std::vector<std::string> issuedTokens() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

/// Parsing shared by the emulator (TelegramParsing.cpp), exposed for its own tests.
namespace telegram_parsing {
/// One part of a multipart/form-data body.
struct FormPart {
  std::string name, filename, contentType, content;
  bool isFile = false;
};
/// Parts of `body` with `boundary`; nullopt when malformed.
std::optional<std::vector<FormPart>> parseMultipart(const std::string& body, const std::string& boundary);
/// Length of UTF-8 text in UTF-16 code units.
size_t utf16Length(const std::string& text);
/// The text Telegram keeps of a text or caption (tdlib clean_input_string and fix_formatted_text):
/// control characters (tab too) become spaces; '\r', U+2028-U+202E, U+030A, U+0333, U+033F are
/// removed; leading and trailing spaces and newlines are cut. Limits are counted on this text.
std::string cleanText(const std::string& text);
/// tdlib is_empty_string: only spaces, newlines, Unicode spaces, zero-width characters, BOM, U+FFFC.
bool isEmptyText(const std::string& text);
/// The text a chat shows for `text` sent with `parseMode`, or the Bot API's error description
/// ("Bad Request: can't parse entities: …", "Bad Request: unsupported parse_mode").
struct Parsed {
  std::string text, error;
};
Parsed applyParseMode(const std::string& text, const std::string& parseMode);
}  // namespace telegram_parsing

}  // namespace emulators
