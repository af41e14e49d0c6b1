// Pieces of the media library and the publishing engine that need no server: type sniffing,
// signed media URLs, a post's overall status from its targets, and what a platform's reply means
// for a target (classify, classifyLookup).
#include "core/Random.h"
#include "media/MediaStore.h"
#include "media/MediaType.h"
#include "publishing/Classify.h"
#include "publishing/Post.h"
#include "vault/KeyRing.h"
#include "vault/TokenVault.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace marketsage;

namespace {
std::optional<media::MediaType> sniffText(const std::string& bytes) {
  return media::sniff(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}
}  // namespace

TEST_CASE("media types come from the bytes, with the pixel size where the header has it", "[media]") {
  const auto png = sniffText(std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x04\x38\0\0\x05\x46", 24));
  REQUIRE(png);
  CHECK(png->mimeType == "image/png");
  CHECK(*png->width == 1080);
  CHECK(*png->height == 1350);
  const auto gif = sniffText(std::string("GIF89a\x40\x01\xF0\x00", 10));
  REQUIRE(gif);
  CHECK(gif->kind == "gif");
  CHECK(*gif->width == 320);
  CHECK(*gif->height == 240);
  const auto mp4 =
      sniffText(std::string("\0\0\0\x20"
                            "ftypisom\0\0\x02\0",
                            16));
  REQUIRE(mp4);
  CHECK(mp4->mimeType == "video/mp4");
  CHECK(mp4->kind == "video");
  CHECK(sniffText(std::string("\0\0\0\x14"
                              "ftypqt  ",
                              12))
            ->mimeType == "video/quicktime");
  CHECK(sniffText("%PDF-1.7\n")->kind == "document");
  const auto webp = sniffText(std::string("RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0\x37\x04\0\x45\x05\0", 30));
  REQUIRE(webp);
  CHECK(*webp->width == 1080);
  CHECK(*webp->height == 1350);
  CHECK_FALSE(sniffText("<svg xmlns='http://www.w3.org/2000/svg'/>"));
  CHECK_FALSE(sniffText("MZ\x90\0"));
  CHECK_FALSE(sniffText(""));
}

TEST_CASE("signed media URLs: only the signature of that item, organization and expiry opens the file", "[media]") {
  const auto bytes = random::bytes(32);
  vault::TokenVault vault{vault::KeyRing(bytes)};
  media::MediaItem item;
  item.id = "m-1";
  item.organizationId = "org-a";
  const auto expires = std::int64_t{4102444800000};  // 2100-01-01
  const auto url = media::signedUrl("https://host.example/", vault, item, expires);
  CHECK(url.rfind("https://host.example/media/m-1?expires=4102444800000&signature=", 0) == 0);
  const auto signature = url.substr(url.find("signature=") + 10);
  CHECK(media::verifySignedUrl(vault, item, expires, signature));
  CHECK_FALSE(media::verifySignedUrl(vault, item, expires + 1, signature));  // another expiry
  auto other = item;
  other.organizationId = "org-b";
  CHECK_FALSE(media::verifySignedUrl(vault, other, expires, signature));  // another organization's key
  other = item;
  other.id = "m-2";
  CHECK_FALSE(media::verifySignedUrl(vault, other, expires, signature));  // another item
  CHECK_FALSE(media::verifySignedUrl(vault, item, 1000, vault.sign("org-a", "media-url", "m-1\n1000")));  // expired
  vault::TokenVault otherKey{vault::KeyRing(random::bytes(32))};
  CHECK_FALSE(media::verifySignedUrl(otherKey, item, expires, signature));
}

TEST_CASE("a post's status sums up its targets", "[publishing]") {
  using namespace publishing;
  Post post;
  const auto target = [](const char* status, std::int64_t dueAt = 0, std::int64_t attempts = 0) {
    Target t;
    t.status = status;
    t.dueAt = dueAt;
    t.attempts = attempts;
    return t;
  };
  post.scheduledAt = 5000;
  post.targets = {target("queued", 5000), target("queued", 5000)};
  CHECK(overallStatus(post, 1000) == "scheduled");
  CHECK(overallStatus(post, 6000) == "publishing");
  post.targets = {target("published"), target("failed")};
  CHECK(overallStatus(post, 0) == "partially_published");
  post.targets = {target("published"), target("needs_review")};
  CHECK(overallStatus(post, 0) == "needs_review");
  post.targets = {target("failed"), target("failed")};
  CHECK(overallStatus(post, 0) == "failed");
  post.targets = {target("cancelled")};
  CHECK(overallStatus(post, 0) == "cancelled");
  post.targets = {target("deleted"), target("failed")};
  CHECK(overallStatus(post, 0) == "deleted");
  post.targets = {target("published"), target("queued", 9000, 1)};  // a retry waiting
  CHECK(overallStatus(post, 0) == "publishing");
  CHECK(isSettled("needs_review"));
  CHECK_FALSE(isSettled("publishing"));
}

namespace {
using plugins::ErrorKind;
constexpr std::int64_t now = 1'000'000'000;
constexpr const char* uploaded = R"({"media":{"m1":"pm1"}})";

/// One plugin reply to an attempt and the outcome the host must store for it (times relative to
/// now; the attempt began 3 s ago; maxAttempts 5, retryBaseMillis 2000, reconcileGraceSeconds 10).
struct AttemptCase {
  const char* name;
  ErrorKind kind = ErrorKind::Ok;
  const char* message = "";
  int retryAfterSeconds = 0;
  const char* reply = "{}";
  std::optional<int> processingSeconds{};  ///< from the media uploads
  std::optional<std::int64_t> attempts{};  ///< this many tries, counting this one; none: 1 and maxAttempts alike
  const char* status = "";
  const char* event = "";
  std::optional<std::string> errorKind{}, error{};
  std::optional<std::int64_t> due{}, reconcileAfter{};
  bool uncounted = false;
  std::optional<std::string> postId{};
  std::optional<std::string> progress = uploaded;
};

// clang-format off
const AttemptCase attemptCases[] = {
    {.name = "ok with a post id", .reply = R"({"postId":"p1","url":"https://x.example/p1"})", .status = "published",
     .event = "published", .postId = "p1"},
    {.name = "ok with thread parts live", .reply = R"({"postId":"p1","postIds":["p1","p2"]})", .status = "published",
     .event = "published", .postId = "p1", .progress = R"({"media":{"m1":"pm1"},"postIds":["p1","p2"]})"},
    {.name = "ok without a post id", .status = "needs_review", .event = "needs_review", .errorKind = "plugin_fault",
     .error = "the plugin reported success without a post id"},
    {.name = "pending with seconds and resume state",
     .reply = R"({"pending":{"retryAfterSeconds":30,"stage":"transcoding","resume":{"container":"c1"}}})",
     .status = "queued", .event = "processing", .due = 30'000, .uncounted = true,
     .progress = R"({"media":{"m1":"pm1"},"container":"c1"})"},
    {.name = "pending without seconds", .reply = R"({"pending":{}})", .status = "queued", .event = "processing",
     .due = 5'000, .uncounted = true},
    {.name = "pending beyond an hour", .reply = R"({"pending":{"retryAfterSeconds":99999}})", .status = "queued",
     .event = "processing", .due = 3'600'000, .uncounted = true},
    {.name = "upload still processing", .reply = R"({"platformMediaId":"pm2"})", .processingSeconds = 7,
     .status = "queued", .event = "processing", .due = 7'000, .uncounted = true},
    {.name = "upload processing wins over a pending reply", .reply = R"({"pending":{"retryAfterSeconds":60}})",
     .processingSeconds = 7, .status = "queued", .event = "processing", .due = 7'000, .uncounted = true},
    {.name = "invalid input", .kind = ErrorKind::InvalidInput, .message = "text too long", .status = "failed",
     .event = "failed", .errorKind = "invalid_input", .error = "text too long"},
    {.name = "auth expired", .kind = ErrorKind::AuthExpired, .message = "token expired", .status = "failed",
     .event = "failed", .errorKind = "auth_expired",
     .error = "the token expired; reconnect the account: token expired"},
    {.name = "auth invalid", .kind = ErrorKind::AuthInvalid, .message = "revoked", .status = "failed",
     .event = "failed", .errorKind = "auth_invalid",
     .error = "the platform refused the token; reconnect the account: revoked"},
    {.name = "rate limited with retryAfter", .kind = ErrorKind::RateLimited, .message = "slow down",
     .retryAfterSeconds = 120, .status = "queued", .event = "rate_limited", .errorKind = "rate_limited",
     .error = "slow down", .due = 120'000},
    {.name = "rate limited without retryAfter", .kind = ErrorKind::RateLimited, .message = "slow down",
     .status = "queued", .event = "rate_limited", .errorKind = "rate_limited", .error = "slow down", .due = 60'000},
    {.name = "transient: backoff", .kind = ErrorKind::Transient, .message = "503", .attempts = 2, .status = "queued",
     .event = "retry", .errorKind = "transient", .error = "503", .due = 4'000},
    {.name = "transient: retryAfter longer than the backoff", .kind = ErrorKind::Transient, .message = "503",
     .retryAfterSeconds = 10, .attempts = 2, .status = "queued", .event = "retry", .errorKind = "transient",
     .error = "503", .due = 10'000},
    {.name = "transient below maxAttempts", .kind = ErrorKind::Transient, .message = "503", .attempts = 4,
     .status = "queued", .event = "retry", .errorKind = "transient", .error = "503", .due = 8'000},
    {.name = "transient at maxAttempts", .kind = ErrorKind::Transient, .message = "503", .attempts = 5,
     .status = "failed", .event = "failed", .errorKind = "transient", .error = "gave up after 5 attempts: 503"},
    {.name = "transient with a pending reply is no processing", .kind = ErrorKind::Transient, .message = "503",
     .reply = R"({"pending":{"retryAfterSeconds":30}})", .attempts = 1, .status = "queued", .event = "retry",
     .errorKind = "transient", .error = "503", .due = 2'000},
    {.name = "permanent", .kind = ErrorKind::Permanent, .message = "account suspended", .status = "failed",
     .event = "failed", .errorKind = "permanent", .error = "account suspended"},
    {.name = "permanent without a message", .kind = ErrorKind::Permanent, .status = "failed", .event = "failed",
     .errorKind = "permanent", .error = "permanent"},
    {.name = "permanent half way through a thread", .kind = ErrorKind::Permanent, .message = "part 2 refused",
     .reply = R"({"postIds":["p1"]})", .status = "failed", .event = "failed", .errorKind = "permanent",
     .error = "part 2 refused", .progress = R"({"media":{"m1":"pm1"},"postIds":["p1"]})"},
    {.name = "not supported", .kind = ErrorKind::NotSupported, .message = "no video here", .status = "failed",
     .event = "failed", .errorKind = "not_supported", .error = "no video here"},
    {.name = "outcome unknown: looked up after the grace", .kind = ErrorKind::OutcomeUnknown, .message = "timed out",
     .status = "publishing", .event = "outcome_unknown", .errorKind = "outcome_unknown", .error = "timed out",
     .reconcileAfter = 7'000},
    {.name = "plugin fault", .kind = ErrorKind::PluginFault, .message = "crashed", .status = "failed",
     .event = "failed", .errorKind = "plugin_fault", .error = "crashed"},
};
// clang-format on

/// One reply to a lookup of an attempt of unknown outcome and the outcome to store.
struct LookupCase {
  const char* name;
  std::int64_t attemptedAgo = 3'000;  ///< the grace period is 10 s
  std::int64_t attempts = 1;
  std::size_t parts = 1;
  ErrorKind kind = ErrorKind::Ok;
  const char* message = "";
  int retryAfterSeconds = 0;
  const char* reply = "{}";
  const char* status = "";
  const char* event = "";
  std::optional<std::string> errorKind{}, error{};
  std::optional<std::int64_t> due{}, reconcileAfter{};
  std::optional<std::string> postId{}, progress{};
};

const std::string cannotTell = "the platform cannot tell whether the post exists: ";

// clang-format off
const LookupCase lookupCases[] = {
    {.name = "transient: again after a quarter of the time since", .attemptedAgo = 20'000, .kind = ErrorKind::Transient,
     .message = "503", .reply = "null", .status = "publishing", .event = "reconcile_later", .reconcileAfter = 5'000},
    {.name = "transient: again after 2 s at least", .kind = ErrorKind::Transient, .message = "503", .reply = "null",
     .status = "publishing", .event = "reconcile_later", .reconcileAfter = 2'000},
    {.name = "rate limited: again after retryAfter", .attemptedAgo = 20'000, .kind = ErrorKind::RateLimited,
     .retryAfterSeconds = 30, .status = "publishing", .event = "reconcile_later", .reconcileAfter = 30'000},
    {.name = "transient for a day", .attemptedAgo = 172'800'000, .kind = ErrorKind::Transient, .message = "503",
     .status = "needs_review", .event = "needs_review", .errorKind = "outcome_unknown",
     .error = "the platform could not be asked for a day: 503"},
    {.name = "lookup failed", .kind = ErrorKind::Permanent, .message = "boom", .status = "needs_review",
     .event = "needs_review", .errorKind = "outcome_unknown", .error = "looking the post up failed: boom"},
    {.name = "lookup refused the token", .kind = ErrorKind::AuthInvalid, .status = "needs_review",
     .event = "needs_review", .errorKind = "outcome_unknown", .error = "looking the post up failed: auth_invalid"},
    {.name = "found", .reply = R"({"outcome":"found","postId":"p1","url":"https://x.example/p1"})",
     .status = "published", .event = "published", .postId = "p1", .progress = uploaded},
    {.name = "found every part of a thread", .parts = 2, .reply = R"({"outcome":"found","postIds":["a","b"]})",
     .status = "published", .event = "published", .postId = "a",
     .progress = R"({"media":{"m1":"pm1"},"postIds":["a","b"]})"},
    {.name = "part of a thread found within the grace", .parts = 3, .reply = R"({"outcome":"found","postIds":["a"]})",
     .status = "publishing", .event = "reconcile_later", .reconcileAfter = 7'000},
    {.name = "not found within the grace", .reply = R"({"outcome":"not_found"})", .status = "publishing",
     .event = "reconcile_later", .reconcileAfter = 7'000},
    {.name = "not found after the grace", .attemptedAgo = 20'000, .attempts = 2, .reply = R"({"outcome":"not_found"})",
     .status = "queued", .event = "reconciled_not_found", .due = 0, .progress = uploaded},
    {.name = "part of a thread found after the grace", .attemptedAgo = 20'000, .attempts = 4, .parts = 3,
     .reply = R"({"outcome":"found","postIds":["a"]})", .status = "queued", .event = "reconciled_not_found", .due = 0,
     .progress = R"({"media":{"m1":"pm1"},"postIds":["a"]})"},
    {.name = "not found after the grace at maxAttempts", .attemptedAgo = 20'000, .attempts = 5,
     .reply = R"({"outcome":"not_found"})", .status = "needs_review", .event = "needs_review",
     .errorKind = "outcome_unknown", .error = "sent 5 times without a clear answer and not found at the platform;"
                                              " check the account before publishing it again"},
    {.name = "the platform cannot tell", .reply = R"({"outcome":"unknown","reason":"no search API"})",
     .status = "needs_review", .event = "needs_review", .errorKind = "outcome_unknown",
     .error = cannotTell + "no search API"},
    {.name = "no answer", .status = "needs_review", .event = "needs_review", .errorKind = "outcome_unknown",
     .error = cannotTell + "the plugin answered nothing"},
    {.name = "an answer the host does not know", .reply = R"({"outcome":"maybe"})", .status = "needs_review",
     .event = "needs_review", .errorKind = "outcome_unknown", .error = cannotTell + "the plugin answered maybe"},
};
// clang-format on

std::optional<std::int64_t> fromNow(const std::optional<std::int64_t>& millis) {
  return millis ? std::optional<std::int64_t>(now + *millis) : std::nullopt;
}
std::optional<boost::json::value> parsed(const std::optional<std::string>& text) {
  return text ? std::optional<boost::json::value>(boost::json::parse(*text)) : std::nullopt;
}

/// The plugin's reply of a row (an AttemptCase or a LookupCase).
template <class Row>
plugins::CallResult replyOf(const Row& row) {
  plugins::CallResult result;
  result.kind = row.kind;
  result.message = row.message;
  result.retryAfterSeconds = row.retryAfterSeconds;
  result.json = boost::json::parse(row.reply);
  return result;
}

/// Checks what both tables expect of an outcome.
template <class Row>
void checkOutcome(const publishing::Outcome& outcome, const Row& row) {
  CHECK(outcome.status == row.status);
  CHECK(outcome.event == row.event);
  CHECK(outcome.errorKind == row.errorKind);
  CHECK(outcome.error == row.error);
  CHECK(outcome.dueAt == fromNow(row.due).value_or(0));
  CHECK(outcome.reconcileAfter == fromNow(row.reconcileAfter));
  CHECK(outcome.platformPostId == row.postId);
  CHECK(parsed(outcome.progress) == parsed(row.progress));
}
}  // namespace

TEST_CASE("an attempt's reply decides its target's outcome", "[publishing]") {
  const auto& row = GENERATE(from_range(std::begin(attemptCases), std::end(attemptCases)));
  INFO(row.name);
  publishing::SendResult sent;
  sent.result = replyOf(row);
  sent.progress = boost::json::parse(uploaded).as_object();
  sent.processingSeconds = row.processingSeconds;
  const config::PublishingConfig config;  // maxAttempts 5, retryBaseMillis 2000, reconcileGraceSeconds 10
  publishing::Target target;
  target.attempts = row.attempts.value_or(GENERATE(1, 5));  // a row without attempts: first try and last alike
  target.attemptStartedAt = now - 3'000;
  const auto backoff = [](int baseMillis, std::int64_t attempt) { return baseMillis * attempt; };

  const auto outcome = publishing::classify(sent, target, config, now, backoff);
  checkOutcome(outcome, row);
  CHECK(outcome.uncounted == row.uncounted);
}

TEST_CASE("looking up an attempt of unknown outcome decides its target's outcome", "[publishing]") {
  const auto& row = GENERATE(from_range(std::begin(lookupCases), std::end(lookupCases)));
  INFO(row.name);
  const auto result = replyOf(row);
  publishing::Target target;
  target.attempts = row.attempts;
  target.attemptStartedAt = now - row.attemptedAgo;
  const config::PublishingConfig config;
  const auto progress = boost::json::parse(uploaded).as_object();

  const auto outcome = publishing::classifyLookup(result, target, progress, row.parts, config, now);
  checkOutcome(outcome, row);
}
