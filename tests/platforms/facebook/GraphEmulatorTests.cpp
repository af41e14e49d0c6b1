// The Graph emulator on its own, spoken to with plain HTTP: it must answer as Meta's documentation
// says before it can judge a plugin (shapes of answers and errors, headers, multi-step protocols).
#include <catch2/catch.hpp>

#include "GraphEmulator.h"
#include "MetaTestSupport.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <chrono>
#include <ctime>
#include <sstream>
#include <thread>

using emulators::GraphApi;
namespace json = boost::json;

namespace {

struct Answer {
  int status = 0;
  json::value body;
  std::map<std::string, std::string> headers;
  json::value header(const std::string& name) const { return json::parse(headers.at(name)); }
  int64_t errorCode() const { return body.at("error").at("code").as_int64(); }
  int64_t errorSubcode() const { return body.at("error").at("error_subcode").as_int64(); }
};

using Fields = std::vector<std::pair<std::string, std::string>>;

/// One Graph call: GET/DELETE fields go to the query; POST is form-encoded, or multipart with `files`.
Answer call(const std::string& method, const std::string& url, const Fields& fields = {},
            const std::map<std::string, std::string>& files = {}, const Fields& headers = {},
            const std::string& rawBody = {}) {
  Poco::URI uri(url);
  if (method != "POST")
    for (const auto& [name, value] : fields) uri.addQueryParameter(name, value);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (method == "POST" && rawBody.empty()) {
    Poco::Net::HTMLForm form(files.empty() ? Poco::Net::HTMLForm::ENCODING_URL
                                           : Poco::Net::HTMLForm::ENCODING_MULTIPART);
    for (const auto& [name, value] : fields) form.set(name, value);
    for (const auto& [name, bytes] : files)
      form.addPart(name, new Poco::Net::StringPartSource(bytes, "application/octet-stream", "file.bin"));
    form.prepareSubmit(request);
    form.write(session.sendRequest(request));
  } else {
    request.setContentLength(static_cast<std::streamsize>(rawBody.size()));
    session.sendRequest(request) << rawBody;
  }
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  Answer answer{static_cast<int>(response.getStatus()), body.empty() ? json::value() : json::parse(body), {}};
  for (const auto& [name, value] : response) answer.headers[name] = value;
  return answer;
}

std::string api(const GraphApi& graph, const std::string& path) { return graph.url() + "/v23.0/" + path; }

}  // namespace

TEST_CASE("Login dialog: consent redirects with a single-use code, denial with access_denied", "[graph-emulator]") {
  GraphApi graph;
  const std::string dialog =
      api(graph, "dialog/oauth?client_id=") + GraphApi::appId +
      "&redirect_uri=https%3A%2F%2Fhost%2Fcb&state=s-1&response_type=code&scope=pages_show_list,read_insights";
  const Poco::URI back(graph.consent(dialog));
  CHECK(back.getHost() == "host");
  std::map<std::string, std::string> query;
  for (const auto& [k, v] : back.getQueryParameters()) query[k] = v;
  CHECK(query["state"] == "s-1");
  REQUIRE_FALSE(query["code"].empty());
  CHECK(graph.lastConsentScopes() == std::vector<std::string>{"pages_show_list", "read_insights"});

  const Fields exchange{{"client_id", GraphApi::appId},
                        {"client_secret", GraphApi::appSecret},
                        {"redirect_uri", "https://host/cb"},
                        {"code", query["code"]}};
  const Answer token = call("GET", api(graph, "oauth/access_token"), exchange);
  CHECK(token.status == 200);
  CHECK(token.body.at("token_type") == "bearer");
  CHECK(token.body.at("expires_in").as_int64() == graph.shortLivedExpiresIn);
  const Answer again = call("GET", api(graph, "oauth/access_token"), exchange);
  CHECK(again.status == 400);
  CHECK(again.errorSubcode() == 36009);  // this authorization code has been used

  const Answer longLived = call("GET", api(graph, "oauth/access_token"),
                                {{"grant_type", "fb_exchange_token"},
                                 {"client_id", GraphApi::appId},
                                 {"client_secret", GraphApi::appSecret},
                                 {"fb_exchange_token", json::value_to<std::string>(token.body.at("access_token"))}});
  CHECK(longLived.body.at("expires_in").as_int64() == graph.longLivedExpiresIn);

  graph.shortLivedExpiresIn = 0;  // a token whose lifetime is over answers 190/463 by itself
  std::map<std::string, std::string> second;
  for (const auto& [k, v] : Poco::URI(graph.consent(dialog)).getQueryParameters()) second[k] = v;
  const Answer shortLived = call("GET", api(graph, "oauth/access_token"),
                                 {{"client_id", GraphApi::appId},
                                  {"client_secret", GraphApi::appSecret},
                                  {"redirect_uri", "https://host/cb"},
                                  {"code", second["code"]}});
  CHECK(
      call("GET", api(graph, "me"), {{"access_token", json::value_to<std::string>(shortLived.body.at("access_token"))}})
          .errorSubcode() == 463);

  graph.denyNextConsent();
  const std::string denied = graph.consent(dialog);
  CHECK(denied.find("error=access_denied") != std::string::npos);
  CHECK(denied.find("error_reason=user_denied") != std::string::npos);
  CHECK(denied.find("state=s-1") != std::string::npos);
}

TEST_CASE("Tokens: expired, revoked, missing permission and a wrong appsecret_proof answer Graph's errors",
          "[graph-emulator]") {
  GraphApi graph;
  const std::string token = graph.userToken({"pages_show_list", "pages_read_engagement", "pages_manage_posts"});
  CHECK(call("GET", api(graph, "me"), {{"access_token", token}}).body.at("id") == GraphApi::userId);
  const Answer me = call("GET", api(graph, "me"), {{"access_token", token}, {"fields", "id,permissions"}});
  CHECK(me.body.at("permissions").at("data").as_array().size() == 3);

  const Answer badProof = call("GET", api(graph, "me"), {{"access_token", token}, {"appsecret_proof", "00"}});
  CHECK(badProof.errorCode() == 100);
  CHECK(badProof.body.at("error").at("message") == "Invalid appsecret_proof provided in the API argument");

  const std::string page = graph.pages()[0].id;
  const std::string pageToken = graph.pageToken(page, token);
  graph.removePermission("pages_manage_posts");
  const Answer denied = call("POST", api(graph, page + "/feed"), {{"access_token", pageToken}, {"message", "hi"}});
  CHECK(denied.errorCode() == 200);
  CHECK(json::value_to<std::string>(denied.body.at("error").at("message")).find("pages_manage_posts") !=
        std::string::npos);

  const Answer debug =
      call("GET", api(graph, "debug_token"),
           {{"input_token", pageToken}, {"access_token", std::string(GraphApi::appId) + "|" + GraphApi::appSecret}});
  CHECK(debug.body.at("data").at("is_valid") == true);
  CHECK(debug.body.at("data").at("type") == "PAGE");
  CHECK(metatest::text(debug.body, "/data/profile_id") == page);

  graph.expireAllTokens();
  const Answer expired = call("GET", api(graph, "me"), {{"access_token", token}});
  CHECK(expired.status == 400);
  CHECK(expired.errorCode() == 190);
  CHECK(expired.errorSubcode() == 463);
  CHECK(expired.body.at("error").at("type") == "OAuthException");
  CHECK(expired.body.at("error").at("fbtrace_id").is_string());
  CHECK(expired.header("X-App-Usage").at("call_count").is_int64());

  graph.revokeAllTokens();
  CHECK(call("GET", api(graph, "me"), {{"access_token", token}}).errorSubcode() == 460);
}

TEST_CASE("/me/accounts pages small, with cursors and a next URL to follow", "[graph-emulator]") {
  GraphApi graph;
  const std::string token = graph.userToken();
  std::vector<std::string> ids;
  std::string next =
      api(graph,
          "me/accounts?fields=id,name,access_token,instagram_business_account%7Bid,username%7D&access_token=" + token);
  while (!next.empty()) {
    const Answer page = call("GET", next);
    REQUIRE(page.status == 200);
    for (const auto& entry : page.body.at("data").as_array())
      ids.push_back(json::value_to<std::string>(entry.at("id")));
    const auto& paging = page.body.at("paging").as_object();
    next = paging.contains("next") ? json::value_to<std::string>(paging.at("next")) : "";
  }
  REQUIRE(ids.size() == 3);
  CHECK(ids[0] == graph.pages()[0].id);
  CHECK(ids[2] == graph.pages()[2].id);
}

TEST_CASE("Throttling and outages carry the documented codes and usage headers", "[graph-emulator]") {
  GraphApi graph;
  const std::string token = graph.userToken();
  const std::string page = graph.pages()[0].id;
  const std::string pageToken = graph.pageToken(page, token);
  graph.rateLimitNext(1, 80001);
  const Answer limited = call("POST", api(graph, page + "/feed"), {{"access_token", pageToken}, {"message", "hi"}});
  CHECK(limited.errorCode() == 80001);
  const json::value usage = limited.header("X-Business-Use-Case-Usage").at(page).at(0);
  CHECK(usage.at("type") == "pages");
  CHECK(usage.at("call_count") == 100);
  CHECK(usage.at("estimated_time_to_regain_access") == 3);

  graph.failNext(1);
  const Answer outage = call("GET", api(graph, "me"), {{"access_token", token}});
  CHECK(outage.status == 500);
  CHECK(outage.body.at("error").at("is_transient") == true);
  CHECK(outage.errorCode() == 2);

  const Answer ok = call("POST", api(graph, page + "/feed"), {{"access_token", pageToken}, {"message", "hi"}});
  CHECK(ok.status == 200);
  CHECK(ok.header("X-Business-Use-Case-Usage").at(page).at(0).at("call_count").as_int64() < 100);
}

TEST_CASE("Page video: resumable start, chunks at the announced offsets, finish", "[graph-emulator]") {
  GraphApi graph;
  graph.videoChunkBytes = 1000;
  const std::string page = graph.pages()[0].id;
  const std::string token = graph.pageToken(page, graph.userToken());
  const std::string video = metatest::mp4(2500);
  const Answer start = call("POST", api(graph, page + "/videos"),
                            {{"access_token", token}, {"upload_phase", "start"}, {"file_size", "2500"}});
  REQUIRE(start.status == 200);
  CHECK(start.body.at("end_offset") == "1000");
  const std::string session = json::value_to<std::string>(start.body.at("upload_session_id"));
  const Answer wrongOffset = call(
      "POST", api(graph, page + "/videos"),
      {{"access_token", token}, {"upload_phase", "transfer"}, {"upload_session_id", session}, {"start_offset", "5"}},
      {{"video_file_chunk", video.substr(0, 1000)}});
  CHECK(wrongOffset.status == 400);
  long long offset = 0;
  while (offset < 2500) {
    const Answer chunk = call("POST", api(graph, page + "/videos"),
                              {{"access_token", token},
                               {"upload_phase", "transfer"},
                               {"upload_session_id", session},
                               {"start_offset", std::to_string(offset)}},
                              {{"video_file_chunk", video.substr(offset, 1000)}});
    REQUIRE(chunk.status == 200);
    offset = std::stoll(json::value_to<std::string>(chunk.body.at("start_offset")));
  }
  const Answer finish = call(
      "POST", api(graph, page + "/videos"),
      {{"access_token", token}, {"upload_phase", "finish"}, {"upload_session_id", session}, {"description", "clip"}});
  CHECK(finish.body.at("success") == true);
  const auto item = graph.item(json::value_to<std::string>(start.body.at("video_id")));
  CHECK(item.bytes == 2500);
  CHECK(item.sha256 == metatest::sha256Hex(video));
  CHECK(item.message == "clip");
}

TEST_CASE("Resumable Upload API: session, offset-checked bytes, a handle /videos accepts", "[graph-emulator]") {
  GraphApi graph;
  const std::string page = graph.pages()[0].id;
  const std::string token = graph.pageToken(page, graph.userToken());
  const std::string video = metatest::mp4(1500);
  const Answer session =
      call("POST", api(graph, std::string(GraphApi::appId) + "/uploads"),
           {{"access_token", token}, {"file_name", "v.mp4"}, {"file_length", "1500"}, {"file_type", "video/mp4"}});
  const std::string id = json::value_to<std::string>(session.body.at("id"));
  REQUIRE(id.rfind("upload:", 0) == 0);
  const Fields auth{{"Authorization", "OAuth " + token}};
  CHECK(
      call("POST", api(graph, id), {}, {}, {{"Authorization", "OAuth " + token}, {"file_offset", "7"}}, video).status ==
      400);
  CHECK(call("POST", api(graph, id), {}, {}, {{"Authorization", "OAuth " + token}, {"file_offset", "0"}},
             video.substr(0, 500))
            .body.at("file_offset") == 500);
  CHECK(call("GET", api(graph, id), {}, {}, auth).body.at("file_offset") == 500);
  const Answer done = call("POST", api(graph, id), {}, {},
                           {{"Authorization", "OAuth " + token}, {"file_offset", "500"}}, video.substr(500));
  const std::string handle = json::value_to<std::string>(done.body.at("h"));
  const Answer created =
      call("POST", api(graph, page + "/videos"), {{"access_token", token}, {"fbuploader_video_file_chunk", handle}});
  CHECK(graph.item(json::value_to<std::string>(created.body.at("id"))).sha256 == metatest::sha256Hex(video));
}

TEST_CASE("Instagram containers: image download errors, processing, rupload, publish", "[graph-emulator]") {
  GraphApi graph;
  graph.pollsUntilReady = 1;
  metatest::MediaServer media;
  const auto& owner = graph.pages()[0];
  const std::string token = graph.userToken();
  const std::string ig = owner.igUserId;

  const Answer unreachable = call("POST", api(graph, ig + "/media"),
                                  {{"access_token", token}, {"image_url", media.put("x", "", "") + "-missing"}});
  CHECK(unreachable.errorCode() == 9004);
  CHECK(unreachable.errorSubcode() == 2207052);
  const Answer notJpeg =
      call("POST", api(graph, ig + "/media"),
           {{"access_token", token}, {"image_url", media.put("a.png", metatest::png(100), "image/png")}});
  CHECK(notJpeg.errorSubcode() == 2207005);

  const Answer reel = call("POST", api(graph, ig + "/media"),
                           {{"access_token", token}, {"media_type", "REELS"}, {"upload_type", "resumable"}});
  REQUIRE(reel.status == 200);
  const std::string container = json::value_to<std::string>(reel.body.at("id"));
  CHECK(json::value_to<std::string>(reel.body.at("uri")) == graph.url() + "/ig-api-upload/v23.0/" + container);
  const Answer early =
      call("POST", api(graph, ig + "/media_publish"), {{"access_token", token}, {"creation_id", container}});
  CHECK(early.errorCode() == 9007);
  CHECK(early.errorSubcode() == 2207027);

  const std::string video = metatest::mp4(3000);
  const Answer upload = call("POST", graph.url() + "/ig-api-upload/v23.0/" + container, {}, {},
                             {{"Authorization", "OAuth " + token}, {"offset", "0"}, {"file_size", "3000"}}, video);
  CHECK(upload.body.at("success") == true);
  auto status = [&] {
    return call("GET", api(graph, container), {{"access_token", token}, {"fields", "status_code,status"}})
        .body.at("status_code");
  };
  CHECK(status() == "IN_PROGRESS");
  CHECK(status() == "FINISHED");
  const Answer published =
      call("POST", api(graph, ig + "/media_publish"), {{"access_token", token}, {"creation_id", container}});
  REQUIRE(published.status == 200);
  CHECK(published.header("X-Business-Use-Case-Usage").at(ig).at(0).at("type") == "instagram");
  const std::string mediaId = json::value_to<std::string>(published.body.at("id"));
  CHECK(graph.item(mediaId).sha256 == metatest::sha256Hex(video));

  const Answer insights =
      call("GET", api(graph, mediaId + "/insights"), {{"access_token", token}, {"metric", "impressions"}});
  CHECK(insights.body.at("error").at("message") == "(#100) The value must be a valid insights metric");
  const Answer needsTotal =
      call("GET", api(graph, ig + "/insights"), {{"access_token", token}, {"metric", "views"}, {"period", "day"}});
  CHECK(needsTotal.errorCode() == 100);
  CHECK(call("DELETE", api(graph, mediaId), {{"access_token", token}}).body.at("success") == true);
  CHECK(call("GET", api(graph, mediaId), {{"access_token", token}}).errorSubcode() == 33);
}

namespace {

/// base64url(SHA-256(verifier)) without padding (RFC 7636 S256), from the hex digest.
std::string s256(const std::string& verifier) {
  const std::string hex = metatest::sha256Hex(verifier);
  std::string digest;
  for (size_t i = 0; i < hex.size(); i += 2) digest += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << digest;
  encoder.close();
  return out.str();
}

/// The dialog's code for `redirect` with these PKCE parameters ("" leaves one out).
std::string dialogCode(const GraphApi& graph, const std::string& redirect, const std::string& challenge,
                       const std::string& method) {
  Poco::URI dialog(api(graph, "dialog/oauth"));
  dialog.addQueryParameter("client_id", GraphApi::appId);
  dialog.addQueryParameter("redirect_uri", redirect);
  dialog.addQueryParameter("state", "s");
  dialog.addQueryParameter("scope", "pages_show_list");
  if (!challenge.empty()) dialog.addQueryParameter("code_challenge", challenge);
  if (!method.empty()) dialog.addQueryParameter("code_challenge_method", method);
  for (const auto& [name, value] : Poco::URI(graph.consent(dialog.toString())).getQueryParameters())
    if (name == "code") return value;
  return "";
}

Answer exchange(const GraphApi& graph, const std::string& code, const std::string& redirect,
                const std::string& verifier) {
  Fields fields{{"client_id", GraphApi::appId},
                {"client_secret", GraphApi::appSecret},
                {"redirect_uri", redirect},
                {"code", code}};
  if (!verifier.empty()) fields.emplace_back("code_verifier", verifier);
  return call("GET", api(graph, "oauth/access_token"), fields);
}

}  // namespace

TEST_CASE("Login: the exchange needs the dialog's exact redirect_uri and, after a code_challenge, its code_verifier",
          "[graph-emulator][strict]") {
  GraphApi graph;
  const std::string redirect = "https://host/api/auth/callback/facebook",
                    verifier = "v-0123456789-0123456789-0123456789-0123456789";
  const std::string code = dialogCode(graph, redirect, s256(verifier), "S256");
  REQUIRE_FALSE(code.empty());
  for (const std::string& other :
       std::vector<std::string>{redirect + "/", redirect + "?x=1", "https://host/api/auth/callback/instagram"}) {
    const Answer wrong = exchange(graph, code, other, verifier);
    CHECK(wrong.errorCode() == 100);
    CHECK(wrong.errorSubcode() == 36008);
  }
  CHECK(exchange(graph, code, redirect, "").errorCode() == 100);  // no verifier
  CHECK(exchange(graph, code, redirect, "v-another-0123456789-0123456789-0123456789").errorCode() == 100);
  CHECK(exchange(graph, code, redirect, s256(verifier)).errorCode() == 100);  // the challenge is no verifier
  CHECK(exchange(graph, code, redirect, verifier).status == 200);

  SECTION("plain, and plain when no method is named (RFC 7636 section 4.3)") {
    CHECK(exchange(graph, dialogCode(graph, redirect, verifier, "plain"), redirect, verifier).status == 200);
    const std::string unnamed = dialogCode(graph, redirect, s256(verifier), "");
    CHECK(exchange(graph, unnamed, redirect, verifier).errorCode() == 100);
    CHECK(exchange(graph, unnamed, redirect, s256(verifier)).status == 200);
  }
  SECTION("a method Graph does not know is refused at the dialog; no challenge, no verifier needed") {
    CHECK(dialogCode(graph, redirect, s256(verifier), "S512").empty());
    CHECK(exchange(graph, dialogCode(graph, redirect, "", ""), redirect, "").status == 200);
  }
}

TEST_CASE("Instagram containers: captions over 2,200 characters, 30 hashtags or 20 @ tags are 36004/2207010",
          "[graph-emulator][strict]") {
  GraphApi graph;
  metatest::MediaServer media;
  const std::string token = graph.userToken(), ig = graph.pages()[0].igUserId;
  const std::string imageUrl = media.put("a.jpg", metatest::jpeg(500), "image/jpeg");
  const auto container = [&](const std::string& caption) {
    return call("POST", api(graph, ig + "/media"),
                {{"access_token", token}, {"image_url", imageUrl}, {"caption", caption}});
  };
  const auto tags = [](const std::string& mark, int n, const std::string& separator) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? separator : "") + mark + "tag" + std::to_string(i);
    return out;
  };
  std::string longest;
  for (int i = 0; i < 2200; ++i) longest += "é";
  CHECK(container(longest).status == 200);  // characters, not bytes
  const Answer tooLong = container(longest + "!");
  CHECK(tooLong.status == 400);
  CHECK(tooLong.errorCode() == 36004);
  CHECK(tooLong.errorSubcode() == 2207010);
  CHECK(tooLong.body.at("error").at("type") == "OAuthException");
  CHECK(tooLong.body.at("error").at("error_user_title") == "Caption too long");

  CHECK(container(tags("#", 30, " ")).status == 200);
  CHECK(container(tags("#", 31, " ")).errorSubcode() == 2207010);
  CHECK(container(tags("#", 31, ",")).errorSubcode() == 2207010);  // no space needed between tags
  CHECK(container("(" + tags("#", 31, ")(") + ")").errorSubcode() == 2207010);
  CHECK(container(tags("@", 20, " ")).status == 200);
  CHECK(container(tags("@", 21, " ")).errorSubcode() == 2207010);
  CHECK(container(tags("a@", 25, " ") + " # ## #!").status == 200);  // e-mail-like words and bare marks are no tags
}

TEST_CASE("Page listings: published_posts, scheduled_posts and videos newest first, cursor-paged, since, attachments",
          "[graph-emulator]") {
  GraphApi graph;
  graph.listLimit = 2;
  const std::string page = graph.pages()[0].id;
  const std::string token = graph.pageToken(page, graph.userToken());
  std::vector<std::string> posted;
  for (const std::string text : {"first", "second", "third"})
    posted.push_back(json::value_to<std::string>(
        call("POST", api(graph, page + "/feed"), {{"access_token", token}, {"message", text}}).body.at("id")));
  call("POST", api(graph, page + "/feed"),
       {{"access_token", token}, {"message", "a link"}, {"link", "https://example.com/x"}});
  const auto later = std::to_string(std::time(nullptr) + 3600);
  call("POST", api(graph, page + "/feed"),
       {{"access_token", token}, {"message", "later"}, {"published", "false"}, {"scheduled_publish_time", later}});
  graph.backdate(posted[0], 7200);

  const Fields fields{{"access_token", token},
                      {"fields", "id,message,created_time,permalink_url,attachments{media_type,subattachments}"}};
  std::vector<std::string> messages;
  std::string next = api(graph, page + "/published_posts");
  for (Fields query = fields; !next.empty(); query.clear()) {
    const Answer listed = call("GET", next, query);
    REQUIRE(listed.status == 200);
    CHECK(listed.header("X-Business-Use-Case-Usage").at(page).at(0).at("type") == "pages");
    const auto& data = listed.body.at("data").as_array();
    CHECK(data.size() <= 2);
    for (const auto& post : data) messages.push_back(json::value_to<std::string>(post.at("message")));
    const auto& paging = listed.body.at("paging").as_object();
    CHECK_FALSE(json::value_to<std::string>(paging.at("cursors").at("after")).empty());
    CHECK_FALSE(json::value_to<std::string>(paging.at("cursors").at("before")).empty());
    next = paging.contains("next") ? json::value_to<std::string>(paging.at("next")) : "";
    if (!next.empty()) CHECK(next.rfind(api(graph, page + "/published_posts?"), 0) == 0);
  }
  CHECK(messages ==
        std::vector<std::string>{"a link", "third", "second", "first"});  // the scheduled one is not published
  const Answer one = call("GET", api(graph, page + "/published_posts"), fields);
  const Answer two = call("GET", json::value_to<std::string>(one.body.at("paging").at("next")));
  const Answer back = call("GET", json::value_to<std::string>(two.body.at("paging").at("previous")));
  CHECK(back.body.at("data") == one.body.at("data"));

  graph.listLimit = 100;

  const Answer recent = call("GET", api(graph, page + "/published_posts"),
                             {{"access_token", token},
                              {"fields", "message,attachments"},
                              {"since", std::to_string(std::time(nullptr) - 3600)},
                              {"limit", "10"}});
  REQUIRE(recent.body.at("data").as_array().size() == 3);  // "first" is two hours old
  CHECK(recent.body.at("data").at(0).at("attachments").at("data").at(0).at("media_type") == "link");
  CHECK_FALSE(recent.body.at("data").at(1).as_object().contains("attachments"));  // a plain status has none

  const Answer scheduled = call("GET", api(graph, page + "/scheduled_posts"),
                                {{"access_token", token}, {"fields", "message,scheduled_publish_time"}});
  REQUIRE(scheduled.body.at("data").as_array().size() == 1);
  CHECK(scheduled.body.at("data").at(0).at("scheduled_publish_time").as_int64() == std::stoll(later));
  const Answer bad =
      call("GET", api(graph, page + "/published_posts"), {{"access_token", token}, {"after", "bm90LWFuLWlk"}});
  CHECK(bad.errorCode() == 100);
}

TEST_CASE("Refusals that keep a post single: a repeated status (#506), a second media_publish of one container",
          "[graph-emulator]") {
  GraphApi graph;
  const auto& owner = graph.pages()[0];
  const std::string user = graph.userToken();
  const std::string token = graph.pageToken(owner.id, user);
  REQUIRE(call("POST", api(graph, owner.id + "/feed"), {{"access_token", token}, {"message", "Hello"}}).status == 200);
  const Answer again = call("POST", api(graph, owner.id + "/feed"), {{"access_token", token}, {"message", "Hello"}});
  CHECK(again.status == 400);
  CHECK(again.errorCode() == 506);
  CHECK(again.body.at("error").at("message") == "(#506) Duplicate status message");
  CHECK_FALSE(json::value_to<std::string>(again.body.at("error").at("fbtrace_id")).empty());
  CHECK(call("POST", api(graph, owner.id + "/feed"),
             {{"access_token", token}, {"message", "Hello"}, {"link", "https://example.com"}})
            .status == 200);
  CHECK(graph.livePosts(owner.id).size() == 2);

  metatest::MediaServer media;
  const Answer container = call("POST", api(graph, owner.igUserId + "/media"),
                                {{"access_token", user},
                                 {"image_url", media.put("i.jpg", metatest::jpeg(900), "image/jpeg")},
                                 {"caption", "once"}});
  const std::string id = json::value_to<std::string>(container.body.at("id"));
  REQUIRE(call("POST", api(graph, owner.igUserId + "/media_publish"), {{"access_token", user}, {"creation_id", id}})
              .status == 200);
  CHECK(call("GET", api(graph, id), {{"access_token", user}, {"fields", "status_code"}}).body.at("status_code") ==
        "PUBLISHED");
  const Answer twice =
      call("POST", api(graph, owner.igUserId + "/media_publish"), {{"access_token", user}, {"creation_id", id}});
  CHECK(twice.status == 400);
  CHECK(twice.errorCode() == 24);
  CHECK(twice.errorSubcode() == 2207008);
  CHECK(graph.livePosts(owner.igUserId).size() == 1);

  const Answer listed = call("GET", api(graph, owner.igUserId + "/media"),
                             {{"access_token", user}, {"fields", "id,caption,timestamp,permalink,media_type"}});
  REQUIRE(listed.body.at("data").as_array().size() == 1);
  CHECK(listed.body.at("data").at(0).at("caption") == "once");
  CHECK(listed.body.at("data").at(0).at("media_type") == "IMAGE");
  CHECK(call("GET", api(graph, owner.igUserId + "/stories"), {{"access_token", user}})
            .body.at("data")
            .as_array()
            .empty());
}

namespace {

/// A POST whose answer may be a gateway's HTML page or no answer at all: status (0 = none) and content type.
std::pair<int, std::string> post(const std::string& url, const Fields& fields) {
  try {
    Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest request("POST", uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTMLForm form;
    for (const auto& [name, value] : fields) form.set(name, value);
    form.prepareSubmit(request);
    form.write(session.sendRequest(request));
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    return {static_cast<int>(response.getStatus()), response.getContentType()};
  } catch (const std::exception&) {
    return {0, ""};
  }
}

}  // namespace

TEST_CASE("Create faults meet only the calls that make a post go live, each acted out as the network would",
          "[graph-emulator]") {
  GraphApi graph;
  graph.lateCreateMs = 300;
  const std::string page = graph.pages()[0].id;
  const std::string token = graph.pageToken(page, graph.userToken());
  const auto feed = [&](const std::string& message) {
    return post(api(graph, page + "/feed"), {{"access_token", token}, {"message", message}});
  };
  const auto made = [&](const std::string& message) {
    int n = 0;
    for (const auto& item : graph.livePosts(page)) n += item.message == message;
    return n;
  };
  using Fault = GraphApi::CreateFault;

  graph.faultNextCreates({Fault::RefuseWithoutCreate});
  CHECK(post(api(graph, page + "/photos"),
             {{"access_token", token}, {"published", "false"}, {"url", "http://127.0.0.1:1/none"}})
            .first == 400);
  CHECK(feed("refused") == std::pair<int, std::string>{503, "text/html"});  // the upload above was no create
  CHECK(made("refused") == 0);

  graph.faultNextCreates({Fault::GatewayTimeout, Fault::DropAfterCreate, Fault::ResetMidAnswer, Fault::LateCreate});
  CHECK(feed("gateway").first == 504);
  CHECK(made("gateway") == 1);
  CHECK(feed("dropped").first == 0);
  CHECK(made("dropped") == 1);
  CHECK(feed("reset").first == 0);
  CHECK(made("reset") == 1);
  CHECK(feed("late") == std::pair<int, std::string>{504, "text/html"});
  CHECK(made("late") == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(made("late") == 1);
  CHECK(feed("plain").first == 200);
}
