/// keys rotate: re-encrypt every stored token, app secret and webhook signing secret under the newest
/// key version.
#include "apps/AppStore.h"
#include "cli/Arguments.h"
#include "cli/Commands.h"
#include "config/Config.h"
#include "connections/ConnectionStore.h"
#include "core/Log.h"
#include "store/Database.h"
#include "store/Migrations.h"
#include "tenants/Directory.h"
#include "tenants/TenantStore.h"
#include "vault/KeyRing.h"
#include "vault/TokenVault.h"
#include "webhooks/WebhookStore.h"

#include <iostream>

namespace marketsage::cli {
namespace {

constexpr const char* keysUsage =
    "usage: marketsage keys rotate [--config FILE]\n"
    "Re-encrypts every stored token under the current FIELD_ENCRYPTION_KEY. Put the old key(s) in\n"
    "FIELD_ENCRYPTION_KEY_PREVIOUS (comma-separated) while rotating; hosts keep serving meanwhile.\n"
    "When it reports that nothing is left under an old key, remove that key from the environment.\n";

}  // namespace

int keysCommand(const std::vector<std::string>& argv) {
  int exitCode = 0;
  const auto args = parseCommandLine(argv, {}, keysUsage, exitCode);
  if (!args) return exitCode;
  if (args->positional.size() != 1 || args->positional.front() != "rotate") {
    std::cerr << "marketsage: keys needs 'rotate'\n" << keysUsage;
    return 2;
  }
  const auto config = loadConfig(*args);
  store::Database db(config.database.url, 2);
  store::migrate(db);
  const vault::TokenVault vault(
      vault::KeyRing::fromEnvironment(config.production(), config.dataDir, db.backend() == store::Backend::PostgreSQL));
  std::size_t changed = 0;
  tenants::Directory directory(db);
  for (const auto& org : directory.listOrganizations()) {
    auto tenant = directory.tenant(org.id);
    changed += connections::ConnectionStore(tenant, vault).resealTokens();
    changed += apps::AppStore(tenant, vault).resealSecrets();
    changed += webhooks::WebhookStore(tenant, vault).resealSecrets();
  }
  // Pending OAuth states live ten minutes; rather than re-seal them, let them lapse.
  std::size_t stale = 0;
  for (const auto& row :
       db.query("SELECT access_token FROM connections UNION ALL SELECT refresh_token FROM "
                "connections WHERE refresh_token IS NOT NULL UNION ALL SELECT client_secret FROM "
                "platform_apps WHERE client_secret IS NOT NULL UNION ALL SELECT secret FROM webhooks")) {
    if (!vault.isCurrent(row.text(0))) ++stale;
  }
  std::cout << "re-encrypted " << changed << " token(s) and app secret(s) under key " << vault.keys().currentId()
            << "\n";
  if (stale > 0) {
    std::cerr << "marketsage: " << stale
              << " token(s) or app secret(s) are still under an old key (written meanwhile?); run keys rotate again\n";
    return 1;
  }
  std::cout << "no token is left under an older key\n";
  return 0;
}

}  // namespace marketsage::cli
