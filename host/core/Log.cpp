#include "core/Log.h"

#include "core/Time.h"

#include <boost/json.hpp>

#include <cstdio>
#include <mutex>

namespace marketsage::log {
namespace {

std::mutex outputMutex;
Level minimumLevel = Level::Info;
std::FILE* output = stderr;

const char* levelName(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}

void emit(const std::string& line) {
  std::lock_guard lock(outputMutex);
  std::fwrite(line.data(), 1, line.size(), output);
  std::fputc('\n', output);
  std::fflush(output);
}

}  // namespace

void configure(Level minimum, const std::string& file) {
  minimumLevel = minimum;
  if (!file.empty()) {
    if (std::FILE* f = std::fopen(file.c_str(), "a")) output = f;
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
  emit(boost::json::serialize(line));
}

void writeRaw(const std::string& jsonLine) { emit(jsonLine); }

}  // namespace marketsage::log
