#include "api/Views.h"

#include "core/Time.h"

#include <boost/json.hpp>

namespace marketsage::api {
boost::json::value optionalTime(const std::optional<std::int64_t>& millis) {
  if (!millis) return nullptr;
  return boost::json::value(time::formatIso8601(*millis));
}

boost::json::object view(const tenants::Organization& org) {
  return {{"id", org.id}, {"name", org.name}, {"createdAt", time::formatIso8601(org.createdAt)}};
}

boost::json::object view(const tenants::User& user) {
  return {{"id", user.id},
          {"organizationId", user.organizationId},
          {"email", user.email},
          {"role", auth::roleName(user.role)},
          {"createdAt", time::formatIso8601(user.createdAt)}};
}

boost::json::object view(const tenants::ApiKeyInfo& key) {
  return {{"id", key.id},
          {"userId", key.userId},
          {"prefix", key.prefix},
          {"createdAt", time::formatIso8601(key.createdAt)},
          {"lastUsedAt", optionalTime(key.lastUsedAt)},
          {"revokedAt", optionalTime(key.revokedAt)}};
}

boost::json::object view(const tenants::AuditEntry& entry) {
  boost::json::error_code ec;
  auto detail = boost::json::parse(entry.detail, ec);
  return {
      {"id", std::to_string(entry.seq)},
      {"at", time::formatIso8601(entry.createdAt)},
      {"actorUserId", entry.actorUserId.empty() ? boost::json::value(nullptr) : boost::json::value(entry.actorUserId)},
      {"action", entry.action},
      {"targetType", entry.targetType},
      {"targetId", entry.targetId},
      {"detail", ec ? boost::json::value(boost::json::object{}) : detail},
      {"remoteAddr", entry.remoteAddr},
      {"requestId", entry.requestId}};
}

boost::json::object view(const connections::Connection& c) {
  boost::json::array scopes;
  for (const auto& s : c.scopes) scopes.emplace_back(s);
  boost::json::error_code ec;
  auto metadata = boost::json::parse(c.metadata, ec);
  return {{"id", c.id},
          {"platform", c.platform},
          {"accountId", c.accountId},
          {"accountName", c.accountName},
          {"scopes", scopes},
          {"status", c.status},
          {"expiresAt", optionalTime(c.expiresAt)},
          {"canRefresh", c.hasRefreshToken},  // false: "refresh" re-checks the token instead
          {"appId", c.appId.empty() ? boost::json::value(nullptr) : boost::json::value(c.appId)},
          {"lastSync", optionalTime(c.lastSyncAt)},
          {"metadata", ec ? boost::json::value(boost::json::object{}) : metadata},
          {"createdAt", time::formatIso8601(c.createdAt)}};
}

boost::json::object view(const media::MediaItem& item) {
  const auto optionalText = [](const std::optional<std::string>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  const auto optionalNumber = [](const std::optional<std::int64_t>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  return {{"id", item.id},
          {"kind", item.kind},
          {"mimeType", item.mimeType},
          {"size", item.size},
          {"sha256", item.sha256},
          {"width", optionalNumber(item.width)},
          {"height", optionalNumber(item.height)},
          {"altText", optionalText(item.altText)},
          {"originalName", optionalText(item.originalName)},
          {"sourceUrl", optionalText(item.sourceUrl)},
          {"createdAt", optionalTime(item.createdAt)}};
}

}  // namespace marketsage::api
