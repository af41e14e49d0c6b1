// Request reading, settings, the Bot API call and the mapping of Bot API errors to ABI kinds.
#include "Telegram.h"

#include <algorithm>

namespace telegram {

marketsage::sdk::Host host;

namespace {

constexpr size_t kMaxMessage = 300;

std::string shorten(std::string text, size_t limit = kMaxMessage) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void replaceAll(std::string& text, const std::string& needle, const std::string& with) {
  if (needle.empty()) return;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + with.size()))
    text.replace(at, needle.size(), with);
}

}  // namespace

Document objectRequest(const char* request, size_t length) {
  const std::string_view json(request ? request : "", request ? length : 0);
  if (json.empty()) throw Error(MS_ERR_INVALID_INPUT, "the request must be a JSON object");
  auto doc = host.parse(json);
  if (!doc.valid() || doc.get("").type != MS_JSON_OBJECT)
    throw Error(MS_ERR_INVALID_INPUT, "the request must be a JSON object");
  return doc;
}

std::string optionalString(const Document& json, const char* pointer, size_t maxLength) {
  auto value = json.get(pointer);
  if (!value.present() || value.type == MS_JSON_NULL) return {};
  if (!value.isString()) throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " must be a string");
  if (value.text.size() > maxLength) throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " is too long");
  return std::move(value.text);
}

std::string requiredString(const Document& json, const char* pointer, size_t maxLength) {
  auto text = optionalString(json, pointer, maxLength);
  if (text.empty()) throw Error(MS_ERR_INVALID_INPUT, std::string(pointer) + " is required");
  return text;
}

std::string botToken(const Document& json) {
  auto token = requiredString(json, "/accessToken", 256);
  const auto colon = token.find(':');
  const bool secretOk =
      colon != std::string::npos && colon + 1 < token.size() &&
      std::all_of(token.begin() + static_cast<long>(colon) + 1, token.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
  // The Bot API server (telegram-bot-api ClientManager::send) answers 401 "invalid token specified"
  // to a bot id that starts with '0' or is not in 1..2^54-1: refused here, before any call.
  const auto id = std::string_view(token).substr(0, colon == std::string::npos ? 0 : colon);
  const bool idOk =
      allDigits(id) && id.front() != '0' && id.size() <= 17 && std::stoull(std::string(id)) < (1ULL << 54);
  if (colon == std::string::npos || !idOk || !secretOk || token.size() > 80)
    throw Error(MS_ERR_INVALID_INPUT,
                "accessToken is not a Telegram bot token (<bot id>:<secret>, as @BotFather gives it)");
  return token;
}

std::string botIdOf(const std::string& token) { return token.substr(0, token.find(':')); }

bool isChatId(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  return allDigits(text) && text.size() <= 20;
}

bool isUsername(std::string_view text) {
  if (text.size() < 6 || text.size() > 33 || text.front() != '@') return false;
  return std::all_of(text.begin() + 1, text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string chatIdOf(const Document& json) {
  auto id = requiredString(json, "/account/id", 64);
  if (!isChatId(id) && !isUsername(id))
    throw Error(MS_ERR_INVALID_INPUT, "account.id must be a Telegram chat id or @username");
  return id;
}

std::string apiBase() {
  auto base = host.setting("/api_base", "https://api.telegram.org");
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

long long integerSetting(const char* pointer, long long fallback) {
  const auto value = host.setting(pointer);
  if (value.type != MS_JSON_NUMBER && value.type != MS_JSON_STRING) return fallback;
  return Document::integerOf(value).value_or(fallback);
}

uint32_t httpTimeoutMs() {
  return static_cast<uint32_t>(std::clamp<long long>(integerSetting("/http_timeout_ms", 0), 0, 600'000));
}

std::string scrub(std::string text, const std::string& token) {
  replaceAll(text, token, "<token>");
  if (const auto colon = token.find(':'); colon != std::string::npos && token.size() - colon > 8)
    replaceAll(text, token.substr(colon + 1), "<secret>");
  return text;
}

Answer callWith(const std::string& token, const std::string& method, HttpRequest request) {
  request.method = "POST";
  request.url = apiBase() + "/bot" + token + "/" + method;
  if (request.timeoutMs == 0) request.timeoutMs = httpTimeoutMs();
  Answer a;
  a.http = host.http(request);
  if (a.http.result != MS_OK) {
    a.http.error = scrub(a.http.error, token);
    return a;
  }
  const auto doc = host.parse(a.http.body);
  const auto ok = doc.get("/ok");
  if (ok.type != MS_JSON_BOOL) {
    a.errorCode = a.http.status;
    a.description = "HTTP " + std::to_string(a.http.status);
    return a;
  }
  a.parsed = true;
  a.ok = ok.text == "true" && a.http.status >= 200 && a.http.status < 300;
  const auto result = doc.get("/result");
  a.result = result.text;
  a.resultType = result.type;
  a.errorCode = doc.integer("/error_code").value_or(a.ok ? 0 : a.http.status);
  a.description = shorten(scrub(doc.string("/description").value_or(""), token));
  a.retryAfter = static_cast<int>(std::clamp<long long>(doc.integer("/parameters/retry_after").value_or(0), 0, 86400));
  if (a.retryAfter == 0 && a.errorCode == 429) {
    // "Too Many Requests: retry after N" (telegram-bot-api Query::set_retry_after_error) carries
    // the wait too, should parameters ever be missing.
    const auto raw = doc.string("/description").value_or("");
    if (const auto at = raw.find("retry after "); at != std::string::npos) {
      long long n = 0;
      size_t i = at + 12;
      for (; i < raw.size() && raw[i] >= '0' && raw[i] <= '9' && n < 86400; ++i) n = n * 10 + (raw[i] - '0');
      a.retryAfter = static_cast<int>(std::min<long long>(n, 86400));
    }
  }
  if (const auto migrate = doc.get("/parameters/migrate_to_chat_id"); migrate.type == MS_JSON_NUMBER)
    a.migrateTo = migrate.text;
  return a;
}

Answer callJson(const std::string& token, const std::string& method, const std::string& jsonBody) {
  HttpRequest request;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = jsonBody;
  return callWith(token, method, std::move(request));
}

void fail(const Answer& a, const std::string& what) {
  if (a.http.result == MS_ERR_INVALID_INPUT)
    throw Error(
        MS_ERR_PERMANENT,
        "the request to " + what +
            " could not be made (a media file that cannot be read, or a malformed api_base): " + shorten(a.http.error));
  if (a.http.result == MS_ERR_PERMANENT)
    throw Error(MS_ERR_PERMANENT, "the answer of " + what + " could not be read: " + shorten(a.http.error));
  if (a.http.result != MS_OK)
    throw Error(MS_ERR_TRANSIENT, "Telegram did not answer " + what + ": " + shorten(a.http.error));
  const auto code = std::to_string(a.errorCode);
  const auto description = a.description.empty() ? "HTTP " + std::to_string(a.http.status) : a.description;
  if (a.errorCode == 429 || a.http.status == 429)
    throw Error(MS_ERR_RATE_LIMITED, "Telegram throttled " + what + ": " + description, "429",
                a.retryAfter > 0 ? a.retryAfter : 30);
  if (a.errorCode == 401 || a.http.status == 401)
    throw Error(MS_ERR_AUTH_INVALID, "the bot token was revoked or is wrong (" + description + ")", "401");
  if (a.errorCode == 403)
    throw Error(MS_ERR_AUTH_INVALID, "the bot may no longer post to this chat: " + description, "403");
  // A restriction on one kind of media (can_send_photos …, separate since Bot API 6.5) stops this
  // post, not the chat: text still goes, so the connection stays as it is.
  if (const auto at = description.find("not enough rights to send ");
      at != std::string::npos && description.compare(at + 26, 13, "text messages") != 0)
    throw Error(MS_ERR_PERMANENT, "the chat's admins do not let the bot send this kind of media (" + description + ")",
                code);
  if (description.find("need administrator rights") != std::string::npos ||
      description.find("not enough rights") != std::string::npos ||
      description.find("have no rights to send") != std::string::npos ||
      description.find("CHAT_WRITE_FORBIDDEN") != std::string::npos)
    throw Error(MS_ERR_AUTH_INVALID, "the bot lost the right to post in this chat: " + description, code);
  if (description.find("chat not found") != std::string::npos)
    throw Error(MS_ERR_AUTH_INVALID,
                "the chat was not found: it was deleted, or the bot can no longer see it (" + description + ")", code);
  if (!a.migrateTo.empty())
    throw Error(MS_ERR_AUTH_INVALID,
                "the group became the supergroup " + a.migrateTo + ": connect it again under its new id", code);
  if (a.http.status == 408 || a.http.status >= 500 || a.errorCode >= 500)
    throw Error(MS_ERR_TRANSIENT, "Telegram failed " + what + ": " + description, code);
  throw Error(MS_ERR_PERMANENT, "Telegram refused " + what + ": " + description, code);
}

}  // namespace telegram
