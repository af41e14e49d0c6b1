#include "core/Log.h"

#include "core/Time.h"

#include <boost/json.hpp>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>

namespace marketsage::log {
namespace {

Level minimumLevel = Level::Info;

/// Lines are appended to a buffer and written by one background thread every 100 ms (or when
/// the buffer grows large, or at once for warnings and errors): a write+flush per request under
/// one lock halved the request rate. At most the last 100 ms of info lines are lost in a crash.
/// Appending takes only the buffer's lock, never held during I/O: the writer swaps the buffer out
/// and writes it under a lock of its own, so a slow disk (writeback throttling while other
/// processes write) stalls the writer, not every request thread that logs.
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
    std::lock_guard output(outputMutex_);
    writeOut();
    output_ = file;
  }

  void append(std::string_view line, bool urgent) {
    bool large = false;
    {
      std::lock_guard lock(mutex_);
      pending_ += line;
      pending_ += '\n';
      large = pending_.size() > 256 * 1024;
    }
    if (urgent) {
      flush();
    } else if (large) {
      wake_.notify_one();
    }
  }

  void flush() {
    std::lock_guard output(outputMutex_);
    writeOut();
  }

 private:
  /// Writes what is pending. outputMutex_ held (it keeps lines in order); mutex_ not held.
  void writeOut() {
    {
      std::lock_guard lock(mutex_);
      if (pending_.empty()) return;
      writing_.swap(pending_);  // pending_ gets the old buffer back: no allocation in steady state
    }
    std::fwrite(writing_.data(), 1, writing_.size(), output_);
    std::fflush(output_);
    writing_.clear();
  }

  void run() {
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::milliseconds(100),
                       [this] { return stopping_ || pending_.size() > 256 * 1024; });
        if (stopping_) break;
      }
      flush();
    }
    flush();
  }

  std::mutex mutex_;  ///< pending_ and stopping_
  std::condition_variable wake_;
  std::string pending_;
  bool stopping_ = false;
  std::mutex outputMutex_;  ///< writing_ and output_
  std::string writing_;
  std::FILE* output_ = stderr;
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

void emit(std::string_view line, bool urgent) { writer().append(line, urgent); }

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
  line["ts"] = timestamp();
  line["level"] = levelName(level);
  line["msg"] = message;
  for (const auto& [key, value] : fields) line[key] = value;
  emit(boost::json::serialize(line), level >= Level::Warn);
}

void writeRaw(std::string_view jsonLine) { emit(jsonLine, false); }

std::string timestamp() {
  thread_local std::int64_t cachedSecond = -1;
  thread_local std::array<char, 32> prefix{};  // "2026-12-02T05:48:11."
  const std::int64_t millis = time::nowMillis();
  const std::int64_t second = millis / 1000;
  if (second != cachedSecond) {
    const auto clock = static_cast<std::time_t>(second);
    std::tm utc{};
    gmtime_r(&clock, &utc);
    std::strftime(prefix.data(), prefix.size(), "%Y-%m-%dT%H:%M:%S.", &utc);
    cachedSecond = second;
  }
  std::array<char, 40> text{};
  std::snprintf(text.data(), text.size(), "%s%03dZ", prefix.data(), static_cast<int>(millis % 1000));
  return text.data();
}

void flush() { writer().flush(); }

}  // namespace marketsage::log
