#pragma once
/// Flag parsing shared by every subcommand: "--name value" or "--name=value", "-h"/"--help".

#include "config/Config.h"

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace marketsage::cli {

/// Wrong usage: the caller prints the command's usage and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Arguments {
  bool help = false;
  std::map<std::string, std::string> flags;                  ///< without the leading dashes; the last value given
  std::map<std::string, std::vector<std::string>> repeated;  ///< every value of each flag, in order
  std::vector<std::string> positional;

  std::optional<std::string> flag(const std::string& name) const;
  /// Every value given for a flag that may repeat ("--setting a=1 --setting b=2").
  std::vector<std::string> values(const std::string& name) const;
};

/// `valueFlags` take a value; anything else starting with "-" is a UsageError.
Arguments parseArguments(const std::vector<std::string>& args, const std::set<std::string>& valueFlags);

/// What every subcommand does first: parse (`--config` is always accepted), print `usage` on
/// --help (stdout, exit 0) or wrong usage (stderr, exit 2). nullopt means "exit with `exitCode`".
std::optional<Arguments> parseCommandLine(const std::vector<std::string>& args, std::set<std::string> valueFlags,
                                          const char* usage, int& exitCode);

/// The configuration named by --config (or the default one), with logging set up from it.
config::Config loadConfig(const Arguments& args);

}  // namespace marketsage::cli
