// The query parameters of a URL (an authorize URL the plugin built, a redirect the emulator
// answered), as the platform tests read them.
#pragma once

#include <Poco/URI.h>

#include <map>
#include <string>

namespace marketsage::test {

/// The query parameters of `url`, decoded (the last one wins when a name repeats).
inline std::map<std::string, std::string> queryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : Poco::URI(url).getQueryParameters()) out[name] = value;
  return out;
}

}  // namespace marketsage::test
