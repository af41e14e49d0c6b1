#include "integration/Harness.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace harness {
namespace {

std::string env(const char* name, const std::string& fallback = {}) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string randomSuffix() {
  static std::mt19937_64 generator{std::random_device{}()};
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::ostringstream out;
  out << std::hex << generator();
  return out.str();
}

std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    Poco::Data::SQLite::Connector::registerConnector();
  });
}

Poco::Data::Session postgresSession(const std::string& database) {
  registerConnectors();
  return Poco::Data::Session(
      "PostgreSQL", "host=127.0.0.1 port=" + env("MARKETSAGE_TEST_PG_PORT") + " user=postgres dbname=" + database);
}

Poco::Data::Session postgresAdminSession() { return postgresSession("postgres"); }

/// Spawns the binary with stdout and stderr sent to files; returns the pid.
int spawn(const std::vector<std::string>& args, const std::vector<std::string>& environment,
          const std::filesystem::path& out, const std::filesystem::path& err) {
  std::vector<char*> argv;
  std::string binary = MARKETSAGE_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> argsCopy = args;
  for (auto& a : argsCopy) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> envCopy = environment;
  std::vector<char*> envp;
  for (auto& e : envCopy) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + binary);
  return pid;
}

Response receive(Poco::Net::HTTPClientSession& session) {
  Poco::Net::HTTPResponse response;
  auto& in = session.receiveResponse(response);
  Response result;
  result.status = response.getStatus();
  for (const auto& [name, value] : response) {
    result.headers[Poco::toLower(name)] = value;
    if (Poco::icompare(name, "Set-Cookie") == 0) result.setCookies.push_back(value);
  }
  std::stringstream text;
  text << in.rdbuf();
  result.body = text.str();
  return result;
}

int waitExit(int pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

}  // namespace

std::string backend() { return env("MARKETSAGE_TEST_BACKEND", "sqlite"); }

int freePort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  return socket.address().port();
}

std::string freshDatabaseUrl() {
  if (backend() != "postgresql") return {};  // Host picks a file in its temp dir
  const std::string name = "ms_test_" + randomSuffix();
  auto session = postgresAdminSession();
  session << "CREATE DATABASE " + name, Poco::Data::Keywords::now;
  return "postgresql://postgres@127.0.0.1:" + env("MARKETSAGE_TEST_PG_PORT") + "/" + name;
}

void dropPostgresDatabase(const std::string& url) {
  const auto name = url.substr(url.rfind('/') + 1);
  auto session = postgresAdminSession();
  session << "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", Poco::Data::Keywords::now;
}

std::vector<std::vector<std::string>> sql(const std::string& databaseUrl, const std::string& statement) {
  registerConnectors();
  auto session = databaseUrl.rfind("sqlite:", 0) == 0 ? Poco::Data::Session("SQLite", databaseUrl.substr(7))
                                                      : postgresSession(databaseUrl.substr(databaseUrl.rfind('/') + 1));
  Poco::Data::Statement query(session);
  query << statement;
  query.execute();
  std::vector<std::vector<std::string>> rows;
  if (query.columnsExtracted() == 0) return rows;
  Poco::Data::RecordSet records(query);
  for (std::size_t r = 0; r < records.rowCount(); ++r) {
    rows.emplace_back();
    for (std::size_t c = 0; c < records.columnCount(); ++c) {
      const auto& v = records.value(c, r);
      rows.back().push_back(v.isEmpty() ? "NULL" : v.convert<std::string>());
    }
  }
  return rows;
}

boost::json::value Response::json() const {
  boost::json::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec) throw std::runtime_error("response is not JSON: " + body);
  return value;
}

std::string Response::header(const std::string& name) const {
  const auto it = headers.find(Poco::toLower(name));
  return it == headers.end() ? std::string() : it->second;
}

Host::Host(std::string databaseUrl, std::map<std::string, std::string> extraEnv)
    : dir_(std::filesystem::temp_directory_path() / ("marketsage-test-" + randomSuffix())),
      databaseUrl_(std::move(databaseUrl)),
      extraEnv_(std::move(extraEnv)) {
  std::filesystem::create_directories(dir_);
  if (databaseUrl_.empty()) databaseUrl_ = "sqlite:" + (dir_ / "marketsage.db").string();
  port_ = freePort();
  std::ofstream(dir_ / "config.json") << "{}";
}

Host::~Host() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitExit(pid_);
  }
  if (databaseUrl_.rfind("postgresql://", 0) == 0) {
    try {
      dropPostgresDatabase(databaseUrl_);
    } catch (...) {
    }
  }
  if (env("MARKETSAGE_TEST_KEEP").empty()) std::filesystem::remove_all(dir_);
}

std::vector<std::string> Host::environment() const {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    const auto eq = entry.find('=');
    const auto name = entry.substr(0, eq);
    // The host under test sees only what the test gives it.
    if (name.rfind("MARKETSAGE_", 0) == 0 || name == "DATABASE_URL") continue;
    vars[name] = entry.substr(eq + 1);
  }
  vars["DATABASE_URL"] = databaseUrl_;
  vars["MARKETSAGE_PORT"] = std::to_string(port_);
  vars["MARKETSAGE_HOST"] = "127.0.0.1";
  vars["MARKETSAGE_PUBLIC_URL"] = "http://127.0.0.1:" + std::to_string(port_);
  vars["MARKETSAGE_DATA_DIR"] = dir_.string();
  vars["MARKETSAGE_PLUGIN_PATH"] = (dir_ / "no-plugins").string();
  for (const auto& [k, v] : extraEnv_) vars[k] = v;
  if (databaseUrl_.rfind("postgresql://", 0) == 0 && vars.count("FIELD_ENCRYPTION_KEY") == 0) {
    vars["FIELD_ENCRYPTION_KEY"] = testKey;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

CommandResult Host::command(const std::vector<std::string>& args) const {
  const auto tag = randomSuffix();
  const auto out = dir_ / ("cmd-" + tag + ".out");
  const auto err = dir_ / ("cmd-" + tag + ".err");
  CommandResult result;
  result.exitCode = waitExit(spawn(args, environment(), out, err));
  result.out = readFile(out);
  result.err = readFile(err);
  return result;
}

std::string Host::bootstrap() {
  const auto result = command({"admin", "bootstrap", "--config", (dir_ / "config.json").string()});
  if (result.exitCode != 0) throw std::runtime_error("bootstrap failed: " + result.err);
  auto text = result.out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') + 1);
}

long Host::start(const std::string& configJson) {
  std::ofstream(dir_ / "config.json") << configJson;
  const auto started = std::chrono::steady_clock::now();
  pid_ = spawn({"serve", "--config", (dir_ / "config.json").string()}, environment(), dir_ / "host.out",
               dir_ / "host.log");
  const auto deadline = started + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (request("GET", "/api/health").status == 200) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count();
      }
    } catch (const std::exception&) {
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("marketsage serve exited at start: " + logText());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("marketsage serve did not become healthy: " + logText());
}

int Host::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const int code = waitExit(pid_);
  pid_ = -1;
  return code;
}

std::string Host::logText() const { return readFile(dir_ / "host.log"); }

Response Host::request(const std::string& method, const std::string& path, const std::string& key,
                       const std::optional<std::string>& body, const std::string& contentType,
                       const std::map<std::string, std::string>& headers) const {
  std::unique_ptr<Poco::Net::HTTPClientSession> client;
  if (tls_) {
    static const Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_NONE);
    client = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", static_cast<Poco::UInt16>(port_), context);
  } else {
    client = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", static_cast<Poco::UInt16>(port_));
  }
  auto& session = *client;
  session.setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!key.empty()) request.set("Authorization", "Bearer " + key);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (body) {
    if (!contentType.empty()) request.setContentType(contentType);
    request.setContentLength64(static_cast<Poco::Int64>(body->size()));
  }
  if (const auto cookies = cookiesFor(path.substr(0, path.find('?'))); !cookies.empty() && !request.has("Cookie"))
    request.set("Cookie", cookies);
  auto& out = session.sendRequest(request);
  if (body) out << *body;
  auto response = receive(session);
  keepCookies(response.setCookies);
  return response;
}

void Host::keepCookies(const std::vector<std::string>& setCookies) const {
  std::lock_guard lock(cookieMutex_);
  for (const auto& field : setCookies) {
    const auto eq = field.find('=');
    if (eq == std::string::npos) continue;
    const auto name = field.substr(0, eq);
    const auto semicolon = field.find(';');
    const auto value = field.substr(eq + 1, semicolon == std::string::npos ? std::string::npos : semicolon - eq - 1);
    std::string path = "/";
    if (const auto at = field.find("Path="); at != std::string::npos)
      path = field.substr(at + 5, field.find(';', at) - at - 5);
    if (field.find("Max-Age=0") != std::string::npos) {
      cookies_.erase(name);
    } else {
      cookies_[name] = {path, value};
    }
  }
}

void Host::forgetCookies() const {
  std::lock_guard lock(cookieMutex_);
  cookies_.clear();
}

std::string Host::cookiesFor(const std::string& path) const {
  std::lock_guard lock(cookieMutex_);
  std::string out;
  for (const auto& [name, cookie] : cookies_) {
    if (path.rfind(cookie.path, 0) != 0) continue;
    out += (out.empty() ? "" : "; ") + name + "=" + cookie.value;
  }
  return out;
}

Response fetch(const std::string& url) {
  const Poco::URI uri(url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  session.setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest request("GET", uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  return receive(session);
}

}  // namespace harness
