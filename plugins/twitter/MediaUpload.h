// Chunked media upload of the X API v2 (initialize / append / finalize, then STATUS while X
// processes a video or GIF): https://docs.x.com/x-api/media/quickstart/media-upload-chunked
#pragma once

#include "Validation.h"

#include <string>

namespace twitter {

/// The "stage" of a pending reply while X processes an upload (shown in the target's history).
inline constexpr const char* processingStage = "X is processing the video or GIF";

struct UploadedMedia {
  std::string id;
  long long expiresAfterSecs = 0;  ///< 0 = X did not say
  int processingSeconds = 0;       ///< > 0: X is still processing it; ask STATUS again after this long
};

/// Uploads `media` (streamed from its path in chunks) and sets its alt text. Does not wait for X's
/// processing: processingSeconds says when to look again. Throws the mapped Error.
UploadedMedia uploadMedia(const std::string& token, const MediaItem& media);
/// The X id of a media item known from an earlier call, "" when none: its platformMediaId (the
/// host uploaded it), else resume.media[mediaKey(item)] (an earlier publish call uploaded it).
std::string knownMediaId(std::string_view request, const MediaItem& media);
/// The key of a media item in resume.media: the host's media id, else its JSON pointer.
std::string mediaKey(const MediaItem& media);
/// Whether X processes media of this kind after the upload (videos and GIFs; images are ready at once).
bool processedLater(const MediaItem& media);
/// Asks STATUS about an upload X may still be processing: 0 when it is ready, else the seconds X
/// asks to wait (check_after_secs). Failed processing is MS_ERR_PERMANENT with X's message.
int processingSeconds(const std::string& token, const std::string& mediaId);

}  // namespace twitter
