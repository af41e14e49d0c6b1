#include "config/Layout.h"

#include <cstdlib>
#include <fstream>
#include <string>

// The install folders, from CMake's GNUInstallDirs (host/CMakeLists.txt); a build without them
// (an IDE compiling one file) only ever runs from its build tree.
#ifndef MARKETSAGE_INSTALL_BINDIR
#define MARKETSAGE_INSTALL_BINDIR ""
#define MARKETSAGE_INSTALL_SYSCONFDIR ""
#define MARKETSAGE_INSTALL_STATEDIR ""
#define MARKETSAGE_INSTALL_PLUGINDIR ""
#endif

namespace marketsage::config {
namespace fs = std::filesystem;

fs::path executableDir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

const Layout& layout() {
  static const Layout layout = [] {
    Layout l;
    const fs::path bin = executableDir();
    std::error_code ec;
    l.installed = *MARKETSAGE_INSTALL_BINDIR != '\0' && fs::equivalent(bin, MARKETSAGE_INSTALL_BINDIR, ec);
    if (l.installed) {
      const fs::path etc = MARKETSAGE_INSTALL_SYSCONFDIR;
      l.configFile = etc / "marketsage.json";
      l.environmentFile = etc / "marketsage.env";
      l.dataDir = MARKETSAGE_INSTALL_STATEDIR;
      l.pluginFolder = MARKETSAGE_INSTALL_PLUGINDIR;
    } else {
      l.configFile = "config/marketsage.json";
      l.dataDir = "var";
      l.pluginFolder = (bin / ".." / "plugins").lexically_normal();
    }
    return l;
  }();
  return layout;
}

bool loadEnvironmentFile(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return false;
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#' || line[start] == ';') continue;
    const auto equals = line.find('=', start);
    if (equals == std::string::npos) continue;
    std::string name = line.substr(start, equals - start);
    name.erase(name.find_last_not_of(" \t") + 1);
    std::string value = line.substr(equals + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r") + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (!name.empty()) ::setenv(name.c_str(), value.c_str(), 0);
  }
  return true;
}

}  // namespace marketsage::config
