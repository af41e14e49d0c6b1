#pragma once
/// The host's configuration: built-in defaults, then a JSON file (--config, or the layout's default
/// file: config/marketsage.json in a build tree, /etc/marketsage/marketsage.json installed), then
/// environment variables, each overriding the one before.

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace marketsage::config {

/// A configuration that cannot be used; the message is one line for stderr.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ServerConfig {
  std::string host = "0.0.0.0";
  int port = 8080;
  int maxThreads = 64;                     ///< request threads; only complete requests reach one
  int maxQueued = 1024;                    ///< complete requests waiting for a thread (503 beyond)
  std::size_t maxBodyBytes = 1024 * 1024;  ///< larger request bodies answer 413 (uploads stream)
  std::size_t maxHeaderBytes = 32 * 1024;  ///< request line plus header fields (431 beyond)
  int headerTimeoutSeconds = 10;           ///< the whole request head, from connect (or first byte when kept alive)
  int bodyTimeoutSeconds = 30;             ///< a whole JSON body; for streamed uploads the grace before minBodyRate
  int keepAliveSeconds = 15;               ///< an idle kept-alive connection is closed after this
  std::uint64_t minBodyRate = 16 * 1024;   ///< bytes/s an upload (or a slow reader of an answer) must average
  int maxConnections = 10000;              ///< open sockets; the oldest idle one is closed to admit another
  int maxConnectionsPerClient = 256;       ///< per client address, likewise (0 = no bound; raise behind a proxy)
  int maxRequestsPerClient = 0;  ///< requests of one address in service at once (0 = maxThreads minus a reserve)
  int drainSeconds = 10;         ///< on SIGTERM, how long in-flight requests may finish
  int authCacheSeconds = 5;      ///< how long a resolved API key is trusted without a lookup;
                                 ///< revocation on this host applies at once, on others within it
  std::string tlsCertificate;    ///< PEM file; set with tlsPrivateKey to serve HTTPS
  std::string tlsPrivateKey;
};

/// Inbound limits (token buckets, per host): per API key, per client address, and failed
/// authentications per address.
struct RateLimitConfig {
  bool enabled = true;
  double perKeyPerSecond = 50;
  double perKeyBurst = 1000;
  double perAddressPerSecond = 200;
  double perAddressBurst = 2000;
  double authFailuresPerMinute = 10;
  double authFailuresBurst = 20;
};

struct DatabaseConfig {
  std::string url;    ///< "sqlite:PATH" or "postgresql://user:pass@host:port/db"
  int poolSize = 32;  ///< sessions; requests beyond it wait (bounded) for one
};

struct OAuthConfig {
  int stateLifetimeSeconds = 600;   ///< how long a connect flow may wait for its callback
  int startLinkSeconds = 120;       ///< how long the host link of a JSON connect answer may wait to be followed
  int refreshIntervalSeconds = 60;  ///< background refresh pass; 0 = off
};

struct AnalyticsConfig {
  int refreshIntervalSeconds = 300;  ///< background snapshot pass; 0 = off
  int accountRefreshSeconds = 3600;  ///< today's account figures are taken again after this long
  int backfillDays = 0;              ///< days before today asked for when a connection has no row
  int paceMillis = 200;              ///< least time between two insights calls to one platform
};

struct PublishingConfig {
  int workers = 16;                ///< targets published at once by this host (platform calls block)
  int waitSeconds = 20;            ///< an immediate POST answers when done, or 202 after this long
  int leaseSeconds = 120;          ///< a target claimed by a host that stops renewing for this long
                                   ///< is an attempt of unknown outcome: looked up at the platform
  int maxAttempts = 5;             ///< transient failures retried with backoff up to this many tries
  int pollMillis = 500;            ///< how often the scheduler looks for due targets (also woken)
  int retryBaseMillis = 2000;      ///< first transient retry delay; doubles per attempt (jittered)
  int reconcileGraceSeconds = 10;  ///< an attempt of unknown outcome is looked up no earlier than
                                   ///< this after it began: a cut-off request may still land
  int hostTimeoutSeconds = 15;     ///< a host silent this long is dead: its targets are reconciled
};

struct MediaConfig {
  std::uint64_t maxBytes = 1024ull * 1024 * 1024;  ///< largest upload (video); 413 beyond
  int urlLifetimeSeconds = 6 * 3600;               ///< signed public URLs platforms fetch from
  std::vector<std::string> fetchAllowHosts;        ///< hosts allowed for URL imports even when
                                                   ///< private/loopback (tests); empty = none
};

/// Outgoing webhooks (Standard Webhooks signatures; host/webhooks/).
struct WebhooksConfig {
  /// Delay before each retry of a failed delivery, in seconds (jittered by up to a fifth); a
  /// delivery still failing after the last one is failed. The default spans more than a day.
  std::vector<double> retrySchedule = {5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200};
  int disableAfterFailures = 5;         ///< this many failed deliveries in a row disable the endpoint
  int timeoutSeconds = 10;              ///< one attempt as a whole: connect, send, answer
  int pollMillis = 1000;                ///< how often the deliverer looks for due deliveries (also woken)
  int leaseSeconds = 60;                ///< a claimed delivery is another host's to try after this
  std::vector<std::string> allowHosts;  ///< hosts allowed even when http or internal (tests); empty = none
};

struct Config {
  std::string mode = "development";     ///< "production" refuses secrets from the JSON file
  std::filesystem::path dataDir;        ///< default: var/ in a build tree, /var/lib/marketsage installed
  std::string publicUrl;                ///< base of OAuth redirect URIs
  bool allowInsecurePublicUrl = false;  ///< production with an http:// public URL (not localhost)
  std::string logLevel = "info";
  std::string logFile;  ///< empty: stderr
  bool accessLog = true;
  ServerConfig server;
  RateLimitConfig rateLimit;
  DatabaseConfig database;
  OAuthConfig oauth;
  PublishingConfig publishing;
  AnalyticsConfig analytics;
  MediaConfig media;
  WebhooksConfig webhooks;
  std::vector<std::filesystem::path> pluginPath;
  boost::json::object plugins;  ///< the file's "plugins" section, as written

  bool production() const { return mode == "production"; }
};

/// True for an https:// URL, or an http:// one to localhost or a loopback address: what a public
/// URL (the base of OAuth redirect URIs) must be in production.
bool isSecureOrLoopback(const std::string& url);

/// Loads the configuration. With no explicit file, the layout's default file is used when it
/// exists (config/Layout.h), otherwise the built-in defaults. Throws ConfigError.
Config load(const std::optional<std::filesystem::path>& file);

}  // namespace marketsage::config
