#include "cli/Commands.h"

#include "config/Config.h"
#include "config/Layout.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Problem.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <iostream>
#include <optional>
#include <set>

namespace marketsage::cli {
namespace {

constexpr const char* usage =
    "usage: marketsage <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve [--config FILE]            start the HTTP(S) host\n"
    "  migrate [--config FILE]          create or upgrade the database schema\n"
    "  admin bootstrap [options]        create the first SUPER_ADMIN and print its API key once\n"
    "  admin recover [--email E]        issue a new key for a SUPER_ADMIN when every key is lost\n"
    "  plugins list [--config FILE]     every plugin found and whether it is enabled\n"
    "  plugins check FILE.so|ID         load one plugin in isolation and check its ABI\n"
    "  keys rotate [--config FILE]      re-encrypt every stored token under the newest key\n"
    "  doctor [--config FILE]           check the setup (key, database, plugins, URLs, …); changes nothing\n"
    "\n"
    "Run 'marketsage <command> --help' for a command's options. Configuration comes from --config,\n"
    "else config/marketsage.json (a build tree) or /etc/marketsage/marketsage.json (installed), and\n"
    "the environment (DATABASE_URL, MARKETSAGE_PORT, …; installed, also /etc/marketsage/marketsage.env).\n";

/// The user root should run `command` as: the owner of the data directory when root runs a
/// command that writes the database or the data directory there — files root creates (SQLite's
/// WAL and journal, the development key) would lock the service's user out. nullopt otherwise.
std::optional<std::string> foreignOwner(const std::string& command, const std::vector<std::string>& rest) {
  static const std::set<std::string> touchData = {"serve", "migrate", "admin", "keys", "doctor"};
  if (geteuid() != 0 || !touchData.count(command)) return std::nullopt;
  if (std::find(rest.begin(), rest.end(), "--help") != rest.end() ||
      std::find(rest.begin(), rest.end(), "-h") != rest.end())
    return std::nullopt;
  std::optional<std::filesystem::path> file;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--config" && i + 1 < rest.size()) file = rest[i + 1];
    if (rest[i].rfind("--config=", 0) == 0) file = rest[i].substr(9);
  }
  std::filesystem::path dataDir;
  try {
    dataDir = config::load(file).dataDir;
  } catch (const std::exception&) {
    return std::nullopt;  // the command itself reports a configuration it cannot use
  }
  struct stat info {};
  if (stat(dataDir.c_str(), &info) != 0 || info.st_uid == 0) return std::nullopt;
  const passwd* user = getpwuid(info.st_uid);
  return user != nullptr ? std::string(user->pw_name) : "#" + std::to_string(info.st_uid);
}

}  // namespace

int run(int argc, char** argv) {
  // Whatever path the command leaves by, buffered log lines reach their file.
  struct FlushLogs {
    ~FlushLogs() { log::flush(); }
  } flushLogs;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << usage;
    return 2;
  }
  const std::string command = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  // Installed, the host sees what the service sees: the unit's environment file, under whatever
  // the caller's environment already sets. Unreadable (not root or the service's user), doctor says so.
  if (const auto& layout = config::layout(); layout.installed && !layout.environmentFile.empty()) {
    config::loadEnvironmentFile(layout.environmentFile);
  }
  try {
    if (const auto owner = foreignOwner(command, rest)) {
      std::cerr << "marketsage: " << command << " as root would leave root-owned files in the data directory: run as "
                << *owner << ": sudo -u " << *owner << " marketsage " << command << " …\n";
      return 1;
    }
    if (command == "-h" || command == "--help" || command == "help") {
      std::cout << usage;
      return 0;
    }
    if (command == "--version" || command == "version") {
      std::cout << "marketsage " << MARKETSAGE_VERSION << "\n";
      return 0;
    }
    if (command == "serve") return serveCommand(rest);
    if (command == "migrate") return migrateCommand(rest);
    if (command == "admin") return adminCommand(rest);
    if (command == "plugins") return pluginsCommand(rest);
    if (command == "keys") return keysCommand(rest);
    if (command == "doctor") return doctorCommand(rest);
    std::cerr << "marketsage: unknown command '" << command << "'\n\n" << usage;
    return 2;
  } catch (const config::ConfigError& e) {
    std::cerr << "marketsage: " << e.what() << "\n";
    return 1;
  } catch (const Problem& e) {
    std::cerr << "marketsage: " << e.detail() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "marketsage: " << describe(e) << "\n";
    return 1;
  }
}

}  // namespace marketsage::cli
