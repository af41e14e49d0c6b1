#pragma once
/// Everything a running host holds, built once at start: configuration, database, tenancy,
/// authentication, metrics, plugins and the route table. Handlers reach it through Exchange.

#include "auth/Authenticator.h"
#include "config/Config.h"
#include "http/Metrics.h"
#include "http/Router.h"
#include "store/Database.h"
#include "tenants/Directory.h"

#include <memory>
#include <string>
#include <vector>

namespace marketsage::plugins { class PluginRegistry; }

namespace marketsage::app {

/// What the plugin loader found, as health and metrics report it.
struct PluginSummary {
  int loaded = 0;
  std::vector<std::string> errors;
};

class Host {
 public:
  /// Opens the database and migrates it. Throws std::runtime_error with a one-line reason.
  explicit Host(config::Config config);
  ~Host();

  const config::Config& config() const { return config_; }
  store::Database& database() { return database_; }
  tenants::Directory& directory() { return directory_; }
  auth::Authenticator& authenticator() { return authenticator_; }
  http::Metrics& metrics() { return metrics_; }
  const http::Router& router() const { return router_; }
  const PluginSummary& plugins() const { return pluginSummary_; }
  std::int64_t startedAt() const { return startedAt_; }

 private:
  config::Config config_;
  store::Database database_;
  tenants::Directory directory_;
  auth::Authenticator authenticator_;
  http::Metrics metrics_;
  http::Router router_;
  PluginSummary pluginSummary_;
  std::int64_t startedAt_;
};

}  // namespace marketsage::app
