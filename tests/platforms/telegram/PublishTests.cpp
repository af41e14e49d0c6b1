// validate, publish and delete_post: text without parse_mode, media by multipart, albums, split.
#include "TelegramFixture.h"

#include <catch2/catch.hpp>

namespace telegram_test {
namespace {

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

size_t utf16(const std::string& s) { return emulators::telegram_parsing::utf16Length(s); }

}  // namespace

TEST_CASE("text arrives verbatim: no parse_mode, so markup characters are not eaten", "[telegram][publish]") {
  TelegramFixture f;
  const std::string text = "<b>&amp; *bold* _x_ </b> [link](x) 5 < 6 & 7 > 3";
  const auto r = f.call(Operation::Publish, f.post(kChannel, text));
  REQUIRE(r.ok());
  const auto messages = f.telegram.messages(kChannel);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].text == text);
  CHECK(messages[0].parseMode.empty());
  CHECK(messages[0].method == "sendMessage");
  CHECK(str(r.json.at("postId")) == std::to_string(kChannel) + ":" + std::to_string(messages[0].messageId));
  CHECK(str(r.json.at("url")) == "https://t.me/acmenews/" + std::to_string(messages[0].messageId));
  CHECK(r.json.at("postIds").as_array().size() == 1);
}

TEST_CASE("the URL of a message: t.me/<username>/<id> when public, t.me/c/<id>/<id> in a private supergroup",
          "[telegram][publish]") {
  TelegramFixture f;
  const auto r = f.call(Operation::Publish, f.post(kSupergroup, "hello team"));
  REQUIRE(r.ok());
  const auto id = std::to_string(f.telegram.messages(kSupergroup).at(0).messageId);
  CHECK(str(r.json.at("url")) == "https://t.me/c/1000000002/" + id);
}

TEST_CASE("options: disable_notification, protect_content and link_preview false reach the Bot API",
          "[telegram][publish]") {
  TelegramFixture f;
  REQUIRE(f.call(Operation::Publish,
                 f.post(kChannel, "see https://example.com", {},
                        {{"disable_notification", true}, {"protect_content", true}, {"link_preview", false}}))
              .ok());
  REQUIRE(f.call(Operation::Publish, f.post(kChannel, "plain https://example.com")).ok());
  const auto messages = f.telegram.messages(kChannel);
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].disableNotification);
  CHECK(messages[0].protectContent);
  CHECK(messages[0].linkPreviewDisabled);
  CHECK_FALSE(messages[1].disableNotification);
  CHECK_FALSE(messages[1].protectContent);
  CHECK_FALSE(messages[1].linkPreviewDisabled);
}

TEST_CASE("a link is appended to the text when the content does not carry it", "[telegram][publish]") {
  TelegramFixture f;
  auto request = f.post(kChannel, "Our launch");
  request["link"] = "https://acme.example/launch";
  REQUIRE(f.call(Operation::Publish, request).ok());
  CHECK(f.telegram.messages(kChannel).at(0).text == "Our launch\n\nhttps://acme.example/launch");
}

TEST_CASE("length limits count UTF-16 units: 4096 for text, 1024 for captions; over them validate refuses",
          "[telegram][validate]") {
  TelegramFixture f;
  const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600: two UTF-16 units
  const auto exact = repeat(emoji, 2048);        // 4096 units
  REQUIRE(utf16(exact) == 4096);
  CHECK(f.call(Operation::Validate, {{"content", exact}, {"media", json::array{}}, {"options", json::object{}}}).ok());
  const auto over = exact + "a";
  const auto refused =
      f.call(Operation::Validate, {{"content", over}, {"media", json::array{}}, {"options", json::object{}}});
  REQUIRE(refused.kind == ErrorKind::InvalidInput);
  CHECK(json::serialize(refused.json).find("4096") != std::string::npos);
  // publish refuses it too, before any call.
  CHECK(f.call(Operation::Publish, f.post(kChannel, over)).kind == ErrorKind::InvalidInput);
  CHECK(f.telegram.messages().empty());

  const auto photo = f.media("image", "image/jpeg", 1000, "p.jpg");
  const auto caption =
      f.call(Operation::Validate,
             {{"content", repeat("x", 1025)}, {"media", json::array{photo}}, {"options", json::object{}}});
  CHECK(caption.kind == ErrorKind::InvalidInput);
  CHECK(f.call(Operation::Validate,
               {{"content", repeat("x", 1024)}, {"media", json::array{photo}}, {"options", json::object{}}})
            .ok());
}

TEST_CASE("limits are counted on the text Telegram keeps: carriage returns removed, tabs as spaces, edges trimmed",
          "[telegram][validate]") {
  TelegramFixture f;
  // 1200 CRLF lines: 6000 units as written, 4799 once Telegram removes '\r' and trims.
  std::string text = "\t ";
  for (int i = 0; i < 1200; ++i) text += "abc\r\n";
  std::string kept;
  for (int i = 0; i < 1200; ++i) kept += "abc\n";
  kept.pop_back();
  REQUIRE(utf16(text) > 4096);
  // Still over 4096 kept units: refused, and the message counts what Telegram counts.
  auto refused =
      f.call(Operation::Validate, {{"content", text}, {"media", json::array{}}, {"options", json::object{}}});
  REQUIRE(refused.kind == ErrorKind::InvalidInput);
  CHECK(json::serialize(refused.json).find("4799") != std::string::npos);
  // 1000 lines: 5000 units as written, 3999 kept: Telegram takes it, so the plugin does.
  text = "\t ";
  kept.clear();
  for (int i = 0; i < 1000; ++i) text += "abc\r\n", kept += "abc\n";
  kept.pop_back();
  REQUIRE(utf16(text) > 4096);
  CHECK(f.call(Operation::Validate, {{"content", text}, {"media", json::array{}}, {"options", json::object{}}}).ok());
  REQUIRE(f.call(Operation::Publish, f.post(kChannel, text)).ok());
  REQUIRE(f.telegram.messages(kChannel).size() == 1);
  CHECK(f.telegram.messages(kChannel)[0].text == kept);
  // A text that fits goes out as written (edges trimmed): Telegram does its own cleaning.
  const std::string windows = " \tline one\r\nline\ttwo\r\n";
  REQUIRE(f.call(Operation::Publish, f.post(kChannel, windows)).ok());
  REQUIRE(f.telegram.messages(kChannel).size() == 2);
  CHECK(f.telegram.messages(kChannel)[1].sentText == "line one\r\nline\ttwo");
  CHECK(f.telegram.messages(kChannel)[1].text == "line one\nline two");
}

TEST_CASE("a text Telegram finds empty (spaces, tabs, zero-width and no-break spaces) is refused before any call",
          "[telegram][validate]") {
  TelegramFixture f;
  const std::string invisible = "\xE2\x80\x8B \xC2\xA0\t\r\n\xEF\xBB\xBF";
  const auto r =
      f.call(Operation::Validate, {{"content", invisible}, {"media", json::array{}}, {"options", json::object{}}});
  CHECK(r.kind == ErrorKind::InvalidInput);
  CHECK(f.call(Operation::Publish, f.post(kChannel, invisible)).kind == ErrorKind::InvalidInput);
  CHECK(f.telegram.requests().empty());
  // With media it is an empty caption: the photo goes alone.
  const auto photo = f.media("image", "image/jpeg", 1000, "p.jpg");
  REQUIRE(f.call(Operation::Publish, f.post(kChannel, invisible, json::array{photo})).ok());
  REQUIRE(f.telegram.messages(kChannel).size() == 1);
  CHECK(f.telegram.messages(kChannel)[0].text.empty());
}

TEST_CASE("validate refuses what Telegram would: big files, mixed albums, more than 10 items, GIFs in albums, threads",
          "[telegram][validate]") {
  TelegramFixture f;
  const auto check = [&](json::array media, json::object extra = {}) {
    json::object request{{"content", "x"}, {"media", media}, {"options", json::object{}}};
    for (const auto& [k, v] : extra) request[k] = v;
    return f.call(Operation::Validate, request).kind;
  };
  auto bigPhoto = f.media("image", "image/jpeg", 10, "big.jpg");
  bigPhoto["size"] = 11 << 20;
  CHECK(check({bigPhoto}) == ErrorKind::InvalidInput);
  auto bigVideo = f.media("video", "video/mp4", 10, "big.mp4");
  bigVideo["size"] = 51 << 20;
  CHECK(check({bigVideo}) == ErrorKind::InvalidInput);
  auto okVideo = f.media("video", "video/mp4", 10, "ok.mp4");
  okVideo["size"] = 49 << 20;
  CHECK(check({okVideo}) == ErrorKind::Ok);
  const auto doc = f.media("document", "application/pdf", 10, "a.pdf");
  const auto photo = f.media("image", "image/png", 10, "a.png");
  CHECK(check({doc, photo}) == ErrorKind::InvalidInput);
  CHECK(check({doc, doc}) == ErrorKind::Ok);
  CHECK(check({photo, okVideo}) == ErrorKind::Ok);
  CHECK(check({photo, f.media("gif", "image/gif", 10, "a.gif")}) == ErrorKind::InvalidInput);
  json::array eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(photo);
  CHECK(check(eleven) == ErrorKind::InvalidInput);
  CHECK(check({}, {{"thread", json::array{json::object{{"content", "2"}}}}}) == ErrorKind::InvalidInput);
  CHECK(check({}, {{"options", json::object{{"split", "yes"}}}}) == ErrorKind::InvalidInput);
}

TEST_CASE("split sends a long text as several messages cut at newlines or spaces, each within 4096 units",
          "[telegram][publish][split]") {
  TelegramFixture f;
  std::string text;
  for (int i = 0; text.size() < 9000; ++i) text += "Paragraph " + std::to_string(i) + repeat(" word", 40) + "\n";
  const auto r = f.call(Operation::Publish, f.post(kChannel, text, {}, {{"split", true}}));
  REQUIRE(r.ok());
  const auto messages = f.telegram.messages(kChannel);
  REQUIRE(messages.size() == 3);
  std::string joined;
  for (const auto& m : messages) {
    CHECK(utf16(m.text) <= 4096);
    CHECK(m.text.rfind("Paragraph ", 0) == 0);  // cut at a newline: each piece starts a paragraph
    joined += m.text + "\n";
  }
  CHECK(joined == text);
  const json::array ids = r.json.at("postIds").as_array();
  REQUIRE(ids.size() == 3);
  CHECK(str(ids[2]) == std::to_string(kChannel) + ":" + std::to_string(messages[2].messageId));
}

TEST_CASE("a photo with its caption is uploaded by multipart/form-data, the file streamed whole",
          "[telegram][publish][media]") {
  TelegramFixture f;
  const auto r = f.call(Operation::Publish,
                        f.post(kChannel, "Caption <i>as is</i>", {f.media("image", "image/jpeg", 70000, "photo.jpg")}));
  REQUIRE(r.ok());
  const auto messages = f.telegram.messages(kChannel);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].method == "sendPhoto");
  CHECK(messages[0].mediaType == "photo");
  CHECK(messages[0].text == "Caption <i>as is</i>");
  CHECK(messages[0].fileSize == 70000);
  CHECK(messages[0].fileName == "photo.jpg");
  CHECK(messages[0].fileContentType == "image/jpeg");
  CHECK(f.telegram.sendContentTypes().back() == "multipart/form-data");
}

TEST_CASE("videos and documents use sendVideo and sendDocument", "[telegram][publish][media]") {
  TelegramFixture f;
  REQUIRE(
      f.call(Operation::Publish, f.post(kSupergroup, "clip", {f.media("video", "video/mp4", 5000, "clip.mp4")})).ok());
  REQUIRE(
      f.call(Operation::Publish, f.post(kSupergroup, "", {f.media("document", "application/pdf", 3000, "report.pdf")}))
          .ok());
  const auto messages = f.telegram.messages(kSupergroup);
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].method == "sendVideo");
  CHECK(messages[0].fileSize == 5000);
  CHECK(messages[1].method == "sendDocument");
  CHECK(messages[1].fileName == "report.pdf");
  CHECK(messages[1].text.empty());
}

TEST_CASE("a file name with ';' or quotes reaches Telegram whole (its multipart parser splits at ';')",
          "[telegram][publish][media]") {
  TelegramFixture f;
  REQUIRE(f.call(Operation::Publish,
                 f.post(kSupergroup, "", {f.media("document", "application/pdf", 300, "Q3;final \"v2\".pdf")}))
              .ok());
  const auto messages = f.telegram.messages(kSupergroup);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].fileName == "Q3_final _v2_.pdf");
  CHECK(messages[0].fileSize == 300);
}

TEST_CASE("a 3-photo album is one media group with the caption on its first item; delete removes every message",
          "[telegram][publish][album]") {
  TelegramFixture f;
  const auto r = f.call(Operation::Publish, f.post(kChannel, "Our album",
                                                   {f.media("image", "image/jpeg", 1000, "a.jpg"),
                                                    f.media("image", "image/png", 2000, "b.png"),
                                                    f.media("image", "image/jpeg", 3000, "c.jpg")}));
  REQUIRE(r.ok());
  const auto messages = f.telegram.messages(kChannel);
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].method == "sendMediaGroup");
  CHECK_FALSE(messages[0].mediaGroupId.empty());
  CHECK(messages[1].mediaGroupId == messages[0].mediaGroupId);
  CHECK(messages[2].mediaGroupId == messages[0].mediaGroupId);
  CHECK(messages[0].text == "Our album");
  CHECK(messages[1].text.empty());
  CHECK(messages[2].text.empty());
  CHECK(messages[0].fileSize == 1000);
  CHECK(messages[1].fileSize == 2000);
  CHECK(messages[2].fileSize == 3000);
  const json::array ids = r.json.at("postIds").as_array();
  REQUIRE(ids.size() == 3);
  CHECK(r.json.at("postId") == ids[0]);

  for (const auto& id : ids)
    REQUIRE(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"account", f.account(kChannel)}, {"postId", id}})
                .ok());
  CHECK(liveMessages(f.telegram, kChannel).empty());
  // Deleting again: already gone is success.
  CHECK(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"account", f.account(kChannel)}, {"postId", ids[0]}})
            .ok());
}

TEST_CASE("an album of mixed photos and videos; a long caption with split becomes the first piece plus text messages",
          "[telegram][publish][album]") {
  TelegramFixture f;
  const auto caption = repeat("Lorem ipsum dolor sit amet. ", 60);  // 1680 characters
  const auto r =
      f.call(Operation::Publish,
             f.post(kSupergroup, caption,
                    {f.media("image", "image/jpeg", 100, "a.jpg"), f.media("video", "video/mp4", 200, "b.mp4")},
                    {{"split", true}}));
  REQUIRE(r.ok());
  const auto messages = f.telegram.messages(kSupergroup);
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].mediaType == "photo");
  CHECK(messages[1].mediaType == "video");
  CHECK(utf16(messages[0].text) <= 1024);
  CHECK(messages[2].method == "sendMessage");
  CHECK(messages[0].text + " " + messages[2].text + " " == caption);
  CHECK(r.json.at("postIds").as_array().size() == 3);
}

TEST_CASE("delete_post: a bad id is bad input; a message Telegram refuses to delete is permanent",
          "[telegram][delete]") {
  TelegramFixture f;
  CHECK(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"postId", "nonsense"}}).kind ==
        ErrorKind::InvalidInput);
  CHECK(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"postId", std::to_string(kChannel) + ":abc"}}).kind ==
        ErrorKind::InvalidInput);
  CHECK(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"postId", std::to_string(kChannel) + ":999"}}).ok());
}

TEST_CASE("a send to a chat the bot may no longer post to is auth_invalid, with Telegram's reason",
          "[telegram][publish][errors]") {
  TelegramFixture f;
  f.telegram.setMember(kChannel, kBotId, emulators::TelegramApi::administrator(false));
  auto r = f.call(Operation::Publish, f.post(kChannel, "demoted"));
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("need administrator rights in the channel chat") != std::string::npos);
  f.telegram.kickBot(kChannel, kBotId);
  r = f.call(Operation::Publish, f.post(kChannel, "kicked"));
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("bot was kicked from the channel chat") != std::string::npos);
  CHECK(r.platformCode == "403");
  f.telegram.setMember(kSupergroup, kBotId, emulators::TelegramApi::restricted(false));
  r = f.call(Operation::Publish, f.post(kSupergroup, "muted"));
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("not enough rights to send text messages") != std::string::npos);
  CHECK(f.telegram.messages().empty());
}

TEST_CASE("a bot the group lets send text but not photos: the photo post fails, the chat stays connected",
          "[telegram][publish][errors]") {
  TelegramFixture f;
  f.telegram.setMember(kSupergroup, kBotId, emulators::TelegramApi::restricted(true, false));
  auto r =
      f.call(Operation::Publish, f.post(kSupergroup, "with a photo", {f.media("image", "image/jpeg", 10, "m.jpg")}));
  CHECK(r.kind == ErrorKind::Permanent);  // not AUTH_INVALID: that would mark the connection invalid
  CHECK(r.message.find("not enough rights to send photos") != std::string::npos);
  r = f.call(Operation::Publish, f.post(kSupergroup, "text still goes"));
  CHECK(r.ok());
  CHECK(f.telegram.messages(kSupergroup).size() == 1);
  CHECK(f.call(Operation::CheckToken, {{"accessToken", f.token}, {"account", f.account(kSupergroup)}}).ok());
}

TEST_CASE("a group that became a supergroup: auth_invalid naming the new chat id", "[telegram][publish][errors]") {
  TelegramFixture f;
  f.telegram.addChat({-555000111, "group", "Small Group", "", 3});
  f.telegram.setMember(-555000111, kBotId, emulators::TelegramApi::member());
  f.telegram.migrateGroup(-555000111, -1009990001112);
  auto request = f.post(kSupergroup, "hello");
  request["account"] = json::object{{"id", "-555000111"}, {"metadata", {{"chatType", "group"}}}};
  const auto r = f.call(Operation::Publish, request);
  CHECK(r.kind == ErrorKind::AuthInvalid);
  CHECK(r.message.find("-1009990001112") != std::string::npos);
}

TEST_CASE("Telegram's 500 on a send is outcome_unknown; on a read it is transient", "[telegram][publish][errors]") {
  TelegramFixture f;
  f.telegram.failNextCalls(1, 500);
  CHECK(f.call(Operation::Publish, f.post(kChannel, "maybe")).kind == ErrorKind::OutcomeUnknown);
  f.telegram.failNextCalls(1, 500);
  CHECK(f.call(Operation::AccountInsights, {{"accessToken", f.token}, {"account", f.account(kChannel)}}).kind ==
        ErrorKind::Transient);
  f.telegram.failNextCalls(1, 500);
  CHECK(f.call(Operation::DeletePost, {{"accessToken", f.token}, {"postId", std::to_string(kChannel) + ":1"}}).kind ==
        ErrorKind::Transient);
}

TEST_CASE("a GIF goes out with sendAnimation; documents form an album of their own", "[telegram][publish][media]") {
  TelegramFixture f;
  REQUIRE(f.call(Operation::Publish, f.post(kChannel, "moving", {f.media("gif", "image/gif", 500, "a.gif")})).ok());
  REQUIRE(f.call(Operation::Publish, f.post(kChannel, "papers",
                                            {f.media("document", "application/pdf", 300, "1.pdf"),
                                             f.media("document", "application/pdf", 400, "2.pdf")}))
              .ok());
  const auto messages = f.telegram.messages(kChannel);
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].method == "sendAnimation");
  CHECK(messages[0].mediaType == "animation");
  CHECK(messages[1].mediaType == "document");
  CHECK(messages[2].mediaType == "document");
  CHECK(messages[1].mediaGroupId == messages[2].mediaGroupId);
  CHECK(messages[1].text == "papers");
}

TEST_CASE("a media file that cannot be read fails for good before anything is sent", "[telegram][publish][errors]") {
  TelegramFixture f;
  auto photo = f.media("image", "image/jpeg", 10, "gone.jpg");
  photo["path"] = "/nonexistent/gone.jpg";
  const auto r = f.call(Operation::Publish, f.post(kChannel, "where", {photo}));
  CHECK(r.kind == ErrorKind::Permanent);
  CHECK(r.message.find("cannot be read") != std::string::npos);
  CHECK(f.telegram.messages().empty());
}

TEST_CASE("validate reports the length in UTF-16 units: of the text against 4096, of a caption against 1024",
          "[telegram][validate][length]") {
  TelegramFixture f;
  const auto lengthOf = [](const CallResult& r) {
    const auto& length = r.json.at("length");
    return std::tuple{length.at("used").as_int64(), length.at("limit").as_int64(),
                      std::string(length.at("unit").as_string())};
  };
  const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600: two UTF-16 units
  auto text =
      f.call(Operation::Validate, {{"content", emoji + " abc"}, {"media", json::array{}}, {"options", json::object{}}});
  REQUIRE(text.ok());
  CHECK(lengthOf(text) == std::tuple{2 + 1 + 3, 4096, std::string("utf16")});
  // The link is appended after a blank line; the edges Telegram trims are not counted.
  auto linked =
      f.call(Operation::Validate, {{"content", "  abc"}, {"link", "https://a.example"}, {"media", json::array{}}});
  REQUIRE(linked.ok());
  CHECK(lengthOf(linked) == std::tuple{3 + 2 + 17, 4096, std::string("utf16")});
  // With media the text is a caption.
  const auto photo = f.media("image", "image/jpeg", 1000, "p.jpg");
  auto caption =
      f.call(Operation::Validate, {{"content", emoji}, {"media", json::array{photo}}, {"options", json::object{}}});
  REQUIRE(caption.ok());
  CHECK(lengthOf(caption) == std::tuple{2, 1024, std::string("utf16")});
  // Over the limit: refused, counted the same way.
  auto over = f.call(Operation::Validate,
                     {{"content", repeat(emoji, 513)}, {"media", json::array{photo}}, {"options", json::object{}}});
  REQUIRE(over.kind == ErrorKind::InvalidInput);
  CHECK(lengthOf(over) == std::tuple{1026, 1024, std::string("utf16")});
  CHECK(f.telegram.messages().empty());
}

}  // namespace telegram_test
