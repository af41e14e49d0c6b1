#include "media/MediaStore.h"

#include "core/Encoding.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "media/MediaType.h"
#include "tenants/TenantStore.h"
#include "vault/TokenVault.h"

#include <algorithm>
#include <vector>

namespace marketsage::media {
namespace fs = std::filesystem;
namespace {

constexpr const char* columns =
    "id, organization_id, kind, mime_type, size_bytes, sha256, file_name, original_name, alt_text, source_url,"
    " width, height, created_at";

MediaItem itemFrom(const store::Row& row) {
  MediaItem m;
  m.id = row.text(0);
  m.organizationId = row.text(1);
  m.kind = row.text(2);
  m.mimeType = row.text(3);
  m.size = row.integer(4);
  m.sha256 = row.text(5);
  m.fileName = row.text(6);
  m.originalName = row.optionalText(7);
  m.altText = row.optionalText(8);
  m.sourceUrl = row.optionalText(9);
  m.width = row.optionalInteger(10);
  m.height = row.optionalInteger(11);
  m.createdAt = row.integer(12);
  return m;
}

}  // namespace

MediaStore::MediaStore(tenants::TenantStore& tenant, const fs::path& dataDir)
    : db_(tenant.database()), tenant_(tenant), content_(contentFor(tenant, dataDir)) {}

MediaItem MediaStore::add(std::istream& in, std::uint64_t maxBytes, const NewMedia& info, const tenants::Actor& actor) {
  MediaItem item;
  item.id = random::uuid();
  item.organizationId = tenant_.organizationId();
  item.fileName = item.id;
  auto upload = content_->begin(item.id);
  encoding::Sha256 digest;
  std::string head;
  std::vector<char> buffer(256 * 1024);
  std::uint64_t total = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    total += n;
    if (total > maxBytes) throw Problem::tooLarge("media larger than " + std::to_string(maxBytes) + " bytes");
    if (head.size() < kSniffBytes) head.append(buffer.data(), std::min(n, kSniffBytes - head.size()));
    digest.update(buffer.data(), n);
    upload->write(buffer.data(), n);
  }
  item.size = static_cast<std::int64_t>(total);
  if (item.size == 0) throw Problem::badInput("the upload is empty");
  const auto type = sniff(reinterpret_cast<const unsigned char*>(head.data()), head.size());
  if (!type) {
    throw Problem::unsupportedMediaType("unsupported media: send JPEG, PNG, GIF, WebP, MP4, QuickTime or PDF");
  }
  item.kind = type->kind;
  item.mimeType = type->mimeType;
  item.width = type->width;
  item.height = type->height;
  item.sha256 = digest.finishHex();
  item.originalName = info.originalName;
  item.altText = info.altText;
  item.sourceUrl = info.sourceUrl;
  item.createdAt = time::nowMillis();

  upload->finish([&](store::Transaction& tx) {
    tx.execute(std::string("INSERT INTO media (") + columns +
                   ", created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
               {item.id, item.organizationId, item.kind, item.mimeType, item.size, item.sha256, item.fileName,
                store::nullable(item.originalName), store::nullable(item.altText), store::nullable(item.sourceUrl),
                store::nullable(item.width), store::nullable(item.height), item.createdAt,
                actor.userId.empty() ? store::Param(nullptr) : store::Param(actor.userId)});
    tenant_.audit(tx, actor, "media.added", "media", item.id,
                  {{"mimeType", item.mimeType}, {"size", item.size}, {"sha256", item.sha256}});
  });
  return item;
}

std::vector<MediaItem> MediaStore::list(int limit) {
  std::vector<MediaItem> out;
  for (const auto& row : db_.query(std::string("SELECT ") + columns +
                                       " FROM media WHERE organization_id = $1 ORDER BY created_at DESC, id LIMIT $2",
                                   {tenant_.organizationId(), std::int64_t{limit}})) {
    out.push_back(itemFrom(row));
  }
  return out;
}

std::optional<MediaItem> MediaStore::find(const std::string& id) {
  const auto rows = db_.query(std::string("SELECT ") + columns + " FROM media WHERE organization_id = $1 AND id = $2",
                              {tenant_.organizationId(), id});
  if (rows.empty()) return std::nullopt;
  return itemFrom(rows.front());
}

bool MediaStore::remove(const std::string& id, const tenants::Actor& actor) {
  const auto item = find(id);
  if (!item) return false;
  content_->remove(*item, [&](store::Transaction& tx) {
    tx.execute("DELETE FROM media WHERE organization_id = $1 AND id = $2", {tenant_.organizationId(), id});
    tenant_.audit(tx, actor, "media.removed", "media", id, {{"sha256", item->sha256}});
  });
  return true;
}

std::optional<MediaItem> findForSignedUrl(store::Database& db, const std::string& id) {
  const auto rows = db.query(std::string("SELECT ") + columns + " FROM media WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return itemFrom(rows.front());
}

namespace {
std::string urlMessage(const MediaItem& item, std::int64_t expiresAt) {
  return item.id + "\n" + std::to_string(expiresAt);
}
constexpr std::string_view urlPurpose = "media-url";
}  // namespace

std::string signedUrl(const std::string& publicUrl, const vault::TokenVault& vault, const MediaItem& item,
                      std::int64_t expiresAt) {
  std::string base = publicUrl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/media/" + item.id + "?expires=" + std::to_string(expiresAt) +
         "&signature=" + vault.sign(item.organizationId, urlPurpose, urlMessage(item, expiresAt));
}

bool verifySignedUrl(const vault::TokenVault& vault, const MediaItem& item, std::int64_t expiresAt,
                     const std::string& signature) {
  return expiresAt > time::nowMillis() &&
         vault.verify(item.organizationId, urlPurpose, urlMessage(item, expiresAt), signature);
}

}  // namespace marketsage::media
