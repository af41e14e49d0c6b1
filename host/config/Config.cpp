#include "config/Config.h"

#include "config/Layout.h"

#include <boost/json.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace marketsage::config {
namespace {

namespace json = boost::json;

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

/// Reads a typed member if present; a member of the wrong type is a ConfigError naming it.
template <typename T>
void read(const json::object& object, const char* key, T& target, const std::string& where) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return;
  try {
    if constexpr (std::is_same_v<T, std::string>) {
      target = std::string(value->as_string());
    } else if constexpr (std::is_same_v<T, bool>) {
      target = value->as_bool();
    } else {
      target = json::value_to<T>(*value);
    }
  } catch (const std::exception&) {
    throw ConfigError("config: \"" + where + key + "\" has the wrong type");
  }
}

const json::object* section(const json::object& root, const char* key) {
  const auto* value = root.if_contains(key);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) throw ConfigError(std::string("config: \"") + key + "\" must be an object");
  return &value->get_object();
}

int parsePort(const std::string& text, const char* source) {
  char* end = nullptr;
  const long port = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || port < 0 || port > 65535) {
    throw ConfigError(std::string(source) + ": not a port number: " + text);
  }
  return static_cast<int>(port);
}

void applyFile(Config& config, const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError("config: cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  json::error_code ec;
  const json::value root = json::parse(text.str(), ec);
  if (ec) throw ConfigError("config: " + file.string() + " is not valid JSON: " + ec.message());
  if (!root.is_object()) throw ConfigError("config: " + file.string() + " must hold a JSON object");
  const auto& top = root.get_object();

  read(top, "mode", config.mode, "");
  std::string dataDir = config.dataDir.string();
  read(top, "dataDir", dataDir, "");
  config.dataDir = dataDir;
  read(top, "publicUrl", config.publicUrl, "");
  read(top, "allowInsecurePublicUrl", config.allowInsecurePublicUrl, "");
  if (const auto* s = section(top, "server")) {
    read(*s, "host", config.server.host, "server.");
    read(*s, "port", config.server.port, "server.");
    read(*s, "maxThreads", config.server.maxThreads, "server.");
    read(*s, "maxQueued", config.server.maxQueued, "server.");
    read(*s, "maxBodyBytes", config.server.maxBodyBytes, "server.");
    read(*s, "maxHeaderBytes", config.server.maxHeaderBytes, "server.");
    read(*s, "headerTimeoutSeconds", config.server.headerTimeoutSeconds, "server.");
    read(*s, "bodyTimeoutSeconds", config.server.bodyTimeoutSeconds, "server.");
    read(*s, "keepAliveSeconds", config.server.keepAliveSeconds, "server.");
    read(*s, "minBodyRate", config.server.minBodyRate, "server.");
    read(*s, "maxConnections", config.server.maxConnections, "server.");
    read(*s, "maxConnectionsPerClient", config.server.maxConnectionsPerClient, "server.");
    read(*s, "maxRequestsPerClient", config.server.maxRequestsPerClient, "server.");
    read(*s, "drainSeconds", config.server.drainSeconds, "server.");
    read(*s, "authCacheSeconds", config.server.authCacheSeconds, "server.");
    if (const auto* tls = section(*s, "tls")) {
      read(*tls, "certificate", config.server.tlsCertificate, "server.tls.");
      read(*tls, "privateKey", config.server.tlsPrivateKey, "server.tls.");
    }
  }
  if (const auto* r = section(top, "rateLimit")) {
    auto& limits = config.rateLimit;
    read(*r, "enabled", limits.enabled, "rateLimit.");
    if (const auto* k = section(*r, "perKey")) {
      read(*k, "perSecond", limits.perKeyPerSecond, "rateLimit.perKey.");
      read(*k, "burst", limits.perKeyBurst, "rateLimit.perKey.");
    }
    if (const auto* a = section(*r, "perAddress")) {
      read(*a, "perSecond", limits.perAddressPerSecond, "rateLimit.perAddress.");
      read(*a, "burst", limits.perAddressBurst, "rateLimit.perAddress.");
    }
    if (const auto* f = section(*r, "authFailures")) {
      read(*f, "perMinute", limits.authFailuresPerMinute, "rateLimit.authFailures.");
      read(*f, "burst", limits.authFailuresBurst, "rateLimit.authFailures.");
    }
  }
  if (const auto* d = section(top, "database")) {
    read(*d, "url", config.database.url, "database.");
    read(*d, "poolSize", config.database.poolSize, "database.");
  }
  if (const auto* o = section(top, "oauth")) {
    read(*o, "stateLifetimeSeconds", config.oauth.stateLifetimeSeconds, "oauth.");
    read(*o, "startLinkSeconds", config.oauth.startLinkSeconds, "oauth.");
    read(*o, "refreshIntervalSeconds", config.oauth.refreshIntervalSeconds, "oauth.");
  }
  if (const auto* a = section(top, "analytics")) {
    read(*a, "refreshIntervalSeconds", config.analytics.refreshIntervalSeconds, "analytics.");
    read(*a, "accountRefreshSeconds", config.analytics.accountRefreshSeconds, "analytics.");
    read(*a, "backfillDays", config.analytics.backfillDays, "analytics.");
    read(*a, "paceMillis", config.analytics.paceMillis, "analytics.");
  }
  if (const auto* p = section(top, "publishing")) {
    read(*p, "workers", config.publishing.workers, "publishing.");
    read(*p, "waitSeconds", config.publishing.waitSeconds, "publishing.");
    read(*p, "leaseSeconds", config.publishing.leaseSeconds, "publishing.");
    read(*p, "maxAttempts", config.publishing.maxAttempts, "publishing.");
    read(*p, "pollMillis", config.publishing.pollMillis, "publishing.");
    read(*p, "retryBaseMillis", config.publishing.retryBaseMillis, "publishing.");
    read(*p, "reconcileGraceSeconds", config.publishing.reconcileGraceSeconds, "publishing.");
    read(*p, "hostTimeoutSeconds", config.publishing.hostTimeoutSeconds, "publishing.");
  }
  if (const auto* m = section(top, "media")) {
    read(*m, "maxBytes", config.media.maxBytes, "media.");
    read(*m, "urlLifetimeSeconds", config.media.urlLifetimeSeconds, "media.");
    read(*m, "fetchAllowHosts", config.media.fetchAllowHosts, "media.");
  }
  if (const auto* w = section(top, "webhooks")) {
    read(*w, "retrySchedule", config.webhooks.retrySchedule, "webhooks.");
    read(*w, "disableAfterFailures", config.webhooks.disableAfterFailures, "webhooks.");
    read(*w, "timeoutSeconds", config.webhooks.timeoutSeconds, "webhooks.");
    read(*w, "pollMillis", config.webhooks.pollMillis, "webhooks.");
    read(*w, "leaseSeconds", config.webhooks.leaseSeconds, "webhooks.");
    read(*w, "allowHosts", config.webhooks.allowHosts, "webhooks.");
  }
  if (const auto* l = section(top, "log")) {
    read(*l, "level", config.logLevel, "log.");
    read(*l, "file", config.logFile, "log.");
    read(*l, "access", config.accessLog, "log.");
  }
  if (const auto* p = section(top, "plugins")) config.plugins = *p;
}

void applyEnvironment(Config& config) {
  if (auto v = env("MARKETSAGE_MODE")) config.mode = *v;
  if (auto v = env("MARKETSAGE_DATA_DIR")) config.dataDir = *v;
  if (auto v = env("MARKETSAGE_PUBLIC_URL")) config.publicUrl = *v;
  if (auto v = env("MARKETSAGE_PORT")) config.server.port = parsePort(*v, "MARKETSAGE_PORT");
  if (auto v = env("MARKETSAGE_HOST")) config.server.host = *v;
  if (auto v = env("MARKETSAGE_LOG_LEVEL")) config.logLevel = *v;
  if (auto v = env("DATABASE_URL")) config.database.url = *v;
  if (auto v = env("MARKETSAGE_PLUGIN_PATH")) {
    config.pluginPath.clear();
    std::stringstream folders(*v);
    for (std::string folder; std::getline(folders, folder, ':');) {
      if (!folder.empty()) config.pluginPath.emplace_back(folder);
    }
  }
}

}  // namespace

bool isSecureOrLoopback(const std::string& url) {
  if (url.rfind("https://", 0) == 0) return true;
  if (url.rfind("http://", 0) != 0) return false;
  auto authority = url.substr(7, url.find('/', 7) == std::string::npos ? std::string::npos : url.find('/', 7) - 7);
  std::string hostName = authority;
  if (!authority.empty() && authority.front() == '[') {
    hostName = authority.substr(0, authority.find(']') + 1);
  } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
    hostName = authority.substr(0, colon);
  }
  return hostName == "localhost" || hostName == "[::1]" || hostName.rfind("127.", 0) == 0;
}

namespace {

void validate(Config& config) {
  if (config.mode != "development" && config.mode != "production") {
    throw ConfigError(R"(config: mode must be "development" or "production", not ")" + config.mode + "\"");
  }
  const auto& server = config.server;
  if (server.maxThreads < 1 || server.maxQueued < 1 || server.maxConnections < 1 ||
      server.maxConnectionsPerClient < 0 || server.maxRequestsPerClient < 0) {
    throw ConfigError(
        "config: server.maxThreads, maxQueued and maxConnections must be positive, the per-client bounds >= 0");
  }
  if (server.headerTimeoutSeconds < 1 || server.bodyTimeoutSeconds < 1 || server.keepAliveSeconds < 1 ||
      server.maxHeaderBytes < 1024) {
    throw ConfigError("config: server timeouts must be >= 1 s and server.maxHeaderBytes >= 1024");
  }
  if (config.database.poolSize < 1) throw ConfigError("config: database.poolSize must be positive");
  const auto& limits = config.rateLimit;
  for (const double v : {limits.perKeyPerSecond, limits.perKeyBurst, limits.perAddressPerSecond, limits.perAddressBurst,
                         limits.authFailuresPerMinute, limits.authFailuresBurst}) {
    if (v < 0) throw ConfigError("config: rateLimit values must be >= 0 (0 = no limit)");
  }
  if (config.publishing.workers < 1 || config.publishing.leaseSeconds < 3 || config.publishing.maxAttempts < 1 ||
      config.publishing.pollMillis < 10 || config.publishing.waitSeconds < 0 ||
      config.publishing.reconcileGraceSeconds < 0 || config.publishing.hostTimeoutSeconds < 3) {
    throw ConfigError(
        "config: publishing needs workers >= 1, leaseSeconds >= 3, maxAttempts >= 1, pollMillis >= 10, waitSeconds >= "
        "0,"
        " reconcileGraceSeconds >= 0, hostTimeoutSeconds >= 3");
  }
  const auto& a = config.analytics;
  if (a.refreshIntervalSeconds < 0 || a.accountRefreshSeconds < 0 || a.backfillDays < 0 || a.backfillDays > 90 ||
      a.paceMillis < 0) {
    throw ConfigError("config: analytics values must be >= 0 (backfillDays at most 90)");
  }
  const auto& webhooks = config.webhooks;
  const bool badDelay = std::any_of(webhooks.retrySchedule.begin(), webhooks.retrySchedule.end(),
                                    [](double seconds) { return !(seconds >= 0 && seconds <= 7 * 86400); });
  if (badDelay || webhooks.disableAfterFailures < 1 || webhooks.timeoutSeconds < 1 || webhooks.timeoutSeconds > 60 ||
      webhooks.pollMillis < 10 || webhooks.leaseSeconds <= webhooks.timeoutSeconds) {
    throw ConfigError(
        "config: webhooks needs retrySchedule delays from 0 to 604800 s, disableAfterFailures >= 1, timeoutSeconds"
        " from 1 to 60, pollMillis >= 10, leaseSeconds > timeoutSeconds");
  }
  if (config.oauth.stateLifetimeSeconds < 1 || config.oauth.startLinkSeconds < 1) {
    throw ConfigError("config: oauth.stateLifetimeSeconds and oauth.startLinkSeconds must be positive");
  }
  if (config.server.tlsCertificate.empty() != config.server.tlsPrivateKey.empty()) {
    throw ConfigError("config: server.tls needs both certificate and privateKey");
  }
  if (config.database.url.empty()) {
    config.database.url = "sqlite:" + (config.dataDir / "marketsage.db").string();
  }
  if (config.publicUrl.empty()) {
    const bool tls = !config.server.tlsCertificate.empty();
    config.publicUrl = std::string(tls ? "https" : "http") + "://localhost:" + std::to_string(config.server.port);
  }
  if (config.pluginPath.empty()) config.pluginPath.push_back(layout().pluginFolder);
  // OAuth redirect URIs travel with authorization codes: platforms (and RFC 9700) want HTTPS for
  // them, except on the loopback interface.
  if (config.production() && !config.allowInsecurePublicUrl && !isSecureOrLoopback(config.publicUrl)) {
    throw ConfigError("config: in production the public URL must be https:// (it is " + config.publicUrl +
                      "); set MARKETSAGE_PUBLIC_URL, or allowInsecurePublicUrl: true if TLS ends in front of the host");
  }
}

}  // namespace

Config load(const std::optional<std::filesystem::path>& file) {
  Config config;
  config.dataDir = layout().dataDir;
  if (file) {
    applyFile(config, *file);
  } else if (std::filesystem::exists(layout().configFile)) {
    applyFile(config, layout().configFile);
  }
  applyEnvironment(config);
  validate(config);
  return config;
}

}  // namespace marketsage::config
