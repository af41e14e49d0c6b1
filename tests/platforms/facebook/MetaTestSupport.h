// Test support shared by tests/platforms/facebook and tests/platforms/instagram: the built plugin
// loaded by the host's loader with settings pointing at a GraphApi emulator, media files on disk,
// and a small HTTP server playing the host's public media URLs (Instagram fetches images by URL).
#pragma once

#include "../common/LoadedPlugin.h"
#include "GraphEmulator.h"
#include "TestServer.h"

#include <boost/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace metatest {

namespace json = boost::json;
using marketsage::plugins::CallResult;
using marketsage::plugins::ErrorKind;
using marketsage::plugins::Operation;

constexpr const char* apiVersion = "v23.0";

/// The facebook or instagram plugin loaded with settings aimed at `graph`. Its calls say nothing
/// to Catch2: the tests make them from several threads.
class GraphPlugin : public marketsage::test::LoadedPlugin {
 public:
  GraphPlugin(const std::string& soPath, const std::string& id, const emulators::GraphApi& graph,
              json::object extraSettings = {});
  CallResult call(Operation op, const json::value& request) const { return plugin().call(op, request); }
  CallResult call(Operation op, std::string_view rawRequest) const {
    return callText(op, rawRequest);
  }  ///< unvalidated text, as `plugins check`
};

using marketsage::test::Resumed;

/// Publishes as the host does (ABI 1.2): while the plugin answers {"pending": {…}}, calls again
/// with the pending "resume" merged into the request's, at once (the emulator counts status reads,
/// not time), at most `maxRounds` times.
inline Resumed publishResuming(const GraphPlugin& plugin, json::object request, int maxRounds = 50) {
  return marketsage::test::publishResuming([&](const json::object& r) { return plugin.call(Operation::Publish, r); },
                                           std::move(request), maxRounds);
}

/// The reconcile request of an attempt: `request` (as publish last got it) and attemptedAt.
json::object reconcileRequest(json::object request, const std::string& attemptedAt);

/// A temporary folder with media files, removed at the end.
class MediaFolder {
 public:
  MediaFolder();
  ~MediaFolder();
  /// Writes `bytes` to `name` and returns the Media JSON the host would pass ("id", "kind",
  /// "mimeType", "path", "size", and "url" when `url` is given).
  json::object media(const std::string& name, const std::string& bytes, const std::string& kind,
                     const std::string& mimeType, const std::string& url = {});

 private:
  std::filesystem::path path_;
};

/// Serves files at http://127.0.0.1:<port>/<name>, as the host's signed media URLs do.
class MediaServer {
 public:
  MediaServer();
  std::string put(const std::string& name, const std::string& bytes, const std::string& contentType);
  int hits(const std::string& name) const;

 private:
  struct File {
    std::string bytes, contentType;
    int hits = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, File> files_;
  marketsage::test::TestServer server_;
};

std::string jpeg(size_t size);  ///< bytes that start and end like a JPEG
std::string png(size_t size);   ///< bytes that start like a PNG
std::string mp4(size_t size);   ///< bytes that start like an MP4 (ftyp box)
std::string sha256Hex(const std::string& bytes);
/// An RFC 3339 time `seconds` from now.
std::string inSeconds(long long seconds);
/// Today's date shifted by `days`, "YYYY-MM-DD" (UTC).
std::string dateFromToday(int days);
/// The string at JSON pointer `pointer` of `value`, or "" when absent or not a string.
std::string text(const json::value& value, const char* pointer);
/// The integer at `pointer`, or -1 when absent or not an integer.
int64_t number(const json::value& value, const char* pointer);
/// The "outcome" of a reconcile answer: "found", "not_found" or "unknown".
inline std::string outcomeOf(const CallResult& answer) { return text(answer.json, "/outcome"); }

}  // namespace metatest
