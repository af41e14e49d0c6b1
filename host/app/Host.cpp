#include "app/Host.h"

#include "api/Routes.h"
#include "core/Time.h"
#include "store/Migrations.h"

namespace marketsage::app {

Host::Host(config::Config config)
    : config_(std::move(config)),
      database_(config_.database.url, config_.database.poolSize),
      directory_(database_),
      authenticator_(directory_),
      startedAt_(time::nowMillis()) {
  store::migrate(database_);
  api::addAllRoutes(router_);
}

Host::~Host() = default;

}  // namespace marketsage::app
