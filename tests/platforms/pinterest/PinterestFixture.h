// A Pinterest emulator plus the pinterest plugin loaded from its .so, pointed at the emulator, and
// a small web server holding the images the plugin names by URL (the host's signed media URLs).
#pragma once

#include "PinterestEmulator.h"
#include "TestServer.h"

#include "../common/LoadedPlugin.h"

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace pinterest_test {

namespace json = boost::json;
using emulators::PinterestApi;
using marketsage::plugins::CallResult;
using marketsage::plugins::ErrorKind;
using marketsage::plugins::Operation;

/// The string of a JSON value ("" when it is not one).
inline std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : std::string(); }

/// A PNG header of `width` x `height` and filler: enough for Pinterest's fetcher to see an image.
std::string pngBytes(unsigned width = 1000, unsigned height = 1500, size_t filler = 2000);

class PinterestFixture {
 public:
  /// `settings` are merged over the defaults (api_base/auth_base = emulator, credentials,
  /// http_timeout_ms = 1000).
  explicit PinterestFixture(json::object settings = {});

  PinterestApi pinterest;
  std::string token;  ///< a valid token with every scope the plugin asks for

  CallResult call(Operation op, const json::object& request) const { return plugin_.call(op, request); }
  /// publish, called again with each pending reply's resume merged (as the host does).
  marketsage::test::Resumed publishSettled(json::object request) const {
    return plugin_.publishSettled(std::move(request));
  }
  /// An image Media served at a URL of the image server (`bytes` = its content; PNG by default).
  json::object image(const std::string& id, std::string bytes = pngBytes());
  json::object video(size_t bytes, const std::string& name = "clip.mp4") const;
  /// A publish request on the default board.
  json::object post(const std::string& content, json::array media, json::object options = {}) const;
  std::string logs() const { return plugin_.logs(); }

 private:
  std::mutex filesMutex_;
  std::map<std::string, std::string> files_;
  std::unique_ptr<marketsage::test::TestServer> images_;
  marketsage::test::LoadedPlugin plugin_;  // after `pinterest`: its settings name the emulator
};

}  // namespace pinterest_test
