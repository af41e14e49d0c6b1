#include "core/Errors.h"

#include <Poco/Exception.h>

namespace marketsage {

std::string describe(const std::exception& e) {
  if (const auto* poco = dynamic_cast<const Poco::Exception*>(&e)) return poco->displayText();
  return e.what();
}

}  // namespace marketsage
