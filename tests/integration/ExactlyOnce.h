#pragma once
/// What every exactly-once test through the host needs (issue 14): a host configured to settle
/// faults quickly, a connected account, and reading a post's history for how it was settled.
/// The faults themselves are the emulators' shared vocabulary (tests/emulators/common/CreateFaults.h).

#include "CreateFaults.h"
#include "integration/Posting.h"
#include "integration/TestPlatform.h"

#include <algorithm>

namespace harness {

using Fault = marketsage::test::CreateFault;
using marketsage::test::nameOf;
using marketsage::test::shuffledCreateFaults;

/// Quick polls and retries, a short grace (a late create lands within it), a host declared dead
/// after 5 s, no inbound rate limits, and `plugins` settings (give each plugin a short
/// http_timeout_ms, so that a slow answer is a lost one).
inline std::string exactlyOnceConfig(const boost::json::object& plugins, int workers = 4, int graceSeconds = 2,
                                     int waitSeconds = 0) {
  const boost::json::object config{{"publishing",
                                    {{"waitSeconds", waitSeconds},
                                     {"leaseSeconds", 30},
                                     {"retryBaseMillis", 200},
                                     {"pollMillis", 100},
                                     {"workers", workers},
                                     {"reconcileGraceSeconds", graceSeconds},
                                     {"hostTimeoutSeconds", 5}}},
                                   {"rateLimit", {{"enabled", false}}},
                                   {"plugins", plugins}};
  return boost::json::serialize(config);
}

/// Connects `platform` through its consent round trip as `key`; the id of the connection for
/// `accountId` (any account of the platform when empty).
inline std::string connectAccount(World& w, const std::string& key, const std::string& platform,
                                  const std::string& accountId = "") {
  REQUIRE(w.host.get(pathOf(consent(w, key, platform)), "").status == 302);
  const auto all = w.host.get("/api/social-media/connections", key).json();
  for (const auto& c : all.as_array())
    if (str(c, "platform") == platform && (accountId.empty() || str(c, "accountId") == accountId)) return str(c, "id");
  FAIL("no " << platform << " connection for account '" << accountId << "'");
  return {};
}

inline bool hasEvent(const boost::json::value& post, const std::string& event) {
  const auto& history = post.at("history").as_array();
  return std::any_of(history.begin(), history.end(),
                     [&](const boost::json::value& e) { return str(e, "event") == event; });
}

/// Whether the post was published by reconciliation (found at the platform) rather than by an answer.
inline bool foundByReconcile(const boost::json::value& post) {
  const auto& history = post.at("history").as_array();
  return std::any_of(history.begin(), history.end(), [](const boost::json::value& e) {
    return str(e, "event") == "published" && e.at("detail").as_object().contains("reconciled");
  });
}

/// With a host of one worker: posts `content` with a file (`bytes` as `contentType`) the platform
/// will keep processing, then — while it does — a text post, which must go out meanwhile: waiting
/// for the platform holds no worker. Returns the first post once settled.
inline boost::json::value publishWhileProcessing(World& w, const std::string& key, const std::string& connection,
                                                 const std::string& content, const std::string& bytes,
                                                 const std::string& contentType) {
  const auto media = w.host.request("POST", "/api/social-media/media", key, bytes, contentType);
  REQUIRE(media.status == 201);
  const auto slow =
      postJson(w, key, {{"content", content}, {"targets", {connection}}, {"media", {str(media.json(), "id")}}});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto quick = postJson(w, key, {{"content", "Meanwhile"}, {"targets", {connection}}});
  CHECK(str(waitSettled(w, key, str(quick.json(), "id")).at("results").at(0), "status") == "published");
  const auto post = waitSettled(w, key, str(slow.json(), "id"));
  CHECK(hasEvent(post, "processing"));
  return post;
}

}  // namespace harness
