#pragma once
/// Posting through the host's REST API, as every publishing test does it: POST a post, read it
/// back, wait (bounded) until its targets settle, find a connection by account.

#include "integration/World.h"

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace harness {

inline Response postJson(World& w, const std::string& key, const boost::json::object& body,
                         const std::map<std::string, std::string>& headers = {}) {
  return w.host.request("POST", "/api/social-media/posts", key, boost::json::serialize(body), "application/json",
                        headers);
}

inline boost::json::value getPost(World& w, const std::string& key, const std::string& id) {
  auto r = w.host.get("/api/social-media/posts/" + id, key);
  REQUIRE(r.status == 200);
  return r.json();
}

/// Polls the post until no target is queued or publishing (at most 40 s); returns its last view.
inline boost::json::value waitSettled(World& w, const std::string& key, const std::string& id) {
  for (int i = 0; i < 400; ++i) {
    auto post = getPost(w, key, id);
    bool settled = true;
    for (const auto& r : post.at("results").as_array()) {
      const auto status = str(r, "status");
      settled = settled && status != "queued" && status != "publishing";
    }
    if (settled) return post;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("post " << id << " did not settle");
  return {};
}

/// The id of the connection for `accountId` among `connections` (as the connections list shows them).
inline std::string connectionFor(const std::vector<boost::json::value>& connections, const std::string& accountId) {
  for (const auto& c : connections)
    if (str(c, "accountId") == accountId) return str(c, "id");
  FAIL("no connection for account " << accountId);
  return {};
}

}  // namespace harness
