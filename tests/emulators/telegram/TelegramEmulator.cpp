// The Telegram Bot API emulator: state, request dispatch and the methods.
#include "TelegramEmulator.h"

#include "Clock.h"
#include "TestServer.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <boost/json.hpp>

#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <set>

namespace emulators {

namespace json = boost::json;
using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;
using telegram_parsing::FormPart;

namespace {

using marketsage::test::nowMs;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void sendOk(Response& response, const json::value& result) {
  marketsage::test::sendJson(response, 200, json::serialize(json::object{{"ok", true}, {"result", result}}));
}

void sendError(Response& response, int code, const std::string& description,
               std::optional<int> retryAfter = std::nullopt, std::optional<long long> migrateTo = std::nullopt) {
  json::object body{{"ok", false}, {"error_code", code}, {"description", description}};
  if (retryAfter) body["parameters"] = json::object{{"retry_after", *retryAfter}};
  if (migrateTo) body["parameters"] = json::object{{"migrate_to_chat_id", *migrateTo}};
  marketsage::test::sendJson(response, code, json::serialize(body));
}

/// What failed while handling a call: the Bot API's answer.
struct ApiError {
  int code;
  std::string description;
  std::optional<int> retryAfter = std::nullopt;
  std::optional<long long> migrateTo = std::nullopt;
};

bool truthy(const std::string& value) { return value == "true" || value == "1" || value == "True"; }

/// The kind word Telegram uses in "bot was kicked from the <kind> chat".
std::string chatKind(const std::string& type) { return type == "private" ? "private" : type; }

}  // namespace

struct TelegramApi::State {
  mutable std::mutex mutex;
  struct Bot {
    long long id;
    std::string username, firstName;
    bool revoked = false;
  };
  std::map<std::string, Bot> bots;  // token → bot
  std::vector<std::string> issued;
  std::map<long long, Chat> chats;
  std::map<long long, long long> migrated;                    // group → the supergroup it became
  std::map<std::pair<long long, long long>, Member> members;  // (chat, user)
  std::map<long long, long long> nextMessageId;
  std::vector<Message> received;
  std::vector<std::string> methods, contentTypes;
  int throttleCount = 0, throttleSeconds = 0, throttleAfter = 0;
  bool throttleParameters = true;
  int failCount = 0, failStatus = 500;
  int perGroupPerMinute = 20, perBotPerSecond = 30, perChatPerSecond = 0;
  std::map<long long, std::deque<long long>> chatSends;   // chat → times of the last second
  std::map<long long, std::deque<long long>> groupSends;  // chat → times of the last minute
  std::map<long long, std::deque<long long>> botSends;    // bot → times of the last second
  long long nextGroupId = 1;
  marketsage::test::CreateFaults faults;
  std::unique_ptr<marketsage::test::TestServer> server;

  void handle(Request& request, Response& response);

  // Helpers below are called with the mutex held.
  Member memberOf(long long chat, long long user) const {
    const auto it = members.find({chat, user});
    if (it != members.end()) return it->second;
    Member left;
    left.status = "left";
    return left;
  }
  /// The chat named by chat_id as the bot sees it, or the error Telegram answers.
  const Chat& resolve(const std::map<std::string, std::string>& params, const Bot& bot) const {
    const auto it = params.find("chat_id");
    if (it == params.end() || it->second.empty()) throw ApiError{400, "Bad Request: chat_id is empty"};
    const Chat* chat = nullptr;
    if (it->second.front() == '@') {
      for (const auto& [id, c] : chats)
        if (!c.username.empty() && lower(c.username) == lower(it->second.substr(1))) chat = &c;
    } else {
      try {
        size_t used = 0;
        const long long id = std::stoll(it->second, &used);
        if (used != it->second.size()) throw ApiError{400, "Bad Request: chat not found"};
        if (const auto c = chats.find(id); c != chats.end()) chat = &c->second;
      } catch (const std::logic_error&) {
        throw ApiError{400, "Bad Request: chat not found"};
      }
    }
    if (!chat) throw ApiError{400, "Bad Request: chat not found"};
    if (const auto m = migrated.find(chat->id); m != migrated.end())
      throw ApiError{400, "Bad Request: group chat was upgraded to a supergroup chat", std::nullopt, m->second};
    const auto status = memberOf(chat->id, bot.id).status;
    if (status == "kicked") throw ApiError{403, "Forbidden: bot was kicked from the " + chatKind(chat->type) + " chat"};
    if (status == "left" && chat->username.empty() && chat->type != "private")
      throw ApiError{400, "Bad Request: chat not found"};
    return *chat;
  }
  /// Whether the bot may send `what` ("text messages", "photos"…) to the chat.
  void mayPost(const Chat& chat, const Bot& bot, const std::string& what) const {
    if (chat.type == "private") return;
    const auto m = memberOf(chat.id, bot.id);
    if (m.status == "left")
      throw ApiError{403, "Forbidden: bot is not a member of the " + chatKind(chat.type) + " chat"};
    if (chat.type == "channel") {
      if (m.status == "creator" || (m.status == "administrator" && m.canPostMessages)) return;
      throw ApiError{400, "Bad Request: need administrator rights in the channel chat"};
    }
    if (m.status == "restricted" && (!m.canSendMessages || !m.isMember))
      throw ApiError{400, "Bad Request: not enough rights to send " + what + " to the chat"};
    // Since Bot API 6.5 the media rights are separate from can_send_messages.
    if (m.status == "restricted" && !m.canSendMedia && what != "text messages")
      throw ApiError{400, "Bad Request: not enough rights to send " + what + " to the chat"};
    if (m.status == "member" && !chat.membersCanSendMessages)  // the group's default permissions
      throw ApiError{400, "Bad Request: not enough rights to send " + what + " to the chat"};
  }
  /// Flood limits for `count` messages, then records them.
  void flood(const Chat& chat, const Bot& bot, int count) {
    const long long now = nowMs();
    auto& perBot = botSends[bot.id];
    while (!perBot.empty() && perBot.front() <= now - 1000) perBot.pop_front();
    if (perBotPerSecond > 0 && static_cast<int>(perBot.size()) + count > perBotPerSecond)
      throw ApiError{429, "Too Many Requests: retry after 1", 1};
    auto& inChat = chatSends[chat.id];
    while (!inChat.empty() && inChat.front() <= now - 1000) inChat.pop_front();
    if (perChatPerSecond > 0 && static_cast<int>(inChat.size()) >= perChatPerSecond)
      throw ApiError{429, "Too Many Requests: retry after 1", 1};
    if (perGroupPerMinute > 0 && (chat.type == "group" || chat.type == "supergroup")) {
      auto& perGroup = groupSends[chat.id];
      while (!perGroup.empty() && perGroup.front() <= now - 60000) perGroup.pop_front();
      if (static_cast<int>(perGroup.size()) + count > perGroupPerMinute) {
        const int wait = static_cast<int>((perGroup.front() + 60000 - now + 999) / 1000);
        throw ApiError{429, "Too Many Requests: retry after " + std::to_string(wait), wait};
      }
      for (int i = 0; i < count; ++i) perGroup.push_back(now);
    }
    for (int i = 0; i < count; ++i) perBot.push_back(now);
    for (int i = 0; i < count; ++i) inChat.push_back(now);
  }
  json::object chatJson(const Chat& chat) const {
    json::object out{{"id", chat.id}, {"type", chat.type}};
    if (chat.type == "private")
      out["first_name"] = chat.title;
    else
      out["title"] = chat.title;
    if (!chat.username.empty()) out["username"] = chat.username;
    if (chat.type == "group" || chat.type == "supergroup") {
      const bool may = chat.membersCanSendMessages;
      out["permissions"] =
          json::object{{"can_send_messages", may},        {"can_send_audios", may}, {"can_send_documents", may},
                       {"can_send_photos", may},          {"can_send_videos", may}, {"can_send_video_notes", may},
                       {"can_send_voice_notes", may},     {"can_send_polls", may},  {"can_send_other_messages", may},
                       {"can_add_web_page_previews", may}};
    }
    return out;
  }
  json::object userJson(const Bot& bot) const {
    return {{"id", bot.id}, {"is_bot", true}, {"first_name", bot.firstName}, {"username", bot.username}};
  }
  json::object messageJson(const Message& m, const Chat& chat, const Bot& bot) const {
    json::object out{{"message_id", m.messageId}, {"date", m.receivedAtMs / 1000}, {"chat", chatJson(chat)}};
    if (chat.type == "channel")
      out["sender_chat"] = chatJson(chat);
    else
      out["from"] = userJson(bot);
    if (m.mediaType.empty()) {
      out["text"] = m.text;
    } else {
      if (!m.text.empty()) out["caption"] = m.text;
      const json::object file{{"file_id", "F" + std::to_string(m.chatId) + "_" + std::to_string(m.messageId)},
                              {"file_unique_id", "U" + std::to_string(m.messageId)},
                              {"file_size", m.fileSize}};
      if (m.mediaType == "photo")
        out["photo"] = json::array{file};
      else
        out[m.mediaType] = file;
    }
    if (!m.mediaGroupId.empty()) out["media_group_id"] = m.mediaGroupId;
    if (m.protectContent) out["has_protected_content"] = true;
    return out;
  }
};

TelegramApi::TelegramApi() : state_(std::make_unique<State>()) {
  state_->server =
      std::make_unique<marketsage::test::TestServer>([this](Request& rq, Response& rs) { state_->handle(rq, rs); });
}

TelegramApi::~TelegramApi() {
  state_->faults.waitForLateCreations();
  state_->server.reset();
}

std::string TelegramApi::url() const { return state_->server->url(); }

std::string TelegramApi::addBot(long long id, const std::string& username, const std::string& firstName) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  std::random_device random;
  std::string secret = "AA";
  for (int i = 0; i < 33; ++i) secret += alphabet[random() % 64];
  const auto token = std::to_string(id) + ":" + secret;
  std::lock_guard lock(state_->mutex);
  state_->bots[token] = {id, username, firstName};
  state_->issued.push_back(token);
  return token;
}

void TelegramApi::addChat(const Chat& chat) {
  std::lock_guard lock(state_->mutex);
  state_->chats[chat.id] = chat;
}

TelegramApi::Member TelegramApi::administrator(bool canPostMessages) {
  Member m;
  m.status = "administrator";
  m.canPostMessages = canPostMessages;
  m.canDeleteMessages = true;
  return m;
}
TelegramApi::Member TelegramApi::member() { return Member{}; }
TelegramApi::Member TelegramApi::restricted(bool canSendMessages, bool canSendMedia) {
  Member m;
  m.status = "restricted";
  m.canSendMessages = canSendMessages;
  m.canSendMedia = canSendMedia;
  return m;
}

void TelegramApi::setMember(long long chatId, long long userId, const Member& member) {
  std::lock_guard lock(state_->mutex);
  state_->members[{chatId, userId}] = member;
}

void TelegramApi::revokeToken(const std::string& token) {
  std::lock_guard lock(state_->mutex);
  if (const auto it = state_->bots.find(token); it != state_->bots.end()) it->second.revoked = true;
}

void TelegramApi::kickBot(long long chatId, long long botId) {
  Member kicked;
  kicked.status = "kicked";
  setMember(chatId, botId, kicked);
}

void TelegramApi::migrateGroup(long long groupId, long long supergroupId) {
  std::lock_guard lock(state_->mutex);
  state_->migrated[groupId] = supergroupId;
}

void TelegramApi::setFloodLimits(int perGroupPerMinute, int perBotPerSecond, int perChatPerSecond) {
  std::lock_guard lock(state_->mutex);
  state_->perGroupPerMinute = perGroupPerMinute;
  state_->perBotPerSecond = perBotPerSecond;
  state_->perChatPerSecond = perChatPerSecond;
}

void TelegramApi::throttleNextSends(int count, int seconds, int after, bool withParameters) {
  std::lock_guard lock(state_->mutex);
  state_->throttleAfter = after;
  state_->throttleCount = count;
  state_->throttleSeconds = seconds;
  state_->throttleParameters = withParameters;
}

void TelegramApi::failNextCalls(int count, int status) {
  std::lock_guard lock(state_->mutex);
  state_->failCount = count;
  state_->failStatus = status;
}

void TelegramApi::faultNextSends(const std::vector<marketsage::test::CreateFault>& faults) {
  state_->faults.push(faults);
}
void TelegramApi::setSlowAnswerMs(int ms) { state_->faults.slowAnswerMs = ms; }

std::vector<TelegramApi::Message> TelegramApi::messages(long long chatId) const {
  std::lock_guard lock(state_->mutex);
  std::vector<Message> out;
  for (const auto& m : state_->received)
    if (chatId == 0 || m.chatId == chatId) out.push_back(m);
  return out;
}

std::vector<std::string> TelegramApi::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->methods;
}

std::vector<std::string> TelegramApi::sendContentTypes() const {
  std::lock_guard lock(state_->mutex);
  return state_->contentTypes;
}

std::vector<std::string> TelegramApi::issuedTokens() const {
  std::lock_guard lock(state_->mutex);
  return state_->issued;
}

void TelegramApi::State::handle(Request& request, Response& response) {
  const Poco::URI uri(request.getURI());
  const auto path = uri.getPath();
  const std::string body = marketsage::test::readBody(request);
  if (path.rfind("/bot", 0) != 0 || path.find('/', 4) == std::string::npos)
    return sendError(response, 404, "Not Found");
  const auto slash = path.find('/', 4);
  const auto token = path.substr(4, slash - 4);
  const auto method = lower(path.substr(slash + 1));

  // Parameters: query string, then the body (JSON, urlencoded or multipart).
  std::map<std::string, std::string> params;
  std::map<std::string, FormPart> files;
  for (const auto& [name, value] : uri.getQueryParameters()) params[name] = value;
  const auto contentType = request.getContentType();
  const auto type = lower(contentType.substr(0, contentType.find(';')));
  if (type == "application/json" && !body.empty()) {
    boost::system::error_code ec;
    const auto value = json::parse(body, ec);
    if (ec || !value.is_object()) return sendError(response, 400, "Bad Request: can't parse JSON object");
    for (const auto& [name, v] : value.as_object())
      params[name] = v.is_string() ? std::string(v.as_string()) : json::serialize(v);
  } else if (type == "application/x-www-form-urlencoded") {
    for (const auto& [name, value] : marketsage::test::formParameters(request, body)) params[name] = value;
  } else if (type == "multipart/form-data") {
    auto boundary = contentType.substr(
        contentType.find("boundary=") == std::string::npos ? contentType.size() : contentType.find("boundary=") + 9);
    if (!boundary.empty() && boundary.front() == '"') boundary = boundary.substr(1, boundary.find('"', 1) - 1);
    const auto parts = telegram_parsing::parseMultipart(body, boundary);
    if (!parts) return sendError(response, 400, "Bad Request: can't parse multipart/form-data");
    for (const auto& part : *parts) {
      if (part.isFile)
        files[part.name] = part;
      else
        params[part.name] = part.content;
    }
  }

  std::unique_lock lock(mutex);
  const auto botIt = bots.find(token);
  // telegram-bot-api ClientManager::send: a token that cannot be one is refused before any lookup.
  if (token.empty() || token[0] == '0' || token.size() > 80 || token.find(':') == std::string::npos)
    return sendError(response, 401, "Unauthorized: invalid token specified");
  if (botIt == bots.end() || botIt->second.revoked) return sendError(response, 401, "Unauthorized");
  const Bot bot = botIt->second;
  methods.push_back(method);
  if (failCount > 0) {
    --failCount;
    return sendError(response, failStatus, failStatus == 502 ? "Bad Gateway" : "Internal Server Error");
  }

  try {
    if (method == "getme") {
      auto me = userJson(bot);
      me["can_join_groups"] = true;
      me["can_read_all_group_messages"] = false;
      me["supports_inline_queries"] = false;
      return sendOk(response, me);
    }
    if (method == "getchat") return sendOk(response, chatJson(resolve(params, bot)));
    if (method == "getchatmembercount") return sendOk(response, resolve(params, bot).memberCount);
    if (method == "getchatmember") {
      const auto& chat = resolve(params, bot);
      long long user = 0;
      try {
        user = std::stoll(params["user_id"]);
      } catch (...) {
        throw ApiError{400, "Bad Request: invalid user_id specified"};
      }
      const auto m = memberOf(chat.id, user);
      json::object who{
          {"id", user}, {"is_bot", user == bot.id}, {"first_name", user == bot.id ? bot.firstName : "User"}};
      json::object out{{"status", m.status}, {"user", who}};
      if (m.status == "administrator") {
        out["can_be_edited"] = false;
        out["is_anonymous"] = false;
        out["can_manage_chat"] = true;
        out["can_delete_messages"] = m.canDeleteMessages;
        if (chat.type == "channel") {
          out["can_post_messages"] = m.canPostMessages;
          out["can_edit_messages"] = m.canPostMessages;
        }
      } else if (m.status == "creator") {
        out["is_anonymous"] = false;
      } else if (m.status == "restricted") {
        out["is_member"] = m.isMember;
        out["can_send_messages"] = m.canSendMessages;
        for (const char* right : {"can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
                                  "can_send_video_notes", "can_send_voice_notes", "can_send_other_messages"})
          out[right] = m.canSendMedia;
        out["until_date"] = 0;
      } else if (m.status == "kicked") {
        out["until_date"] = 0;
      }
      return sendOk(response, out);
    }
    if (method == "deletemessage") {
      const auto& chat = resolve(params, bot);
      long long id = 0;
      try {
        id = std::stoll(params["message_id"]);
      } catch (...) {
        throw ApiError{400, "Bad Request: message identifier is not specified"};
      }
      for (auto& m : received) {
        if (m.chatId == chat.id && m.messageId == id && !m.deleted) {
          const auto rights = memberOf(chat.id, bot.id);
          if (chat.type != "private" && rights.status != "creator" && rights.status != "administrator" &&
              chat.type == "channel")
            throw ApiError{400, "Bad Request: message can't be deleted"};
          m.deleted = true;
          return sendOk(response, true);
        }
      }
      throw ApiError{400, "Bad Request: message to delete not found"};
    }

    const bool single = method == "sendmessage" || method == "sendphoto" || method == "sendvideo" ||
                        method == "senddocument" || method == "sendanimation";
    if (!single && method != "sendmediagroup") throw ApiError{404, "Not Found"};

    // ---- sends ----
    contentTypes.push_back(type);
    const auto& chat = resolve(params, bot);
    struct Item {
      std::string mediaType, text, parseMode;
      const FormPart* file = nullptr;
      std::string sent = {};
    };
    std::vector<Item> items;
    const auto fileOf = [&](const std::string& field, const std::string& value) -> const FormPart* {
      if (value.rfind("attach://", 0) == 0) {
        const auto it = files.find(value.substr(9));
        if (it == files.end()) throw ApiError{400, "Bad Request: can't find attached file \"" + value.substr(9) + "\""};
        return &it->second;
      }
      if (const auto it = files.find(field); it != files.end() && value.empty()) return &it->second;
      if (value.empty()) throw ApiError{400, "Bad Request: there is no " + field + " in the request"};
      throw ApiError{400, "Bad Request: wrong file identifier/HTTP URL specified"};
    };
    if (method == "sendmessage") {
      items.push_back({"", params["text"], params["parse_mode"], nullptr});
    } else if (method == "sendmediagroup") {
      boost::system::error_code ec;
      const auto media = json::parse(params["media"], ec);
      if (ec || !media.is_array()) throw ApiError{400, "Bad Request: can't parse media JSON object"};
      if (media.as_array().size() < 2 || media.as_array().size() > 10)
        throw ApiError{400, "Bad Request: wrong number of media items: must be 2-10"};
      std::set<std::string> kinds;  // documents and audio are grouped only with their own kind
      for (const auto& entry : media.as_array()) {
        if (!entry.is_object() || !entry.as_object().contains("type") || !entry.as_object().at("type").is_string() ||
            !entry.as_object().contains("media") || !entry.as_object().at("media").is_string())
          throw ApiError{400,
                         "Bad Request: can't parse InputMedia: Field \"type\" or \"media\" must be of type String"};
        const std::string kind(entry.at("type").as_string());
        if (kind != "photo" && kind != "video" && kind != "document" && kind != "audio")
          throw ApiError{400, "Bad Request: can't parse InputMedia: unsupported media type \"" + kind + "\""};
        kinds.insert(kind);
        Item item{kind, "", "", nullptr};
        if (const auto* c = entry.as_object().if_contains("caption"); c && c->is_string())
          item.text = std::string(c->as_string());
        if (const auto* p = entry.as_object().if_contains("parse_mode"); p && p->is_string())
          item.parseMode = std::string(p->as_string());
        item.file = fileOf(kind, std::string(entry.at("media").as_string()));
        items.push_back(item);
      }
      if (kinds.count("document") && kinds.size() > 1)
        throw ApiError{400, "Bad Request: document can't be mixed with other media types"};
      if (kinds.count("audio") && kinds.size() > 1)
        throw ApiError{400, "Bad Request: audio can't be mixed with other media types"};
    } else {
      const std::string kind = method.substr(4);  // photo, video, document, animation
      items.push_back({kind, params["caption"], params["parse_mode"], fileOf(kind, params[kind])});
    }
    mayPost(chat, bot, method == "sendmessage" ? "text messages" : items.front().mediaType + "s");

    // Content, as the chat would show it.
    for (auto& item : items) {
      item.sent = item.text;
      const auto parsed = telegram_parsing::applyParseMode(item.text, item.parseMode);
      if (!parsed.error.empty()) throw ApiError{400, parsed.error};
      // What Telegram keeps and counts: the text cleaned and trimmed as tdlib does.
      item.text = telegram_parsing::cleanText(parsed.text);
      if (item.mediaType.empty()) {
        if (telegram_parsing::isEmptyText(item.text)) throw ApiError{400, "Bad Request: message text is empty"};
        if (telegram_parsing::utf16Length(item.text) > 4096) throw ApiError{400, "Bad Request: message is too long"};
      } else {
        if (telegram_parsing::isEmptyText(item.text)) item.text.clear();  // an empty caption is allowed, and dropped
        if (telegram_parsing::utf16Length(item.text) > 1024)
          throw ApiError{400, "Bad Request: message caption is too long"};
        if (item.file->content.empty()) throw ApiError{400, "Bad Request: file must be non-empty"};
        if (item.file->content.size() > (50u << 20)) throw ApiError{413, "Request Entity Too Large"};
        if (item.mediaType == "photo" && item.file->content.size() > (10u << 20))
          throw ApiError{400, "Bad Request: PHOTO_SAVE_FILE_INVALID"};
      }
    }
    if (throttleCount > 0 && throttleAfter > 0) {
      --throttleAfter;
    } else if (throttleCount > 0) {
      --throttleCount;
      throw ApiError{429, "Too Many Requests: retry after " + std::to_string(throttleSeconds),
                     throttleParameters ? std::optional<int>(throttleSeconds) : std::nullopt};
    }
    flood(chat, bot, static_cast<int>(items.size()));

    // The messages, created now (or late, or behind a fault).
    std::vector<Message> created;
    const auto groupId = items.size() > 1 ? std::to_string(13000000000000000LL + nextGroupId++) : std::string();
    for (const auto& item : items) {
      Message m;
      m.chatId = chat.id;
      m.method = path.substr(slash + 1);
      m.text = item.text;
      m.sentText = item.sent;
      m.parseMode = item.parseMode;
      m.mediaType = item.mediaType;
      m.mediaGroupId = groupId;
      if (item.file) {
        m.fileName = item.file->filename;
        m.fileContentType = item.file->contentType;
        m.fileSize = item.file->content.size();
      }
      m.disableNotification = truthy(params["disable_notification"]);
      m.protectContent = truthy(params["protect_content"]);
      if (!params["link_preview_options"].empty()) {
        boost::system::error_code ec;
        const auto options = json::parse(params["link_preview_options"], ec);
        if (ec || !options.is_object())
          throw ApiError{400, "Bad Request: can't parse link preview options JSON object"};
        if (const auto* d = options.as_object().if_contains("is_disabled"); d && d->is_bool())
          m.linkPreviewDisabled = d->as_bool();
      }
      if (truthy(params["disable_web_page_preview"])) m.linkPreviewDisabled = true;
      created.push_back(m);
    }
    const auto store = [this](std::vector<Message>& ms) {  // with the mutex held
      for (auto& m : ms) {
        m.messageId = ++nextMessageId[m.chatId];
        m.receivedAtMs = nowMs();
        received.push_back(m);
      }
    };
    const auto answer = [&, chat, bot](const std::vector<Message>& ms) {
      if (method == "sendmediagroup") {
        json::array out;
        for (const auto& m : ms) out.push_back(messageJson(m, chat, bot));
        return sendOk(response, out);
      }
      sendOk(response, messageJson(ms.front(), chat, bot));
    };
    const auto fault = faults.next();
    if (fault == marketsage::test::CreateFault::RefuseWithoutCreate) {
      lock.unlock();
      return sendError(response, 503, "Service Unavailable");
    }
    if (fault == marketsage::test::CreateFault::LateCreate) {
      faults.createLater([this, created, store]() mutable {
        std::lock_guard late(mutex);
        store(created);
      });
      lock.unlock();
      return sendError(response, 504, "Gateway Timeout");
    }
    store(created);
    lock.unlock();
    if (!fault) return answer(created);
    faults.afterCreate(
        *fault, request, [&] { answer(created); }, [&] { sendError(response, 504, "Gateway Timeout"); });
  } catch (const ApiError& e) {
    if (lock.owns_lock()) lock.unlock();
    sendError(response, e.code, e.description, e.retryAfter, e.migrateTo);
  }
}

}  // namespace emulators
