// The media library: POST /api/social-media/media (raw body, multipart/form-data, or JSON {"url"}
// fetched by the host), list, get,
// delete — and GET /media/{id}, the signed public URL platforms fetch files from.
#include "api/Routes.h"
#include "api/Views.h"
#include "config/Config.h"
#include "core/Encoding.h"
#include "core/Time.h"
#include "http/Exchange.h"
#include "http/Fields.h"
#include "http/Router.h"
#include "media/MediaStore.h"
#include "media/UrlFetch.h"
#include "tenants/Directory.h"
#include "vault/TokenVault.h"

#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/StreamCopier.h>
#include <boost/json.hpp>

#include <functional>

namespace marketsage::api {
namespace {

using auth::Permission;
using http::Access;
using http::Exchange;

/// A short form field or query value: bounded, clean UTF-8 (it ends up in platform requests).
std::optional<std::string> shortText(const std::optional<std::string>& value, const char* name, std::size_t limit) {
  if (!value) return std::nullopt;
  if (value->size() > limit || !encoding::isCleanUtf8(*value)) {
    throw Problem::badInput(std::string(name) + " must be clean UTF-8 of at most " + std::to_string(limit) + " bytes");
  }
  return value;
}

/// multipart/form-data: text fields before the file part ("altText", "filename") describe it;
/// the part named "file" is streamed to the media content.
media::MediaItem addMultipart(Exchange& ex, media::MediaStore& store, media::NewMedia info, std::uint64_t limit) {
  Poco::Net::MultipartReader reader(ex.bodyStream());
  while (reader.hasNextPart()) {
    Poco::Net::MessageHeader header;
    reader.nextPart(header);
    std::string disposition;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, params);
    const std::string name = params.get("name", "");
    if (name == "file") {
      if (!info.originalName && params.has("filename"))
        info.originalName = shortText(params.get("filename"), "filename", 255);
      return store.add(reader.stream(), limit, info, ex.actor());
    }
    std::string value;
    char buffer[4096];
    while (reader.stream() && value.size() <= 4096) {
      reader.stream().read(buffer, sizeof buffer);
      value.append(buffer, static_cast<std::size_t>(reader.stream().gcount()));
    }
    if (name == "altText") info.altText = shortText(value, "altText", 4096);
    if (name == "filename") info.originalName = shortText(value, "filename", 255);
  }
  throw Problem::badInput("the multipart body has no part named \"file\"");
}

void upload(const config::Config& config, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const std::uint64_t limit = config.media.maxBytes;
  const auto declared = ex.request().contentLength();
  if (declared && *declared > limit) {
    throw Problem::tooLarge("media larger than " + std::to_string(limit) + " bytes");
  }
  media::NewMedia info;
  info.altText = shortText(ex.query("altText"), "altText", 4096);
  info.originalName = shortText(ex.query("filename"), "filename", 255);
  media::MediaStore store(tenant, config.dataDir);
  const std::string type = ex.request().contentType();
  if (type.rfind("application/json", 0) == 0) {
    // {"url", "altText"?}: the host fetches the file, guarded against internal addresses.
    const auto body = ex.jsonBody();
    const http::Fields fields(body, {"url", "altText"});
    info.sourceUrl = fields.requiredText("url", 2048);
    if (auto alt = fields.optionalText("altText", 4096)) info.altText = alt;
    media::FetchPolicy policy;
    policy.allowHosts = config.media.fetchAllowHosts;
    policy.maxBytes = limit;
    std::optional<media::MediaItem> item;
    media::fetchGuarded(*info.sourceUrl, policy,
                        [&](std::istream& in) { item = store.add(in, limit, info, ex.actor()); });
    ex.send(201, view(*item));
    return;
  }
  const bool multipart = type.rfind("multipart/form-data", 0) == 0;
  const auto item =
      multipart ? addMultipart(ex, store, info, limit) : store.add(ex.bodyStream(), limit, info, ex.actor());
  ex.send(201, view(item));
}

void list(const config::Config& config, Exchange& ex) {
  auto tenant = ex.targetTenant();
  media::MediaStore store(tenant, config.dataDir);
  ex.send(200, viewAll(store.list(500)));
}

media::MediaItem existing(media::MediaStore& store, const std::string& id) {
  auto item = store.find(id);
  if (!item) throw Problem::notFound("no such media");
  return *item;
}

void get(const config::Config& config, Exchange& ex) {
  auto tenant = ex.targetTenant();
  media::MediaStore store(tenant, config.dataDir);
  ex.send(200, view(existing(store, ex.param("id"))));
}

void remove(const config::Config& config, Exchange& ex) {
  auto tenant = ex.targetTenant();
  media::MediaStore store(tenant, config.dataDir);
  if (!store.remove(ex.param("id"), ex.actor())) throw Problem::notFound("no such media");
  ex.sendNoContent();
}

/// GET /media/{id}?expires=&signature= — no API key (the platform fetching it has none); the
/// signature is the credential. Anything wrong answers 404, so ids cannot be probed.
void publicFile(const config::Config& config, store::Database& db, tenants::Directory& directory,
                const vault::TokenVault& vault, Exchange& ex) {
  const auto expires = ex.query("expires");
  const auto signature = ex.query("signature");
  const auto item = media::findForSignedUrl(db, ex.param("id"));
  std::int64_t expiresAt = 0;
  try {
    expiresAt = expires ? std::stoll(*expires) : 0;
  } catch (const std::exception&) {
    expiresAt = 0;
  }
  if (!item || !signature || !media::verifySignedUrl(vault, *item, expiresAt, *signature)) {
    throw Problem::notFound("no such media, or the link expired");
  }
  ex.response().set("Cache-Control", "private, max-age=300");
  ex.response().set("X-Content-Type-Options", "nosniff");
  // The bytes through the item's own organization: on PostgreSQL any host serves any upload.
  auto tenant = directory.tenant(item->organizationId);
  media::MediaStore store(tenant, config.dataDir);
  const auto body = store.content().open(*item);
  ex.sendStream(*body, static_cast<std::uint64_t>(item->size), item->mimeType);
}

}  // namespace

void addMediaRoutes(http::Router& router, const config::Config& config, store::Database& db,
                    tenants::Directory& directory, const vault::TokenVault& vault) {
  using std::bind_front, std::ref;
  router.add("POST", "/api/social-media/media", Permission::Post, bind_front(upload, ref(config)),
             http::Body::Streamed);
  router.add("GET", "/api/social-media/media", Permission::ViewConnections, bind_front(list, ref(config)));
  router.add("GET", "/api/social-media/media/{id}", Permission::ViewConnections, bind_front(get, ref(config)));
  router.add("DELETE", "/api/social-media/media/{id}", Permission::Post, bind_front(remove, ref(config)));
  router.add("GET", "/media/{id}", Access::Public,
             bind_front(publicFile, ref(config), ref(db), ref(directory), ref(vault)));
}

}  // namespace marketsage::api
