#include "core/Log.h"

#include "core/Time.h"

#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace marketsage::log {
namespace {

Level minimumLevel = Level::Info;

/// Lines are appended to a buffer and written by one background thread every 100 ms (or when
/// the buffer grows large, or at once for warnings and errors): a write+flush per request under
/// one lock halved the request rate. At most the last 100 ms of info lines are lost in a crash.
class Writer {
 public:
  Writer() : thread_([this] { run(); }) {}
  ~Writer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void setOutput(std::FILE* file) {
    std::lock_guard lock(mutex_);
    drain();
    output_ = file;
  }

  void append(const std::string& line, bool urgent) {
    std::lock_guard lock(mutex_);
    pending_ += line;
    pending_ += '\n';
    if (urgent || pending_.size() > 256 * 1024) drain();
  }

  void flush() {
    std::lock_guard lock(mutex_);
    drain();
  }

 private:
  void drain() {  // mutex_ held
    if (pending_.empty()) return;
    std::fwrite(pending_.data(), 1, pending_.size(), output_);
    std::fflush(output_);
    pending_.clear();
  }

  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds(100));
      drain();
    }
    drain();
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;
  std::FILE* output_ = stderr;
  bool stopping_ = false;
  std::thread thread_;
};

Writer& writer() {
  static Writer instance;
  return instance;
}

const char* levelName(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}

void emit(const std::string& line, bool urgent) { writer().append(line, urgent); }

}  // namespace

void configure(Level minimum, const std::string& file) {
  minimumLevel = minimum;
  if (!file.empty()) {
    if (std::FILE* f = std::fopen(file.c_str(), "a")) writer().setOutput(f);
  }
}

Level parseLevel(std::string_view name) {
  if (name == "debug") return Level::Debug;
  if (name == "warn") return Level::Warn;
  if (name == "error") return Level::Error;
  return Level::Info;
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (level < minimumLevel) return;
  boost::json::object line;
  line["ts"] = time::formatIso8601(time::nowMillis());
  line["level"] = levelName(level);
  line["msg"] = message;
  for (const auto& [key, value] : fields) line[key] = value;
  emit(boost::json::serialize(line), level >= Level::Warn);
}

void writeRaw(const std::string& jsonLine) { emit(jsonLine, false); }

void flush() { writer().flush(); }

}  // namespace marketsage::log
