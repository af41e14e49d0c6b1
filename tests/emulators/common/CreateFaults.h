// Faults of a platform's "create a post" call, for the exactly-once tests (issue 14): what the
// network and a platform's gateways do to a request the platform may or may not have acted on.
// One queue per emulator; the emulator's create handler asks `next()` and acts the fault out
// around its own create. Shared by every emulator, so each platform meets the same faults.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace marketsage::test {

enum class CreateFault {
  None,                 ///< answered normally (to place a fault on a later create)
  DropAfterCreate,      ///< creates the post, closes the connection without an answer
  GatewayTimeout,       ///< creates the post, answers 504 as a gateway would
  SlowAnswer,           ///< creates the post, answers after slowAnswerMs (past the caller's timeout)
  ResetMidAnswer,       ///< creates the post, sends half a status line, then resets the connection
  RefuseWithoutCreate,  ///< answers 503 and creates nothing
  LateCreate,           ///< answers 504 at once, creates the post lateCreateMs later
};

/// A short name for test messages: "dropped after create", "504 after create", …
const char* nameOf(CreateFault fault);

/// Every fault that can meet a create (all but None), `times` times each, shuffled the same way
/// on every run for one `seed`.
std::vector<CreateFault> shuffledCreateFaults(int times, unsigned seed);

/// Closes the request's connection without an answer (the request may have been acted on).
void closeWithoutAnswer(Poco::Net::HTTPServerRequest& request);
/// Sends half a status line, then resets the connection.
void resetMidAnswer(Poco::Net::HTTPServerRequest& request);

class CreateFaults {
 public:
  ~CreateFaults() { waitForLateCreations(); }
  /// Joins the late creations still pending; an emulator calls it first in its destructor, while
  /// the state they write to still exists.
  void waitForLateCreations();

  /// The next creates (one each, in order) meet these faults.
  void push(const std::vector<CreateFault>& faults);
  /// The fault of this create (consumed), or nullopt for a normal answer.
  std::optional<CreateFault> next();
  bool pending() const;

  std::atomic<int> slowAnswerMs{3000};
  std::atomic<int> lateCreateMs{1500};

  /// Runs `create` lateCreateMs from now on its own thread (LateCreate: the platform acts on a
  /// request its gateway already gave up on).
  void createLater(std::function<void()> create);

  /// Acts out a fault that happens after the post was created (DropAfterCreate, GatewayTimeout,
  /// SlowAnswer, ResetMidAnswer): `answer` sends the normal answer (SlowAnswer calls it late);
  /// `gatewayTimeout` sends the platform's 504.
  void afterCreate(CreateFault fault, Poco::Net::HTTPServerRequest& request, const std::function<void()>& answer,
                   const std::function<void()>& gatewayTimeout);

 private:
  mutable std::mutex mutex_;
  std::vector<CreateFault> queue_;
  std::vector<std::thread> late_;
};

}  // namespace marketsage::test
