// `marketsage doctor`: the real binary, one temp data dir, config file and environment per case.
// A healthy setup exits 0; each problem is one exact FAIL line and exit 1; doctor changes nothing.
#include "integration/World.h"

#include <openssl/sha.h>

#include <pwd.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace harness;

namespace {

namespace fs = std::filesystem;

/// Another well-formed key than testKey (FIELD_ENCRYPTION_KEY of the sealing host).
const std::string otherKey = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

/// The bundled plugin ids; each gets <ID>_CLIENT_ID and <ID>_CLIENT_SECRET in the healthy case.
const std::vector<std::string> bundled = {"facebook", "instagram", "twitter", "linkedin", "youtube",  "telegram",
                                          "mastodon", "bluesky",   "tiktok",  "threads",  "pinterest"};

/// The key version of a hex key: the first 16 hex characters of SHA-256("marketsage-key-id" || key).
std::string keyVersionOf(const std::string& hexKey) {
  std::string input = "marketsage-key-id";
  for (std::size_t i = 0; i < hexKey.size(); i += 2)
    input += static_cast<char>(std::stoi(hexKey.substr(i, 2), nullptr, 16));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool hasLine(const CommandResult& r, const std::string& line) {
  const auto lines = linesOf(r.out);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

/// The one line starting with `prefix`, or "" when there is none.
std::string lineStarting(const CommandResult& r, const std::string& prefix) {
  for (const auto& line : linesOf(r.out))
    if (line.rfind(prefix, 0) == 0) return line;
  return {};
}

int countStarting(const CommandResult& r, const std::string& prefix) {
  int n = 0;
  for (const auto& line : linesOf(r.out)) n += line.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

/// `marketsage doctor --config <dir>/doctor.json` with `configJson` as that file.
CommandResult doctor(const Host& host, const std::string& configJson = "{}") {
  const auto file = host.dir() / "doctor.json";
  std::ofstream(file) << configJson;
  auto r = host.command({"doctor", "--config", file.string()});
  UNSCOPED_INFO("doctor exit " << r.exitCode << "\nstdout:\n" << r.out << "stderr:\n" << r.err);
  return r;
}

void migrate(const Host& host) {
  const auto r = host.command({"migrate"});
  REQUIRE(r.exitCode == 0);
}

/// Stores one sealed secret (a webhook's signing secret) under the host's FIELD_ENCRYPTION_KEY.
void storeSecret(Host& host) {
  const auto key = host.bootstrap();
  host.start(R"({"webhooks": {"allowHosts": ["127.0.0.1"]}})");
  REQUIRE(
      host.post("/api/webhooks", key, {{"url", "http://127.0.0.1:9/hook"}, {"events", {"post.published"}}}).status ==
      201);
  REQUIRE(host.stop() == 0);
}

std::string sqliteFile(const Host& host) { return host.databaseUrl().substr(7); }

std::string schemaVersion(const Host& host) {
  return sql(host.databaseUrl(), "SELECT MAX(version) FROM schema_migrations")[0][0];
}

/// A folder under the host's dir holding links to the given plugin files.
std::string pluginFolder(const Host& host, const std::vector<fs::path>& files) {
  const auto folder = host.dir() / "plugins";
  fs::create_directories(folder);
  for (const auto& file : files) {
    REQUIRE(fs::exists(file));
    fs::create_symlink(file, folder / file.filename());
  }
  return folder.string();
}

fs::path bundledPlugin(const std::string& id) { return fs::path(MARKETSAGE_BUNDLED_PLUGIN_DIR) / ("lib" + id + ".so"); }

/// The ABI fixtures of tests/plugins (built into the build tree's tests/plugins/fixtures).
fs::path fixture(const std::string& id) {
  return fs::path(MARKETSAGE_TEST_PLUGIN_DIR).parent_path() / "tests" / "plugins" / "fixtures" / ("lib" + id + ".so");
}

}  // namespace

TEST_CASE("doctor: a healthy host passes every check and changes nothing", "[doctor]") {
  std::map<std::string, std::string> env = {{"FIELD_ENCRYPTION_KEY", testKey}};
  Host host(freshDatabaseUrl(), env);
  storeSecret(host);
  for (const auto& id : bundled) {
    std::string prefix = id;
    std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](unsigned char c) { return std::toupper(c); });
    env[prefix + "_CLIENT_ID"] = id + "-client";
    env[prefix + "_CLIENT_SECRET"] = id + "-secret-value";
  }
  env["MARKETSAGE_PLUGIN_PATH"] = MARKETSAGE_BUNDLED_PLUGIN_DIR;
  const Host checked(host.databaseUrl(), env);
  const auto version = schemaVersion(host);
  const auto rows = [&] { return sql(host.databaseUrl(), "SELECT COUNT(*) FROM webhooks")[0][0]; };
  const auto before = rows();

  // The documented default configuration, with the test's database, data dir and public URL.
  const std::string config = std::string(MARKETSAGE_SOURCE_DIR) + "/config/marketsage.json";
  const auto r = checked.command({"doctor", "--config", config});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  CHECK(countStarting(r, "FAIL") == 0);
  CHECK(hasLine(r, "ok   configuration: " + config + " (mode development)"));
  const std::string where = backend() == "postgresql" ? "postgresql" : "sqlite " + sqliteFile(host);
  CHECK(hasLine(r, "ok   database: " + where + " reachable, schema at version " + version));
  CHECK(hasLine(r, "ok   encryption key: FIELD_ENCRYPTION_KEY is key version " + keyVersionOf(testKey)));
  CHECK(hasLine(
      r, "ok   stored secrets: 1 secret(s) under key version " + keyVersionOf(testKey) + " (the current key) open"));
  CHECK(lineStarting(r, "ok   clock: ").find(", after every stored time") != std::string::npos);
  const std::string publicUrl = "http://127.0.0.1:" + std::to_string(checked.port());
  CHECK(hasLine(r, "ok   public URL: " + publicUrl + " (http on loopback: for local testing)"));
  CHECK(hasLine(r, "ok   data directory: " + checked.dir().string() + " is writable"));
  for (const auto& id : bundled) {
    CHECK(lineStarting(r, "ok   plugin " + id + ": ").find(bundledPlugin(id).string()) != std::string::npos);
  }
  // OAuth platforms: credentials and the exact redirect URI to register.
  for (const auto& id : {"facebook", "twitter", "linkedin", "youtube"}) {
    CHECK(hasLine(r, std::string("ok   credentials ") + id + ": client id and secret set"));
    CHECK(hasLine(r, std::string("ok   callback ") + id + ": register " + publicUrl + "/api/auth/callback/" + id));
  }
  CHECK(hasLine(r, "ok   credentials telegram: none needed: organizations give their own"));
  CHECK(hasLine(r, "ok   credentials mastodon: none needed: an app is registered on each server organizations name"));
  CHECK(lineStarting(r, "ok   api version facebook: v24.0, served until ").size() > 0);
  // Never a secret.
  CHECK(r.out.find(testKey) == std::string::npos);
  CHECK(r.out.find("secret-value") == std::string::npos);
  // Nothing changed.
  CHECK(rows() == before);
  CHECK(schemaVersion(host) == version);
  CHECK_FALSE(fs::exists(checked.dir() / "dev-encryption.key"));
}

TEST_CASE("doctor: usage", "[doctor]") {
  Host host;
  const auto help = host.command({"doctor", "--help"});
  CHECK(help.exitCode == 0);
  CHECK(help.out.find("usage: marketsage doctor") != std::string::npos);
  const auto bad = host.command({"doctor", "--bogus"});
  CHECK(bad.exitCode == 2);
  CHECK(bad.err.find("usage: marketsage doctor") != std::string::npos);
}

TEST_CASE("doctor: a configuration file that is not JSON is one FAIL, the rest skipped", "[doctor]") {
  Host host;
  const auto r = doctor(host, "{\"mode\": ");
  CHECK(r.exitCode == 1);
  const auto file = (host.dir() / "doctor.json").string();
  CHECK(lineStarting(r, "FAIL configuration: config: " + file + " is not valid JSON: ").size() > 0);
  CHECK(linesOf(r.out).size() == 1);
  CHECK(r.err == "marketsage: doctor found 1 problem(s)\n");
}

TEST_CASE("doctor: the encryption key", "[doctor]") {
  SECTION("missing in production") {
    Host host(freshDatabaseUrl(),
              {{"FIELD_ENCRYPTION_KEY", ""}, {"MARKETSAGE_PUBLIC_URL", "https://social.example.com"}});
    migrate(host);
    const auto r = doctor(host, R"({"mode": "production"})");
    CHECK(r.exitCode == 1);
    CHECK(lineStarting(r, "FAIL encryption key: FIELD_ENCRYPTION_KEY is required in production: ").size() > 0);
  }
  SECTION("malformed: named, never echoed") {
    const std::string bad = "not-a-key-but-a-secret-looking-text";
    Host sealing(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
    storeSecret(sealing);
    const Host host(sealing.databaseUrl(), {{"FIELD_ENCRYPTION_KEY", bad}});
    const auto r = doctor(host);
    CHECK(r.exitCode == 1);
    CHECK(lineStarting(r, "FAIL encryption key: FIELD_ENCRYPTION_KEY ").size() > 0);
    CHECK(countStarting(r, "FAIL") == 1);  // the stored secret is not blamed on top
    CHECK(r.out.find(bad) == std::string::npos);
    CHECK(r.err.find(bad) == std::string::npos);
  }
  SECTION("a malformed previous key") {
    Host host(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}, {"FIELD_ENCRYPTION_KEY_PREVIOUS", "short"}});
    migrate(host);
    const auto r = doctor(host);
    CHECK(r.exitCode == 1);
    CHECK(lineStarting(r, "FAIL encryption key: FIELD_ENCRYPTION_KEY_PREVIOUS (entry 1) ").size() > 0);
  }
  SECTION("development without a key: a warning on SQLite, a failure on PostgreSQL; no key file made") {
    // Hosts sharing a PostgreSQL database must share the key: a per-host development key cannot do.
    const bool postgres = backend() == "postgresql";
    Host host(postgres ? freshDatabaseUrl() : "", {{"FIELD_ENCRYPTION_KEY", ""}});
    migrate(host);
    const auto r = doctor(host);
    if (postgres) {
      CHECK(r.exitCode == 1);
      CHECK(lineStarting(r, "FAIL encryption key: ").size() > 0);
    } else {
      CHECK(r.exitCode == 0);
      CHECK(hasLine(r, "warn encryption key: FIELD_ENCRYPTION_KEY is not set: development would create " +
                           (host.dir() / "dev-encryption.key").string() +
                           " (set FIELD_ENCRYPTION_KEY for production)"));
    }
    CHECK_FALSE(fs::exists(host.dir() / "dev-encryption.key"));
  }
}

TEST_CASE("doctor: a database sealed under another key", "[doctor]") {
  Host sealing(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
  storeSecret(sealing);
  const auto expected = "FAIL stored secrets: 1 secret(s) under key version " + keyVersionOf(testKey) +
                        ", which the configured key(s) do not hold: set FIELD_ENCRYPTION_KEY to the key that sealed "
                        "them (or put it in FIELD_ENCRYPTION_KEY_PREVIOUS and run marketsage keys rotate)";
  const Host other(sealing.databaseUrl(), {{"FIELD_ENCRYPTION_KEY", otherKey}});
  const auto r = doctor(other);
  CHECK(r.exitCode == 1);
  CHECK(hasLine(r, expected));
  CHECK(hasLine(r, "ok   encryption key: FIELD_ENCRYPTION_KEY is key version " + keyVersionOf(otherKey)));

  // A secret under the key that does not open: tampered (its tag changed).
  const Host same(sealing.databaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
  sql(sealing.databaseUrl(),
      "UPDATE webhooks SET secret = substr(secret, 1, length(secret) - 2) ||"
      " CASE WHEN substr(secret, length(secret) - 1) = 'AA' THEN 'BB' ELSE 'AA' END");
  const auto tampered = doctor(same);
  CHECK(tampered.exitCode == 1);
  CHECK(hasLine(tampered, "FAIL stored secrets: 1 secret(s) under key version " + keyVersionOf(testKey) +
                              ": one does not open under that key (tampered, or copied between rows)"));
}

TEST_CASE("doctor: a secret under a previous key opens and asks for a rotation", "[doctor]") {
  Host sealing(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
  storeSecret(sealing);
  const Host rotating(sealing.databaseUrl(),
                      {{"FIELD_ENCRYPTION_KEY", otherKey}, {"FIELD_ENCRYPTION_KEY_PREVIOUS", testKey}});
  const auto ok = doctor(rotating);
  CHECK(ok.exitCode == 0);
  CHECK(hasLine(ok, "warn stored secrets: 1 secret(s) under key version " + keyVersionOf(testKey) +
                        " (a previous key) open: run marketsage keys rotate, then drop that key"));
}

TEST_CASE("doctor: an unreachable PostgreSQL is a FAIL without the password", "[doctor]") {
  const auto port = freePort();  // nothing listens there
  const std::string url = "postgresql://marketsage:pw-s3cret-42@127.0.0.1:" + std::to_string(port) + "/marketsage";
  Host host("", {{"DATABASE_URL", url}, {"FIELD_ENCRYPTION_KEY", testKey}});
  const auto r = doctor(host);
  CHECK(r.exitCode == 1);
  const auto line = lineStarting(r, "FAIL database: cannot open the PostgreSQL database: ");
  CHECK(line.find(std::to_string(port)) != std::string::npos);
  CHECK(line.find("Connection refused") != std::string::npos);
  CHECK(line.find(": check DATABASE_URL and that the server is running") != std::string::npos);
  CHECK(r.out.find("pw-s3cret-42") == std::string::npos);
  CHECK(r.err.find("pw-s3cret-42") == std::string::npos);
}

TEST_CASE("doctor: the schema behind or ahead of the binary", "[doctor]") {
  Host migrated(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
  migrate(migrated);
  const int needed = std::stoi(schemaVersion(migrated));
  const std::string where = backend() == "postgresql" ? "postgresql" : "sqlite " + sqliteFile(migrated);

  SECTION("never migrated") {
    Host fresh(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
    if (backend() != "postgresql") std::ofstream(sqliteFile(fresh));  // an empty file
    const std::string freshWhere = backend() == "postgresql" ? "postgresql" : "sqlite " + sqliteFile(fresh);
    const auto r = doctor(fresh);
    CHECK(r.exitCode == 1);
    CHECK(hasLine(r, "FAIL database: " + freshWhere + ": schema at version 0, this binary needs " +
                         std::to_string(needed) + ": run marketsage migrate"));
    // doctor did not migrate, nor write to the empty file
    if (backend() != "postgresql") CHECK(fs::file_size(sqliteFile(fresh)) == 0);
    CHECK(sql(fresh.databaseUrl(), backend() == "postgresql"
                                       ? "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'schema_migrations'"
                                       : "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_migrations'")[0][0] ==
          "0");
  }
  SECTION("one migration behind") {
    sql(migrated.databaseUrl(), "DELETE FROM schema_migrations WHERE version = " + std::to_string(needed));
    const auto r = doctor(migrated);
    CHECK(r.exitCode == 1);
    CHECK(hasLine(r, "FAIL database: " + where + ": schema at version " + std::to_string(needed - 1) +
                         ", this binary needs " + std::to_string(needed) + ": run marketsage migrate"));
    CHECK(schemaVersion(migrated) == std::to_string(needed - 1));
  }
  SECTION("ahead: an older binary on a newer schema") {
    sql(migrated.databaseUrl(), "INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                                    std::to_string(needed + 1) + ", 'from the future', 0)");
    const auto r = doctor(migrated);
    CHECK(r.exitCode == 1);
    CHECK(hasLine(r, "FAIL database: " + where + ": schema at version " + std::to_string(needed + 1) +
                         ", newer than this binary's " + std::to_string(needed) +
                         ": run the newer marketsage that migrated it"));
  }
}

TEST_CASE("doctor: a missing SQLite file is a FAIL and is not created", "[doctor]") {
  const Host probe("");
  const auto file = probe.dir() / "nowhere" / "marketsage.db";
  const Host host("", {{"DATABASE_URL", "sqlite:" + file.string()}, {"FIELD_ENCRYPTION_KEY", testKey}});
  const auto r = doctor(host);
  CHECK(r.exitCode == 1);
  CHECK(hasLine(r, "FAIL database: the SQLite file " + file.string() +
                       " does not exist: run marketsage migrate (or set DATABASE_URL to the right file)"));
  CHECK_FALSE(fs::exists(file));
  CHECK_FALSE(fs::exists(file.parent_path()));
}

TEST_CASE("doctor: plugins that fail to load or fail their ABI check", "[doctor]") {
  for (const auto& id : {"fixture_bad_json", "fixture_major2"}) REQUIRE(fs::exists(fixture(id)));
  Host host(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
  migrate(host);
  const auto folder = pluginFolder(host, {fixture("fixture_bad_json"), fixture("fixture_major2")});
  const Host checked(host.databaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}, {"MARKETSAGE_PLUGIN_PATH", folder}});
  const auto r = doctor(checked);
  CHECK(r.exitCode == 1);
  const auto abi =
      lineStarting(r, "FAIL plugin fixture_bad_json: " + folder + "/libfixture_bad_json.so fails its ABI check (");
  CHECK(abi.size() > 0);
  CHECK(abi.find("): update the plugin or disable it (plugins.fixture_bad_json.enabled: false)") != std::string::npos);
  const auto load = lineStarting(r, "FAIL plugin: " + folder + "/libfixture_major2.so: ");
  CHECK(load.size() > 0);
  CHECK(load.find(": fix or remove the file") != std::string::npos);
}

TEST_CASE("doctor: plugin credentials and pinned API versions", "[doctor]") {
  Host host(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
  migrate(host);
  const auto folder = pluginFolder(host, {bundledPlugin("facebook")});
  const Host checked(host.databaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}, {"MARKETSAGE_PLUGIN_PATH", folder}});

  SECTION("an OAuth platform without credentials: organizations can still bring their own app") {
    const auto r = doctor(checked, R"({"plugins": {"facebook": {"api_version": "v24.0"}}})");
    CHECK(r.exitCode == 0);
    CHECK(hasLine(r,
                  "warn credentials facebook: no FACEBOOK_CLIENT_ID: only organizations that register their own "
                  "app (PUT /api/social-media/apps/facebook) can connect"));
  }
  SECTION("an API version past its sunset") {
    const auto r = doctor(checked, R"({"plugins": {"facebook": {"api_version": "v17.0"}}})");
    CHECK(r.exitCode == 1);
    CHECK(hasLine(r,
                  "FAIL api version facebook: facebook pins API version v17.0, which the platform stopped serving "
                  "on 2025-09-12: set plugins.facebook.api_version to a current version"));
  }
}

TEST_CASE("doctor: the public URL", "[doctor]") {
  SECTION("http outside localhost in production") {
    Host host(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}, {"MARKETSAGE_PUBLIC_URL", "http://example.com"}});
    const auto r = doctor(host, R"({"mode": "production"})");
    CHECK(r.exitCode == 1);
    CHECK(hasLine(r,
                  "FAIL configuration: config: in production the public URL must be https:// (it is "
                  "http://example.com); set MARKETSAGE_PUBLIC_URL, or allowInsecurePublicUrl: true if TLS ends in "
                  "front of the host: the other checks need it and were skipped"));
  }
  SECTION("http outside localhost in development: a warning") {
    Host host(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}, {"MARKETSAGE_PUBLIC_URL", "http://example.com"}});
    migrate(host);
    const auto r = doctor(host);
    CHECK(r.exitCode == 0);
    CHECK(lineStarting(r, "warn public URL: http://example.com is http outside localhost: ").size() > 0);
  }
}

TEST_CASE("doctor: a data directory that cannot be written", "[doctor]") {
  Host host(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
  migrate(host);
  const auto file = host.dir() / "a-file";
  std::ofstream(file) << "not a folder";
  SECTION("under a regular file") {
    const auto dataDir = file / "data";
    const Host checked(host.databaseUrl(),
                       {{"FIELD_ENCRYPTION_KEY", testKey}, {"MARKETSAGE_DATA_DIR", dataDir.string()}});
    const auto r = doctor(checked);
    CHECK(r.exitCode == 1);
    CHECK(hasLine(r, "FAIL data directory: " + dataDir.string() + " does not exist and cannot be created: " +
                         file.string() + " is not a folder; set MARKETSAGE_DATA_DIR or dataDir"));
  }
  SECTION("a regular file") {
    const Host checked(host.databaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}, {"MARKETSAGE_DATA_DIR", file.string()}});
    const auto r = doctor(checked);
    CHECK(r.exitCode == 1);
    CHECK(hasLine(
        r, "FAIL data directory: " + file.string() + " is not a folder: set MARKETSAGE_DATA_DIR or dataDir to one"));
  }
  SECTION("missing but creatable: a warning, not created") {
    const auto dataDir = host.dir() / "later" / "data";
    const Host checked(host.databaseUrl(),
                       {{"FIELD_ENCRYPTION_KEY", testKey}, {"MARKETSAGE_DATA_DIR", dataDir.string()}});
    const auto r = doctor(checked);
    CHECK(r.exitCode == 0);
    CHECK(hasLine(r, "warn data directory: " + dataDir.string() + " does not exist yet: serve creates it"));
    CHECK_FALSE(fs::exists(host.dir() / "later"));
  }
}

TEST_CASE("doctor: a clock gone back", "[doctor]") {
  Host host(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
  migrate(host);
  const auto hourAhead = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
                             .count();
  sql(host.databaseUrl(), "INSERT INTO organizations (id, name, created_at) VALUES ('future', 'Future', " +
                              std::to_string(hourAhead) + ")");
  const auto r = doctor(host);
  CHECK(r.exitCode == 1);
  const auto line = lineStarting(r, "FAIL clock: the newest stored time, ");
  CHECK(line.find(" min ahead of this machine's clock (") != std::string::npos);
  CHECK(line.find("): the clock went back; fix it before serving") != std::string::npos);
}

TEST_CASE("doctor: root is sent to the data directory's owner", "[doctor]") {
  Host host(freshDatabaseUrl(), {{"FIELD_ENCRYPTION_KEY", testKey}});
  if (geteuid() != 0) {  // only root is refused; anyone else runs as who they are
    CHECK(doctor(host).err.find("as root") == std::string::npos);
    return;
  }
  REQUIRE(chown(host.dir().c_str(), 65534, 65534) == 0);
  const auto r = doctor(host);
  CHECK(r.exitCode == 1);
  const std::string user = [] {
    const passwd* p = getpwuid(65534);
    return p != nullptr ? std::string(p->pw_name) : std::string("#65534");
  }();
  CHECK(r.err == "marketsage: doctor as root would leave root-owned files in the data directory: run as " + user +
                     ": sudo -u " + user + " marketsage doctor …\n");
  CHECK(r.out.empty());
  // The same for the other commands that write there; --help still answers.
  const auto migrate = host.command({"migrate"});
  CHECK(migrate.exitCode == 1);
  CHECK(migrate.err.find(": run as " + user + ": sudo -u " + user + " marketsage migrate …\n") != std::string::npos);
  CHECK(host.command({"migrate", "--help"}).exitCode == 0);
  CHECK(host.command({"plugins", "list"}).exitCode == 0);  // reads nothing there
  REQUIRE(chown(host.dir().c_str(), 0, 0) == 0);
}
