/// serve, migrate and admin bootstrap: the commands that open the database.
#include "app/Host.h"
#include "cli/Arguments.h"
#include "cli/Commands.h"
#include "core/Log.h"
#include "core/Systemd.h"
#include "http/Dispatcher.h"
#include "http/Fields.h"
#include "http/Server.h"
#include "insights/SnapshotTaker.h"
#include "oauth/TokenRefresher.h"
#include "plugins/PluginRegistry.h"
#include "publishing/Publisher.h"
#include "store/Database.h"
#include "store/Migrations.h"
#include "webhooks/Deliverer.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

namespace marketsage::cli {
namespace {

constexpr const char* serveUsage =
    "usage: marketsage serve [--config FILE]\n"
    "Starts the HTTP(S) host. With no flags: SQLite under var/, port 8080, every bundled plugin.\n"
    "Stops on SIGTERM or SIGINT after in-flight requests finish (server.drainSeconds).\n";
constexpr const char* migrateUsage =
    "usage: marketsage migrate [--config FILE]\n"
    "Creates or upgrades the database schema. Safe to run again; serve runs it too.\n";
constexpr const char* adminUsage =
    "usage: marketsage admin bootstrap [--config FILE] [--email EMAIL] [--org NAME]\n"
    "       marketsage admin recover [--config FILE] [--email EMAIL]\n"
    "bootstrap: creates the first organization and its SUPER_ADMIN (default admin@localhost in\n"
    "  \"MarketSage\") and prints that user's API key as the last line of output, shown only once.\n"
    "recover: when every SUPER_ADMIN key is lost, issues a new key for the SUPER_ADMIN with that\n"
    "  email (needed only when there are several) from this machine, audited, printed once.\n";

/// Blocks the stop signals in this thread and every thread it starts later, so that the main
/// thread alone receives them through sigwait.
sigset_t blockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

http::Endpoint endpointOf(const config::ServerConfig& server) {
  return {server.host, server.port, server.tlsCertificate, server.tlsPrivateKey};
}

http::Limits limitsOf(const config::ServerConfig& server) {
  using std::chrono::seconds;
  http::Limits limits;
  limits.headerTimeout = seconds(server.headerTimeoutSeconds);
  limits.bodyTimeout = seconds(server.bodyTimeoutSeconds);
  limits.keepAliveTimeout = seconds(server.keepAliveSeconds);
  limits.minBytesPerSecond = server.minBodyRate;
  limits.maxHeadBytes = server.maxHeaderBytes;
  limits.maxBufferedBody = server.maxBodyBytes;
  limits.maxConnections = static_cast<std::size_t>(server.maxConnections);
  limits.maxConnectionsPerClient = static_cast<std::size_t>(server.maxConnectionsPerClient);
  limits.maxRequestsPerClient = static_cast<std::size_t>(server.maxRequestsPerClient);
  limits.workers = static_cast<std::size_t>(server.maxThreads);
  limits.maxQueued = static_cast<std::size_t>(server.maxQueued);
  return limits;
}

/// Only one host may serve an SQLite database: it alone publishes from it, so at start anything
/// still publishing is its own unfinished work. A lock beside the file says so to a second serve.
/// Returns false (after saying why) when another host holds it; the lock lasts as long as the
/// process.
bool lockSqliteDatabase(const config::Config& config) {
  const auto file = store::Database::sqliteFile(config.database.url);
  if (!file) return true;
  const auto lockFile = file->string() + ".serve-lock";
  const int fd = ::open(lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return true;  // a read-only folder: the database open reports the real problem
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
  ::close(fd);
  std::cerr << "marketsage: another marketsage serve is using " << file->string()
            << "; only one host may serve an SQLite database (several hosts need PostgreSQL)\n";
  return false;
}

/// Tells systemd (Type=notify) how the host is doing; a host not run by systemd sends nothing.
void notifyServiceManager(const std::string& state) {
  if (!systemd::notify(state)) log::warn("systemd notification not sent", {{"error", std::strerror(errno)}});
}

}  // namespace

int serveCommand(const std::vector<std::string>& argv) {
  int exitCode = 0;
  const auto args = parseCommandLine(argv, {}, serveUsage, exitCode);
  if (!args) return exitCode;
  if (!args->positional.empty()) {
    std::cerr << "marketsage: serve takes no arguments\n" << serveUsage;
    return 2;
  }
  const sigset_t stopSignals = blockStopSignals();
  std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-answer is an error code, not the end of the host
  auto config = loadConfig(*args);
  if (!lockSqliteDatabase(config)) return 1;
  app::Host host(config);
  auto& dispatcher = host.dispatcher();
  http::Server server(
      endpointOf(config.server), limitsOf(config.server),
      [&](http::Request& request, http::Response& response) { dispatcher.serve(request, response); },
      [&](const http::RequestHead& head) { return dispatcher.streamsBody(head); },
      [&](int status, const std::string& client, const std::string& detail) {
        dispatcher.refused(status, client, detail);
      },
      &host.metrics().server());
  server.start();
  host.refresher().startBackground(config.oauth.refreshIntervalSeconds);
  host.publisher().start();
  host.snapshots().start();
  host.deliverer().start();
  log::info("listening", {{"port", std::to_string(server.port())},
                          {"database", host.database().backendName()},
                          {"tls", config.server.tlsCertificate.empty() ? "off" : "on"},
                          {"version", MARKETSAGE_VERSION}});
  // Migrated (Host) and bound (start): a Type=notify unit counts the service as started only now.
  notifyServiceManager("READY=1\nSTATUS=Serving on port " + std::to_string(server.port()));
  int received = 0;
  sigwait(&stopSignals, &received);
  log::info("stopping", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
  notifyServiceManager("STOPPING=1\nSTATUS=Draining requests (up to " + std::to_string(config.server.drainSeconds) +
                       " s)");
  host.refresher().stopBackground();
  host.snapshots().stop();
  // Requests waiting for a post to settle drain first, while the publisher still runs; then the
  // publisher lets running platform calls finish and hands unstarted work back to the queue.
  const bool drained = server.stop(config.server.drainSeconds);
  host.plugins().interruptWaits();  // a plugin polling a platform's processing ends that call now
  host.publisher().stop();
  host.deliverer().stop();  // after the publisher: the events of its last outcomes are stored, sent next run
  log::info("stopped", {{"drained", drained ? "true" : "false"}});
  log::flush();
  return 0;
}

int migrateCommand(const std::vector<std::string>& argv) {
  int exitCode = 0;
  const auto args = parseCommandLine(argv, {}, migrateUsage, exitCode);
  if (!args) return exitCode;
  auto config = loadConfig(*args);
  store::Database db(config.database.url, 1);
  const auto report = store::migrate(db);
  for (const auto& applied : report.applied) std::cout << "applied " << applied << "\n";
  std::cout << "schema at version " << report.currentVersion << " (" << db.backendName() << ")\n";
  return 0;
}

int adminCommand(const std::vector<std::string>& argv) {
  const bool known = !argv.empty() && (argv.front() == "bootstrap" || argv.front() == "recover");
  if (!known && (argv.empty() || (argv.front() != "--help" && argv.front() != "-h"))) {
    std::cerr << "marketsage: admin needs a subcommand: bootstrap or recover\n" << adminUsage;
    return 2;
  }
  const bool recover = known && argv.front() == "recover";
  int exitCode = 0;
  const auto args = parseCommandLine(std::vector<std::string>(argv.begin() + (known ? 1 : 0), argv.end()),
                                     recover ? std::set<std::string>{"email"} : std::set<std::string>{"email", "org"},
                                     adminUsage, exitCode);
  if (!args) return exitCode;
  if (recover) {
    auto config = loadConfig(*args);
    app::Host host(config);
    const auto result = host.directory().recoverSuperAdmin(args->flag("email"));
    std::cout << "SUPER_ADMIN " << result.user.id << " <" << result.user.email << "> of organization "
              << result.organization.id << "\n"
              << "new API key (shown once, store it now; earlier keys stay valid until revoked):\n"
              << result.apiKey << std::endl;
    return 0;
  }
  const auto email = args->flag("email").value_or("admin@localhost.localdomain");
  if (!http::isEmailAddress(email)) {
    std::cerr << "marketsage: --email is not an email address\n";
    return 2;
  }
  auto config = loadConfig(*args);
  app::Host host(config);
  const auto result = host.directory().bootstrap(args->flag("org").value_or("MarketSage"), email);
  std::cout << "organization " << result.organization.id << " \"" << result.organization.name << "\"\n"
            << "SUPER_ADMIN " << result.user.id << " <" << result.user.email << ">\n"
            << "API key (shown once, store it now):\n"
            << result.apiKey << std::endl;
  return 0;
}

}  // namespace marketsage::cli
