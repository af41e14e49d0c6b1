// The threads plugin loaded from its .so with settings aimed at a Threads emulator, the host's
// public media URLs (a MediaServer the emulator fetches from) and request builders.
#pragma once

#include "MetaTestSupport.h"
#include "ThreadsEmulator.h"

#include <algorithm>

namespace threadstest {

using emulators::ThreadsApi;
using namespace metatest;

class ThreadsPlugin : public marketsage::test::LoadedPlugin {
 public:
  explicit ThreadsPlugin(const ThreadsApi& api, json::object overrides = {})
      : LoadedPlugin(THREADS_PLUGIN, "threads",
                     {{"api_base", api.url()},
                      {"auth_base", api.url()},
                      {"client_id", ThreadsApi::appId},
                      {"client_secret", ThreadsApi::appSecret},
                      {"api_version", ThreadsApi::version},
                      {"status_poll_interval_ms", 10}},
                     overrides) {}
};

struct Threads {
  ThreadsApi api;
  ThreadsPlugin plugin{api};
  MediaFolder files;
  MediaServer server;
  std::string token = api.longLivedToken();

  json::object post(const std::string& text, json::array media = {}) const {
    return {{"accessToken", token},
            {"account", {{"id", api.userId()}, {"type", "user"}}},
            {"content", text},
            {"media", media}};
  }
  json::object image(const std::string& name) {
    const std::string bytes = jpeg(2000 + name.size());
    return files.media(name, bytes, "image", "image/jpeg", server.put(name, bytes, "image/jpeg"));
  }
  json::object video(const std::string& name) {
    const std::string bytes = mp4(5000);
    return files.media(name, bytes, "video", "video/mp4", server.put(name, bytes, "video/mp4"));
  }
  CallResult publish(const json::object& request) const { return publishResuming(request).result; }
  Resumed publishResuming(json::object request) const {
    return marketsage::test::publishResuming([&](const json::object& r) { return plugin.call(Operation::Publish, r); },
                                             std::move(request));
  }
  ThreadsApi::Item media(const CallResult& result) const { return api.item(text(result.json, "/postId")); }
  int requests(const std::string& methodAndPath) const {
    const auto all = api.requests();
    return static_cast<int>(std::count(all.begin(), all.end(), methodAndPath));
  }
  std::string path(const std::string& edge) const {
    return "/" + std::string(ThreadsApi::version) + "/" + api.userId() + edge;
  }
};

}  // namespace threadstest
