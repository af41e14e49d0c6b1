#pragma once
/// The publishing engine. submit() validates a post through each target's plugin and stores it
/// with one queued target per connection; a dispatcher thread claims due targets from the
/// database (so scheduled work survives restarts and is shared by hosts) and hands them to a
/// fixed pool of workers, each of which publishes one target through its plugin and stores the
/// outcome: published, retried later (rate limit, transient error), failed, or needs_review.

#include "config/Config.h"
#include "oauth/TokenRefresher.h"
#include "plugins/PluginRegistry.h"
#include "publishing/Post.h"
#include "publishing/TargetQueue.h"
#include "store/Database.h"
#include "tenants/Directory.h"
#include "tenants/Model.h"
#include "vault/TokenVault.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace marketsage::publishing {

struct TargetContext;
struct SendResult;

/// A post request as the REST API received it (already type-checked).
struct PostRequest {
  std::string content;
  std::optional<std::string> link;
  std::vector<std::string> platforms;  ///< every active connection on these platforms
  std::vector<std::string> targets;    ///< connection ids
  std::vector<std::string> media;      ///< media ids of the organization's library
  std::optional<std::int64_t> scheduledAt;
  boost::json::object options;  ///< per platform id
};

/// How one target of a post fares against its platform's limits: what submit() decides before
/// anything is stored (a refused target is stored as failed), and what validate() answers.
struct TargetValidation {
  std::string connectionId, platform, accountName;
  bool ok = true;
  std::string error, errorKind;               ///< when refused: the one-line reason and its kind
  boost::json::array issues;                  ///< {"field": string|null, "message"}: the plugin's, or the refusal
  std::optional<boost::json::object> length;  ///< {"used","limit","unit"?}: when the plugin counted the text
};

class Publisher {
 public:
  Publisher(const config::Config& config, store::Database& db, tenants::Directory& directory,
            const vault::TokenVault& vault, const plugins::PluginRegistry& plugins, oauth::TokenRefresher& refresher);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  /// Resolves the targets (404 for a connection or media id not in this organization, 400 for
  /// none at all), validates the content per target (a refused target is stored as failed with
  /// the plugin's issues; the others go on), stores the post and wakes the dispatcher.
  Post submit(tenants::TenantStore& tenant, const tenants::Actor& actor, const PostRequest& request,
              const std::optional<std::string>& idempotencyKey, const std::string& requestHash);

  /// What submit() would decide for each target, storing nothing and calling no platform (a
  /// plugin's validate is offline): the same 404/400 for targets and media, and the same request
  /// to each plugin.
  std::vector<TargetValidation> validate(tenants::TenantStore& tenant, const PostRequest& request);

  /// Waits until no target of the post is queued-and-due or publishing, or `timeout` passes.
  /// True when settled. Works whichever host publishes (it polls the database).
  bool waitSettled(tenants::TenantStore& tenant, const std::string& postId, std::chrono::milliseconds timeout);

  /// What a deletion left live at a platform: the target, the ids of its parts still there
  /// (every part of a thread is deleted separately) and why.
  struct NotDeleted {
    Target target;
    std::vector<std::string> postIds;
    std::string error;
  };
  /// Cancels the post's queued targets and deletes, where the plugin can, every part the host
  /// published (also the live parts of a thread that failed half way), replies before the post
  /// they answer. Returns what is still live.
  std::vector<NotDeleted> withdraw(tenants::TenantStore& tenant, const tenants::Actor& actor, const Post& post);

  void start();
  void stop();
  /// New due work: look now instead of at the next poll.
  void wake();

 private:
  void dispatchLoop();
  void workerLoop();
  /// Records the outcomes the workers queue, many per transaction, until stop() has drained them.
  void writeLoop();
  void record(const std::vector<std::pair<ClaimedTarget, Outcome>>& outcomes);
  void publish(const ClaimedTarget& claimed);
  /// Loads the target's context, sends it to its platform and decides what the reply means.
  Outcome attempt(const ClaimedTarget& claimed);
  /// Asks the platform whether an attempt of unknown outcome created the post (MS_EXT_RECONCILE).
  Outcome reconcile(const ClaimedTarget& claimed);
  /// What a claimed target works with: its organization, connection, post and plugin.
  TargetContext loadContext(const ClaimedTarget& claimed);
  /// Uploads the post's media, then publishes it; a token that cannot be made fresh ends it.
  SendResult send(TargetContext& context);
  /// Uploads the media not uploaded by an earlier attempt, noting each platform media id.
  void uploadMedia(TargetContext& context, boost::json::object& request, SendResult& sent);
  /// Asks the platform whether the post exists; a token that cannot be made fresh is an answer
  /// too (transient: ask again later, otherwise: a person looks).
  plugins::CallResult lookUp(TargetContext& context, const boost::json::object& request);
  /// Calls the target's plugin with the connection's (fresh) token.
  plugins::CallResult callPlugin(TargetContext& context, plugins::Operation operation,
                                 const boost::json::object& request);
  /// What an attempt tells about its connection: it works, its token is refused, or the
  /// platform throttles it (its other queued targets wait too).
  void noteConnectionState(TargetContext& context, const plugins::CallResult& result, const Outcome& outcome,
                           std::int64_t now);

  const config::Config& config_;
  store::Database& db_;
  tenants::Directory& directory_;
  const vault::TokenVault& vault_;
  const plugins::PluginRegistry& plugins_;
  oauth::TokenRefresher& refresher_;
  TargetQueue queue_;
  std::mutex mutex_;
  std::condition_variable wakeDispatcher_, wakeWorkers_, settled_;
  std::deque<ClaimedTarget> ready_;
  int busy_ = 0;
  bool stopping_ = false;
  bool wakeRequested_ = false;
  bool backlog_ = false;  ///< the last claim was full: more targets may be due now
  std::thread dispatcher_;
  std::vector<std::thread> workers_;
  /// Outcomes not yet recorded (their rows still say publishing, under this host's lease).
  std::mutex outcomesMutex_;
  std::condition_variable wakeWriter_;
  std::deque<std::pair<ClaimedTarget, Outcome>> outcomes_;
  bool writerStopping_ = false;
  std::thread writer_;
};

}  // namespace marketsage::publishing
