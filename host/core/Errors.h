#pragma once

#include <exception>
#include <string>

namespace marketsage {

/// One line describing any exception: Poco's displayText() (what() is only its class name),
/// otherwise what().
std::string describe(const std::exception& e);

}  // namespace marketsage
