#pragma once
/// Flag parsing shared by every subcommand: "--name value" or "--name=value", "-h"/"--help".

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
  std::map<std::string, std::string> flags;  ///< without the leading dashes
  std::vector<std::string> positional;

  std::optional<std::string> flag(const std::string& name) const;
};

/// `valueFlags` take a value; anything else starting with "-" is a UsageError.
Arguments parseArguments(const std::vector<std::string>& args, const std::set<std::string>& valueFlags);

}  // namespace marketsage::cli
