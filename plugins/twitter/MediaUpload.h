// Chunked media upload of the X API v2 (initialize / append / finalize, then STATUS polling):
// https://docs.x.com/x-api/media/quickstart/media-upload-chunked
#pragma once

#include "Validation.h"

#include <string>

namespace twitter {

struct UploadedMedia {
  std::string id;
  long long expiresAfterSecs = 0;  ///< 0 = X did not say
};

/// Uploads `media` (streamed from its path in chunks), waits until X has processed it and sets its
/// alt text. Throws the mapped Error; a failed processing is MS_ERR_PERMANENT with X's message.
UploadedMedia uploadMedia(const std::string& token, const MediaItem& media);

}  // namespace twitter
