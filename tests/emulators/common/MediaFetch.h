// How an emulator fetches a media URL the host gave the platform (image_url, video_url, file_url,
// photo URLs), as the real platform downloads it from the host's signed public URL.
#pragma once

#include <optional>
#include <string>

namespace marketsage::test {

/// GET `url` with a 5 s timeout: the body of a 200 answer, its Content-Type in `contentType`;
/// nothing when the URL is not plain http (loopback test servers speak plain HTTP), the answer is
/// not 200 or the connection fails.
std::optional<std::string> fetchMedia(const std::string& url, std::string& contentType);

/// The same, for a caller that does not look at the content type.
std::optional<std::string> fetchMedia(const std::string& url);

}  // namespace marketsage::test
