#include "PinterestFixture.h"

#include <Poco/URI.h>

namespace pinterest_test {

std::string pngBytes(unsigned width, unsigned height, size_t filler) {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (const auto v : {width, height})
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((v >> shift) & 0xFF);
  png += std::string("\x08\x06\0\0\0", 5);
  return png + std::string(filler, 'x');
}

PinterestFixture::PinterestFixture(json::object settings)
    : images_(std::make_unique<marketsage::test::TestServer>(
          [this](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
            std::string body;
            {
              std::lock_guard lock(filesMutex_);
              const auto it = files_.find(Poco::URI(request.getURI()).getPath());
              if (it == files_.end()) {
                response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
                response.send();
                return;
              }
              body = it->second;
            }
            response.setContentType("image/png");
            response.sendBuffer(body.data(), body.size());
          })),
      plugin_(PINTEREST_PLUGIN, "pinterest",
              {{"api_base", pinterest.url()},
               {"auth_base", pinterest.url()},
               {"client_id", PinterestApi::clientId},
               {"client_secret", PinterestApi::clientSecret},
               {"http_timeout_ms", 1000}},
              settings) {
  token = pinterest.issueToken();
}

json::object PinterestFixture::image(const std::string& id, std::string bytes) {
  const auto size = bytes.size();
  {
    std::lock_guard lock(filesMutex_);
    files_["/media/" + id + ".png"] = std::move(bytes);
  }
  return {{"id", id},
          {"kind", "image"},
          {"mimeType", "image/png"},
          {"path", "/nonexistent/" + id + ".png"},
          {"size", size},
          {"url", images_->url() + "/media/" + id + ".png"}};
}

json::object PinterestFixture::video(size_t bytes, const std::string& name) const {
  return plugin_.media("video", "video/mp4", bytes, name, true);
}

json::object PinterestFixture::post(const std::string& content, json::array media, json::object options) const {
  return {{"accessToken", token},
          {"account", json::object{{"id", PinterestApi::boardId}, {"name", PinterestApi::boardName}}},
          {"content", content},
          {"media", std::move(media)},
          {"options", std::move(options)},
          {"idempotencyKey", "ms-target-1"}};
}

}  // namespace pinterest_test
