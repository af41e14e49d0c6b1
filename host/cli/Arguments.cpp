#include "cli/Arguments.h"

#include "core/Log.h"

#include <iostream>

namespace marketsage::cli {

std::optional<std::string> Arguments::flag(const std::string& name) const {
  const auto it = flags.find(name);
  if (it == flags.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Arguments::values(const std::string& name) const {
  const auto it = repeated.find(name);
  return it == repeated.end() ? std::vector<std::string>{} : it->second;
}

Arguments parseArguments(const std::vector<std::string>& args, const std::set<std::string>& valueFlags) {
  Arguments out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
      out.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (!valueFlags.count(name)) throw UsageError("unknown option --" + name);
    if (!value) {
      if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
      value = args[++i];
    }
    out.flags[name] = *value;
    out.repeated[name].push_back(*value);
  }
  return out;
}

std::optional<Arguments> parseCommandLine(const std::vector<std::string>& args, std::set<std::string> valueFlags,
                                          const char* usage, int& exitCode) {
  valueFlags.insert("config");
  try {
    auto parsed = parseArguments(args, valueFlags);
    if (!parsed.help) return parsed;
    std::cout << usage;
    exitCode = 0;
  } catch (const UsageError& e) {
    std::cerr << "marketsage: " << e.what() << "\n" << usage;
    exitCode = 2;
  }
  return std::nullopt;
}

config::Config loadConfig(const Arguments& args) {
  std::optional<std::filesystem::path> file;
  if (auto path = args.flag("config")) file = *path;
  auto config = config::load(file);
  log::configure(log::parseLevel(config.logLevel), config.logFile);
  return config;
}

}  // namespace marketsage::cli
