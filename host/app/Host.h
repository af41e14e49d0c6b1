#pragma once
/// The running host, assembled once at start: configuration, database, tenancy, the token vault,
/// plugins, the services (OAuth, refresh, publishing, health, analytics), the route table and the
/// dispatcher that serves it. Each service gets exactly what it uses through its constructor;
/// nothing below app/ sees this class.

#include "config/Config.h"
#include "http/Metrics.h"
#include "http/RateLimiter.h"
#include "http/Router.h"
#include "store/Database.h"
#include "tenants/Authenticator.h"
#include "tenants/Directory.h"

#include <memory>

namespace marketsage::apps {
class AppSettings;
}
namespace marketsage::connections {
class RefreshSchedule;
}
namespace marketsage::health {
class ConnectionHealth;
}
namespace marketsage::http {
class Dispatcher;
}
namespace marketsage::insights {
class PlatformCalls;
class SnapshotTaker;
}  // namespace marketsage::insights
namespace marketsage::oauth {
class OAuthFlow;
class TokenRefresher;
}  // namespace marketsage::oauth
namespace marketsage::plugins {
class PluginRegistry;
}
namespace marketsage::publishing {
class Publisher;
}
namespace marketsage::vault {
class TokenVault;
}
namespace marketsage::webhooks {
class Deliverer;
}

namespace marketsage::app {

class Host {
 public:
  /// Opens the database, migrates it, loads the encryption keys and the plugins. Throws
  /// std::runtime_error (or a subclass) with a one-line reason.
  explicit Host(config::Config config);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  const config::Config& config() const { return config_; }
  store::Database& database() { return database_; }
  tenants::Directory& directory() { return directory_; }
  plugins::PluginRegistry& plugins() { return *plugins_; }
  oauth::TokenRefresher& refresher() { return *refresher_; }
  publishing::Publisher& publisher() { return *publisher_; }
  /// The analytics history's background pass (started and stopped with the publisher).
  insights::SnapshotTaker& snapshots() { return *snapshots_; }
  webhooks::Deliverer& deliverer() { return *deliverer_; }
  http::Metrics& metrics() { return metrics_; }
  /// Answers every request the server hands over, through the route table.
  http::Dispatcher& dispatcher() { return *dispatcher_; }
  /// Every route, with the permission each requires.
  const http::Router& router() const { return router_; }

 private:
  void addRoutes();

  config::Config config_;
  store::Database database_;
  tenants::Directory directory_;
  tenants::Authenticator authenticator_;
  http::Metrics metrics_;
  http::RateLimiter rateLimiter_;
  std::unique_ptr<vault::TokenVault> vault_;
  std::unique_ptr<plugins::PluginRegistry> plugins_;
  std::unique_ptr<connections::RefreshSchedule> refreshSchedule_;
  std::unique_ptr<apps::AppSettings> appSettings_;
  std::unique_ptr<oauth::TokenRefresher> refresher_;
  std::unique_ptr<oauth::OAuthFlow> oauth_;
  std::unique_ptr<publishing::Publisher> publisher_;
  std::unique_ptr<health::ConnectionHealth> health_;
  std::unique_ptr<insights::PlatformCalls> platformCalls_;
  std::unique_ptr<insights::SnapshotTaker> snapshots_;
  std::unique_ptr<webhooks::Deliverer> deliverer_;
  http::Router router_;
  std::unique_ptr<http::Dispatcher> dispatcher_;
};

}  // namespace marketsage::app
