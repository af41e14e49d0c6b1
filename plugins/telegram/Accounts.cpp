// list_accounts (the chats a user named, each checked: the bot must be able to post there),
// check_token (the token, and the bot's rights in the connection's chat) and account_insights.
#include "Telegram.h"

#include <set>

namespace telegram {
namespace {

struct Bot {
  std::string id, username;
};

/// getMe: the bot behind the token (401: the token was revoked or is wrong).
Bot getMe(const std::string& token) {
  const auto a = callJson(token, "getMe", "{}");
  if (!a.ok) {
    if (a.http.result == MS_OK && (a.errorCode == 401 || a.http.status == 401))
      throw Error(MS_ERR_AUTH_INVALID, "the bot token was revoked or is wrong", "401");
    fail(a, "getMe");
  }
  const auto me = host.parse(a.result);
  Bot bot;
  bot.id = me.get("/id").text;
  bot.username = me.string("/username").value_or("");
  if (bot.id.empty()) throw Error(MS_ERR_PERMANENT, "Telegram answered getMe without the bot's id");
  return bot;
}

/// The JSON value of a chat_id: a number for ids, a string for @usernames.
std::string chatIdJson(const std::string& chat) { return isChatId(chat) ? chat : host.quote(chat); }

/// A name as a person types it ("@news", "news", "https://t.me/news", "-100…") as a chat_id, ""
/// when it cannot be one.
std::string normalizeName(std::string name) {
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.erase(0, 1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '/')) name.pop_back();
  for (const char* prefix : {"https://t.me/", "http://t.me/", "t.me/", "https://telegram.me/"})
    if (name.rfind(prefix, 0) == 0) name = "@" + name.substr(std::string_view(prefix).size());
  if (isChatId(name)) return name;
  if (!name.empty() && name.front() != '@') name = "@" + name;
  return isUsername(name) ? name : std::string();
}

std::string describe(const ChatInfo& chat) {
  return chat.username.empty() ? "\"" + chat.title + "\"" : "@" + chat.username;
}

}  // namespace

ChatInfo chatOf(const std::string& resultJson) {
  const auto doc = host.parse(resultJson);
  ChatInfo chat;
  chat.id = doc.get("/id").text;
  chat.type = doc.string("/type").value_or("");
  chat.title = doc.string("/title").value_or(doc.string("/first_name").value_or(""));
  chat.username = doc.string("/username").value_or("");
  chat.membersMaySend = doc.get("/permissions/can_send_messages").text != "false";
  return chat;
}

std::string whyNotPostable(const ChatInfo& chat, const std::string& memberJson) {
  const auto member = host.parse(memberJson);
  const auto status = member.string("/status").value_or("");
  const bool channel = chat.type == "channel";
  const auto name = describe(chat);
  if (chat.type == "private") return "a private chat with a person, not a channel or group";
  if (status == "creator") return {};
  if (status == "administrator") {
    if (!channel || member.get("/can_post_messages").text == "true") return {};
    return "the bot is an administrator of " + name + " without the right to post messages: grant it \"Post messages\"";
  }
  if (status == "member") {
    if (channel)
      return "the bot is not an administrator of " + name + ": make it an administrator with \"Post messages\"";
    // A plain member follows the group's default permissions (ChatFullInfo.permissions).
    if (!chat.membersMaySend)
      return "members of " + name +
             " may not send messages (the group's permissions): make the bot an administrator or let members send "
             "messages";
    return {};
  }
  if (status == "restricted") {
    if (!channel && member.get("/is_member").text != "false" && member.get("/can_send_messages").text == "true")
      return {};
    return "the bot is restricted in " + name + " and may not send messages: lift the restriction";
  }
  if (status == "kicked") return "the bot was removed (banned) from " + name + ": unban it and add it again";
  if (status == "left")
    return "the bot is not a member of " + name +
           (channel ? ": add it as an administrator with \"Post messages\"" : ": add it to the group");
  return "the bot's membership in " + name + " is unknown (" + status + ")";
}

ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = botToken(json);
    const auto named = json.get("/accounts");
    if (named.present() && named.type != MS_JSON_NULL && named.type != MS_JSON_ARRAY)
      throw Error(MS_ERR_INVALID_INPUT, "accounts must be an array of chat ids or @usernames");
    const size_t count = json.count("/accounts");
    if (count > 100) throw Error(MS_ERR_INVALID_INPUT, "accounts names more than 100 chats");
    std::vector<std::string> names;
    for (size_t i = 0; i < count; ++i)
      names.push_back(requiredString(json, ("/accounts/" + std::to_string(i)).c_str(), 256));

    const auto bot = getMe(token);
    auto accounts = Json::array();
    auto refused = Json::array();
    if (names.empty()) {
      refused.pushRaw(
          Json::object()
              .field("account", bot.username.empty() ? bot.id : "@" + bot.username)
              .field("reason", "a bot cannot list its chats: name the channels and groups it should post to"));
    }
    std::set<std::string> seen;
    for (const auto& name : names) {
      const auto chatId = normalizeName(name);
      const auto refuse = [&](const std::string& reason) {
        refused.pushRaw(Json::object().field("account", name).field("reason", reason));
      };
      if (chatId.empty()) {
        refuse("not a chat id (-100…) or @username");
        continue;
      }
      const auto chatAnswer = callJson(token, "getChat", "{\"chat_id\":" + chatIdJson(chatId) + "}");
      if (!chatAnswer.ok) {
        if (chatAnswer.http.result == MS_OK && chatAnswer.errorCode == 400 &&
            chatAnswer.description.find("chat not found") != std::string::npos) {
          refuse("not found: check the name, and for a private chat that the bot was added to it");
          continue;
        }
        if (chatAnswer.http.result == MS_OK && chatAnswer.errorCode == 403) {
          refuse("the bot is not a member (" + chatAnswer.description + "): add it again");
          continue;
        }
        if (chatAnswer.http.result == MS_OK && !chatAnswer.migrateTo.empty()) {
          // ResponseParameters.migrate_to_chat_id: the group is now that supergroup.
          refuse("the group became the supergroup " + chatAnswer.migrateTo + ": name " + chatAnswer.migrateTo +
                 " instead");
          continue;
        }
        if (chatAnswer.http.result == MS_OK && chatAnswer.errorCode == 400) {
          refuse("Telegram refused it: " + chatAnswer.description);
          continue;
        }
        fail(chatAnswer, "getChat");
      }
      const auto chat = chatOf(chatAnswer.result);
      if (chat.id.empty()) throw Error(MS_ERR_PERMANENT, "Telegram answered getChat without the chat's id");
      const auto memberAnswer =
          callJson(token, "getChatMember", "{\"chat_id\":" + chat.id + ",\"user_id\":" + bot.id + "}");
      std::string why;
      if (!memberAnswer.ok) {
        if (memberAnswer.http.result != MS_OK || memberAnswer.errorCode == 429 || memberAnswer.errorCode == 401 ||
            memberAnswer.errorCode >= 500)
          fail(memberAnswer, "getChatMember");
        why = "the bot is not a member (" + memberAnswer.description + ")";
      } else {
        why = whyNotPostable(chat, memberAnswer.result);
      }
      if (!why.empty()) {
        refuse(why);
        continue;
      }
      if (!seen.insert(chat.id).second) continue;  // named twice (by id and by @username)
      auto metadata = Json::object().field("chatType", chat.type);
      if (!chat.username.empty()) metadata.field("username", chat.username);
      accounts.pushRaw(Json::object()
                           .field("id", chat.id)
                           .field("name", chat.title.empty() ? name : chat.title)
                           .field("type", chat.type == "channel" ? "channel" : "group")
                           .raw("metadata", metadata));
    }
    return Json::object().raw("accounts", accounts).raw("refused", refused).str();
  });
}

ms_status checkToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = botToken(json);
    const auto account = optionalString(json, "/account/id", 64);
    if (!account.empty() && !isChatId(account) && !isUsername(account))
      throw Error(MS_ERR_INVALID_INPUT, "account.id must be a Telegram chat id or @username");
    const auto bot = getMe(token);
    auto out = Json::object().field("healthy", true);
    if (account.empty()) return out.str();
    const auto chatAnswer = callJson(token, "getChat", "{\"chat_id\":" + chatIdJson(account) + "}");
    if (!chatAnswer.ok) fail(chatAnswer, "getChat");  // 403 kicked, 400 chat not found: invalid
    const auto chat = chatOf(chatAnswer.result);
    const auto memberAnswer =
        callJson(token, "getChatMember", "{\"chat_id\":" + chatIdJson(account) + ",\"user_id\":" + bot.id + "}");
    if (!memberAnswer.ok) fail(memberAnswer, "getChatMember");
    if (const auto why = whyNotPostable(chat, memberAnswer.result); !why.empty())
      throw Error(MS_ERR_AUTH_INVALID, why, "rights");
    return out.field("accountId", chat.id.empty() ? account : chat.id).str();
  });
}

ms_status accountInsights(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = botToken(json);
    const auto chat = chatIdOf(json);
    optionalString(json, "/start", 64);
    optionalString(json, "/end", 64);
    const auto metrics = json.get("/metrics");
    if (metrics.present() && metrics.type != MS_JSON_NULL && metrics.type != MS_JSON_ARRAY)
      throw Error(MS_ERR_INVALID_INPUT, "metrics must be an array");
    const auto a = callJson(token, "getChatMemberCount", "{\"chat_id\":" + chatIdJson(chat) + "}");
    if (!a.ok) fail(a, "getChatMemberCount");
    const auto members = Document::integerOf({a.resultType, a.result});
    if (!members) throw Error(MS_ERR_PERMANENT, "Telegram answered getChatMemberCount without a number");
    auto unavailable = Json::array();
    for (const char* metric : {"reach", "impressions", "engagement", "videoViews"})
      unavailable.pushRaw(Json::object()
                              .field("name", metric)
                              .field("reason", "the Bot API does not give bots views or reactions of messages"));
    return Json::object()
        .raw("metrics", Json::object().field("followers", *members))
        .raw("unavailable", unavailable)
        .raw("extra", Json::object().field("members", *members))
        .str();
  });
}

}  // namespace telegram
