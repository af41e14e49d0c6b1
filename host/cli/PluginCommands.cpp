/// plugins list / plugins check.
#include "app/PluginSettings.h"
#include "cli/Arguments.h"
#include "cli/Commands.h"
#include "config/Config.h"
#include "core/Log.h"
#include "plugins/PluginRegistry.h"

#include <iostream>

namespace marketsage::cli {
namespace {

constexpr const char* pluginsUsage =
    "usage: marketsage plugins list [--config FILE]\n"
    "       marketsage plugins check FILE.so\n"
    "list:  every plugin found in MARKETSAGE_PLUGIN_PATH (or next to the binary): id, version,\n"
    "       ABI version, capabilities, enabled; files that failed to load are listed on stderr.\n"
    "check: loads one plugin in a child process and calls every capability it announces with bad\n"
    "       input; exits 0 only if it honours the ABI.\n";

}  // namespace

int pluginsCommand(const std::vector<std::string>& argv) {
  int exitCode = 0;
  const auto args = parseCommandLine(argv, {}, pluginsUsage, exitCode);
  if (!args) return exitCode;
  const std::string sub = args->positional.empty() ? "" : args->positional.front();
  if (sub == "list" && args->positional.size() == 1) {
    const auto config = loadConfig(*args);
    log::configure(log::Level::Error);  // the table is the output; load errors go to stderr below
    const auto registry = app::loadPlugins(config);
    return plugins::listPlugins(*registry, std::cout, std::cerr);
  }
  if (sub == "check" && args->positional.size() == 2) {
    return plugins::checkPlugin(args->positional[1], std::cout, std::cerr);
  }
  std::cerr << "marketsage: plugins needs 'list' or 'check FILE.so'\n" << pluginsUsage;
  return 2;
}

}  // namespace marketsage::cli
