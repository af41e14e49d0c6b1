/// plugins list / plugins check.
#include "cli/Arguments.h"
#include "cli/Commands.h"
#include "config/Config.h"
#include "config/PluginSettings.h"
#include "core/Json.h"
#include "core/Log.h"
#include "plugins/PluginRegistry.h"

#include <filesystem>
#include <iostream>
#include <iterator>

#include <boost/json.hpp>

namespace marketsage::cli {
namespace {

constexpr const char* pluginsUsage =
    "usage: marketsage plugins list [--config FILE]\n"
    "       marketsage plugins check FILE.so|ID [--config FILE]\n"
    "       marketsage plugins call FILE.so|ID FUNCTION [JSON|-] [--setting KEY=VALUE]... [--config FILE]\n"
    "list:  every plugin found in MARKETSAGE_PLUGIN_PATH (or next to the binary): id, version,\n"
    "       ABI version, capabilities, enabled; files that failed to load are listed on stderr.\n"
    "check: loads one plugin (a file, or the lib<ID>.so found in the plugin path) in a child process\n"
    "       and calls every capability it announces with bad input; exits 0 only if it honours the ABI.\n"
    "call:  runs one plugin function (authorize_url, exchange_code, refresh, revoke, list_accounts,\n"
    "       validate, publish, upload, delete_post, account_insights, post_insights, check_token,\n"
    "       api_version) with the request JSON given, or read from stdin with '-', and prints the\n"
    "       reply. Settings come from the configuration and the environment (<ID>_API_BASE …), then\n"
    "       from each --setting (the value is JSON when it parses as JSON, else a string). Exits 0\n"
    "       when the call succeeds, 1 with the error kind, code and message on stderr otherwise.\n";

/// A plugin given as a file, or as an id looked up as lib<id>.so along the plugin path.
std::string pluginFile(const std::string& given, const config::Config& config) {
  if (given.find('/') != std::string::npos || (given.size() > 3 && given.substr(given.size() - 3) == ".so"))
    return given;
  for (const auto& folder : config.pluginPath) {
    const auto candidate = folder / ("lib" + given + ".so");
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  return given;  // checkPlugin reports that it cannot be opened
}

/// "key=value": the value as JSON when it is JSON (numbers, booleans, objects), else as a string.
std::pair<std::string, boost::json::value> settingOverride(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw UsageError("--setting needs KEY=VALUE, not " + text);
  const auto raw = text.substr(eq + 1);
  boost::json::error_code ec;
  auto value = boost::json::parse(raw, ec);
  if (ec || value.is_string()) value = boost::json::string(raw);
  return {text.substr(0, eq), std::move(value)};
}

int callPlugin(const Arguments& args) {
  const auto& given = args.positional[1];
  const auto& function = args.positional[2];
  std::optional<plugins::Operation> operation;
  for (const auto op : plugins::allOperations())
    if (plugins::toString(op) == function) operation = op;
  if (!operation) throw UsageError("unknown plugin function '" + function + "'");
  std::string request = args.positional.size() > 3 ? args.positional[3] : "-";
  if (request == "-") request.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::vector<std::pair<std::string, boost::json::value>> overrides;
  for (const auto& text : args.values("setting")) overrides.push_back(settingOverride(text));

  const auto config = loadConfig(args);
  log::configure(log::Level::Warn);  // the reply is the output; plugin warnings go to stderr
  plugins::PluginRegistry registry(
      [&](const std::string& id) {
        auto settings = config::pluginSettings(config, id);
        settings.enabled = true;
        for (const auto& [key, value] : overrides) settings.values[key] = value;
        return settings;
      },
      [](int level, std::string_view plugin, std::string_view message) {
        if (level >= 2) std::cerr << (plugin.empty() ? "" : std::string(plugin) + ": ") << message << "\n";
      });
  if (!registry.loadFile(pluginFile(given, config))) {
    for (const auto& e : registry.loadErrors()) std::cerr << "marketsage: " << e << "\n";
    return 1;
  }
  const auto plugin = registry.enabled().front();
  if (!plugin->supports(*operation)) {
    std::cerr << "marketsage: plugin '" << plugin->id() << "' has no " << function << " function\n";
    return 1;
  }
  const auto result = plugin->call(*operation, std::string_view(request));
  if (!result.json.is_null()) std::cout << jsontext::write(result.json) << "\n";
  if (result.ok()) return 0;
  std::cerr << "marketsage: " << function << " failed: " << plugins::toString(result.kind)
            << (result.platformCode.empty() ? "" : " (" + result.platformCode + ")")
            << (result.retryAfterSeconds > 0 ? ", retry after " + std::to_string(result.retryAfterSeconds) + " s" : "")
            << ": " << result.reason() << "\n";
  return 1;
}

}  // namespace

int pluginsCommand(const std::vector<std::string>& argv) {
  int exitCode = 0;
  const auto args = parseCommandLine(argv, {"setting"}, pluginsUsage, exitCode);
  if (!args) return exitCode;
  const std::string sub = args->positional.empty() ? "" : args->positional.front();
  if (sub == "list" && args->positional.size() == 1) {
    const auto config = loadConfig(*args);
    log::configure(log::Level::Error);  // the table is the output; load errors go to stderr below
    const auto registry = config::loadPlugins(config);
    return plugins::listPlugins(*registry, std::cout, std::cerr);
  }
  if (sub == "check" && args->positional.size() == 2) {
    return plugins::checkPlugin(pluginFile(args->positional[1], loadConfig(*args)), std::cout, std::cerr);
  }
  if (sub == "call" && (args->positional.size() == 3 || args->positional.size() == 4)) {
    try {
      return callPlugin(*args);
    } catch (const UsageError& e) {
      std::cerr << "marketsage: " << e.what() << "\n" << pluginsUsage;
      return 2;
    }
  }
  std::cerr << "marketsage: plugins needs 'list', 'check FILE.so|ID' or 'call FILE.so|ID FUNCTION [JSON]'\n"
            << pluginsUsage;
  return 2;
}

}  // namespace marketsage::cli
