#pragma once
/// Where the bytes of an organization's media live, behind one interface: files on this host's
/// disk (<dataDir>/media/<organization>/<file>, with SQLite, the default) or large objects in
/// PostgreSQL, which every host on the database reaches (a post uploaded through one host is
/// published, served and deleted by any other). Routes and the publisher ask for "a stream of
/// this item's bytes" and never branch on the backend.

#include "store/Database.h"
#include "tenants/TenantStore.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>

namespace marketsage::media {

struct MediaItem;

/// Writes the media row (and its audit entry) inside the transaction that keeps the bytes.
using RecordRow = std::function<void(store::Transaction& tx)>;

/// The bytes of one new item on their way in. Until finish() succeeds nothing of it remains:
/// destroying it earlier (a failed or oversized upload) leaves no file and no large object.
class ContentUpload {
 public:
  virtual ~ContentUpload() = default;
  virtual void write(const char* data, std::size_t size) = 0;
  /// Keeps the bytes and runs `record` (which inserts the item's row) in the same transaction.
  virtual void finish(const RecordRow& record) = 0;
};

class MediaContent {
 public:
  virtual ~MediaContent() = default;

  /// Starts the content of a new item `mediaId` of this organization.
  virtual std::unique_ptr<ContentUpload> begin(const std::string& mediaId) = 0;
  /// The item's bytes from the start, read in bounded blocks. A stream that ends before
  /// item.size bytes means the content went away or could not be read.
  virtual std::unique_ptr<std::istream> open(const MediaItem& item) = 0;
  /// Deletes the item's bytes and runs `record` (which deletes its row) in one transaction.
  virtual void remove(const MediaItem& item, const RecordRow& record) = 0;
  /// The file on this host's disk that holds the item's bytes, when there is one.
  virtual std::optional<std::filesystem::path> diskPath(const MediaItem& item) const = 0;
};

/// The content of `tenant`'s media for its database's backend: PostgreSQL keeps the bytes as
/// large objects, SQLite as files under `dataDir`.
std::unique_ptr<MediaContent> contentFor(tenants::TenantStore& tenant, const std::filesystem::path& dataDir);

/// Local files of media items for plugin calls, which stream media from a file path (the C ABI's
/// body_file). Content already on this host's disk is used where it is; other content (PostgreSQL)
/// is copied once per item into a private folder below <dataDir>/spool, removed with this object,
/// so a spool lives exactly as long as the plugin calls of one publish attempt.
class LocalFiles {
 public:
  /// `copy` false only names the files (validate and reconcile, which never read them: copying a
  /// video for every keystroke of the compose form's live check would be far too costly).
  LocalFiles(MediaContent& content, const std::filesystem::path& dataDir, bool copy);
  ~LocalFiles();
  LocalFiles(const LocalFiles&) = delete;
  LocalFiles& operator=(const LocalFiles&) = delete;

  /// An absolute path holding the item's bytes (named by its id). Throws when a copy fails.
  std::filesystem::path pathOf(const MediaItem& item);

  /// Removes spool folders a host left when it died mid-attempt: those older than a day (no
  /// attempt lasts that long, so a live host's copies are never among them).
  static void removeStale(const std::filesystem::path& dataDir);

 private:
  MediaContent& content_;
  std::filesystem::path folder_;
  bool copy_;
};

}  // namespace marketsage::media
