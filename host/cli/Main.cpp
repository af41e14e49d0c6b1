#include "cli/Commands.h"

#include "config/Config.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Problem.h"

#include <iostream>

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
    "\n"
    "Run 'marketsage <command> --help' for a command's options. Configuration comes from\n"
    "config/marketsage.json (or --config) and the environment (DATABASE_URL, MARKETSAGE_PORT, …).\n";

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
  try {
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
