#pragma once
/// Where the host finds its files. Run from a build tree (build/bin/marketsage), everything is
/// beside the checkout: config/marketsage.json relative to the working directory, var/, and the
/// build's plugins folder. Installed (the executable in the install prefix's bin folder, /usr/bin
/// for the Debian package), the file-system standard places and nothing relative to the working
/// directory: /etc/marketsage/marketsage.json, /etc/marketsage/marketsage.env (secrets),
/// /var/lib/marketsage, /usr/lib/marketsage/plugins. The dashboard's files are in the binary.

#include <filesystem>

namespace marketsage::config {

struct Layout {
  bool installed = false;
  std::filesystem::path configFile;       ///< used when no --config is given and it exists
  std::filesystem::path environmentFile;  ///< installed only: KEY=VALUE lines the service gets too
  std::filesystem::path dataDir;          ///< default of "dataDir" / MARKETSAGE_DATA_DIR
  std::filesystem::path pluginFolder;     ///< default of MARKETSAGE_PLUGIN_PATH
};

/// The layout of the running executable. [thread-safe]
const Layout& layout();

/// The folder of the running executable (resolves /proc/self/exe).
std::filesystem::path executableDir();

/// Sets each KEY=VALUE line of a systemd-style environment file (blank lines and # comments
/// skipped, one pair of surrounding quotes removed) that is not already set: the environment of
/// the caller wins, as with systemd's EnvironmentFile= followed by Environment=. False when the
/// file cannot be read. [main-thread]
bool loadEnvironmentFile(const std::filesystem::path& file);

}  // namespace marketsage::config
