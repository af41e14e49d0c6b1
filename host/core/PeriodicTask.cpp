#include "core/PeriodicTask.h"

#include "core/Errors.h"
#include "core/Log.h"

namespace marketsage {

void PeriodicTask::start(std::chrono::milliseconds interval, std::string what, std::function<void()> pass) {
  if (interval.count() <= 0 || thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval, what = std::move(what), pass = std::move(pass)] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      try {
        pass();
      } catch (const std::exception& e) {
        log::warn(what + " failed", {{"error", describe(e)}});
      }
      lock.lock();
    }
  });
}

void PeriodicTask::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool PeriodicTask::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace marketsage
