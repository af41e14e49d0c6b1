// Exactly once on LinkedIn, through the host over real HTTP with the real `linkedin` plugin and the
// LinkedIn emulator: every kind of lost answer to POST /rest/posts on a company page (which the
// plugin can look up with r_organization_social), LinkedIn's duplicate refusal of a re-send, a
// member's post (which most apps cannot read back: a person decides, and nothing is posted twice),
// and an image LinkedIn is still processing.
#if defined(MARKETSAGE_WITH_LINKEDIN)

#include "LinkedInEmulator.h"
#include "integration/ExactlyOnce.h"

#include <algorithm>
#include <iostream>
#include <random>
#include <thread>

using namespace harness;
namespace json = boost::json;
using emulators::LinkedInApi;

namespace {

const std::string kPage = "urn:li:organization:2414183";
const std::string kMember = std::string("urn:li:person:") + LinkedInApi::memberSub;

/// A 1 s plugin timeout: a slow answer is a lost one.
std::string linkedInConfig(int workers = 4, int graceSeconds = 2) {
  return exactlyOnceConfig(
      {{"linkedin",
        {{"api_version", LinkedInApi::versionMonthsAgo(2)}, {"poll_interval_ms", 100}, {"http_timeout_ms", 1000}}}},
      workers, graceSeconds);
}

std::map<std::string, std::string> linkedInEnv(const LinkedInApi& li) {
  return {{"MARKETSAGE_PLUGIN_PATH", MARKETSAGE_BUNDLED_PLUGIN_DIR},
          {"FIELD_ENCRYPTION_KEY", devKey},
          {"LINKEDIN_API_BASE", li.url()},
          {"LINKEDIN_AUTH_BASE", li.url()},
          {"LINKEDIN_CLIENT_ID", LinkedInApi::clientId},
          {"LINKEDIN_CLIENT_SECRET", LinkedInApi::clientSecret}};
}

/// How often each commentary is live at LinkedIn.
std::map<std::string, int> liveByText(const LinkedInApi& li) {
  std::map<std::string, int> count;
  for (const auto& p : li.posts()) ++count[p.commentary];
  return count;
}

/// The URN LinkedIn has for `commentary`, "" when none.
std::string urnOf(const LinkedInApi& li, const std::string& commentary) {
  for (const auto& p : li.posts())
    if (p.commentary == commentary) return p.urn;
  return {};
}

}  // namespace

TEST_CASE(
    "LinkedIn page: every kind of lost answer, three times each in random order: each post live once, under LinkedIn's "
    "URN",
    "[exactly-once][linkedin]") {
  LinkedInApi li;
  li.addOrganization("2414183", "Acme Robotics");
  li.setSlowAnswerMs(2500);  // past the plugin's 1 s timeout
  li.setLateCreateMs(1000);  // within the 2 s grace
  World w(linkedInEnv(li), linkedInConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto page = connectAccount(w, admin, "linkedin", kPage);

  const auto faults = shuffledCreateFaults(3, 41);
  int found = 0, resent = 0;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const auto text = "Exactly once #" + std::to_string(i) + " (" + nameOf(faults[i]) + ")";
    li.faultNextCreates({faults[i]});
    const auto r = postJson(w, admin, {{"content", text}, {"targets", {page}}});
    REQUIRE((r.status == 201 || r.status == 202));
    const auto post = waitSettled(w, admin, str(r.json(), "id"));  // one at a time: each fault meets its own post
    INFO(nameOf(faults[i]) << ": " << json::serialize(post));
    const auto target = post.at("results").at(0);
    REQUIRE(str(target, "status") == "published");
    const auto urn = urnOf(li, text);
    CHECK(str(target, "postId") == urn);
    CHECK(str(target, "url") == "https://www.linkedin.com/feed/update/" + urn + "/");
    CHECK(hasEvent(post, "outcome_unknown"));
    CHECK(!hasEvent(post, "retry"));  // never sent again blindly
    if (faults[i] == Fault::RefuseWithoutCreate) {
      CHECK(hasEvent(post, "reconciled_not_found"));
      CHECK(!foundByReconcile(post));
      ++resent;
    } else {
      CHECK(foundByReconcile(post));
      CHECK(!hasEvent(post, "reconciled_not_found"));
      ++found;
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // a late create would land by now
  const auto live = liveByText(li);
  for (const auto& [text, times] : live) {
    INFO(text);
    CHECK(times == 1);  // zero duplicates
  }
  CHECK(live.size() == faults.size());  // zero losses
  std::cout << "LinkedIn exactly once: " << faults.size() << " faults injected on POST /rest/posts, " << found
            << " found by reconciliation, " << resent << " sent again after not_found; " << li.posts().size()
            << " posts live for " << faults.size() << " posts, duplicates 0, losses " << faults.size() - live.size()
            << "\n";
}

TEST_CASE("LinkedIn page: a re-send refused as a duplicate is a cue to look again, never a failure or a second post",
          "[exactly-once][linkedin]") {
  LinkedInApi li;
  li.addOrganization("2414183", "Acme Robotics");
  li.setFinderLagMs(3000);  // LinkedIn lists the lost post only 3 s later: the first look misses it
  World w(linkedInEnv(li), linkedInConfig(4, 1));
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto page = connectAccount(w, admin, "linkedin", kPage);
  li.faultNextCreates({Fault::GatewayTimeout});
  const auto r = postJson(w, admin, {{"content", "Said once, even when LinkedIn lists it late"}, {"targets", {page}}});
  const auto post = waitSettled(w, admin, str(r.json(), "id"));
  INFO(json::serialize(post));
  const auto target = post.at("results").at(0);
  CHECK(str(target, "status") == "published");
  REQUIRE(li.posts().size() == 1);
  CHECK(str(target, "postId") == li.posts().front().urn);
  CHECK(hasEvent(post, "reconciled_not_found"));
  bool refusedAsDuplicate = false;
  for (const auto& e : post.at("history").as_array())
    if (str(e, "event") == "outcome_unknown" &&
        json::serialize(e.at("detail")).find("duplicate of " + li.posts().front().urn) != std::string::npos)
      refusedAsDuplicate = true;
  CHECK(refusedAsDuplicate);
  CHECK(foundByReconcile(post));
}

TEST_CASE("LinkedIn member: an unknown outcome needs review (the app cannot read member posts), never a second post",
          "[exactly-once][linkedin]") {
  LinkedInApi li;
  World w(linkedInEnv(li), linkedInConfig());
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto user = w.a.byRole["USER"].key;
  const auto member = connectAccount(w, admin, "linkedin", kMember);
  li.faultNextCreates({Fault::DropAfterCreate, Fault::RefuseWithoutCreate});
  const auto first = postJson(w, admin, {{"content", "Maybe posted"}, {"targets", {member}}});
  auto a = waitSettled(w, admin, str(first.json(), "id"));
  const auto second = postJson(w, admin, {{"content", "Maybe not"}, {"targets", {member}}});
  auto b = waitSettled(w, admin, str(second.json(), "id"));
  INFO(json::serialize(a) << "\n" << json::serialize(b));
  for (const auto* post : {&a, &b}) {
    const auto target = post->at("results").at(0);
    CHECK(str(target, "status") == "needs_review");
    CHECK(str(target, "error").find("r_member_social") != std::string::npos);
    CHECK(hasEvent(*post, "outcome_unknown"));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(liveByText(li) == std::map<std::string, int>{{"Maybe posted", 1}});  // created once, never again

  // A person checks the member's activity: the first is there, the second is not.
  const auto resolve = [&](const json::value& post) {
    return "/api/social-media/posts/" + str(post, "id") + "/targets/" + str(post.at("results").at(0), "targetId") +
           "/resolve";
  };
  const auto urn = urnOf(li, "Maybe posted");
  const auto resolved = w.host.post(resolve(a), user, {{"outcome", "published"}, {"postId", urn}});
  REQUIRE(resolved.status == 200);
  CHECK(str(resolved.json().at("results").at(0), "postId") == urn);
  REQUIRE(w.host.post(resolve(b), user, {{"outcome", "retry"}}).status == 200);
  b = waitSettled(w, admin, str(b, "id"));
  CHECK(str(b.at("results").at(0), "status") == "published");
  CHECK(liveByText(li) == std::map<std::string, int>{{"Maybe not", 1}, {"Maybe posted", 1}});
}

TEST_CASE(
    "LinkedIn: an image LinkedIn is still processing holds no worker; the target shows processing and is published "
    "once",
    "[exactly-once][linkedin][processing]") {
  LinkedInApi li;
  li.addOrganization("2414183", "Acme Robotics");
  li.setProcessingPolls(3, 3);
  World w(linkedInEnv(li), linkedInConfig(1));  // a single worker
  const auto admin = w.a.byRole["ADMIN"].key;
  const auto page = connectAccount(w, admin, "linkedin", kPage);
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x08\0\0\0\x08\x08\x06\0\0\0", 29);
  png += std::string(2000, 'x');
  const auto post = publishWhileProcessing(w, admin, page, "With a picture", png, "image/png");
  INFO(json::serialize(post));
  const auto target = post.at("results").at(0);
  CHECK(str(target, "status") == "published");
  CHECK(target.at("attempts").as_int64() == 1);
  CHECK(str(target, "postId") == urnOf(li, "With a picture"));
  int initializations = 0;
  for (const auto& line : li.requests())
    initializations += line.find("/rest/images?action=initializeUpload") != std::string::npos;
  CHECK(initializations == 1);  // uploaded once, looked at until AVAILABLE
  CHECK(li.statusPolls() == 4);
  CHECK(liveByText(li).size() == 2);
}

#endif  // MARKETSAGE_WITH_LINKEDIN
