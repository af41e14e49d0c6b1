#include "apps/AppStore.h"

#include "core/Random.h"
#include "core/Time.h"
#include "tenants/TenantStore.h"
#include "vault/TokenVault.h"

#include <boost/json.hpp>

#include <cctype>

namespace marketsage::apps {

std::string sealedFor(const std::string& platform, const std::string& appId) { return "app:" + platform + ":" + appId; }

namespace {

const std::string& columns() {
  static const std::string sql =
      "SELECT id, platform, client_id, CASE WHEN client_secret IS NULL THEN 0 ELSE 1 END, fields,"
      " COALESCE(created_by, ''), created_at, instance FROM platform_apps";
  return sql;
}

PlatformApp appFrom(const store::Row& row) {
  PlatformApp app;
  app.id = row.text(0);
  app.platform = row.text(1);
  app.clientId = row.text(2);
  app.hasSecret = row.integer(3) != 0;
  boost::json::error_code ec;
  auto fields = boost::json::parse(row.text(4), ec);
  if (!ec && fields.is_object()) app.fields = std::move(fields.as_object());
  app.createdBy = row.text(5);
  app.createdAt = row.integer(6);
  app.instance = row.text(7);
  return app;
}

}  // namespace

std::string settingName(const std::string& apiName) {
  std::string out;
  for (const char c : apiName) {
    if (std::isupper(static_cast<unsigned char>(c)) != 0) {
      out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

AppStore::AppStore(tenants::TenantStore& tenant, const vault::TokenVault& vault)
    : db_(tenant.database()), tenant_(tenant), vault_(vault), organizationId_(tenant.organizationId()) {}

std::optional<PlatformApp> AppStore::current(const std::string& platform, const std::string& instance) {
  const auto rows =
      db_.query(columns() + " WHERE organization_id = $1 AND platform = $2 AND instance = $3 AND retired_at IS NULL",
                {organizationId_, platform, instance});
  if (rows.empty()) return std::nullopt;
  return appFrom(rows.front());
}

std::vector<PlatformApp> AppStore::listCurrent() {
  std::vector<PlatformApp> out;
  for (const auto& row :
       db_.query(columns() + " WHERE organization_id = $1 AND retired_at IS NULL ORDER BY platform, instance",
                 {organizationId_})) {
    out.push_back(appFrom(row));
  }
  return out;
}

PlatformApp AppStore::put(const std::string& platform, const AppCredentials& credentials, const tenants::Actor& actor) {
  const auto now = time::nowMillis();
  const std::string id = "app_" + random::token(16);
  const store::Param secret =
      credentials.clientSecret
          ? store::Param{vault_.seal(organizationId_, sealedFor(platform, id), secretField, *credentials.clientSecret)}
          : store::Param{nullptr};
  auto tx = db_.transaction();
  tx.execute(
      "UPDATE platform_apps SET retired_at = $1 WHERE organization_id = $2 AND platform = $3 AND instance = ''"
      " AND retired_at IS NULL",
      {now, organizationId_, platform});
  tx.execute(
      "INSERT INTO platform_apps (id, organization_id, platform, client_id, client_secret, fields, created_by,"
      " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {id, organizationId_, platform, credentials.clientId, secret, boost::json::serialize(credentials.fields),
       actor.userId, now});
  forgetUnused(tx, platform);
  // The client id is public (it is in every consent URL); the secret is not named.
  tenant_.audit(tx, actor, "platform_app.registered", "platform_app", id,
                {{"platform", platform}, {"clientId", credentials.clientId}});
  tx.commit();
  return *current(platform);
}

PlatformApp AppStore::adopt(const std::string& platform, const std::string& instance, const AppCredentials& credentials,
                            const tenants::Actor& actor) {
  const std::string id = "app_" + random::token(16);
  const store::Param secret =
      credentials.clientSecret
          ? store::Param{vault_.seal(organizationId_, sealedFor(platform, id), secretField, *credentials.clientSecret)}
          : store::Param{nullptr};
  {
    auto tx = db_.transaction();
    // The unique index keeps one current app per server: a connect that registered meanwhile wins.
    const auto inserted = tx.query(
        "INSERT INTO platform_apps (id, organization_id, platform, client_id, client_secret, fields, created_by,"
        " created_at, instance) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id",
        {id, organizationId_, platform, credentials.clientId, secret, boost::json::serialize(credentials.fields),
         actor.userId, time::nowMillis(), instance});
    if (!inserted.empty()) {
      tenant_.audit(tx, actor, "platform_app.registered", "platform_app", id,
                    {{"platform", platform}, {"instance", instance}, {"clientId", credentials.clientId}});
    }
    tx.commit();
  }
  return *current(platform, instance);
}

bool AppStore::retire(const std::string& platform, const tenants::Actor& actor) {
  auto tx = db_.transaction();
  const auto rows = tx.query(
      "UPDATE platform_apps SET retired_at = $1 WHERE organization_id = $2 AND platform = $3 AND instance = ''"
      " AND retired_at IS NULL RETURNING id",
      {time::nowMillis(), organizationId_, platform});
  if (rows.empty()) return false;
  forgetUnused(tx, platform);
  tenant_.audit(tx, actor, "platform_app.removed", "platform_app", rows.front().text(0), {{"platform", platform}});
  tx.commit();
  return true;
}

void AppStore::forgetUnused(store::Transaction& tx, const std::string& platform) {
  tx.execute(
      "DELETE FROM platform_apps WHERE organization_id = $1 AND platform = $2 AND retired_at IS NOT NULL"
      " AND NOT EXISTS (SELECT 1 FROM connections c WHERE c.organization_id = $1 AND c.app_id = platform_apps.id)",
      {organizationId_, platform});
}

std::optional<boost::json::object> AppStore::pluginSettings(const std::string& appId) {
  const auto rows = db_.query(
      "SELECT platform, client_id, client_secret, fields FROM platform_apps WHERE organization_id = $1 AND id = $2",
      {organizationId_, appId});
  if (rows.empty()) return std::nullopt;
  const auto& row = rows.front();
  boost::json::object settings;
  boost::json::error_code ec;
  const auto fields = boost::json::parse(row.text(3), ec);
  if (!ec && fields.is_object()) {
    for (const auto& [name, value] : fields.as_object()) settings[settingName(std::string(name))] = value;
  }
  settings["client_id"] = row.text(1);
  // Always present, empty for a public client: the plugin must not pair this app's id with the
  // instance's secret.
  const auto sealed = row.optionalText(2);
  settings[secretField] =
      sealed ? vault_.open(organizationId_, sealedFor(row.text(0), appId), secretField, *sealed) : std::string();
  return settings;
}

std::size_t AppStore::resealSecrets() {
  std::size_t changed = 0;
  for (const auto& row : db_.query("SELECT id, platform, client_secret FROM platform_apps WHERE organization_id = $1"
                                   " AND client_secret IS NOT NULL",
                                   {organizationId_})) {
    const auto sealed = row.text(2);
    if (vault_.isCurrent(sealed)) continue;
    const auto boundTo = sealedFor(row.text(1), row.text(0));
    const auto clear = vault_.open(organizationId_, boundTo, secretField, sealed);
    // Apps never change otherwise, so the row holds the same sealed secret we just opened.
    changed += db_.execute(
        "UPDATE platform_apps SET client_secret = $1 WHERE organization_id = $2 AND id = $3 AND client_secret = $4",
        {vault_.seal(organizationId_, boundTo, secretField, clear), organizationId_, row.text(0), sealed});
  }
  return changed;
}

}  // namespace marketsage::apps
