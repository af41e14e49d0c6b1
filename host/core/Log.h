#pragma once
/// Structured logging: one JSON object per line on stderr (or a file), never holding a secret.
/// Callers pass fields explicitly; nothing here inspects values, so never pass a token.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace marketsage::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

using Field = std::pair<std::string_view, std::string_view>;

/// Sets the minimum level written and, optionally, a file to append to (empty = stderr). [main-thread]
void configure(Level minimum, const std::string& file = {});
Level parseLevel(std::string_view name);

/// Writes one line: {"ts":…,"level":…,"msg":…, fields…}. [thread-safe]
void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::Debug, m, f); }
inline void info(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::Info, m, f); }
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::Warn, m, f); }
inline void error(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::Error, m, f); }

/// Writes an already-built JSON object as one line (the access log). [thread-safe]
void writeRaw(std::string_view jsonLine);

/// The current time as every line's "ts" has it ("2026-12-02T05:48:11.123Z"). Cheap: the date
/// and time of day are formatted once a second per thread. [thread-safe]
std::string timestamp();

/// Writes out every buffered line now (info lines are otherwise written within 100 ms).
void flush();

}  // namespace marketsage::log
