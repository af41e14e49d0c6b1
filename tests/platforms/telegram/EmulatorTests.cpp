// The emulator itself answers like the Bot API: so that the plugin's tests can fail.
#include "TelegramFixture.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <catch2/catch.hpp>

namespace telegram_test {
namespace {

struct Reply {
  int status = 0;
  json::value body;
};

Reply post(const emulators::TelegramApi& telegram, const std::string& path, const std::string& contentType,
           const std::string& body) {
  const Poco::URI uri(telegram.url());
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType(contentType);
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::string text;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), text);
  return {static_cast<int>(response.getStatus()), json::parse(text)};
}

Reply sendMessage(const TelegramFixture& f, json::object params) {
  params["chat_id"] = kChannel;
  return post(f.telegram, "/bot" + f.token + "/sendMessage", "application/json", json::serialize(params));
}

}  // namespace

TEST_CASE("emulator: parse_mode HTML eats tags and decodes entities; bad markup is refused", "[telegram][emulator]") {
  TelegramFixture f;
  auto r = sendMessage(f, {{"text", "<b>&amp; *bold* _x_ </b>"}, {"parse_mode", "HTML"}});
  REQUIRE(r.status == 200);
  CHECK(r.body.at("result").at("text") == "& *bold* _x_");  // the trailing space trimmed, as tdlib does
  r = sendMessage(f, {{"text", "<x>hi</x>"}, {"parse_mode", "HTML"}});
  CHECK(r.status == 400);
  CHECK(r.body.at("description") == "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0");
  r = sendMessage(f, {{"text", "*bold* and a dot."}, {"parse_mode", "MarkdownV2"}});
  CHECK(r.status == 400);
  CHECK(std::string(r.body.at("description").as_string()).find("Character '.' is reserved") != std::string::npos);
  r = sendMessage(f, {{"text", "*bold* _x_"}, {"parse_mode", "Markdown"}});
  REQUIRE(r.status == 200);
  CHECK(r.body.at("result").at("text") == "bold x");
  r = sendMessage(f, {{"text", "plain"}, {"parse_mode", "BBCode"}});
  CHECK(r.body.at("description") == "Bad Request: unsupported parse_mode");
}

TEST_CASE("emulator: errors as Telegram sends them", "[telegram][emulator]") {
  TelegramFixture f;
  std::string long4097(4097, 'a');
  auto r = sendMessage(f, {{"text", long4097}});
  CHECK(r.status == 400);
  CHECK(r.body == json::parse(R"({"ok":false,"error_code":400,"description":"Bad Request: message is too long"})"));
  r = post(f.telegram, "/bot" + f.token + "/getChat", "application/x-www-form-urlencoded", "chat_id=%40nosuchchat");
  CHECK(r.body == json::parse(R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})"));
  r = post(f.telegram, "/bot" + f.token + "/getChat", "application/x-www-form-urlencoded", "chat_id=%40kickedgroup");
  CHECK(r.status == 403);
  CHECK(r.body.at("description") == "Forbidden: bot was kicked from the supergroup chat");
  r = post(f.telegram, "/bot" + f.token + "/sendMessage", "application/x-www-form-urlencoded",
           "chat_id=%40readonlychan&text=hi");
  CHECK(r.body.at("description") == "Bad Request: need administrator rights in the channel chat");
  f.telegram.throttleNextSends(1, 12);
  r = sendMessage(f, {{"text", "hi"}});
  CHECK(r.status == 429);
  CHECK(
      r.body ==
      json::parse(
          R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 12","parameters":{"retry_after":12}})"));
  r = post(f.telegram, "/bot" + f.token + "/noSuchMethod", "application/json", "{}");
  CHECK(r.status == 404);
  f.telegram.revokeToken(f.token);
  r = post(f.telegram, "/bot" + f.token + "/getMe", "application/json", "{}");
  CHECK(r.body == json::parse(R"({"ok":false,"error_code":401,"description":"Unauthorized"})"));
  CHECK(f.telegram.messages().empty());
}

TEST_CASE("emulator: text is cleaned and trimmed as tdlib does before it is checked and counted",
          "[telegram][emulator]") {
  TelegramFixture f;
  // Only invisible characters (zero-width space, no-break space, tab): Telegram finds it empty.
  auto r = sendMessage(f, {{"text", "\xE2\x80\x8B\xC2\xA0\t \r\n"}});
  CHECK(r.status == 400);
  CHECK(r.body.at("description") == "Bad Request: message text is empty");
  // 4096 characters once '\r' is removed and the edges are trimmed: accepted.
  std::string text = "  \t";
  for (int i = 0; i < 1024; ++i) text += "abc\r\n";
  text += "\t\n";
  r = sendMessage(f, {{"text", text}});
  REQUIRE(r.status == 200);
  const auto kept = std::string(r.body.at("result").at("text").as_string());
  CHECK(kept.size() == 4095);  // "abc\n" x 1024, the last newline trimmed
  CHECK(kept.find('\r') == std::string::npos);
  CHECK(kept.rfind("abc\nabc", 0) == 0);
}

TEST_CASE("emulator: multipart parsing with attach:// and a missing attachment", "[telegram][emulator]") {
  TelegramFixture f;
  const std::string b = "XyZ";
  const auto part = [&](const std::string& name, const std::string& value, const std::string& file = "") {
    std::string s = "--" + b + "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
    if (!file.empty()) s += "; filename=\"" + file + "\"\r\nContent-Type: image/jpeg";
    return s + "\r\n\r\n" + value + "\r\n";
  };
  const std::string media =
      R"([{"type":"photo","media":"attach://one","caption":"c"},{"type":"photo","media":"attach://two"}])";
  auto body = part("chat_id", std::to_string(kChannel)) + part("media", media) + part("one", "JPEG1", "1.jpg") +
              part("two", "JPEG22", "2.jpg") + "--" + b + "--\r\n";
  auto r = post(f.telegram, "/bot" + f.token + "/sendMediaGroup", "multipart/form-data; boundary=" + b, body);
  REQUIRE(r.status == 200);
  CHECK(r.body.at("result").as_array().size() == 2);
  body = part("chat_id", std::to_string(kChannel)) + part("media", media) + part("one", "JPEG1", "1.jpg") + "--" + b +
         "--\r\n";
  r = post(f.telegram, "/bot" + f.token + "/sendMediaGroup", "multipart/form-data; boundary=" + b, body);
  CHECK(r.status == 400);
  CHECK(r.body.at("description") == "Bad Request: can't find attached file \"two\"");
  const std::string mixed = R"([{"type":"photo","media":"attach://one"},{"type":"document","media":"attach://two"}])";
  body = part("chat_id", std::to_string(kChannel)) + part("media", mixed) + part("one", "JPEG1", "1.jpg") +
         part("two", "PDF", "2.pdf") + "--" + b + "--\r\n";
  r = post(f.telegram, "/bot" + f.token + "/sendMediaGroup", "multipart/form-data; boundary=" + b, body);
  CHECK(r.body.at("description") == "Bad Request: document can't be mixed with other media types");
  const std::string audioMix = R"([{"type":"audio","media":"attach://one"},{"type":"photo","media":"attach://two"}])";
  body = part("chat_id", std::to_string(kChannel)) + part("media", audioMix) + part("one", "MP3", "1.mp3") +
         part("two", "JPEG", "2.jpg") + "--" + b + "--\r\n";
  r = post(f.telegram, "/bot" + f.token + "/sendMediaGroup", "multipart/form-data; boundary=" + b, body);
  CHECK(r.body.at("description") == "Bad Request: audio can't be mixed with other media types");
  // Content-Disposition as tdlib reads it: "form-data;" required, values split at ';'.
  body = "--" + b + "\r\nContent-Disposition: attachment; name=\"chat_id\"\r\n\r\n1\r\n--" + b + "--\r\n";
  r = post(f.telegram, "/bot" + f.token + "/sendMessage", "multipart/form-data; boundary=" + b, body);
  CHECK(r.status == 400);
  const auto parts = emulators::telegram_parsing::parseMultipart(
      "--" + b + "\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a;b.pdf\"\r\n\r\nPDF\r\n--" + b +
          "--\r\n",
      b);
  REQUIRE(parts);
  CHECK(parts->at(0).isFile);
  CHECK(parts->at(0).filename == "\"a");
  CHECK(f.telegram.messages().size() == 2);
}

}  // namespace telegram_test
