// Pieces shared by the Telegram plugin's files: request reading, settings, the Bot API call and
// the one mapping of Bot API errors to ABI error kinds, the pacing of sends, and post content.
#pragma once

#include <marketsage/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telegram {

using marketsage::sdk::Document;
using marketsage::sdk::Error;
using marketsage::sdk::HttpRequest;
using marketsage::sdk::HttpResponse;
using marketsage::sdk::Json;

extern marketsage::sdk::Host host;

// ---- request reading (every failure is MS_ERR_INVALID_INPUT, before any network call) ----

/// The request parsed once; refused unless it is a JSON object.
Document objectRequest(const char* request, size_t length);
/// The string at `pointer`, "" when absent or null; another type (or too long) is refused.
std::string optionalString(const Document& json, const char* pointer, size_t maxLength = 4096);
/// A non-empty string at `pointer`.
std::string requiredString(const Document& json, const char* pointer, size_t maxLength = 4096);
/// accessToken: a bot token "<bot id>:<secret>" (a malformed one is MS_ERR_INVALID_INPUT).
std::string botToken(const Document& json);
/// The bot's numeric id: the part of the token before ':'.
std::string botIdOf(const std::string& token);
/// account.id: a chat id ("-1001234567890") or "@username".
std::string chatIdOf(const Document& json);
bool isChatId(std::string_view text);
bool isUsername(std::string_view text);  ///< "@name": 5-32 letters, digits, underscores after '@'

// ---- settings ----

std::string apiBase();  ///< api_base, default https://api.telegram.org
long long integerSetting(const char* pointer, long long fallback);

// ---- the Bot API ----

/// One Bot API answer: {"ok":true,"result":…} or {"ok":false,"error_code":n,"description":…}.
struct Answer {
  HttpResponse http;
  bool ok = false;     ///< a response arrived and said "ok": true
  std::string result;  ///< the result as JSON text (strings unescaped)
  int32_t resultType = MS_JSON_NONE;
  long long errorCode = 0;  ///< error_code, or the HTTP status when the body has none
  std::string description;  ///< description, secrets removed
  int retryAfter = 0;       ///< parameters.retry_after
  std::string migrateTo;    ///< parameters.migrate_to_chat_id
  bool parsed = false;      ///< the body was a Bot API answer
};
/// POSTs `method` with a JSON body to api_base/bot<token>/<method>.
Answer callJson(const std::string& token, const std::string& method, const std::string& jsonBody);
/// POSTs `method` with a prepared request (multipart bodies); url and method are set here.
Answer callWith(const std::string& token, const std::string& method, HttpRequest request);
/// Throws the ABI error of a failed answer (no answer, ok:false) of a call that creates nothing.
/// `what` names the call for people ("getChat @news").
[[noreturn]] void fail(const Answer& answer, const std::string& what);
/// `text` without the token (and the token's secret) anywhere in it.
std::string scrub(std::string text, const std::string& token);
/// http_timeout_ms: the network timeout of every call (0 = the host's default).
uint32_t httpTimeoutMs();

// ---- chats (Accounts.cpp) ----

struct ChatInfo {
  std::string id, type, title, username;  ///< type: channel | supergroup | group | private
  /// getChat permissions.can_send_messages (groups and supergroups): whether plain members may
  /// send messages; true when absent.
  bool membersMaySend = true;
};
/// ChatInfo of a getChat result.
ChatInfo chatOf(const std::string& resultJson);
/// Why the bot cannot post to `chat` given its getChatMember result, "" when it can.
std::string whyNotPostable(const ChatInfo& chat, const std::string& memberJson);

// ---- pacing (Pacing.cpp) ----

/// Waits (host sleep_ms, up to pace_max_wait_ms) until `count` more messages from bot `botId`
/// keep the pace: at most per_bot_per_second a second, per_chat_per_second a second inside the
/// chat (Bots FAQ: one message a second in a chat), and for groups and supergroups at most
/// per_chat_per_minute a minute per chat; then records them as sent. A longer wait is
/// MS_ERR_RATE_LIMITED with its seconds, so that the host spreads the burst.
void pace(const std::string& botId, const std::string& chatId, bool group, int count);
/// Once the answer to those `count` messages is in (or the send failed): Telegram counts them at
/// the moment they arrived, somewhere between pace() and now, so they count from now. Without it
/// a slow first request and a quick second one land closer than a second apart and meet a 429.
void paced(const std::string& botId, const std::string& chatId, bool group, int count);

// ---- content (Content.cpp) ----

inline constexpr size_t kTextLimit = 4096;            ///< sendMessage text, UTF-16 code units
inline constexpr size_t kCaptionLimit = 1024;         ///< captions, UTF-16 code units
inline constexpr long long kPhotoBytes = 10LL << 20;  ///< photos uploaded by multipart
inline constexpr long long kFileBytes = 50LL << 20;   ///< other files uploaded by multipart

/// Length of UTF-8 `text` in UTF-16 code units, as Telegram counts.
size_t utf16Length(std::string_view text);
/// `text` as Telegram keeps it (tdlib clean_input_string, then fix_formatted_text's trim): control
/// characters (tab included) become spaces, '\r', U+2028-U+202E and U+030A/U+0333/U+033F are
/// removed, then leading and trailing spaces and newlines are cut. Telegram counts the limits on
/// this text, so the plugin counts and splits this text (a text that fits is sent as written,
/// its edges trimmed).
std::string telegramText(std::string_view text);
/// Whether Telegram finds `text` empty (tdlib is_empty_string: only spaces, newlines, no-break and
/// other Unicode spaces, zero-width characters, BOM, U+FFFC): a message of it is refused.
bool emptyForTelegram(std::string_view text);
/// `text` cut into pieces of at most `firstLimit` (the first) and `restLimit` (the others) UTF-16
/// units, at a newline or else a space when there is one, each piece trimmed and not empty.
std::vector<std::string> splitText(std::string_view text, size_t firstLimit, size_t restLimit);

struct MediaItem {
  std::string kind, mimeType, path, hostId, altText;
  long long size = 0, width = 0, height = 0;
  /// Bot API method and field: sendPhoto/photo, sendVideo/video, sendDocument/document,
  /// sendAnimation/animation.
  std::string method() const;
  std::string field() const;
};
struct Options {
  bool disableNotification = false, protectContent = false, linkPreview = true, split = false;
};
using marketsage::sdk::Issue;
struct Post {
  std::string text;  ///< content, with the link appended when the content does not carry it
  std::vector<MediaItem> media;
  Options options;
  bool hasThread = false;
  std::vector<Issue> optionIssues;  ///< wrongly typed options, reported by checkPost
};
/// Reads the Post of a publish/validate request; wrong shapes are MS_ERR_INVALID_INPUT.
Post readPost(const Document& json);
/// The post's text as Telegram counts it: UTF-16 units of the cleaned text (0 when Telegram finds
/// it empty) against 4096 for a message, or 1024 for the caption when media are attached.
struct TextLength {
  size_t used = 0, limit = 0;
};
TextLength textLength(const Post& post);
/// Everything Telegram would refuse about `post` (empty = publishable).
std::vector<Issue> checkPost(const Post& post);

/// One Bot API call of a post: a text message, one file, or an album.
struct Step {
  enum Kind { Text, Media, Album } kind = Text;
  std::string text;           ///< the message text, or the caption (of the album's first item)
  std::vector<size_t> media;  ///< indexes into Post::media
  size_t messages() const { return kind == Album ? media.size() : 1; }
};
/// The calls of a checked post, in order: media first (caption: the text, or with split its first
/// piece up to 1,024 units), then the rest of the text as messages of up to 4,096 units.
std::vector<Step> planPost(const Post& post);

}  // namespace telegram
