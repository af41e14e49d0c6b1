// POST /api/v2/media (docs.joinmastodon.org/methods/media#v2): the file streamed as
// multipart/form-data with its alt text ("description"). 200 = processed; 202 = the instance
// processes it in the background: GET /api/v1/media/:id answers 206 until it is done, 200 when
// it is, 422 when processing failed.
#include "Mastodon.h"

#include <random>

namespace mastodon {
namespace {

std::string boundary() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return "----marketsage" + std::to_string(random()) + std::to_string(random());
}

std::string fileName(const std::string& mimeType) {
  const size_t slash = mimeType.find('/');
  auto ext = slash == std::string::npos ? std::string("bin") : mimeType.substr(slash + 1);
  if (ext == "jpeg") ext = "jpg";
  if (ext == "quicktime") ext = "mov";
  return "upload." + ext;
}

}  // namespace

ms_status uploadMedia(const char* req, size_t len, const ms_reply* reply) {
  return sdk::guard(req, len, reply, [&] {
    const auto json = host.objectRequest(req, len);
    const auto token = accessToken(json);
    const auto path = host.requiredString(json, "/path");
    const auto mimeType = host.requiredString(json, "/mimeType", 100);
    const auto kind = host.optionalString(json, "/kind", 32).value_or("image");
    const auto altText = host.optionalString(json, "/altText", 10000).value_or("");
    const long long size = host.integer(json, "/size").value_or(0);
    for (const char c : mimeType)
      if (c == '"' || c == '\r' || c == '\n') throw Error(MS_ERR_INVALID_INPUT, "/mimeType is not a media type");
    const auto limits = instanceLimits();
    Post::Media media{"", "", kind, mimeType, path, altText, size};
    Post probe;
    probe.parts = {"."};
    probe.media = {media};
    if (const auto issues = checkLimits(probe, limits); !issues.empty())
      throw Error(MS_ERR_INVALID_INPUT, "the file is refused: " + issues.front().message);

    const auto mark = boundary();
    auto request = apiRequest("POST", apiBase() + "/api/v2/media", token);
    request.headers.emplace_back("Content-Type", "multipart/form-data; boundary=" + mark);
    if (!altText.empty())
      request.body =
          "--" + mark + "\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n" + altText + "\r\n";
    request.body += "--" + mark + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
                    fileName(mimeType) + "\"\r\nContent-Type: " + mimeType + "\r\n\r\n";
    request.bodyFile = path;
    request.bodyTail = "\r\n--" + mark + "--\r\n";
    request.timeoutMs = 120'000;
    const auto r = send(request);
    const auto id = host.string(r.body, "/id");
    if (!id || !isId(*id)) throw Error(MS_ERR_PERMANENT, "the instance answered POST /api/v2/media without an id");
    // Unattached media are removed by the instance's cleanup after a day.
    auto out = sdk::Json::object()
                   .field("platformMediaId", *id)
                   .field("expiresAt", host.formatTime(host.nowMs() + 24LL * 3600 * 1000));
    if (r.status == 202)
      out.raw("pending",
              sdk::Json::object().field("retryAfterSeconds", 5).field("stage", "the instance is processing the media"));
    return out.str();
  });
}

}  // namespace mastodon
