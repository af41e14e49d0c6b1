#include "plugins/PluginRegistry.h"

#include "core/Problem.h"
#include "core/Time.h"
#include "plugins/HostServices.h"
#include "plugins/LoadedPlugin.h"

#include <algorithm>
#include <iomanip>

namespace marketsage::plugins {

PluginRegistry::PluginRegistry(SettingsLookup settings, LogSink log, HostOptions options)
    : settings_(std::move(settings)), log_(std::move(log)), options_(std::move(options)) {}

void PluginRegistry::interruptWaits() { HostServices::interruptSleeps(); }

PluginRegistry::~PluginRegistry() {
  // Stop plugins in reverse load order; a handle still held elsewhere keeps its plugin alive.
  std::lock_guard lock(mutex_);
  while (!plugins_.empty()) plugins_.pop_back();
}

void PluginRegistry::addError(const std::filesystem::path& file, const std::string& reason) {
  const std::string line = file.string() + ": " + reason;
  if (log_) log_(3, "", "plugin refused: " + line);
  std::lock_guard lock(mutex_);
  errors_.push_back(line);
}

void PluginRegistry::loadFrom(const std::vector<std::filesystem::path>& searchPaths) {
  for (const auto& folder : searchPaths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) {
      if (log_) log_(0, "", "plugin folder " + folder.string() + " does not exist; skipped");
      continue;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
      if (entry.path().extension() == ".so" && entry.is_regular_file(ec)) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) loadFile(file);
  }
}

namespace {

/// What the plugin's api_version says, when it has one and answers sensibly.
std::optional<ApiVersionInfo> apiVersionOf(const Plugin& plugin) {
  if (!plugin.supports(Operation::ApiVersion)) return std::nullopt;
  const auto result = plugin.call(Operation::ApiVersion, boost::json::object{});
  if (!result.ok() || !result.json.is_object()) return std::nullopt;
  const auto& reply = result.json.as_object();
  const auto text = [&](const char* name) {
    const auto* v = reply.if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  ApiVersionInfo info{text("version"), text("releasedAt"), text("sunsetAt"), false};
  if (const auto* estimated = reply.if_contains("estimated"); estimated && estimated->is_bool())
    info.estimated = estimated->get_bool();
  if (info.version.empty()) return std::nullopt;
  return info;
}

}  // namespace

bool PluginRegistry::loadFile(const std::filesystem::path& file) {
  std::string error;
  auto loaded = LoadedPlugin::open(file, error);
  if (!loaded) {
    addError(file, error);
    return false;
  }
  const std::string id = loaded->info().id;
  std::string firstFile;
  {
    std::lock_guard lock(mutex_);
    for (const auto& i : infos_)
      if (i.id == id) firstFile = i.file.string();
  }
  if (!firstFile.empty()) {
    addError(file, "duplicate plugin id '" + id + "' (already loaded from " + firstFile + "): refused");
    return false;
  }

  PluginSettings settings;
  try {
    if (settings_) settings = settings_(id);
  } catch (const std::exception& e) {
    addError(file, "settings of plugin '" + id + "': " + e.what());
    return false;
  }
  if (!settings.enabled) {
    if (log_) log_(1, id, "plugin '" + id + "' is disabled in the configuration");
    std::lock_guard lock(mutex_);
    infos_.push_back(loaded->info());
    return true;
  }

  settings.values["enabled"] = true;
  auto services = std::make_unique<HostServices>(id, std::move(settings.values), log_, options_);
  if (!loaded->start(std::move(services), error)) {
    addError(file, "plugin '" + id + "': " + error);
    return false;
  }
  auto plugin = std::make_shared<const Plugin>(std::move(loaded));
  Info info = plugin->info();
  info.apiVersion = apiVersionOf(*plugin);
  if (log_)
    log_(1, id,
         "loaded plugin '" + id + "' " + info.version + " (ABI " + std::to_string(info.abiMajor) + "." +
             std::to_string(info.abiMinor) + ") from " + file.string());
  if (const auto warning = apiVersionWarning(info, marketsage::time::nowMillis()); warning && log_)
    log_(2, id, *warning);
  std::lock_guard lock(mutex_);
  infos_.push_back(info);
  plugins_.push_back(std::move(plugin));
  return true;
}

std::vector<PluginRegistry::Info> PluginRegistry::list() const {
  std::lock_guard lock(mutex_);
  return infos_;
}

std::vector<std::string> PluginRegistry::loadErrors() const {
  std::lock_guard lock(mutex_);
  return errors_;
}

std::shared_ptr<const Plugin> PluginRegistry::get(std::string_view id) const {
  std::lock_guard lock(mutex_);
  for (const auto& p : plugins_)
    if (p->id() == id) return p;
  return nullptr;
}

std::shared_ptr<const Plugin> PluginRegistry::require(const std::string& platform, Operation op) const {
  auto plugin = get(platform);
  if (!plugin) throw Problem::notFound("no enabled platform \"" + platform + "\"");
  if (!plugin->supports(op))
    throw Problem::badInput("the " + platform + " plugin does not support " + std::string(toString(op)));
  return plugin;
}

std::vector<std::shared_ptr<const Plugin>> PluginRegistry::enabled() const {
  std::lock_guard lock(mutex_);
  return plugins_;
}

int listPlugins(const PluginRegistry& registry, std::ostream& out, std::ostream& err) {
  const auto infos = registry.list();
  struct Row {
    std::string id, version, abi, status, enabled, capabilities, platformApi;
  };
  std::vector<Row> rows{{"ID", "VERSION", "ABI", "STATUS", "ENABLED", "CAPABILITIES", "PLATFORM API"}};
  std::vector<std::string> warnings;
  for (const auto& i : infos) {
    std::string caps;
    for (const auto& c : i.capabilities) caps += (caps.empty() ? "" : ",") + c;
    std::string platformApi = "-";
    if (i.apiVersion) {
      platformApi = i.apiVersion->version;
      if (!i.apiVersion->sunsetAt.empty())
        platformApi += " (until " + std::string(i.apiVersion->estimated ? "~" : "") + i.apiVersion->sunsetAt + ")";
    }
    rows.push_back({i.id, i.version, std::to_string(i.abiMajor) + "." + std::to_string(i.abiMinor), i.status,
                    i.enabled ? "yes" : "no", caps.empty() ? "-" : caps, platformApi});
    if (const auto warning = apiVersionWarning(i, marketsage::time::nowMillis())) warnings.push_back(*warning);
  }
  std::size_t w[6] = {};
  for (const auto& r : rows) {
    w[0] = std::max(w[0], r.id.size());
    w[1] = std::max(w[1], r.version.size());
    w[2] = std::max(w[2], r.abi.size());
    w[3] = std::max(w[3], r.status.size());
    w[4] = std::max(w[4], r.enabled.size());
    w[5] = std::max(w[5], r.capabilities.size());
  }
  out << std::left;
  for (const auto& r : rows)
    out << std::setw(int(w[0] + 2)) << r.id << std::setw(int(w[1] + 2)) << r.version << std::setw(int(w[2] + 2))
        << r.abi << std::setw(int(w[3] + 2)) << r.status << std::setw(int(w[4] + 2)) << r.enabled
        << std::setw(int(w[5] + 2)) << r.capabilities << r.platformApi << '\n';
  if (infos.empty()) out << "(no plugins found)\n";
  for (const auto& warning : warnings) err << "warning: " << warning << '\n';
  for (const auto& e : registry.loadErrors()) err << "plugin not loaded: " << e << '\n';
  return 0;
}

}  // namespace marketsage::plugins
