#include "media/MediaContent.h"

#include "core/Encoding.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "media/MediaStore.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace marketsage::media {
namespace fs = std::filesystem;
namespace {

/// Bytes per large-object statement: bounded memory however large the file (a 2 GiB video).
constexpr std::int64_t kChunkBytes = 1024 * 1024;
constexpr std::size_t kCopyBlock = 256 * 1024;

// ---- files on this host's disk ----

/// An upload written to a temporary file beside its final name; removed unless it was kept.
class FileUpload final : public ContentUpload {
 public:
  FileUpload(const tenants::ScopedDatabase& db, const fs::path& folder, const std::string& mediaId)
      : db_(db), temp_(folder / (".upload-" + mediaId)), final_(folder / mediaId) {
    fs::create_directories(folder);
    out_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!out_) throw std::runtime_error("cannot write to the media folder " + folder.string());
  }
  FileUpload(const FileUpload&) = delete;
  FileUpload& operator=(const FileUpload&) = delete;
  ~FileUpload() override {
    std::error_code ignored;
    if (!kept_) fs::remove(temp_, ignored);
  }

  void write(const char* data, std::size_t size) override {
    out_.write(data, static_cast<std::streamsize>(size));
    if (!out_) throw std::runtime_error("writing the media file failed (disk full?)");
  }

  void finish(const RecordRow& record) override {
    out_.close();
    if (!out_) throw std::runtime_error("writing the media file failed (disk full?)");
    fs::rename(temp_, final_);
    temp_ = final_;  // from here a failure removes the final file instead
    auto tx = db_.transaction();
    record(tx);
    tx.commit();
    kept_ = true;
  }

 private:
  const tenants::ScopedDatabase& db_;
  fs::path temp_, final_;
  std::ofstream out_;
  bool kept_ = false;
};

class DiskContent final : public MediaContent {
 public:
  DiskContent(const tenants::ScopedDatabase& db, fs::path folder) : db_(db), folder_(std::move(folder)) {}

  std::unique_ptr<ContentUpload> begin(const std::string& mediaId) override {
    return std::make_unique<FileUpload>(db_, folder_, mediaId);
  }

  std::unique_ptr<std::istream> open(const MediaItem& item) override {
    auto in = std::make_unique<std::ifstream>(folder_ / item.fileName, std::ios::binary);
    if (!*in) throw Problem::notFound("the media file is gone");
    return in;
  }

  void remove(const MediaItem& item, const RecordRow& record) override {
    auto tx = db_.transaction();
    record(tx);
    tx.commit();
    std::error_code ignored;
    fs::remove(folder_ / item.fileName, ignored);
  }

  std::optional<fs::path> diskPath(const MediaItem& item) const override { return folder_ / item.fileName; }

 private:
  const tenants::ScopedDatabase& db_;
  fs::path folder_;
};

// ---- PostgreSQL large objects ----
// Every statement reaches the large object through its media row, so it names organization_id and
// binds the organization like any tenant statement. Bytes travel as base64 text (the store layer
// binds text); PostgreSQL's encode() breaks lines, which the reads take out again.

/// The upload's large object hangs off a placeholder row ("upload-<id>") inserted in the
/// upload's own transaction: invisible to everyone else, and rolled back together with the large
/// object (lo_create is transactional) unless finish() commits. So a failure at any point,
/// a crash included, leaves no orphan.
class LargeObjectUpload final : public ContentUpload {
 public:
  LargeObjectUpload(const tenants::ScopedDatabase& db, std::string mediaId)
      : tx_(db.transaction()),
        organizationId_(db.organizationId()),
        mediaId_(std::move(mediaId)),
        uploadId_("upload-" + mediaId_) {
    tx_.execute(
        "INSERT INTO media (id, organization_id, kind, mime_type, size_bytes, sha256, file_name, created_at,"
        " content_oid) VALUES ($1, $2, 'upload', '', 0, '', $1, 0, lo_create(0))",
        {uploadId_, organizationId_});
    pending_.reserve(static_cast<std::size_t>(kChunkBytes));
  }

  void write(const char* data, std::size_t size) override {
    while (size > 0) {
      const auto take = std::min(size, static_cast<std::size_t>(kChunkBytes) - pending_.size());
      pending_.insert(pending_.end(), data, data + take);
      data += take;
      size -= take;
      if (pending_.size() == static_cast<std::size_t>(kChunkBytes)) flush();
    }
  }

  void finish(const RecordRow& record) override {
    flush();
    record(tx_);
    tx_.execute(
        "UPDATE media SET content_oid = (SELECT u.content_oid FROM media u WHERE u.organization_id = $1 AND u.id = $3)"
        " WHERE organization_id = $1 AND id = $2",
        {organizationId_, mediaId_, uploadId_});
    tx_.execute("DELETE FROM media WHERE organization_id = $1 AND id = $2", {organizationId_, uploadId_});
    tx_.commit();
  }

 private:
  void flush() {
    if (pending_.empty()) return;
    const auto rows = tx_.query(
        "SELECT lo_put(m.content_oid, $3::bigint, decode($4::text, 'base64'))::text FROM media m"
        " WHERE m.organization_id = $1 AND m.id = $2",
        {organizationId_, uploadId_, written_,
         encoding::base64Encode(pending_.data(), pending_.size(), encoding::Base64Alphabet::Standard,
                                encoding::Base64Padding::Pad)});
    if (rows.size() != 1) throw std::logic_error("the media upload's placeholder row is missing");
    written_ += static_cast<std::int64_t>(pending_.size());
    pending_.clear();
  }

  store::Transaction tx_;
  std::string organizationId_, mediaId_, uploadId_;
  std::vector<char> pending_;
  std::int64_t written_ = 0;
};

/// Reads a large object a chunk at a time, each chunk one statement.
class LargeObjectBuffer final : public std::streambuf {
 public:
  LargeObjectBuffer(const tenants::ScopedDatabase& db, std::string mediaId, std::int64_t size)
      : db_(db), mediaId_(std::move(mediaId)), size_(size) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (offset_ >= size_) return traits_type::eof();
    const auto length = std::min(kChunkBytes, size_ - offset_);
    const auto rows = db_.query(
        "SELECT replace(encode(lo_get(m.content_oid, $3::bigint, $4::integer), 'base64'), chr(10), '')"
        " FROM media m WHERE m.organization_id = $1 AND m.id = $2",
        {db_.organizationId(), mediaId_, offset_, length});
    if (rows.empty()) return traits_type::eof();  // deleted meanwhile: a short stream says so
    const auto bytes = encoding::base64Decode(rows.front().text(0), encoding::Base64Accept::Any);
    if (!bytes || bytes->empty()) return traits_type::eof();
    block_.assign(bytes->begin(), bytes->end());
    offset_ += static_cast<std::int64_t>(block_.size());
    setg(block_.data(), block_.data(), block_.data() + block_.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  const tenants::ScopedDatabase& db_;
  std::string mediaId_;
  std::int64_t size_;
  std::int64_t offset_ = 0;
  std::vector<char> block_;
};

class LargeObjectStream final : public std::istream {
 public:
  LargeObjectStream(const tenants::ScopedDatabase& db, const MediaItem& item)
      : std::istream(nullptr), buffer_(db, item.id, item.size) {
    rdbuf(&buffer_);
  }

 private:
  LargeObjectBuffer buffer_;
};

class LargeObjectContent final : public MediaContent {
 public:
  /// `legacy`: the disk content of rows stored before the large-object column (migration 6).
  LargeObjectContent(const tenants::ScopedDatabase& db, std::unique_ptr<MediaContent> legacy)
      : db_(db), legacy_(std::move(legacy)) {}

  std::unique_ptr<ContentUpload> begin(const std::string& mediaId) override {
    return std::make_unique<LargeObjectUpload>(db_, mediaId);
  }

  std::unique_ptr<std::istream> open(const MediaItem& item) override {
    const auto rows = db_.query(
        "SELECT CASE WHEN m.content_oid IS NULL THEN 0 ELSE 1 END FROM media m"
        " WHERE m.organization_id = $1 AND m.id = $2",
        {db_.organizationId(), item.id});
    if (rows.empty()) throw Problem::notFound("no such media");
    if (rows.front().integer(0) == 0) return legacy_->open(item);
    return std::make_unique<LargeObjectStream>(db_, item);
  }

  void remove(const MediaItem& item, const RecordRow& record) override {
    auto tx = db_.transaction();
    tx.query(
        "SELECT lo_unlink(m.content_oid) FROM media m"
        " WHERE m.organization_id = $1 AND m.id = $2 AND m.content_oid IS NOT NULL",
        {db_.organizationId(), item.id});
    record(tx);
    tx.commit();
    if (const auto old = legacy_->diskPath(item)) {
      std::error_code ignored;
      fs::remove(*old, ignored);
    }
  }

  std::optional<fs::path> diskPath(const MediaItem& /*item*/) const override { return std::nullopt; }

 private:
  const tenants::ScopedDatabase& db_;
  std::unique_ptr<MediaContent> legacy_;
};

}  // namespace

std::unique_ptr<MediaContent> contentFor(tenants::TenantStore& tenant, const fs::path& dataDir) {
  const auto& db = tenant.database();
  auto disk = std::make_unique<DiskContent>(db, libraryFolder(dataDir) / tenant.organizationId());
  if (db.backend() == store::Backend::PostgreSQL) return std::make_unique<LargeObjectContent>(db, std::move(disk));
  return disk;
}

LocalFiles::LocalFiles(MediaContent& content, const fs::path& dataDir, bool copy)
    : content_(content), folder_(fs::absolute(dataDir / "spool" / random::token(12)).lexically_normal()), copy_(copy) {}

LocalFiles::~LocalFiles() {
  std::error_code ignored;
  if (copy_) fs::remove_all(folder_, ignored);
}

fs::path LocalFiles::pathOf(const MediaItem& item) {
  if (const auto onDisk = content_.diskPath(item)) return fs::absolute(*onDisk).lexically_normal();
  auto path = folder_ / item.id;
  if (!copy_ || fs::exists(path)) return path;
  fs::create_directories(folder_);
  fs::permissions(folder_, fs::perms::owner_all, fs::perm_options::replace);
  auto in = content_.open(item);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<char> block(kCopyBlock);
  std::int64_t copied = 0;
  while (*in && out) {
    in->read(block.data(), static_cast<std::streamsize>(block.size()));
    const auto got = in->gcount();
    if (got == 0) break;
    out.write(block.data(), got);
    copied += got;
  }
  out.close();
  if (!out || copied != item.size) {
    std::error_code ignored;
    fs::remove(path, ignored);
    throw std::runtime_error("copying media " + item.id + " for the plugin failed (" + std::to_string(copied) + " of " +
                             std::to_string(item.size) + " bytes)");
  }
  return path;
}

void LocalFiles::removeStale(const fs::path& dataDir) {
  const auto before = fs::file_time_type::clock::now() - std::chrono::hours(24);
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dataDir / "spool", error)) {
    std::error_code ignored;
    if (entry.last_write_time(ignored) < before) fs::remove_all(entry.path(), ignored);
  }
}

}  // namespace marketsage::media
