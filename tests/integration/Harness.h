#pragma once
/// Runs the real `marketsage` binary on a free loopback port against a fresh database (a temp
/// SQLite file, or a new database on the throwaway PostgreSQL that tests/run started) and talks
/// to it over real HTTP.

#include <boost/json.hpp>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace harness {

/// "sqlite" or "postgresql", from MARKETSAGE_TEST_BACKEND.
std::string backend();

/// FIELD_ENCRYPTION_KEY (hex, 32 bytes) of a PostgreSQL host whose test gives none: a host on
/// PostgreSQL refuses the development key file, and hosts on one database must share the key.
inline const std::string testKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A database URL that no other test uses.
std::string freshDatabaseUrl();

/// Runs one SQL statement directly on a test database (either backend); returns the rows as text.
std::vector<std::vector<std::string>> sql(const std::string& databaseUrl, const std::string& statement);

/// Drops a PostgreSQL database made by freshDatabaseUrl (forcibly closing sessions).
void dropPostgresDatabase(const std::string& url);

struct CommandResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::vector<std::string> setCookies;         ///< every Set-Cookie field, as sent
  std::string body;
  boost::json::value json() const;
  std::string header(const std::string& name) const;
};

class Host {
 public:
  /// Creates the temp dir and database; does not start anything yet.
  explicit Host(std::string databaseUrl = freshDatabaseUrl(), std::map<std::string, std::string> extraEnv = {});
  ~Host();

  /// Runs `marketsage <args>` with this host's environment and waits for it.
  CommandResult command(const std::vector<std::string>& args) const;
  /// `admin bootstrap`: returns the SUPER_ADMIN key (the last line of its output).
  std::string bootstrap();
  /// Starts `serve` and waits until /api/health answers 200; returns the milliseconds that took.
  long start(const std::string& configJson = "{}");
  /// Talk HTTPS (any certificate accepted) instead of HTTP from now on.
  void useTls() { tls_ = true; }
  /// SIGTERM and wait; returns the exit code.
  int stop();
  int pid() const { return pid_; }
  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& databaseUrl() const { return databaseUrl_; }
  std::string logText() const;

  Response request(const std::string& method, const std::string& path, const std::string& key = {},
                   const std::optional<std::string>& body = std::nullopt,
                   const std::string& contentType = "application/json",
                   const std::map<std::string, std::string>& headers = {}) const;
  Response get(const std::string& path, const std::string& key) const { return request("GET", path, key); }
  /// Like a browser, the host object keeps the cookies its answers set (name, path, Max-Age) and
  /// sends them back on later requests to matching paths. This forgets them: another browser.
  void forgetCookies() const;
  /// The cookies request() would send to `path`, as a Cookie field value.
  std::string cookiesFor(const std::string& path) const;
  Response post(const std::string& path, const std::string& key, const boost::json::value& body) const {
    return request("POST", path, key, boost::json::serialize(body));
  }

 private:
  std::vector<std::string> environment() const;
  std::filesystem::path dir_;
  std::string databaseUrl_;
  std::map<std::string, std::string> extraEnv_;
  int port_ = 0;
  int pid_ = -1;
  bool tls_ = false;
  struct Cookie {
    std::string path;
    std::string value;
  };
  void keepCookies(const std::vector<std::string>& setCookies) const;
  mutable std::mutex cookieMutex_;
  mutable std::map<std::string, Cookie> cookies_;
};

int freePort();

/// GET of an absolute http:// URL, redirects not followed.
Response fetch(const std::string& url);

}  // namespace harness
