/// plugins list / plugins check.
#include "app/PluginSettings.h"
#include "cli/Arguments.h"
#include "cli/Commands.h"
#include "config/Config.h"
#include "core/Log.h"
#include "plugins/PluginRegistry.h"

#include <filesystem>
#include <iostream>

namespace marketsage::cli {
namespace {

constexpr const char* pluginsUsage =
    "usage: marketsage plugins list [--config FILE]\n"
    "       marketsage plugins check FILE.so|ID [--config FILE]\n"
    "list:  every plugin found in MARKETSAGE_PLUGIN_PATH (or next to the binary): id, version,\n"
    "       ABI version, capabilities, enabled; files that failed to load are listed on stderr.\n"
    "check: loads one plugin (a file, or the lib<ID>.so found in the plugin path) in a child process\n"
    "       and calls every capability it announces with bad input; exits 0 only if it honours the ABI.\n";

/// A plugin given as a file, or as an id looked up as lib<id>.so along the plugin path.
std::string pluginFile(const std::string& given, const config::Config& config) {
  if (given.find('/') != std::string::npos || (given.size() > 3 && given.substr(given.size() - 3) == ".so")) return given;
  for (const auto& folder : config.pluginPath) {
    const auto candidate = folder / ("lib" + given + ".so");
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  return given;  // checkPlugin reports that it cannot be opened
}

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
    return plugins::checkPlugin(pluginFile(args->positional[1], loadConfig(*args)), std::cout, std::cerr);
  }
  std::cerr << "marketsage: plugins needs 'list' or 'check FILE.so|ID'\n" << pluginsUsage;
  return 2;
}

}  // namespace marketsage::cli
