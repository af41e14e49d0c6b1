#pragma once
/// What the host-level tests of the platforms share: media files the host recognises (PNG, MP4),
/// uploading them to the media library, publishing and waiting until the post settles, and dates.

#include "integration/Posting.h"

#include <Poco/URI.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace harness {

/// A PNG (signature and IHDR of `width` x `height`) followed by `payload` bytes of `fill`.
inline std::string pngBytes(std::uint32_t width, std::uint32_t height, std::size_t payload = 2000, char fill = 'x') {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (const auto v : {width, height})
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((v >> shift) & 0xFF);
  png += std::string("\x08\x06\0\0\0", 5);
  png += std::string(payload, fill);
  return png;
}

/// An MP4 (ISO-BMFF: an ftyp box) of `size` pseudo-random bytes.
inline std::string mp4Bytes(std::size_t size) {
  std::string mp4(
      "\0\0\0\x20"
      "ftypisom\0\0\x02\0"
      "isomiso2avc1mp41",
      32);
  unsigned state = static_cast<unsigned>(size);
  while (mp4.size() < size) {
    state = state * 1103515245u + 12345u;
    mp4 += static_cast<char>(state >> 16);
  }
  return mp4;
}

/// Uploads `bytes` to the key's media library (with `altText` when given, sent as `contentType`);
/// the media item.
inline boost::json::value uploadMedia(World& w, const std::string& key, const std::string& bytes,
                                      const std::string& altText = "",
                                      const std::string& contentType = "application/octet-stream") {
  std::string path = "/api/social-media/media";
  if (!altText.empty()) {
    std::string encoded;
    Poco::URI::encode(altText, "&=+#?/ ", encoded);
    path += "?altText=" + encoded;
  }
  auto r = w.host.request("POST", path, key, bytes, contentType);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json();
}

/// Publishes and waits for every target; returns the settled post.
inline boost::json::value publish(World& w, const std::string& key, const boost::json::object& body) {
  auto r = postJson(w, key, body);
  INFO(r.body);
  REQUIRE((r.status == 201 || r.status == 202));
  return r.status == 201 ? r.json() : waitSettled(w, key, str(r.json(), "id"));
}

/// The UTC day (YYYY-MM-DD) of `epochSeconds`.
inline std::string dayOf(std::int64_t epochSeconds) {
  const auto t = static_cast<std::time_t>(epochSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
  return day;
}

inline std::int64_t nowEpoch() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// The UTC day `daysAgo` days before today.
inline std::string today(int daysAgo = 0) { return dayOf(nowEpoch() - static_cast<std::int64_t>(daysAgo) * 86400); }

/// Seconds since the epoch of an ISO 8601 UTC time ("2024-05-01T10:00:00Z"; fractions ignored).
inline std::int64_t epochOf(const std::string& iso) {
  std::tm tm{};
  REQUIRE(::strptime(iso.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
  return static_cast<std::int64_t>(::timegm(&tm));
}

}  // namespace harness
