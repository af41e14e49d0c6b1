#include "api/Views.h"

#include "connections/ConnectionView.h"
#include "core/Problem.h"
#include "core/Time.h"
#include "http/Exchange.h"

#include <boost/json.hpp>

#include <charconv>

namespace marketsage::api {

std::int64_t integerQuery(const http::Exchange& ex, const std::string& name, std::int64_t fallback, std::int64_t min,
                          std::int64_t max) {
  const auto text = ex.query(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    throw Problem::badInput("\"" + name + "\" must be a whole number from " + std::to_string(min) + " to " +
                            std::to_string(max));
  }
  return value;
}

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

boost::json::object view(const monitoring::ErrorItem& e) {
  return {{"id", e.id},
          {"platform", e.platform},
          {"organizationId", e.organizationId},
          {"connectionId", e.connectionId ? boost::json::value(*e.connectionId) : boost::json::value(nullptr)},
          {"errorType", e.errorType},
          {"message", e.message},
          {"timestamp", time::formatIso8601(e.lastSeen)},
          {"resolved", e.resolved},
          {"resolvedAt", optionalTime(e.resolvedAt)},
          {"count", e.count}};
}

boost::json::object view(const connections::Connection& c) { return connections::connectionView(c); }

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
