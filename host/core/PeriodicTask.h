#pragma once
/// A background pass run every interval on a thread of its own (the token refresher's and the
/// analytics snapshot taker's loops): the first pass one interval after start(), a pass that
/// throws is logged and the next runs on time, stop() wakes the wait and joins.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace marketsage {

class PeriodicTask {
 public:
  PeriodicTask() = default;
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;
  ~PeriodicTask() { stop(); }

  /// Starts the loop; does nothing when `interval` is not positive or it already runs. `what`
  /// names the pass in the warning logged when it throws.
  void start(std::chrono::milliseconds interval, std::string what, std::function<void()> pass);
  /// Ends the loop after the pass in progress, if any. Idempotent.
  void stop();
  /// True once stop() was called: a long pass checks it between its parts to end early.
  bool stopping();

 private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace marketsage
