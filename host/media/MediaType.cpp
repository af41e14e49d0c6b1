#include "media/MediaType.h"

#include <cstring>

namespace marketsage::media {
namespace {

std::uint32_t be16(const unsigned char* p) { return (p[0] << 8) | p[1]; }
std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint32_t le16(const unsigned char* p) { return p[0] | (p[1] << 8); }
std::uint32_t le24(const unsigned char* p) { return p[0] | (p[1] << 8) | (p[2] << 16); }

bool startsWith(const unsigned char* head, std::size_t size, const char* magic, std::size_t offset = 0) {
  const std::size_t n = std::strlen(magic);
  return size >= offset + n && std::memcmp(head + offset, magic, n) == 0;
}

/// JPEG: walk the segments to the first start-of-frame marker, which holds height and width.
void jpegSize(const unsigned char* head, std::size_t size, MediaType& type) {
  std::size_t i = 2;
  while (i + 9 < size) {
    if (head[i] != 0xFF) return;
    const unsigned marker = head[i + 1];
    if (marker == 0xFF) {
      ++i;
      continue;
    }  // fill byte
    const bool startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (startOfFrame) {
      type.height = be16(head + i + 5);
      type.width = be16(head + i + 7);
      return;
    }
    i += 2 + be16(head + i + 2);
  }
}

void webpSize(const unsigned char* head, std::size_t size, MediaType& type) {
  if (startsWith(head, size, "VP8X", 12) && size >= 30) {
    type.width = 1 + le24(head + 24);
    type.height = 1 + le24(head + 27);
  } else if (startsWith(head, size, "VP8 ", 12) && size >= 30) {
    type.width = le16(head + 26) & 0x3FFF;
    type.height = le16(head + 28) & 0x3FFF;
  } else if (startsWith(head, size, "VP8L", 12) && size >= 25) {
    const std::uint32_t bits = head[21] | (head[22] << 8) | (head[23] << 16) | (std::uint32_t{head[24]} << 24);
    type.width = 1 + (bits & 0x3FFF);
    type.height = 1 + ((bits >> 14) & 0x3FFF);
  }
}

}  // namespace

std::optional<MediaType> sniff(const unsigned char* head, std::size_t size) {
  MediaType type;
  if (size >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) {
    type = {"image/jpeg", "image", {}, {}};
    jpegSize(head, size, type);
  } else if (startsWith(head, size, "\x89PNG\r\n\x1a\n")) {
    type = {"image/png", "image", {}, {}};
    if (size >= 24 && startsWith(head, size, "IHDR", 12)) {
      type.width = be32(head + 16);
      type.height = be32(head + 20);
    }
  } else if (startsWith(head, size, "GIF87a") || startsWith(head, size, "GIF89a")) {
    type = {"image/gif", "gif", {}, {}};
    if (size >= 10) {
      type.width = le16(head + 6);
      type.height = le16(head + 8);
    }
  } else if (startsWith(head, size, "RIFF") && startsWith(head, size, "WEBP", 8)) {
    type = {"image/webp", "image", {}, {}};
    webpSize(head, size, type);
  } else if (startsWith(head, size, "ftyp", 4)) {
    // ISO base media: the major brand says QuickTime or MP4 (isom, mp41, mp42, avc1, M4V …).
    type = {startsWith(head, size, "qt  ", 8) ? "video/quicktime" : "video/mp4", "video", {}, {}};
  } else if (startsWith(head, size, "%PDF-")) {
    type = {"application/pdf", "document", {}, {}};
  } else {
    return std::nullopt;
  }
  return type;
}

}  // namespace marketsage::media
