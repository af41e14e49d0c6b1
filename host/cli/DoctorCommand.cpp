/// doctor: checks in one go what a host needs to run (configuration, key, database, plugins,
/// credentials, public URL, data directory, clock), one line per check, and changes nothing: no
/// migration, no development key, no SQLite file, no data directory.
#include "apps/AppSettings.h"
#include "apps/AppStore.h"
#include "cli/Arguments.h"
#include "cli/Commands.h"
#include "config/Config.h"
#include "config/Layout.h"
#include "config/PluginSettings.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Time.h"
#include "plugins/PluginRegistry.h"
#include "store/Database.h"
#include "store/Migrations.h"
#include "vault/KeyRing.h"
#include "vault/TokenVault.h"
#include "webhooks/WebhookStore.h"

#include <openssl/crypto.h>

#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

namespace marketsage::cli {
namespace {

constexpr const char* doctorUsage =
    "usage: marketsage doctor [--config FILE]\n"
    "Checks the configuration, the encryption key (and that it opens what the database holds), the\n"
    "database (reachable, migrated), every enabled plugin (loads, honours the ABI, has its\n"
    "credentials, pins a platform API version that is still served), the public URL and the callback\n"
    "URLs to register with each platform, the data directory and the clock. One line per check:\n"
    "ok, warn or FAIL (with what to do). Changes nothing. Exits 1 when a check FAILs, 0 otherwise.\n"
    "Run it as the user the service runs as: sudo -u marketsage marketsage doctor\n";

/// A clock this far from the database server's, or behind the newest stored time, breaks token
/// expiry, OAuth state lifetimes and schedules.
constexpr std::int64_t clockSkewLimitMillis = 5 * 60 * 1000;
constexpr std::int64_t clockSkewWarnMillis = 30 * 1000;

class Report {
 public:
  void ok(std::string_view check, const std::string& found) { line("ok  ", check, found); }
  void warn(std::string_view check, const std::string& found) { line("warn", check, found); }
  void fail(std::string_view check, const std::string& found) {
    line("FAIL", check, found);
    ++failures_;
  }
  int failures() const { return failures_; }

 private:
  static void line(std::string_view status, std::string_view check, const std::string& found) {
    std::cout << status << " " << check << ": " << found << "\n" << std::flush;
  }
  int failures_ = 0;
};

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

/// The installed host's environment file, which run() has loaded: the service reads it too.
void checkEnvironmentFile(Report& report) {
  const auto& layout = config::layout();
  if (!layout.installed || layout.environmentFile.empty()) return;
  const auto& file = layout.environmentFile;
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    report.warn("environment file", file.string() + " does not exist: secrets come from the environment only");
    return;
  }
  if (!std::ifstream(file)) {
    report.fail("environment file", "cannot read " + file.string() + " (" + std::strerror(errno) +
                                        "): run doctor as root or as the service's user, which can read it");
    return;
  }
  report.ok("environment file", file.string());
}

std::optional<config::Config> checkConfiguration(Report& report, const Arguments& args) {
  try {
    auto config = loadConfig(args);
    log::configure(log::Level::Error, config.logFile);  // the report is the output
    std::string file = "built-in defaults";
    if (const auto given = args.flag("config")) {
      file = *given;
    } else if (std::filesystem::exists(config::layout().configFile)) {
      file = config::layout().configFile.string();
    }
    report.ok("configuration", file + " (mode " + config.mode + ")");
    return config;
  } catch (const config::ConfigError& e) {
    report.fail("configuration", std::string(e.what()) + ": the other checks need it and were skipped");
    return std::nullopt;
  }
}

/// The key ring the host would use, built without creating a development key.
std::optional<vault::KeyRing> checkKey(Report& report, const config::Config& config, bool sharedDatabase) {
  const auto current = env("FIELD_ENCRYPTION_KEY");
  const auto previous = env("FIELD_ENCRYPTION_KEY_PREVIOUS");
  const bool devKey =
      current.find_first_not_of(" \t\r\n") == std::string::npos && !config.production() && !sharedDatabase;
  try {
    if (!devKey) {
      auto ring = vault::KeyRing::fromValues(config.production(), config.dataDir, current, previous, sharedDatabase);
      const auto count = ring.ids().size();
      report.ok("encryption key", "FIELD_ENCRYPTION_KEY is key version " + ring.currentId() +
                                      (count > 1 ? " (" + std::to_string(count - 1) + " previous key(s))" : ""));
      return ring;
    }
    const auto file = config.dataDir / vault::KeyRing::kDevKeyFile;
    std::error_code error;
    if (!std::filesystem::exists(file, error)) {
      report.warn("encryption key", "FIELD_ENCRYPTION_KEY is not set: development would create " + file.string() +
                                        " (set FIELD_ENCRYPTION_KEY for production)");
      // Still check that the previous keys are well formed.
      std::stringstream list(previous);
      for (std::string item; std::getline(list, item, ',');) {
        if (item.find_first_not_of(" \t\r\n") == std::string::npos) continue;
        auto key = vault::KeyRing::parseKey(item, "FIELD_ENCRYPTION_KEY_PREVIOUS");
        OPENSSL_cleanse(key.data(), key.size());
      }
      return std::nullopt;
    }
    auto ring = vault::KeyRing::fromValues(false, config.dataDir, "", previous);  // the file exists: only read
    report.warn("encryption key", "FIELD_ENCRYPTION_KEY is not set: development uses " + file.string() +
                                      ", key version " + ring.currentId() +
                                      " (set FIELD_ENCRYPTION_KEY for production)");
    return ring;
  } catch (const vault::KeyError& e) {
    report.fail("encryption key", e.what());
    return std::nullopt;
  }
}

/// Whether the data directory is (or could be made) a folder this user can write to. Writes one
/// empty temp file and removes it at once.
void checkDataDir(Report& report, const config::Config& config) {
  const auto writable = [](const std::filesystem::path& folder) -> std::string {
    std::string name = (folder / ".doctor-XXXXXX").string();
    const int fd = mkstemp(name.data());
    if (fd < 0) return std::strerror(errno);
    close(fd);
    unlink(name.c_str());
    return {};
  };
  const auto& dir = config.dataDir;
  std::error_code error;
  if (std::filesystem::is_directory(dir, error)) {
    if (const auto why = writable(dir); !why.empty()) {
      report.fail("data directory",
                  "cannot write to " + dir.string() + " (" + why + "): give it to the user the host runs as (chown)");
    } else {
      report.ok("data directory", dir.string() + " is writable");
    }
    return;
  }
  if (std::filesystem::exists(dir, error)) {
    report.fail("data directory", dir.string() + " is not a folder: set MARKETSAGE_DATA_DIR or dataDir to one");
    return;
  }
  auto parent = std::filesystem::absolute(dir, error);
  while (parent.has_parent_path() && parent != parent.root_path() && !std::filesystem::exists(parent, error)) {
    parent = parent.parent_path();
  }
  if (!std::filesystem::is_directory(parent, error)) {
    report.fail("data directory", dir.string() + " does not exist and cannot be created: " + parent.string() +
                                      " is not a folder; set MARKETSAGE_DATA_DIR or dataDir");
  } else if (const auto why = writable(parent); !why.empty()) {
    report.fail("data directory", dir.string() + " does not exist and cannot be created in " + parent.string() + " (" +
                                      why + "): create it for the user the host runs as");
  } else {
    report.warn("data directory", dir.string() + " does not exist yet: serve creates it");
  }
}

/// Opens the database without creating it; nullptr when it cannot be used.
std::unique_ptr<store::Database> checkDatabase(Report& report, const config::Config& config, bool& migrated) {
  migrated = false;
  const auto& url = config.database.url;
  std::string where = "postgresql";
  const auto file = store::Database::sqliteFile(url);
  if (file) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(*file, error)) {
      report.fail("database", "the SQLite file " + file->string() +
                                  " does not exist: run marketsage migrate (or set DATABASE_URL to the right file)");
      return nullptr;
    }
    where = "sqlite " + file->string();
  }
  std::unique_ptr<store::Database> db;
  try {
    // Opening an empty SQLite file would write its header (the store turns WAL on): an empty
    // file holds no schema, so it is not opened.
    const bool emptyFile = file && std::filesystem::file_size(*file) == 0;
    if (!emptyFile) db = std::make_unique<store::Database>(url, 1);
    const int version = db ? store::schemaVersion(*db) : 0;
    const int needed = store::requiredSchemaVersion();
    if (version < needed) {
      report.fail("database", where + ": schema at version " + std::to_string(version) + ", this binary needs " +
                                  std::to_string(needed) + ": run marketsage migrate");
    } else if (version > needed) {
      report.fail("database", where + ": schema at version " + std::to_string(version) + ", newer than this binary's " +
                                  std::to_string(needed) + ": run the newer marketsage that migrated it");
    } else {
      report.ok("database", where + " reachable, schema at version " + std::to_string(version));
      migrated = true;
    }
  } catch (const std::exception& e) {
    // The store's messages name host, port and database, never the password.
    report.fail("database", describe(e) + ": check DATABASE_URL and that the server is running");
    return nullptr;
  }
  return db;
}

/// Every key version stored secrets are sealed under must be in the ring, and one secret of each
/// must open.
void checkStoredSecrets(Report& report, store::Database& db, const std::optional<vault::KeyRing>& ring) {
  // What each secret is bound to, as ConnectionStore, AppStore and WebhookStore seal it.
  // (organization, bound to, field, sealed value, the app's platform or '')
  const auto rows = db.query(
      "SELECT organization_id, id, 'access_token', access_token, '' FROM connections"
      " UNION ALL SELECT organization_id, id, 'refresh_token', refresh_token, '' FROM connections"
      "  WHERE refresh_token IS NOT NULL"
      " UNION ALL SELECT organization_id, id, $2, client_secret, platform"
      "  FROM platform_apps WHERE client_secret IS NOT NULL"
      " UNION ALL SELECT organization_id, id, $1, secret, '' FROM webhooks",
      {std::string(webhooks::secretField), std::string(apps::secretField)});
  if (rows.empty()) {
    report.ok("stored secrets", "none yet");
    return;
  }
  struct Version {
    std::size_t count = 0;
    const store::Row* sample = nullptr;
  };
  std::map<std::string, Version> versions;
  std::size_t malformed = 0;
  for (const auto& row : rows) {
    try {
      auto& version = versions[vault::TokenVault::keyIdOf(row.text(3))];
      ++version.count;
      if (version.sample == nullptr) version.sample = &row;
    } catch (const vault::DecryptError&) {
      ++malformed;
    }
  }
  if (malformed > 0) {
    report.fail("stored secrets",
                std::to_string(malformed) + " stored secret(s) are not sealed values: the database was edited by hand");
  }
  std::optional<vault::TokenVault> vault;
  if (ring) vault.emplace(*ring);
  for (const auto& [keyId, version] : versions) {
    const std::string what = std::to_string(version.count) + " secret(s) under key version " + keyId;
    if (!vault || !vault->keys().contains(keyId)) {
      report.fail("stored secrets",
                  what +
                      ", which the configured key(s) do not hold: set FIELD_ENCRYPTION_KEY to the key that sealed "
                      "them (or put it in FIELD_ENCRYPTION_KEY_PREVIOUS and run marketsage keys rotate)");
      continue;
    }
    const auto& row = *version.sample;
    try {
      const auto boundTo = row.text(4).empty() ? row.text(1) : apps::sealedFor(row.text(4), row.text(1));
      auto plain = vault->open(row.text(0), boundTo, row.text(2), row.text(3));
      OPENSSL_cleanse(plain.data(), plain.size());
    } catch (const vault::DecryptError&) {
      report.fail("stored secrets", what + ": one does not open under that key (tampered, or copied between rows)");
      continue;
    }
    if (keyId == vault->keys().currentId()) {
      report.ok("stored secrets", what + " (the current key) open");
    } else {
      report.warn("stored secrets", what + " (a previous key) open: run marketsage keys rotate, then drop that key");
    }
  }
}

void checkClock(Report& report, store::Database& db) {
  const auto now = time::nowMillis();
  if (db.backend() == store::Backend::PostgreSQL) {
    const auto rows = db.query("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)");
    const auto skew = rows.front().integer(0) - now;
    const auto text =
        std::to_string(std::llabs(skew) / 1000) + " s " + (skew > 0 ? "behind" : "ahead of") + " the database server's";
    if (std::llabs(skew) > clockSkewLimitMillis) {
      report.fail("clock", "this machine's clock is " + text + ": synchronise it (NTP) on both machines");
      return;
    }
    if (std::llabs(skew) > clockSkewWarnMillis) report.warn("clock", "this machine's clock is " + text);
  }
  const auto rows = db.query(
      "SELECT MAX(t) FROM (SELECT MAX(created_at) AS t FROM organizations"
      " UNION ALL SELECT MAX(created_at) FROM audit_log UNION ALL SELECT MAX(created_at) FROM posts"
      " UNION ALL SELECT MAX(updated_at) FROM connections) AS stored");
  const auto newest = rows.empty() ? std::nullopt : rows.front().optionalInteger(0);
  if (newest && *newest > now + clockSkewLimitMillis) {
    report.fail("clock", "the newest stored time, " + time::formatIso8601(*newest) + ", is " +
                             std::to_string((*newest - now) / 60000) + " min ahead of this machine's clock (" +
                             time::formatIso8601(now) + "): the clock went back; fix it before serving");
    return;
  }
  report.ok("clock", time::formatIso8601(now) + (newest ? ", after every stored time" : ""));
}

void checkPlugins(Report& report, const config::Config& config, const plugins::PluginRegistry& registry) {
  for (const auto& error : registry.loadErrors()) {
    report.fail("plugin", error + ": fix or remove the file");
  }
  const auto now = time::nowMillis();
  std::size_t enabled = 0;
  for (const auto& info : registry.list()) {
    if (!info.enabled) continue;
    ++enabled;
    const auto name = "plugin " + info.id;
    std::ostringstream out;
    std::ostringstream err;
    if (plugins::checkPlugin(info.file, out, err) != 0) {
      auto verdict = err.str();
      while (!verdict.empty() && verdict.back() == '\n') verdict.pop_back();
      report.fail(name, info.file.string() + " fails its ABI check (" + verdict +
                            "): update the plugin or disable it (plugins." + info.id + ".enabled: false)");
      continue;
    }
    report.ok(name, info.version + ", ABI " + std::to_string(info.abiMajor) + "." + std::to_string(info.abiMinor) +
                        ", " + info.file.string());

    const auto plugin = registry.get(info.id);
    const auto setup = config::connectSetup(config, registry, info);
    const auto prefix = config::environmentPrefix(info.id);
    if (setup.connect == "oauth") {
      if (!setup.clientId) {
        auto missing = "no " + prefix + "_CLIENT_ID";
        const auto settings = config::pluginSettings(config, info.id);
        if (const auto* from = settings.values.if_contains("credentials_from"); from != nullptr && from->is_string()) {
          missing += " (nor " + config::environmentPrefix(std::string(from->get_string())) +
                     "_CLIENT_ID, its credentials_from)";
        }
        if (plugin && apps::takesOrganizationApps(*plugin)) {
          report.warn("credentials " + info.id, missing +
                                                    ": only organizations that register their own app (PUT "
                                                    "/api/social-media/apps/" +
                                                    info.id + ") can connect");
        } else {
          std::string fix = missing + ": nobody can connect " + info.id;
          fix += "; set " + prefix + "_CLIENT_ID";
          fix += " and " + prefix + "_CLIENT_SECRET";
          report.fail("credentials " + info.id, fix);
        }
      } else if (!setup.clientSecret) {
        report.warn("credentials " + info.id,
                    "client id set, no " + prefix + "_CLIENT_SECRET: only a public client (PKCE) works without it");
      } else {
        report.ok("credentials " + info.id, "client id and secret set");
      }
      report.ok("callback " + info.id, "register " + config::callbackUrl(config, info.id));
    } else if (setup.connect == "instance") {
      report.ok("credentials " + info.id, "none needed: an app is registered on each server organizations name");
      report.ok("callback " + info.id,
                config::callbackUrl(config, info.id) + " (registered on each server by the host)");
    } else if (setup.connect == "credential") {
      report.ok("credentials " + info.id,
                std::string("none needed: organizations give their own") +
                    (setup.defaultCredential ? " (a default " + prefix + "_BOT_TOKEN is set)" : ""));
    }

    if (const auto days = plugins::daysToSunset(info, now)) {
      const auto warning = plugins::apiVersionWarning(info, now);
      if (*days < 0 && warning) {
        report.fail("api version " + info.id, *warning);
      } else if (warning) {
        report.warn("api version " + info.id, *warning);
      } else {
        report.ok("api version " + info.id, info.apiVersion->version + ", served until " + info.apiVersion->sunsetAt);
      }
    }
  }
  if (enabled == 0) {
    std::string path;
    for (const auto& folder : config.pluginPath) path += (path.empty() ? "" : ":") + folder.string();
    report.warn("plugins", "no plugin is enabled (plugin path " + path + ")");
  }
}

void checkPublicUrl(Report& report, const config::Config& config) {
  const auto& url = config.publicUrl;
  if (url.rfind("https://", 0) == 0) {
    report.ok("public URL", url);
  } else if (config::isSecureOrLoopback(url)) {
    if (config.production()) {
      report.warn("public URL", url + " is on the loopback interface: only this machine can reach the callbacks");
    } else {
      report.ok("public URL", url + " (http on loopback: for local testing)");
    }
  } else if (config.production()) {
    // Config refuses this unless allowInsecurePublicUrl is set.
    report.warn("public URL", url + " is http: allowInsecurePublicUrl says TLS ends in front of the host");
  } else {
    report.warn("public URL", url +
                                  " is http outside localhost: platforms refuse such callbacks and production "
                                  "refuses it; set MARKETSAGE_PUBLIC_URL to https://…");
  }
}

}  // namespace

int doctorCommand(const std::vector<std::string>& argv) {
  int exitCode = 0;
  const auto args = parseCommandLine(argv, {}, doctorUsage, exitCode);
  if (!args) return exitCode;
  if (!args->positional.empty()) {
    std::cerr << "marketsage: doctor takes no arguments\n" << doctorUsage;
    return 2;
  }
  Report report;
  checkEnvironmentFile(report);
  const auto config = checkConfiguration(report, *args);
  if (config) {
    bool migrated = false;
    const auto db = checkDatabase(report, *config, migrated);
    const bool shared = !store::Database::sqliteFile(config->database.url);
    const int before = report.failures();
    const auto ring = checkKey(report, *config, shared);
    const bool keyUsable = report.failures() == before;  // else its FAIL says it all
    if (db && migrated) {
      if (keyUsable) checkStoredSecrets(report, *db, ring);
      checkClock(report, *db);
    }
    checkPublicUrl(report, *config);
    checkPlugins(report, *config, *config::loadPlugins(*config));
    checkDataDir(report, *config);
  }
  if (report.failures() > 0) {
    std::cerr << "marketsage: doctor found " << report.failures() << " problem(s)\n";
    return 1;
  }
  return 0;
}

}  // namespace marketsage::cli
