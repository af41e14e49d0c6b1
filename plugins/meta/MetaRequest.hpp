// Shared by the facebook and instagram plugins (compiled into each, never a library): the host
// table, reading and bounding the request JSON, RFC 3339 times, and validation issues.
#ifndef MARKETSAGE_META_REQUEST_HPP
#define MARKETSAGE_META_REQUEST_HPP

#include <marketsage/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace marketsage::meta {

using sdk::Error;
using sdk::Json;

/// The host table given to init(); written once on the main thread, only read afterwards.
inline sdk::Host host;

/// No token, code, id or URL a client sends legitimately is longer than this.
inline constexpr std::size_t kMaxShortText = 4096;
/// Longer than any caption either platform accepts, so validate reports the limit itself.
inline constexpr std::size_t kMaxContentBytes = 1 << 20;

/// The number at `pointer`, nullopt when absent; INVALID_INPUT when present but not a number.
inline std::optional<double> optionalNumber(std::string_view json, const std::string& pointer) {
  const auto value = host.get(json, pointer.c_str());
  if (!value.present() || value.type == MS_JSON_NULL) return std::nullopt;
  if (value.type != MS_JSON_NUMBER) throw Error(MS_ERR_INVALID_INPUT, pointer + " must be a number");
  try {
    return std::stod(value.text);
  } catch (...) {
    throw Error(MS_ERR_INVALID_INPUT, pointer + " is not a usable number");
  }
}

/// The boolean at `pointer`, `fallback` when absent; INVALID_INPUT when of another type.
inline bool optionalBool(std::string_view json, const std::string& pointer, bool fallback) {
  const auto value = host.get(json, pointer.c_str());
  if (!value.present() || value.type == MS_JSON_NULL) return fallback;
  if (value.type != MS_JSON_BOOL) throw Error(MS_ERR_INVALID_INPUT, pointer + " must be true or false");
  return value.text == "true";
}

/// Number of elements of the optional array at `pointer`; INVALID_INPUT when not an array.
inline std::size_t optionalArraySize(std::string_view json, const std::string& pointer, std::size_t max) {
  const auto type = host.get(json, pointer.c_str()).type;
  if (type == MS_JSON_NONE || type == MS_JSON_NULL) return 0;
  if (type != MS_JSON_ARRAY) throw Error(MS_ERR_INVALID_INPUT, pointer + " must be an array");
  const std::size_t n = host.count(json, pointer);
  if (n > max) throw Error(MS_ERR_INVALID_INPUT, pointer + " has too many elements");
  return n;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
inline long long daysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

/// Parses the leading digits of `text` at [pos, pos + n), or -1.
inline int digitsAt(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

/// Seconds since 1970 of a "YYYY-MM-DD" date (at 00:00Z), or nullopt.
inline std::optional<long long> parseDate(std::string_view text) {
  const int y = digitsAt(text, 0, 4), m = digitsAt(text, 5, 2), d = digitsAt(text, 8, 2);
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
    return std::nullopt;
  return daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400;
}

/// Seconds since 1970 of an RFC 3339 time ("2026-12-25T10:00:00Z", fractions and offsets allowed).
inline std::optional<long long> parseRfc3339(std::string_view text) {
  const auto day = parseDate(text);
  if (!day || text.size() < 20 || (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  const int h = digitsAt(text, 11, 2), mi = digitsAt(text, 14, 2), s = digitsAt(text, 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return std::nullopt;
  std::size_t pos = 19;
  if (text[pos] == '.')
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9';) ++pos;
  long long offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int oh = digitsAt(text, pos + 1, 2), om = digitsAt(text, pos + 4, 2);
    if (oh < 0 || om < 0 || pos + 3 >= text.size() || text[pos + 3] != ':') return std::nullopt;
    offset = (text[pos] == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  return *day + h * 3600LL + mi * 60LL + s - offset;
}

/// Seconds since 1970 of a time as Graph writes it ("2026-11-25T10:00:00+0000", ISO 8601 with a
/// basic offset), or in RFC 3339; nullopt when malformed.
inline std::optional<long long> parseGraphTime(std::string text) {
  if (text.size() == 24 && (text[19] == '+' || text[19] == '-')) text.insert(22, ":");
  return parseRfc3339(text);
}

/// Validation problems, reported as {"issues":[{"field","message"}]} with MS_ERR_INVALID_INPUT.
class Issues {
 public:
  void add(std::string field, std::string message) { list_.push_back({std::move(field), std::move(message)}); }
  /// The post's main text as the platform counts it (characters), reported as validate's "length".
  void length(std::size_t used, std::size_t limit) {
    length_ = marketsage::sdk::LengthCount{static_cast<long long>(used), static_cast<long long>(limit), "characters"};
  }
  bool empty() const { return list_.empty(); }
  std::string json() const { return marketsage::sdk::validationReply(list_, length_); }
  /// When there are issues: writes them as the reply (kept as details) and throws INVALID_INPUT.
  void throwIfAny(const ms_reply* reply) const {
    if (list_.empty()) return;
    if (reply != nullptr) {
      const auto text = json();
      reply->write(reply, text.data(), text.size());
    }
    throw Error(MS_ERR_INVALID_INPUT, list_.front().field + ": " + list_.front().message);
  }

 private:
  std::vector<marketsage::sdk::Issue> list_;
  std::optional<marketsage::sdk::LengthCount> length_;
};

/// Number of Unicode code points of UTF-8 text (platform limits count characters, not bytes).
inline std::size_t characterCount(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace marketsage::meta

#endif  // MARKETSAGE_META_REQUEST_HPP
