#pragma once
/// The media library of one organization: files uploaded once and used in many posts. Rows index
/// them; their bytes are the MediaContent's (files under <dataDir>/media/<organization id>/ with
/// SQLite, large objects with PostgreSQL). Like every tenant store it is bound to its
/// organization, and every statement carries that scope.

#include "media/MediaContent.h"
#include "store/Database.h"
#include "tenants/Model.h"
#include "tenants/ScopedDatabase.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::tenants {
class TenantStore;
}
namespace marketsage::vault {
class TokenVault;
}

namespace marketsage::media {

/// Where the media library keeps its files on disk: one folder per organization below it.
inline std::filesystem::path libraryFolder(const std::filesystem::path& dataDir) { return dataDir / "media"; }

struct MediaItem {
  std::string id;
  std::string organizationId;
  std::string kind;       ///< "image", "gif", "video", "document"
  std::string mimeType;   ///< sniffed from the content
  std::int64_t size = 0;  ///< bytes
  std::string sha256;
  std::string fileName;  ///< inside the organization's folder (disk content)
  std::optional<std::string> originalName, altText, sourceUrl;
  std::optional<std::int64_t> width, height;
  std::int64_t createdAt = 0;
};

/// What the uploader tells about a file besides its bytes.
struct NewMedia {
  std::optional<std::string> originalName, altText, sourceUrl;
};

class MediaStore {
 public:
  MediaStore(tenants::TenantStore& tenant, const std::filesystem::path& dataDir);

  /// Streams `in` to the content (never whole in memory), at most `maxBytes` (Problem 413
  /// beyond), sniffs the type from the content (Problem 415 for an unsupported one) and stores
  /// the row. A failure leaves neither bytes nor row.
  MediaItem add(std::istream& in, std::uint64_t maxBytes, const NewMedia& info, const tenants::Actor& actor);
  std::vector<MediaItem> list(int limit);
  std::optional<MediaItem> find(const std::string& id);
  /// Deletes the row and its bytes. False when there is no such media here.
  bool remove(const std::string& id, const tenants::Actor& actor);
  /// Where the bytes of this organization's items are.
  MediaContent& content() { return *content_; }

 private:
  tenants::ScopedDatabase db_;
  tenants::TenantStore& tenant_;
  std::unique_ptr<MediaContent> content_;
};

/// A media item found by id alone, for the signed public URL (whose signature is checked with
/// the item's own organization). Never use it to answer an authenticated caller.
std::optional<MediaItem> findForSignedUrl(store::Database& db, const std::string& id);

/// A public URL platforms can fetch the file from until `expiresAt` (ms): the host's public URL,
/// /media/<id>, and a MAC of id and expiry under the organization's key.
std::string signedUrl(const std::string& publicUrl, const vault::TokenVault& vault, const MediaItem& item,
                      std::int64_t expiresAt);
/// True when `signature` was made by signedUrl for this item and expiry, and it has not passed.
bool verifySignedUrl(const vault::TokenVault& vault, const MediaItem& item, std::int64_t expiresAt,
                     const std::string& signature);

}  // namespace marketsage::media
