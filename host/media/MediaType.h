#pragma once
/// What a media file is, decided from its first bytes (never from its name or the client's
/// Content-Type), and the pixel size when the header tells it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace marketsage::media {

struct MediaType {
  std::string mimeType;  ///< "image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4",
                         ///< "video/quicktime", "application/pdf"
  std::string kind;      ///< "image", "gif", "video" or "document" (sdk-docs Media.kind)
  std::optional<std::int64_t> width, height;
};

/// How many leading bytes sniff() wants to see (fewer is fine for short files).
inline constexpr std::size_t kSniffBytes = 64 * 1024;

/// The type of a file starting with `head`; nullopt when it is none of the supported types.
std::optional<MediaType> sniff(const unsigned char* head, std::size_t size);

}  // namespace marketsage::media
