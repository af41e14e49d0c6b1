#include "plugins/LoadedPlugin.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <exception>
#include <string_view>

namespace marketsage::plugins {

namespace {

struct CapabilityName {
  std::uint32_t bit;
  std::string_view name;
  const char* extension;
};

constexpr CapabilityName kCapabilities[] = {
    {MS_CAP_OAUTH, "oauth", MS_EXT_OAUTH},
    {MS_CAP_ACCOUNTS, "accounts", MS_EXT_ACCOUNTS},
    {MS_CAP_VALIDATE, "validate", MS_EXT_VALIDATE},
    {MS_CAP_PUBLISH, "publish", MS_EXT_PUBLISH},
    {MS_CAP_MEDIA, "media", MS_EXT_MEDIA},
    {MS_CAP_DELETE, "delete", MS_EXT_DELETE},
    {MS_CAP_INSIGHTS, "insights", MS_EXT_INSIGHTS},
    {MS_CAP_HEALTH, "health", MS_EXT_HEALTH},
    {MS_CAP_API_VERSION, "api_version", MS_EXT_API_VERSION},
    {MS_CAP_RECONCILE, "reconcile", MS_EXT_RECONCILE},
    {MS_CAP_APP_REGISTRATION, "app_registration", MS_EXT_APP_REGISTRATION},
};

/// Smallest struct_size that holds `field` of T.
#define MS_SIZE_THROUGH(T, field) (offsetof(T, field) + sizeof(((T*)nullptr)->field))

bool validId(const char* id) {
  if (id == nullptr) return false;
  const std::string_view s(id);
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

std::string describeException() {
  try {
    throw;
  } catch (const std::exception& e) {
    return std::string("C++ exception escaped the plugin: ") + e.what();
  } catch (...) {
    return "unknown exception escaped the plugin";
  }
}

}  // namespace

std::unique_ptr<LoadedPlugin> LoadedPlugin::open(const std::filesystem::path& file, std::string& error) {
  std::unique_ptr<LoadedPlugin> p(new LoadedPlugin());
  p->info_.file = file;
  try {
    p->library_.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    error = std::string("cannot load the library: ") + e.what();
    return nullptr;
  }
  if (!p->library_.has(MS_PLUGIN_ENTRY_SYMBOL)) {
    error = "no exported symbol " MS_PLUGIN_ENTRY_SYMBOL " (not a MarketSage plugin, or built without MS_EXPORT)";
    return nullptr;
  }
  const auto* raw = &p->library_.get<const ms_plugin_entry>(MS_PLUGIN_ENTRY_SYMBOL);
  // abi_major and abi_minor are the first two fields of every ABI version: read them first.
  const uint32_t major = raw->abi_major, minor = raw->abi_minor;
  p->info_.abiMajor = static_cast<int>(major);
  p->info_.abiMinor = static_cast<int>(minor);
  if (!ms_abi_compatible(MS_ABI_VERSION_MAJOR, MS_ABI_VERSION_MINOR, major, minor)) {
    const std::string built = std::to_string(major) + "." + std::to_string(minor);
    const std::string host = std::to_string(MS_ABI_VERSION_MAJOR) + "." + std::to_string(MS_ABI_VERSION_MINOR);
    error = major != MS_ABI_VERSION_MAJOR
                ? "built against plugin ABI " + built + ", this host implements " + host +
                      " (different major version): refused"
                : "built against plugin ABI " + built + ", newer than this host's " + host +
                      ": refused (upgrade the host or rebuild the plugin against ABI " + host + ")";
    return nullptr;
  }
  if (raw->struct_size < MS_SIZE_THROUGH(ms_plugin_entry, get_extension)) {
    error = "entry struct too small (" + std::to_string(raw->struct_size) + " bytes)";
    return nullptr;
  }
  // The entry's size is its third field (after the version), so copy by hand: entry_ is zeroed,
  // take the bytes the plugin declares, fields it does not know stay NULL.
  std::memcpy(&p->entry_, raw, std::min<std::size_t>(raw->struct_size, sizeof p->entry_));
  const char* missing = !p->entry_.descriptor      ? "descriptor"
                        : !p->entry_.init          ? "init"
                        : !p->entry_.deinit        ? "deinit"
                        : !p->entry_.get_extension ? "get_extension"
                                                   : nullptr;
  if (missing) {
    error = std::string("required entry field '") + missing + "' is NULL";
    return nullptr;
  }
  const ms_plugin_descriptor* d = p->entry_.descriptor;
  if (d->struct_size < MS_SIZE_THROUGH(ms_plugin_descriptor, capabilities)) {
    error = "descriptor struct too small (" + std::to_string(d->struct_size) + " bytes)";
    return nullptr;
  }
  ms_struct_copy(&p->descriptor_, sizeof p->descriptor_, d);
  if (!validId(p->descriptor_.id)) {
    error = "descriptor id '" + text(p->descriptor_.id) + "' is not [a-z0-9_-]{1,32}";
    return nullptr;
  }
  if (!p->descriptor_.name || !p->descriptor_.version) {
    error = "descriptor name and version are required";
    return nullptr;
  }
  auto& info = p->info_;
  info.id = p->descriptor_.id;
  info.name = p->descriptor_.name;
  info.version = p->descriptor_.version;
  info.status = p->descriptor_.status == MS_PLUGIN_EXPERIMENTAL ? "experimental" : "stable";
  info.description = text(p->descriptor_.description);
  info.homepage = text(p->descriptor_.homepage);
  for (const auto& c : kCapabilities)
    if (p->descriptor_.capabilities & c.bit) info.capabilities.emplace_back(c.name);
  return p;
}

const void* LoadedPlugin::extension(const char* id, std::string* thrown) const {
  try {
    return entry_.get_extension(id);
  } catch (...) {
    if (thrown) *thrown = describeException();
    return nullptr;
  }
}

namespace {

/// Copies the function pointers of one capability's extension table (by its declared size: a
/// function beyond it stays NULL, absent) into `functions`; a required one that is missing sets
/// `problem` (`what` names the capability).
void bindCapability(FunctionTable& functions, std::uint32_t bit, const void* ext, const std::string& what,
                    std::string& problem) {
  auto fn = [&functions](Operation op) -> ms_call_fn& { return functions[static_cast<std::size_t>(op)]; };
  auto need = [&](ms_call_fn f, const char* name) {
    if (f == nullptr && problem.empty()) problem = what + "its " + name + " function is missing";
    return f;
  };
  switch (bit) {
    case MS_CAP_OAUTH: {
      ms_oauth_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::AuthorizeUrl) = need(e.authorize_url, "authorize_url");
      fn(Operation::ExchangeCode) = need(e.exchange_code, "exchange_code");
      fn(Operation::RefreshToken) = e.refresh;  // optional since 1.1: a platform without refresh tokens
      fn(Operation::RevokeToken) = e.revoke;
      break;
    }
    case MS_CAP_ACCOUNTS: {
      ms_accounts_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::ListAccounts) = need(e.list_accounts, "list_accounts");
      break;
    }
    case MS_CAP_VALIDATE: {
      ms_validate_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::Validate) = need(e.validate, "validate");
      break;
    }
    case MS_CAP_PUBLISH: {
      ms_publish_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::Publish) = need(e.publish, "publish");
      break;
    }
    case MS_CAP_MEDIA: {
      ms_media_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::UploadMedia) = need(e.upload, "upload");
      break;
    }
    case MS_CAP_DELETE: {
      ms_delete_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::DeletePost) = need(e.delete_post, "delete_post");
      break;
    }
    case MS_CAP_INSIGHTS: {
      ms_insights_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::AccountInsights) = e.account_insights;
      fn(Operation::PostInsights) = e.post_insights;
      if (!e.account_insights && !e.post_insights && problem.empty())
        problem = what + "neither account_insights nor post_insights is set";
      break;
    }
    case MS_CAP_HEALTH: {
      ms_health_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::CheckToken) = need(e.check_token, "check_token");
      break;
    }
    case MS_CAP_API_VERSION: {
      ms_api_version_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::ApiVersion) = need(e.api_version, "api_version");
      break;
    }
    case MS_CAP_RECONCILE: {
      ms_reconcile_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::Reconcile) = need(e.reconcile, "reconcile");
      break;
    }
    case MS_CAP_APP_REGISTRATION: {
      ms_app_registration_ext e;
      ms_struct_copy(&e, sizeof e, ext);
      fn(Operation::RegisterApp) = need(e.register_app, "register_app");
      break;
    }
  }
}

}  // namespace

bool LoadedPlugin::start(std::unique_ptr<HostServices> host, std::string& error) {
  host_ = std::move(host);
  ms_status status;
  try {
    status = entry_.init(host_->table());
  } catch (...) {
    error = "init: " + describeException();
    return false;
  }
  if (status != MS_OK) {
    error = "init failed with status " + std::to_string(status);
    return false;
  }

  std::string problem;
  for (const auto& c : kCapabilities) {
    if (!(descriptor_.capabilities & c.bit) || !problem.empty()) continue;
    std::string thrown;
    const void* ext = extension(c.extension, &thrown);
    const std::string what = "announces capability '" + std::string(c.name) + "' but ";
    if (ext == nullptr) {
      problem = what + "get_extension(\"" + c.extension + "\") " + (thrown.empty() ? "returned NULL" : thrown);
      continue;
    }
    bindCapability(functions_, c.bit, ext, what, problem);
  }
  if (!problem.empty()) {
    error = problem;
    functions_ = {};
    try {
      entry_.deinit();
    } catch (...) {
    }
    return false;
  }
  started_ = true;
  info_.enabled = true;
  return true;
}

bool LoadedPlugin::stop(std::string& error) {
  if (!started_) return true;
  started_ = false;
  info_.enabled = false;
  functions_ = {};
  try {
    entry_.deinit();
    return true;
  } catch (...) {
    error = "deinit: " + describeException();
    return false;
  }
}

LoadedPlugin::~LoadedPlugin() {
  std::string error;
  if (!stop(error) && host_) host_->log(MS_LOG_ERROR, error);
}

}  // namespace marketsage::plugins
