// marketsage::plugins::detail — what the HostServices*.cpp files share. Internal to the loader.
#pragma once

#include <marketsage/plugin.h>

#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

namespace marketsage::plugins::detail {

// The stateless entry points of the ms_host table, filled in by HostServices' constructor. None
// throws back into plugin code.

// HostCodecs.cpp
ms_status hostRandomBytes(const ms_host*, void* out, size_t len);
void hostSha256(const ms_host*, const void* data, size_t len, uint8_t out[32]);
void hostHmacSha256(const ms_host*, const void* key, size_t keyLen, const void* data, size_t len, uint8_t out[32]);
void hostBase64(const ms_host*, const void* data, size_t len, uint32_t flags, const ms_sink* out);
void hostUrlEncode(const ms_host*, const char* text, size_t len, const ms_sink* out);
ms_status hostTimeParse(const ms_host*, const char* text, size_t len, int64_t* out);
void hostTimeFormat(const ms_host*, int64_t millis, const ms_sink* out);

// HostJson.cpp
int32_t hostJsonGet(const ms_host*, const char* text, size_t len, const char* pointer, const ms_sink* out);
void hostJsonQuote(const ms_host*, const char* text, size_t len, const ms_sink* out);
ms_json_doc* hostJsonParse(const ms_host*, const char* text, size_t len);
int32_t hostJsonDocGet(const ms_host*, const ms_json_doc* doc, const char* pointer, const ms_sink* out);
int64_t hostJsonDocCount(const ms_host*, const ms_json_doc* doc, const char* pointer);
void hostJsonFree(const ms_host*, ms_json_doc* doc);

/// Writes the value at JSON `pointer` in `doc` the way setting()/json_get() promise: strings raw,
/// others as JSON. Returns its MS_JSON_* kind, MS_JSON_NONE when there is none.
int32_t writeJsonAt(const boost::json::value& doc, const char* pointer, const ms_sink* out);

inline std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}

}  // namespace marketsage::plugins::detail
