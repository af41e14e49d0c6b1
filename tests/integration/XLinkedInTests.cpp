// End to end through the host's REST API with the real `twitter` and `linkedin` plugins, against
// the X and LinkedIn emulators (issue 6): OAuth (X with PKCE; LinkedIn member + administered
// pages), text / image / video posts, X threads with a failing part, LinkedIn page and member
// posts, X's rotating refresh tokens, insights, deletion, X rate limits and tenant isolation.
// Every assertion is about what the platform received and stored, or what the host reports.
#if defined(MARKETSAGE_WITH_X) && defined(MARKETSAGE_WITH_LINKEDIN)

#include "LinkedInEmulator.h"
#include "Tokens.h"
#include "XEmulator.h"
#include "integration/PlatformTests.h"
#include "integration/TestPlatform.h"

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <chrono>
#include <ctime>
#include <set>
#include <thread>

using namespace harness;
namespace json = boost::json;

namespace {

using emulators::LinkedInApi;
using emulators::XApi;

const std::string kAcme = "2414183";   // a page the member administers
const std::string kBeta = "5515715";   // another one
const std::string kOther = "9999999";  // a page the member does not administer
const std::string kAcmeUrn = "urn:li:organization:" + kAcme;
const std::string kBetaUrn = "urn:li:organization:" + kBeta;
const std::string kMemberUrn = std::string("urn:li:person:") + LinkedInApi::memberSub;

/// Both emulators, set up the way every test here uses them.
struct Platforms {
  XApi x;
  LinkedInApi li;
  Platforms() {
    li.addOrganization(kAcme, "Acme Robotics");
    li.addOrganization(kBeta, "Beta Labs");
    li.addOrganization(kOther, "Not Ours", false);
    x.setProcessing(2, 1);        // video: two STATUS polls, 1 s apart
    li.setProcessingPolls(1, 2);  // image PROCESSING once, video twice
  }
  std::map<std::string, std::string> env() const {
    return {{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_BUNDLED_PLUGIN_DIR},
            {"FIELD_ENCRYPTION_KEY", devKey},
            {"TWITTER_API_BASE", x.url()},
            {"TWITTER_AUTH_BASE", x.url()},
            {"TWITTER_CLIENT_ID", XApi::clientId},
            {"TWITTER_CLIENT_SECRET", XApi::clientSecret},
            {"LINKEDIN_API_BASE", li.url()},
            {"LINKEDIN_AUTH_BASE", li.url()},
            {"LINKEDIN_CLIENT_ID", LinkedInApi::clientId},
            {"LINKEDIN_CLIENT_SECRET", LinkedInApi::clientSecret}};
  }
};

std::string hostConfig(int waitSeconds = 20) {
  return R"({"publishing": {"waitSeconds": )" + std::to_string(waitSeconds) +
         R"(, "retryBaseMillis": 200, "pollMillis": 100, "workers": 4, "leaseSeconds": 30, "reconcileGraceSeconds": 2},
            "plugins": {"linkedin": {"api_version": ")" +
         LinkedInApi::versionMonthsAgo(2) + R"(", "poll_interval_ms": 100}}})";
}

json::value resultFor(const json::value& post, const std::string& connectionId) {
  for (const auto& r : post.at("results").as_array())
    if (str(r, "connectionId") == connectionId) return r;
  FAIL("no result for connection " << connectionId);
  return {};
}

/// Access and refresh tokens X issued so far (its log also holds authorization codes).
std::vector<std::string> grantedTokens(const XApi& x) {
  std::vector<std::string> out;
  for (const auto& t : x.issuedTokens())
    if (t.rfind("xat-", 0) == 0 || t.rfind("xrt-", 0) == 0) out.push_back(t);
  return out;
}

/// Refresh tokens X issued so far, in order.
std::vector<std::string> refreshTokens(const XApi& x) {
  std::vector<std::string> out;
  for (const auto& t : x.issuedTokens())
    if (t.rfind("xrt-", 0) == 0) out.push_back(t);
  return out;
}

/// A refresh grant sent straight to X's token endpoint, as the app would: status and body.
std::pair<int, std::string> refreshAtX(const XApi& x, const std::string& refreshToken) {
  const Poco::URI uri(x.url());
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/2/oauth2/token",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPBasicCredentials(XApi::clientId, XApi::clientSecret).authenticate(request);
  std::string form;
  Poco::URI::encode(refreshToken, "&=+#?/", form);
  form = "grant_type=refresh_token&refresh_token=" + form;
  request.setContentType("application/x-www-form-urlencoded");
  request.setContentLength(static_cast<std::streamsize>(form.size()));
  session.sendRequest(request) << form;
  Poco::Net::HTTPResponse response;
  auto& in = session.receiveResponse(response);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {static_cast<int>(response.getStatus()), body};
}

const json::object* contentMedia(const LinkedInApi::PublishedPost& p, json::value& holder) {
  holder = json::parse(p.body);
  const auto* content = holder.as_object().if_contains("content");
  if (!content || !content->is_object()) return nullptr;
  const auto* media = content->as_object().if_contains("media");
  return media && media->is_object() ? &media->as_object() : nullptr;
}

const json::array thread4{
    json::object{{"content", "Thread part 2 of 5"}}, json::object{{"content", "Thread part 3 of 5"}},
    json::object{{"content", "Thread part 4 of 5"}}, json::object{{"content", "Thread part 5 of 5"}}};

}  // namespace

TEST_CASE(
    "connect: X checks the PKCE verifier (a tampered one cannot complete); LinkedIn gives the member and each "
    "administered page",
    "[x-linkedin]") {
  Platforms p;
  World w(p.env(), hostConfig());
  const auto admin = w.a.byRole["ADMIN"].key;

  // The consent URL the host built for X: S256 challenge, our client, the host's callback.
  auto start = w.host.request("GET", "/api/social-media/connect/twitter", admin);
  REQUIRE(start.status == 302);
  const auto authorize = start.header("location");
  CHECK(authorize.rfind(p.x.url() + "/i/oauth2/authorize?", 0) == 0);
  auto q = query(authorize);
  CHECK(q["code_challenge_method"] == "S256");
  CHECK(q["code_challenge"].size() == 43);
  CHECK(q["client_id"] == XApi::clientId);
  CHECK(q["redirect_uri"] == "http://127.0.0.1:" + std::to_string(w.host.port()) + "/api/auth/callback/twitter");
  CHECK(q["scope"].find("offline.access") != std::string::npos);

  SECTION("the verifier does not match the challenge X saw: no token, no connection") {
    // Someone swapped the challenge on the way to X: the host's verifier no longer matches it.
    Poco::URI tampered(authorize);
    auto params = tampered.getQueryParameters();
    for (auto& [name, value] : params)
      if (name == "code_challenge")
        value = marketsage::test::pkceS256("an-attacker-verifier-that-is-long-enough-for-rfc7636");
    tampered.setQueryParameters(params);
    const auto back = p.x.approve(tampered.toString());
    REQUIRE(back.find("code=") != std::string::npos);  // X's user consented
    const auto done = w.host.get(pathOf(back), "");
    REQUIRE(done.status == 302);
    CHECK(done.header("location").find("error=") != std::string::npos);
    CHECK(done.header("location").find("connected=") == std::string::npos);
    CHECK(connectionsOf(w, admin, "twitter").empty());
    CHECK(grantedTokens(p.x).empty());  // X refused the exchange
  }

  SECTION("the right verifier: one X connection; the callback cannot be replayed") {
    const auto back = p.x.approve(authorize);
    REQUIRE(back.find("code=") != std::string::npos);
    const auto done = w.host.get(pathOf(back), "");
    REQUIRE(done.status == 302);
    CHECK(done.header("location").find("connected=1") != std::string::npos);
    const auto xs = connectionsOf(w, admin, "twitter");
    REQUIRE(xs.size() == 1);
    CHECK(str(xs[0], "accountId") == XApi::userId);
    CHECK(str(xs[0], "status") == "active");
    CHECK(grantedTokens(p.x).size() == 2);  // access + refresh (offline.access)
    for (const auto& token : p.x.issuedTokens())
      CHECK(w.host.get("/api/social-media/connections", admin).body.find(token) == std::string::npos);
    // Same state and code again: refused, nothing new.
    CHECK(w.host.get(pathOf(back), "").status == 400);
    CHECK(connectionsOf(w, admin, "twitter").size() == 1);
    CHECK(grantedTokens(p.x).size() == 2);

    // LinkedIn: the member and the two pages the member administers — not the third page.
    const auto lis = connect(w, admin, "linkedin", 3);
    std::map<std::string, std::string> names;
    for (const auto& c : lis) {
      names[str(c, "accountId")] = str(c, "accountName");
      CHECK(str(c, "status") == "active");
    }
    CHECK(names == std::map<std::string, std::string>{
                       {kMemberUrn, LinkedInApi::memberName}, {kAcmeUrn, "Acme Robotics"}, {kBetaUrn, "Beta Labs"}});
    // Three connections share the member's grant but are separate: each has its own id.
    std::set<std::string> ids;
    for (const auto& c : lis) ids.insert(str(c, "id"));
    CHECK(ids.size() == 3);
    // Org B sees none of them.
    CHECK(w.host.get("/api/social-media/connections", w.b.byRole["ADMIN"].key).json().as_array().empty());
  }
}

TEST_CASE("text, image and video from the media library reach X and LinkedIn: bytes, processing, alt text",
          "[x-linkedin]") {
  Platforms p;
  p.li.setVideoPartSize(40000);  // 100,000 bytes: three parts, three ETags
  World w(p.env(), hostConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto xConn = str(connect(w, admin, "twitter", 1).front(), "id");
  const auto member = connectionFor(connect(w, admin, "linkedin", 3), kMemberUrn);

  // Text.
  auto text = publish(w, admin, {{"content", "Hello from MarketSage"}, {"targets", {xConn, member}}});
  CHECK(str(text, "status") == "published");
  REQUIRE(p.x.tweets().size() == 1);
  const auto tweet = p.x.tweets().front();
  CHECK(tweet.text == "Hello from MarketSage");
  CHECK(tweet.mediaIds.empty());
  CHECK(str(resultFor(text, xConn), "postId") == tweet.id);
  CHECK(str(resultFor(text, xConn), "url") == std::string("https://x.com/") + XApi::username + "/status/" + tweet.id);
  REQUIRE(p.li.posts().size() == 1);
  CHECK(p.li.posts().front().author == kMemberUrn);
  CHECK(p.li.posts().front().commentary == "Hello from MarketSage");
  CHECK(str(resultFor(text, member), "postId") == p.li.posts().front().urn);

  // Image, with alt text, uploaded once to the host and then to each platform.
  const auto png = pngBytes(1200, 675);
  const auto image = uploadMedia(w, admin, png, "A bar chart of Q3 sales");
  auto withImage = publish(
      w, admin, {{"content", "Our Q3 in one chart"}, {"targets", {xConn, member}}, {"media", {str(image, "id")}}});
  CHECK(str(withImage, "status") == "published");
  REQUIRE(p.x.tweets().size() == 2);
  const auto imageTweet = p.x.tweets().back();
  CHECK(imageTweet.text == "Our Q3 in one chart");
  REQUIRE(imageTweet.mediaIds.size() == 1);
  const auto xImage = p.x.upload(imageTweet.mediaIds.front());
  REQUIRE(xImage);
  CHECK(xImage->category == "tweet_image");
  CHECK(xImage->mediaType == "image/png");
  CHECK(xImage->totalBytes == static_cast<long long>(png.size()));
  CHECK(xImage->receivedBytes == static_cast<long long>(png.size()));
  CHECK(xImage->finalized);
  CHECK(xImage->altText == "A bar chart of Q3 sales");
  REQUIRE(p.li.posts().size() == 2);
  const auto liImagePost = p.li.posts().back();
  CHECK(liImagePost.author == kMemberUrn);
  CHECK(liImagePost.commentary == "Our Q3 in one chart");
  json::value holder;
  const auto* liImage = contentMedia(liImagePost, holder);
  REQUIRE(liImage);
  CHECK(json::value_to<std::string>(liImage->at("id")).rfind("urn:li:image:", 0) == 0);
  CHECK(liImage->contains("altText"));
  if (liImage->contains("altText"))
    CHECK(json::value_to<std::string>(liImage->at("altText")) == "A bar chart of Q3 sales");
  const int pollsBeforeVideo = p.li.statusPolls();
  CHECK(pollsBeforeVideo >= 2);  // the image was polled until AVAILABLE (PROCESSING once)

  // Video: X processes it asynchronously (polled), LinkedIn takes it in parts, then processes it.
  const auto mp4 = mp4Bytes(100000);
  const auto video = uploadMedia(w, admin, mp4, "A robot arm sorting parcels");
  CHECK(str(video, "kind") == "video");
  auto withVideo = publish(
      w, admin, {{"content", "Watch the arm at work"}, {"targets", {xConn, member}}, {"media", {str(video, "id")}}});
  INFO(json::serialize(withVideo));
  CHECK(str(withVideo, "status") == "published");
  REQUIRE(p.x.tweets().size() == 3);
  const auto videoTweet = p.x.tweets().back();
  REQUIRE(videoTweet.mediaIds.size() == 1);
  const auto xVideo = p.x.upload(videoTweet.mediaIds.front());
  REQUIRE(xVideo);
  CHECK(xVideo->category == "tweet_video");
  CHECK(xVideo->mediaType == "video/mp4");
  CHECK(xVideo->totalBytes == 100000);
  CHECK(xVideo->receivedBytes == 100000);
  CHECK(xVideo->state == "succeeded");
  CHECK(xVideo->statusPolls >= 2);  // STATUS was asked until processing succeeded
  REQUIRE(p.li.posts().size() == 3);
  const auto liVideoPost = p.li.posts().back();
  CHECK(liVideoPost.urn.rfind("urn:li:ugcPost:", 0) == 0);
  CHECK(str(resultFor(withVideo, member), "url") == "https://www.linkedin.com/feed/update/" + liVideoPost.urn + "/");
  const auto* liVideo = contentMedia(liVideoPost, holder);
  REQUIRE(liVideo);
  CHECK(json::value_to<std::string>(liVideo->at("id")).rfind("urn:li:video:", 0) == 0);
  CHECK(p.li.videoPartsUploaded() == 3);
  CHECK(p.li.statusPolls() >= pollsBeforeVideo + 3);  // PROCESSING twice, then AVAILABLE
  // Nothing was posted twice.
  CHECK(p.x.tweetsCreated() == 3);
}

TEST_CASE("a five-part X thread whose third part fails", "[x-linkedin]") {
  Platforms p;
  World w(p.env(), hostConfig(5));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto xConn = str(connect(w, admin, "twitter", 1).front(), "id");
  const json::object body{
      {"content", "Thread part 1 of 5"}, {"targets", {xConn}}, {"options", {{"twitter", {{"thread", thread4}}}}}};

  SECTION("a gateway's 503 once: looked up, not found, resumed; five posts chained as replies, none twice") {
    p.x.failTweetAttempt(3, 503);
    auto r = postJson(w, admin, body);
    INFO(r.body);
    REQUIRE((r.status == 201 || r.status == 202));
    const auto id = str(r.json(), "id");
    // A 503 may come from a gateway after X made the post: its outcome is unknown, so the host
    // looks at the timeline after the grace (2 s), finds part 3 missing, and sends parts 3 to 5.
    json::value post = r.json();
    for (int i = 0; i < 100 && str(post.at("results").at(0), "status") != "published" &&
                    str(post.at("results").at(0), "status") != "failed";
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      post = getPost(w, admin, id);
    }
    const auto target = post.at("results").at(0);
    CHECK(str(target, "status") == "published");
    CHECK(target.at("attempts").as_int64() == 2);
    bool unknown = false, notFound = false;
    const auto history = getPost(w, admin, id).at("history");  // the POST's own answer has none
    for (const auto& e : history.as_array()) {
      unknown |= str(e, "event") == "outcome_unknown";
      notFound |= str(e, "event") == "reconciled_not_found";
    }
    CHECK(unknown);
    CHECK(notFound);
    const auto tweets = p.x.tweets();
    REQUIRE(tweets.size() == 5);
    CHECK(p.x.tweetsCreated() == 5);
    for (std::size_t i = 0; i < tweets.size(); ++i) {
      CHECK(tweets[i].text == "Thread part " + std::to_string(i + 1) + " of 5");
      CHECK(!tweets[i].deleted);
      CHECK(tweets[i].replyTo == (i == 0 ? std::string() : tweets[i - 1].id));
    }
    CHECK(str(target, "postId") == tweets[0].id);
    REQUIRE(target.as_object().contains("progress"));
    const auto ids = target.at("progress").at("postIds").as_array();
    REQUIRE(ids.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) CHECK(json::value_to<std::string>(ids[i]) == tweets[i].id);

    // Deleting the post deletes every part, replies first. A part X refuses is reported by its id
    // (not "deleted"), and deleting again finishes the job.
    p.x.failNext(1, 503);
    const auto partly = w.host.request("DELETE", "/api/social-media/posts/" + id, admin);
    INFO(partly.body);
    REQUIRE(partly.status == 200);
    const auto left = partly.json().at("notDeleted").as_array();
    REQUIRE(left.size() == 1);
    CHECK(left.at(0).at("postIds") == json::array{json::value(tweets[4].id)});
    for (std::size_t i = 0; i < 4; ++i) CHECK(p.x.tweet(tweets[i].id)->deleted);
    CHECK_FALSE(p.x.tweet(tweets[4].id)->deleted);
    CHECK(str(partly.json().at("results").at(0), "status") == "published");
    const auto rest = w.host.request("DELETE", "/api/social-media/posts/" + id, admin);
    REQUIRE(rest.status == 200);
    CHECK(rest.json().at("notDeleted").as_array().empty());
    CHECK(p.x.tweet(tweets[4].id)->deleted);
    CHECK(str(rest.json().at("results").at(0), "status") == "deleted");
    // Both deletions are in the audit log.
    const auto audit = w.host.get("/api/audit?limit=50", admin).json();
    int deletions = 0;
    for (const auto& entry : audit.as_array())
      deletions += str(entry, "action") == "post.deleted" && str(entry, "targetId") == id;
    CHECK(deletions == 2);
  }

  SECTION("permanently (part 3 refused): the target fails, reports the two live ids, nothing else is posted") {
    p.x.failTweetAttempt(3, 400);
    const auto post = publish(w, admin, body);
    const auto target = post.at("results").at(0);
    CHECK(str(target, "status") == "failed");
    CHECK(str(target, "errorKind") == "permanent");
    CHECK(target.at("attempts").as_int64() == 1);
    const auto tweets = p.x.tweets();
    REQUIRE(tweets.size() == 2);
    CHECK(tweets[0].text == "Thread part 1 of 5");
    CHECK(tweets[1].replyTo == tweets[0].id);
    REQUIRE(target.as_object().contains("progress"));
    const auto ids = target.at("progress").at("postIds").as_array();
    REQUIRE(ids.size() == 2);
    CHECK(json::value_to<std::string>(ids[0]) == tweets[0].id);
    CHECK(json::value_to<std::string>(ids[1]) == tweets[1].id);
    // A settled failure is not retried behind the user's back.
    const auto again = getPost(w, admin, str(post, "id"));
    CHECK(str(again.at("results").at(0), "status") == "failed");
    CHECK(p.x.tweetsCreated() == 2);
    // Deleting it removes the two parts that did go live.
    const auto removed = w.host.request("DELETE", "/api/social-media/posts/" + str(post, "id"), admin);
    REQUIRE(removed.status == 200);
    CHECK(removed.json().at("notDeleted").as_array().empty());
    CHECK(p.x.tweet(tweets[0].id)->deleted);
    CHECK(p.x.tweet(tweets[1].id)->deleted);
  }
}

TEST_CASE("LinkedIn: a company page post with an image and a member post, from one request", "[x-linkedin]") {
  Platforms p;
  World w(p.env(), hostConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto lis = connect(w, admin, "linkedin", 3);
  const auto acme = connectionFor(lis, kAcmeUrn), member = connectionFor(lis, kMemberUrn);
  const auto image = uploadMedia(w, admin, pngBytes(800, 800), "The new Acme logo");

  const auto post =
      publish(w, admin,
              {{"content", "Acme ships version 2 today"}, {"targets", {acme, member}}, {"media", {str(image, "id")}}});
  INFO(json::serialize(post));
  CHECK(str(post, "status") == "published");
  const auto posts = p.li.posts();
  REQUIRE(posts.size() == 2);
  std::map<std::string, LinkedInApi::PublishedPost> byAuthor;
  for (const auto& lp : posts) byAuthor[lp.author] = lp;
  REQUIRE(byAuthor.count(kAcmeUrn) == 1);
  REQUIRE(byAuthor.count(kMemberUrn) == 1);

  // The page's post: postId is LinkedIn's x-restli-id, url its feed URL; the image is the page's own.
  const auto page = resultFor(post, acme);
  CHECK(str(page, "status") == "published");
  CHECK(str(page, "accountId") == kAcmeUrn);
  CHECK(str(page, "postId") == byAuthor[kAcmeUrn].urn);
  CHECK(byAuthor[kAcmeUrn].urn.rfind("urn:li:share:", 0) == 0);
  CHECK(str(page, "url") == "https://www.linkedin.com/feed/update/" + byAuthor[kAcmeUrn].urn + "/");
  CHECK(byAuthor[kAcmeUrn].commentary == "Acme ships version 2 today");
  json::value holder;
  const auto* pageImage = contentMedia(byAuthor[kAcmeUrn], holder);
  REQUIRE(pageImage);
  const auto pageImageUrn = json::value_to<std::string>(pageImage->at("id"));
  CHECK(pageImageUrn.rfind("urn:li:image:", 0) == 0);
  const auto pageBody = json::parse(byAuthor[kAcmeUrn].body);
  CHECK(str(pageBody, "visibility") == "PUBLIC");
  CHECK(str(pageBody, "lifecycleState") == "PUBLISHED");

  // The member's post: the member's own copy of the image (LinkedIn refuses another owner's).
  const auto mine = resultFor(post, member);
  CHECK(str(mine, "status") == "published");
  CHECK(str(mine, "postId") == byAuthor[kMemberUrn].urn);
  const auto* memberImage = contentMedia(byAuthor[kMemberUrn], holder);
  REQUIRE(memberImage);
  CHECK(json::value_to<std::string>(memberImage->at("id")) != pageImageUrn);
  // Every versioned call carried the pinned version (the emulator refuses others; check it was used).
  int initializeUploads = 0;
  for (const auto& r : p.li.requests())
    initializeUploads += r.find("/rest/images?action=initializeUpload") != std::string::npos;
  CHECK(initializeUploads == 2);
  const auto versions = p.li.versionsSeen();
  CHECK(versions == std::set<std::string>{LinkedInApi::versionMonthsAgo(2)});

  // A member post with options: the visibility is passed through.
  const auto connectionsOnly = publish(w, admin,
                                       {{"content", "Just for my network"},
                                        {"targets", {member}},
                                        {"options", {{"linkedin", {{"visibility", "CONNECTIONS"}}}}}});
  CHECK(str(connectionsOnly, "status") == "published");
  REQUIRE(p.li.posts().size() == 3);
  const auto last = p.li.posts().back();
  CHECK(last.author == kMemberUrn);
  CHECK(last.commentary == "Just for my network");
  CHECK(str(json::parse(last.body), "visibility") == "CONNECTIONS");
  CHECK(str(connectionsOnly.at("results").at(0), "postId") == last.urn);
}

TEST_CASE("X rotates refresh tokens: the host keeps the new one, the old one is dead, publishing goes on",
          "[x-linkedin]") {
  Platforms p;
  World w(p.env(), hostConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto xConn = str(connect(w, admin, "twitter", 1).front(), "id");
  REQUIRE(refreshTokens(p.x).size() == 1);
  const auto first = refreshTokens(p.x).front();

  // A USER may not manage tokens.
  CHECK(w.host.request("POST", "/api/social-media/connections/" + xConn + "/refresh", w.a.byRole["USER"].key, "{}")
            .status == 403);
  CHECK(p.x.refreshGrants() == 0);

  auto refreshed = w.host.request("POST", "/api/social-media/connections/" + xConn + "/refresh", admin, "{}");
  INFO(refreshed.body);
  REQUIRE(refreshed.status == 200);
  CHECK(str(refreshed.json(), "status") == "active");
  CHECK(p.x.refreshGrants() == 1);
  REQUIRE(refreshTokens(p.x).size() == 2);
  const auto second = refreshTokens(p.x).back();
  for (const auto& token : p.x.issuedTokens()) CHECK(refreshed.body.find(token) == std::string::npos);

  // X killed the old one.
  const auto old = refreshAtX(p.x, first);
  CHECK(old.first == 400);
  CHECK(old.second.find("invalid_request") != std::string::npos);
  CHECK(p.x.refreshGrants() == 1);

  // The host stored the new one: a second refresh works (with the old one it would be refused).
  auto again = w.host.request("POST", "/api/social-media/connections/" + xConn + "/refresh", admin, "{}");
  INFO(again.body);
  REQUIRE(again.status == 200);
  CHECK(p.x.refreshGrants() == 2);
  REQUIRE(refreshTokens(p.x).size() == 3);
  CHECK(refreshAtX(p.x, second).first == 400);  // rotated again

  // Publishing works with the fresh token; and when X expires the access token, the host
  // refreshes with the newest refresh token on its own.
  auto post = publish(w, admin, {{"content", "Still here after the refresh"}, {"targets", {xConn}}});
  CHECK(str(post.at("results").at(0), "status") == "published");
  p.x.expireAllTokens();
  post = publish(w, admin, {{"content", "Still here after expiry"}, {"targets", {xConn}}});
  CHECK(str(post.at("results").at(0), "status") == "published");
  CHECK(p.x.refreshGrants() == 3);
  REQUIRE(p.x.tweets().size() == 2);
  CHECK(p.x.tweets().back().text == "Still here after expiry");
  CHECK(str(w.host.get("/api/social-media/connections/" + xConn, admin).json(), "status") == "active");
}

TEST_CASE("analytics read X and LinkedIn insights for the organization's posts and accounts", "[x-linkedin]") {
  Platforms p;
  // Analytics answer from the stored history; the first refresh also asks for the two days before
  // today (analytics.backfillDays), so that a three-day window has three days of figures.
  auto config = hostConfig();
  config.insert(1, R"("analytics": {"backfillDays": 2, "paceMillis": 0}, )");
  World w(p.env(), config);
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto xConn = str(connect(w, admin, "twitter", 1).front(), "id");
  const auto acme = connectionFor(connect(w, admin, "linkedin", 3), kAcmeUrn);
  p.x.setFollowers(1234);
  p.li.setFollowers(kAcmeUrn, 500);
  p.li.setFollowers(kBetaUrn, 20);
  LinkedInApi::ShareStatistics daily;
  daily.impressionCount = 50, daily.uniqueImpressionsCount = 40, daily.clickCount = 3, daily.likeCount = 5,
  daily.commentCount = 1, daily.shareCount = 1;
  p.li.setDailyStatistics(kAcmeUrn, daily);

  const auto post = publish(w, admin, {{"content", "Numbers worth reading"}, {"targets", {xConn, acme}}});
  REQUIRE(str(post, "status") == "published");
  const auto tweetId = str(resultFor(post, xConn), "postId");
  const auto liUrn = str(resultFor(post, acme), "postId");
  XApi::Metrics metrics;
  metrics.likes = 7, metrics.replies = 2, metrics.retweets = 3, metrics.quotes = 1, metrics.impressions = 900,
  metrics.urlLinkClicks = 4, metrics.userProfileClicks = 1;
  p.x.setMetrics(tweetId, metrics);
  LinkedInApi::ShareStatistics lifetime;
  lifetime.impressionCount = 300, lifetime.uniqueImpressionsCount = 250, lifetime.clickCount = 9,
  lifetime.likeCount = 12, lifetime.commentCount = 2, lifetime.shareCount = 3;
  p.li.setPostStatistics(liUrn, lifetime);

  REQUIRE(w.host.request("POST", "/api/social-media/analytics/refresh", admin, std::string("{}")).status == 200);
  const auto today = nowEpoch();
  const auto r = w.host.get("/api/social-media/analytics?platforms=twitter,linkedin&start=" + dayOf(today - 2 * 86400) +
                                "&end=" + dayOf(today),
                            admin);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto a = r.json();

  const auto& x = a.at("twitter");
  CHECK(x.at("metrics").at("followers").to_number<double>() == 1234);
  const auto xTop = x.at("topPosts").as_array();
  REQUIRE(xTop.size() == 1);
  CHECK(str(xTop[0], "postId") == tweetId);
  CHECK(str(xTop[0], "marketsagePostId") == str(post, "id"));
  const auto& xm = xTop[0].at("metrics");
  CHECK(xm.at("likes").to_number<double>() == 7);
  CHECK(xm.at("comments").to_number<double>() == 2);
  CHECK(xm.at("shares").to_number<double>() == 4);         // retweets + quotes
  CHECK(xm.at("impressions").to_number<double>() == 900);  // non-public: our own, recent post
  CHECK(xm.at("clicks").to_number<double>() == 5);
  CHECK(xTop[0].at("engagement").to_number<double>() == 18);

  const auto& li = a.at("linkedin");
  // Three days of Acme's daily statistics (Beta has none), followers of both pages.
  CHECK(li.at("totalReach").to_number<double>() == 120);
  CHECK(li.at("metrics").at("impressions").to_number<double>() == 150);
  CHECK(li.at("totalEngagement").to_number<double>() == 30);
  CHECK(li.at("metrics").at("followers").to_number<double>() == 520);
  const auto liTop = li.at("topPosts").as_array();
  REQUIRE(liTop.size() == 1);
  CHECK(str(liTop[0], "postId") == liUrn);
  CHECK(str(liTop[0], "marketsagePostId") == str(post, "id"));
  CHECK(liTop[0].at("metrics").at("likes").to_number<double>() == 12);
  CHECK(liTop[0].at("metrics").at("impressions").to_number<double>() == 300);
  CHECK(liTop[0].at("engagement").to_number<double>() == 26);

  CHECK(a.at("totals").at("metrics").at("followers").to_number<double>() == 1754);
  CHECK(a.at("totals").at("totalReach").to_number<double>() == 120);
  // The request really went to LinkedIn for that window, per day.
  bool askedWindow = false;
  for (const auto& req : p.li.requests())
    askedWindow = askedWindow || (req.find("organizationalEntityShareStatistics") != std::string::npos &&
                                  req.find("timeIntervals") != std::string::npos);
  CHECK(askedWindow);
  // Another organization's numbers are its own: none.
  const auto other = w.host.get("/api/social-media/analytics?platforms=twitter,linkedin", w.b.byRole["ADMIN"].key);
  REQUIRE(other.status == 200);
  CHECK(!other.json().as_object().contains("twitter"));
  CHECK(other.json().at("totals").at("totalReach").to_number<double>() == 0);
}

TEST_CASE("DELETE of a published post removes it on X and on LinkedIn", "[x-linkedin]") {
  Platforms p;
  World w(p.env(), hostConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto xConn = str(connect(w, admin, "twitter", 1).front(), "id");
  const auto lis = connect(w, admin, "linkedin", 3);
  const auto member = connectionFor(lis, kMemberUrn), acme = connectionFor(lis, kAcmeUrn);
  const auto keep = publish(w, admin, {{"content", "This one stays"}, {"targets", {xConn, acme}}});
  const auto drop = publish(w, admin, {{"content", "This one goes"}, {"targets", {xConn, member, acme}}});
  REQUIRE(str(drop, "status") == "published");
  REQUIRE(p.x.tweets().size() == 2);
  REQUIRE(p.li.posts().size() == 3);
  const auto tweetId = str(resultFor(drop, xConn), "postId");
  const auto memberUrn = str(resultFor(drop, member), "postId");
  const auto acmeUrn = str(resultFor(drop, acme), "postId");

  CHECK(w.host.request("DELETE", "/api/social-media/posts/" + str(drop, "id"), w.a.byRole["GUEST"].key).status == 403);
  auto removed = w.host.request("DELETE", "/api/social-media/posts/" + str(drop, "id"), admin);
  INFO(removed.body);
  REQUIRE(removed.status == 200);
  CHECK(str(removed.json(), "status") == "deleted");
  CHECK(removed.json().at("notDeleted").as_array().empty());
  const auto removedView = removed.json();
  for (const auto& r : removedView.at("results").as_array()) CHECK(str(r, "status") == "deleted");

  // X: the post is gone, the other one is not.
  REQUIRE(p.x.tweet(tweetId));
  CHECK(p.x.tweet(tweetId)->deleted);
  CHECK(!p.x.tweet(str(resultFor(keep, xConn), "postId"))->deleted);
  // LinkedIn: both of this post's copies are gone (member and page), the kept one stays.
  const auto gone = p.li.deletedPosts();
  CHECK(std::set<std::string>(gone.begin(), gone.end()) == std::set<std::string>{memberUrn, acmeUrn});
  REQUIRE(p.li.posts().size() == 1);
  std::set<std::string> live;
  for (const auto& lp : p.li.posts()) live.insert(lp.urn);
  CHECK(live.count(str(resultFor(keep, acme), "postId")) == 1);
  CHECK(str(getPost(w, admin, str(drop, "id")), "status") == "deleted");
  CHECK(str(getPost(w, admin, str(keep, "id")), "status") == "published");
}

TEST_CASE(
    "429 from X with x-rate-limit-reset: the target waits (queued, rate_limited, until the reset), then publishes once",
    "[x-linkedin]") {
  Platforms p;
  World w(p.env(), hostConfig(1));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto xConn = str(connect(w, admin, "twitter", 1).front(), "id");
  const int resetIn = 6;
  p.x.throttleNext(1, resetIn);
  const auto reset = nowEpoch() + resetIn;

  auto r = postJson(w, admin, {{"content", "Patience is a virtue"}, {"targets", {xConn}}});
  INFO(r.body);
  REQUIRE(r.status == 202);  // still waiting after the 1 s wait
  const auto waiting = r.json().at("results").at(0);
  CHECK(str(waiting, "status") == "queued");
  CHECK(str(waiting, "errorKind") == "rate_limited");
  REQUIRE(waiting.as_object().contains("nextAttemptAt"));
  const auto next = epochOf(str(waiting, "nextAttemptAt"));
  CHECK(next >= reset - 2);
  CHECK(next <= reset + 2);
  CHECK(p.x.tweetsCreated() == 0);
  // Waiting for X is not a broken connection.
  CHECK(str(w.host.get("/api/social-media/connections/" + xConn, admin).json(), "status") == "active");

  const auto post = waitSettled(w, admin, str(r.json(), "id"));
  const auto target = post.at("results").at(0);
  CHECK(str(target, "status") == "published");
  CHECK(target.at("attempts").as_int64() == 2);
  CHECK(epochOf(str(target, "publishedAt")) >= reset - 1);
  CHECK(p.x.tweetsCreated() == 1);
  REQUIRE(p.x.tweets().size() == 1);
  CHECK(p.x.tweets().front().text == "Patience is a virtue");
  CHECK(str(target, "postId") == p.x.tweets().front().id);
}

TEST_CASE("tenant isolation: org B cannot see or touch org A's X and LinkedIn posts and connections", "[x-linkedin]") {
  Platforms p;
  World w(p.env(), hostConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto other = w.b.byRole["ADMIN"].key;
  const auto xConn = str(connect(w, admin, "twitter", 1).front(), "id");
  const auto acme = connectionFor(connect(w, admin, "linkedin", 3), kAcmeUrn);
  const auto post = publish(w, admin, {{"content", "Org A only"}, {"targets", {xConn, acme}}});
  REQUIRE(str(post, "status") == "published");
  const auto id = str(post, "id");

  CHECK(w.host.get("/api/social-media/posts/" + id, other).status == 404);
  CHECK(w.host.request("DELETE", "/api/social-media/posts/" + id, other).status == 404);
  CHECK(w.host.get("/api/social-media/posts", other).json().as_array().empty());
  for (const auto& c : {xConn, acme}) {
    CHECK(w.host.get("/api/social-media/connections/" + c, other).status == 404);
    CHECK(w.host.request("POST", "/api/social-media/connections/" + c + "/refresh", other, "{}").status == 404);
    CHECK(w.host.request("DELETE", "/api/social-media/connections/" + c, other).status == 404);
    CHECK(postJson(w, other, {{"content", "hijack"}, {"targets", {c}}}).status == 404);
  }
  CHECK(w.host.get("/api/social-media/connections", other).json().as_array().empty());
  CHECK(postJson(w, other, {{"content", "hijack"}, {"platforms", {"twitter", "linkedin"}}}).status ==
        400);  // B has no connections

  // Nothing happened at the platforms, nothing changed for A.
  CHECK(p.x.tweetsCreated() == 1);
  CHECK(!p.x.tweets().front().deleted);
  CHECK(p.x.refreshGrants() == 0);
  CHECK(p.x.revocations() == 0);
  CHECK(p.li.posts().size() == 1);
  CHECK(p.li.deletedPosts().empty());
  CHECK(p.li.revocations() == 0);
  CHECK(str(getPost(w, admin, id), "status") == "published");
  CHECK(connectionsOf(w, admin, "twitter").size() == 1);
  CHECK(connectionsOf(w, admin, "linkedin").size() == 3);
}

TEST_CASE(
    "POST /posts/validate: each plugin's verdict and count (X weighted, LinkedIn characters), nothing stored or sent; "
    "tenants and roles as createPost",
    "[x-linkedin][validate]") {
  Platforms p;
  World w(p.env(), hostConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto user = w.a.byRole["USER"].key;
  const auto x = connect(w, admin, "twitter", 1).front();
  const auto xConn = str(x, "id");
  const auto lis = connect(w, admin, "linkedin", 3);
  const auto member = connectionFor(lis, kMemberUrn);
  const auto validate = [&](const std::string& key, const json::object& body, const std::string& query = "") {
    return w.host.request("POST", "/api/social-media/posts/validate" + query, key, json::serialize(body),
                          "application/json");
  };
  const auto targetOf = [](const Response& r, const std::string& connectionId) {
    const auto answer = r.json();
    for (const auto& t : answer.at("targets").as_array())
      if (str(t, "connectionId") == connectionId) return t;
    FAIL("no target for " << connectionId << " in " << r.body);
    return json::value{};
  };
  const auto lengthOf = [](const json::value& target) {
    const auto& length = target.at("length");
    return std::tuple{length.at("used").as_int64(), length.at("limit").as_int64(), str(length, "unit")};
  };

  // A URL, an emoji and "abc": X weighs the URL 23 and the emoji 2; LinkedIn counts characters.
  const std::string url = "https://example.com/a/long/path";  // 31 characters
  auto counted = validate(user, {{"content", url + " \xF0\x9F\x98\x80 abc"}, {"targets", {xConn, member}}});
  INFO(counted.body);
  REQUIRE(counted.status == 200);
  CHECK(counted.header("content-type").rfind("application/json", 0) == 0);
  REQUIRE(counted.json().at("targets").as_array().size() == 2);
  const auto xTarget = targetOf(counted, xConn);
  CHECK(str(xTarget, "platform") == "twitter");
  CHECK(str(xTarget, "accountName") == str(x, "accountName"));
  CHECK(xTarget.at("ok").as_bool());
  CHECK(xTarget.at("issues").as_array().empty());
  CHECK(lengthOf(xTarget) == std::tuple{23 + 1 + 2 + 1 + 3, 280, std::string("weighted")});
  const auto liTarget = targetOf(counted, member);
  CHECK(str(liTarget, "platform") == "linkedin");
  CHECK(liTarget.at("ok").as_bool());
  CHECK(lengthOf(liTarget) == std::tuple{31 + 1 + 1 + 1 + 3, 3000, std::string("characters")});

  // Over X's limit: X refuses with its issue and its count; LinkedIn still takes it. "platforms"
  // picks every active connection, as in createPost.
  auto over = validate(user, {{"content", std::string(281, 'a')}, {"platforms", {"twitter", "linkedin"}}});
  INFO(over.body);
  REQUIRE(over.status == 200);
  REQUIRE(over.json().at("targets").as_array().size() == 4);
  const auto xOver = targetOf(over, xConn);
  CHECK_FALSE(xOver.at("ok").as_bool());
  REQUIRE(xOver.at("issues").as_array().size() == 1);
  CHECK(str(xOver.at("issues").at(0), "field") == "/content");
  CHECK(str(xOver.at("issues").at(0), "message").find("longer than 280 weighted characters (281)") !=
        std::string::npos);
  CHECK(lengthOf(xOver) == std::tuple{281, 280, std::string("weighted")});
  CHECK(targetOf(over, member).at("ok").as_bool());
  CHECK(lengthOf(targetOf(over, member)) == std::tuple{281, 3000, std::string("characters")});

  // A thread (options.twitter.thread, as createPost takes it): the first part is counted, a later
  // part over the limit is an issue of its own.
  const json::array parts{json::object{{"content", std::string(300, 'b')}}};
  const json::object options{{"twitter", json::object{{"thread", parts}}}};
  auto thread = validate(user, {{"content", "1/2"}, {"targets", {xConn}}, {"options", options}});
  INFO(thread.body);
  REQUIRE(thread.status == 200);
  const auto xThread = targetOf(thread, xConn);
  CHECK_FALSE(xThread.at("ok").as_bool());
  CHECK(str(xThread.at("issues").at(0), "field") == "/thread/0/content");
  CHECK(lengthOf(xThread) == std::tuple{3, 280, std::string("weighted")});

  // A SUPER_ADMIN names the organization.
  auto asSuper = validate(w.superKey, {{"content", "abc"}, {"targets", {xConn}}}, "?organizationId=" + w.a.id);
  INFO(asSuper.body);
  CHECK(asSuper.status == 200);

  // Nothing was stored or sent.
  CHECK(p.x.tweets().empty());
  CHECK(p.li.posts().empty());
  CHECK(w.host.get("/api/social-media/posts", admin).json().as_array().empty());

  // Another organization's connection is unknown (404), as createPost answers; a GUEST may not post.
  auto foreign = validate(w.b.byRole["ADMIN"].key, {{"content", "abc"}, {"targets", {xConn}}});
  CHECK(foreign.status == 404);
  CHECK(foreign.header("content-type").rfind("application/problem+json", 0) == 0);
  CHECK(foreign.status == postJson(w, w.b.byRole["ADMIN"].key, {{"content", "abc"}, {"targets", {xConn}}}).status);
  CHECK(validate(w.a.byRole["GUEST"].key, {{"content", "abc"}, {"targets", {xConn}}}).status == 403);
  // Bad bodies: 400 problem+json, like createPost.
  for (const auto& bad : {json::object{{"content", 5}, {"targets", {xConn}}}, json::object{{"content", "abc"}},
                          json::object{{"content", "abc"}, {"targets", {xConn}}, {"surprise", true}}}) {
    auto refused = validate(user, bad);
    INFO(json::serialize(bad) << " → " << refused.body);
    CHECK(refused.status == 400);
    CHECK(refused.header("content-type").rfind("application/problem+json", 0) == 0);
  }
  // "validate" is this route's path, not a post id of /posts/{id}.
  const auto asGet = w.host.get("/api/social-media/posts/validate", user);
  CHECK(asGet.status == 405);
  CHECK(asGet.header("allow") == "POST");
  CHECK(p.x.tweets().empty());
  CHECK(w.host.get("/api/social-media/posts", admin).json().as_array().empty());
}

#endif  // MARKETSAGE_WITH_X && MARKETSAGE_WITH_LINKEDIN
