// Compiles plugin.h and plugin.hpp as C++ under strict warnings (see CMakeLists.txt).
#include <marketsage/plugin.h>
#include <marketsage/plugin.hpp>

static_assert(MS_ABI_VERSION_MAJOR == 1, "ABI major");
static_assert(offsetof(ms_plugin_entry, abi_major) == 0 && offsetof(ms_plugin_entry, abi_minor) == 4,
              "the version leads the entry in every ABI version");

int marketsage_header_check() {
  ms_host host{};
  host.struct_size = sizeof host;
  return ms_abi_compatible(1, 0, 1, 0) + (MS_HAS_FIELD(&host, ms_host, json_quote) ? 1 : 0);
}
