// validate, publish (sendMessage, sendPhoto/Video/Document/Animation, sendMediaGroup) and
// delete_post (deleteMessage for every message of a post). The Bot API has no idempotency key
// and cannot list a chat's messages, so a send whose answer is lost is MS_ERR_OUTCOME_UNKNOWN
// (a person looks), and the messages of a post that already landed are never sent again.
#include "Telegram.h"

#include <filesystem>

namespace telegram {
namespace {

/// validate's reply: the issues, and the length of the text (or caption) as Telegram counts it.
std::string validation(const Post& post, const std::vector<Issue>& issues) {
  const auto [used, limit] = textLength(post);
  return marketsage::sdk::validationReply(
      issues, marketsage::sdk::LengthCount{static_cast<long long>(used), static_cast<long long>(limit), "utf16"});
}

/// Where a post goes: the chat, and what the host kept of it when the chat was connected.
struct Target {
  std::string chat, username, chatType;
  bool group() const { return chatType == "group" || chatType == "supergroup" || chatType.empty(); }
  std::string chatJson() const { return isChatId(chat) ? chat : host.quote(chat); }
  std::string postId(const std::string& messageId) const { return chat + ":" + messageId; }
  /// https://t.me/<username>/<id> for public chats, https://t.me/c/<id without -100>/<id> for
  /// private supergroups and channels; "" for basic groups (no link exists).
  std::string url(const std::string& messageId) const {
    if (!username.empty()) return "https://t.me/" + username + "/" + messageId;
    if (chat.rfind("-100", 0) == 0 && chat.size() > 4) return "https://t.me/c/" + chat.substr(4) + "/" + messageId;
    return {};
  }
};

Target targetOf(const Document& json) {
  Target t;
  t.chat = chatIdOf(json);
  t.username = optionalString(json, "/account/metadata/username", 64);
  t.chatType = optionalString(json, "/account/metadata/chatType", 32);
  if (t.chatType.empty()) {
    const auto type = optionalString(json, "/account/metadata/type", 32);
    if (type == "channel") t.chatType = "channel";
  }
  if (t.username.empty() && isUsername(t.chat)) t.username = t.chat.substr(1);
  return t;
}

std::string randomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  host.raw()->random_bytes(host.raw(), reinterpret_cast<uint8_t*>(raw.data()), raw.size());
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

/// A multipart/form-data body: text fields first, then files streamed from disk in order.
class Form {
 public:
  Form() : boundary_("marketsage-" + randomHex(16)) {}
  void field(const std::string& name, const std::string& value) {
    head_ += "--" + boundary_ + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  void file(const std::string& name, const MediaItem& media) {
    auto filename = std::filesystem::path(media.path).filename().string();
    // The Bot API server (tdlib HttpReader) splits Content-Disposition at ';' even inside quotes,
    // and strips quotes only from a value that both starts and ends with one: none of '"', ';',
    // '\\' or line breaks may be in the quoted file name.
    for (auto& c : filename)
      if (c == '"' || c == ';' || c == '\\' || c == '\r' || c == '\n') c = '_';
    if (filename.empty()) filename = name;
    HttpRequest::Part header;
    header.data =
        "--" + boundary_ + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename +
        "\"\r\nContent-Type: " + (media.mimeType.empty() ? "application/octet-stream" : media.mimeType) + "\r\n\r\n";
    HttpRequest::Part content;
    content.file = media.path;
    HttpRequest::Part end;
    end.data = "\r\n";
    parts_.push_back(std::move(header));
    parts_.push_back(std::move(content));
    parts_.push_back(std::move(end));
  }
  HttpRequest request() const {
    HttpRequest r;
    r.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary_}};
    r.body = head_;
    r.parts = parts_;
    HttpRequest::Part close;
    close.data = "--" + boundary_ + "--\r\n";
    r.parts.push_back(std::move(close));
    return r;
  }

 private:
  std::string boundary_, head_;
  std::vector<HttpRequest::Part> parts_;
};

/// The failure of a send: lost answers and gateways' 5xx may have posted it (never sent again
/// blindly); everything else keeps the usual mapping.
[[noreturn]] void failSend(const Answer& a, const std::string& what) {
  if (a.http.result == MS_ERR_TRANSIENT && a.http.sent)
    throw Error(MS_ERR_OUTCOME_UNKNOWN,
                "the message may be in the chat: " + what + " got no complete answer (" + a.http.error + ")");
  if (a.http.result == MS_OK && (a.http.status >= 500 || a.errorCode >= 500))
    throw Error(MS_ERR_OUTCOME_UNKNOWN,
                "the message may be in the chat: " + what + " answered " + std::to_string(a.http.status),
                std::to_string(a.http.status));
  if (a.http.result == MS_OK && a.http.status >= 200 && a.http.status < 300 && !a.parsed)
    throw Error(MS_ERR_OUTCOME_UNKNOWN,
                "the message may be in the chat: " + what + " answered something that is not a Bot API answer");
  fail(a, what);
}

/// The message ids a successful send answered (one Message, or an array for an album).
std::vector<std::string> messageIds(const Answer& a, const std::string& what) {
  std::vector<std::string> ids;
  const auto doc = host.parse(a.result);
  if (a.resultType == MS_JSON_ARRAY) {
    for (size_t i = 0, n = doc.count(""); i < n; ++i)
      ids.push_back(doc.get(("/" + std::to_string(i) + "/message_id").c_str()).text);
  } else {
    ids.push_back(doc.get("/message_id").text);
  }
  for (const auto& id : ids)
    if (id.empty() || !isChatId(id))
      throw Error(MS_ERR_OUTCOME_UNKNOWN, "the message may be in the chat: " + what + " answered without a message id");
  return ids;
}

void commonFields(Form& form, const Target& target, const Options& options) {
  form.field("chat_id", target.chat);
  if (options.disableNotification) form.field("disable_notification", "true");
  if (options.protectContent) form.field("protect_content", "true");
}

/// Sends one step; answers its message ids.
std::vector<std::string> send(const std::string& token, const Target& target, const Post& post, const Step& step) {
  const auto& o = post.options;
  Answer a;
  std::string what;
  if (step.kind == Step::Text) {
    what = "sendMessage";
    // No parse_mode: the text arrives exactly as written ("<", "&", "*", "_" included).
    auto body = Json::object().raw("chat_id", target.chatJson()).field("text", step.text);
    if (!o.linkPreview) body.raw("link_preview_options", R"({"is_disabled":true})");
    if (o.disableNotification) body.field("disable_notification", true);
    if (o.protectContent) body.field("protect_content", true);
    a = callJson(token, what, body.str());
  } else if (step.kind == Step::Media) {
    const auto& m = post.media[step.media.front()];
    what = m.method();
    Form form;
    commonFields(form, target, o);
    if (!step.text.empty()) form.field("caption", step.text);
    if (m.kind == "video") form.field("supports_streaming", "true");
    if (m.width > 0 && m.height > 0 && (m.kind == "video" || m.kind == "gif")) {
      form.field("width", std::to_string(m.width));
      form.field("height", std::to_string(m.height));
    }
    form.file(m.field(), m);
    a = callWith(token, what, form.request());
  } else {
    what = "sendMediaGroup";
    Form form;
    commonFields(form, target, o);
    auto media = Json::array();
    for (size_t i = 0; i < step.media.size(); ++i) {
      const auto& m = post.media[step.media[i]];
      auto item = Json::object().field("type", m.field()).field("media", "attach://file" + std::to_string(i));
      if (i == 0 && !step.text.empty()) item.field("caption", step.text);
      if (m.kind == "video") item.field("supports_streaming", true);
      media.pushRaw(item);
    }
    form.field("media", media.str());
    for (size_t i = 0; i < step.media.size(); ++i) form.file("file" + std::to_string(i), post.media[step.media[i]]);
    a = callWith(token, what, form.request());
  }
  if (!a.ok) failSend(a, what);
  auto ids = messageIds(a, what);
  if (ids.size() != step.messages())
    throw Error(MS_ERR_OUTCOME_UNKNOWN, what + " answered " + std::to_string(ids.size()) + " messages where " +
                                            std::to_string(step.messages()) + " were sent: look at the chat");
  return ids;
}

/// One step's place in the pace: waits its turn when made, counts from its answer when done.
class PacedSend {
 public:
  PacedSend(const std::string& botId, const Target& target, int count) : botId_(botId), target_(target), count_(count) {
    pace(botId_, target_.chat, target_.group(), count_);
  }
  ~PacedSend() { paced(botId_, target_.chat, target_.group(), count_); }
  PacedSend(const PacedSend&) = delete;
  PacedSend& operator=(const PacedSend&) = delete;

 private:
  const std::string& botId_;
  const Target& target_;
  int count_;
};

}  // namespace

ms_status validate(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto post = readPost(objectRequest(req, len));
    const auto issues = checkPost(post);
    auto out = validation(post, issues);
    if (issues.empty()) return out;
    reply->write(reply, out.data(), out.size());  // the issues are the message (json-schemas: validate)
    throw Error(MS_ERR_INVALID_INPUT, "");
  });
}

ms_status publish(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = botToken(json);
    const auto target = targetOf(json);
    const auto post = readPost(json);
    if (const auto issues = checkPost(post); !issues.empty())
      throw Error(MS_ERR_INVALID_INPUT, issues.front().field + ": " + issues.front().message);
    const auto steps = planPost(post);

    // Messages an earlier attempt already put in the chat (resume.postIds): never again.
    std::vector<std::string> live;
    for (size_t i = 0, n = json.count("/resume/postIds"); i < n && i < 1000; ++i)
      live.push_back(requiredString(json, ("/resume/postIds/" + std::to_string(i)).c_str(), 128));
    size_t done = 0, covered = 0;
    while (done < steps.size() && covered + steps[done].messages() <= live.size()) covered += steps[done++].messages();

    std::vector<std::string> ids = live;
    const auto botId = botIdOf(token);
    for (size_t s = done; s < steps.size(); ++s) {
      try {
        const PacedSend turn(botId, target, static_cast<int>(steps[s].messages()));
        for (const auto& id : send(token, target, post, steps[s])) ids.push_back(target.postId(id));
      } catch (const Error&) {
        if (!ids.empty()) {  // the parts already in the chat, so that a retry goes on after them
          auto partial = Json::array();
          for (const auto& id : ids) partial.push(id);
          const auto out =
              Json::object().raw("postIds", partial).field("failedPart", static_cast<long long>(ids.size())).str();
          reply->write(reply, out.data(), out.size());
        }
        throw;
      }
    }
    if (ids.empty()) throw Error(MS_ERR_PERMANENT, "nothing to send");
    auto all = Json::array();
    for (const auto& id : ids) all.push(id);
    const auto first = ids.front().substr(ids.front().rfind(':') + 1);
    auto out = Json::object().field("postId", ids.front());
    if (const auto url = target.url(first); !url.empty()) out.field("url", url);
    return out.raw("postIds", all).str();
  });
}

ms_status deletePost(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto json = objectRequest(req, len);
    const auto token = botToken(json);
    const auto postId = requiredString(json, "/postId", 128);
    const auto colon = postId.rfind(':');
    const auto chat = colon == std::string::npos ? std::string() : postId.substr(0, colon);
    const auto message = colon == std::string::npos ? std::string() : postId.substr(colon + 1);
    if ((!isChatId(chat) && !isUsername(chat)) || !isChatId(message) || message.front() == '-')
      throw Error(MS_ERR_INVALID_INPUT, "postId must be <chat id>:<message id>");
    const auto a =
        callJson(token, "deleteMessage",
                 "{\"chat_id\":" + (isChatId(chat) ? chat : host.quote(chat)) + ",\"message_id\":" + message + "}");
    if (a.ok) return std::string("{}");
    if (a.http.result == MS_OK && a.errorCode == 400 &&
        a.description.find("message to delete not found") != std::string::npos)
      return std::string("{}");  // already gone
    if (a.http.result == MS_OK && a.errorCode == 400 && a.description.find("can't be deleted") != std::string::npos)
      throw Error(MS_ERR_PERMANENT,
                  "Telegram refused to delete message " + message + ": " + a.description +
                      " (bots delete only messages younger than 48 hours, or need the right to delete)",
                  "400");
    fail(a, "deleteMessage");
  });
}

}  // namespace telegram
