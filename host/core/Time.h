#pragma once
/// Wall-clock time as milliseconds since the Unix epoch (what the database stores) and its
/// RFC 3339 text form (what the API shows).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace marketsage::time {

/// One day in the unit the database stores (a calendar day in UTC: no leap seconds there).
inline constexpr std::int64_t dayMillis = 24LL * 3600 * 1000;

std::int64_t nowMillis();
/// "2026-11-25T10:00:00.123Z"
std::string formatIso8601(std::int64_t millis);
/// Parses RFC 3339 with a zone ("Z" or "+02:00"); nullopt when malformed.
std::optional<std::int64_t> parseIso8601(std::string_view text);

}  // namespace marketsage::time
