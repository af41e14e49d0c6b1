#pragma once
/// The `marketsage` command line: one function per subcommand, each returning the exit code
/// (0 ok, 1 failure with one line on stderr, 2 wrong usage).

#include <string>
#include <vector>

namespace marketsage::cli {

int run(int argc, char** argv);

int serveCommand(const std::vector<std::string>& args);
int migrateCommand(const std::vector<std::string>& args);
int adminCommand(const std::vector<std::string>& args);
int pluginsCommand(const std::vector<std::string>& args);
int keysCommand(const std::vector<std::string>& args);
int doctorCommand(const std::vector<std::string>& args);

}  // namespace marketsage::cli
