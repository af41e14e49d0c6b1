#include "CreateFaults.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>

namespace marketsage::test {

void CreateFaults::waitForLateCreations() {
  std::vector<std::thread> late;
  {
    std::lock_guard lock(mutex_);
    late.swap(late_);
  }
  for (auto& t : late) t.join();
}

void CreateFaults::push(const std::vector<CreateFault>& faults) {
  std::lock_guard lock(mutex_);
  queue_.insert(queue_.end(), faults.begin(), faults.end());
}

std::optional<CreateFault> CreateFaults::next() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return std::nullopt;
  const auto fault = queue_.front();
  queue_.erase(queue_.begin());
  if (fault == CreateFault::None) return std::nullopt;
  return fault;
}

bool CreateFaults::pending() const {
  std::lock_guard lock(mutex_);
  return !queue_.empty();
}

void CreateFaults::createLater(std::function<void()> create) {
  std::lock_guard lock(mutex_);
  late_.emplace_back([create = std::move(create), delay = lateCreateMs.load()] {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    create();
  });
}

const char* nameOf(CreateFault fault) {
  switch (fault) {
    case CreateFault::DropAfterCreate: return "dropped after create";
    case CreateFault::GatewayTimeout: return "504 after create";
    case CreateFault::SlowAnswer: return "answer too slow";
    case CreateFault::ResetMidAnswer: return "reset mid-answer";
    case CreateFault::RefuseWithoutCreate: return "503, nothing created";
    case CreateFault::LateCreate: return "504, created late";
    default: return "none";
  }
}

std::vector<CreateFault> shuffledCreateFaults(int times, unsigned seed) {
  std::vector<CreateFault> faults;
  for (int i = 0; i < times; ++i)
    for (const auto f : {CreateFault::DropAfterCreate, CreateFault::GatewayTimeout, CreateFault::SlowAnswer,
                         CreateFault::ResetMidAnswer, CreateFault::RefuseWithoutCreate, CreateFault::LateCreate})
      faults.push_back(f);
  std::shuffle(faults.begin(), faults.end(), std::mt19937(seed));
  return faults;
}

void closeWithoutAnswer(Poco::Net::HTTPServerRequest& request) {
  auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
  socket.shutdown();
  socket.close();
}

void resetMidAnswer(Poco::Net::HTTPServerRequest& request) {
  auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
  const std::string half = "HTTP/1.1 201 Cre";
  socket.sendBytes(half.data(), static_cast<int>(half.size()));
  socket.setLinger(true, 0);  // close with a reset, not a FIN
  socket.close();
}

void CreateFaults::afterCreate(CreateFault fault, Poco::Net::HTTPServerRequest& request,
                               const std::function<void()>& answer, const std::function<void()>& gatewayTimeout) {
  switch (fault) {
    case CreateFault::GatewayTimeout: return gatewayTimeout();
    case CreateFault::SlowAnswer:
      std::this_thread::sleep_for(std::chrono::milliseconds(slowAnswerMs.load()));
      return answer();
    case CreateFault::ResetMidAnswer: return resetMidAnswer(request);
    case CreateFault::DropAfterCreate: return closeWithoutAnswer(request);
    default:  // faults that happen before the create are the emulator's to act out
      return answer();
  }
}

}  // namespace marketsage::test
