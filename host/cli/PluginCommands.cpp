/// plugins list / plugins check.
#include "cli/Commands.h"

#include <iostream>

namespace marketsage::cli {

int pluginsCommand(const std::vector<std::string>& args) {
  (void)args;
  std::cerr << "marketsage: plugins: not built yet\n";
  return 1;
}

}  // namespace marketsage::cli
