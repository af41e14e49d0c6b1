// marketsage::plugins::exportedSymbols — what a shared library exports, read from its ELF file.
// Internal to the loader (`plugins check`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace marketsage::plugins {

/// The names of the symbols `library` defines and exports dynamically (global or weak, default or
/// protected visibility): what another object could bind to. nullopt when it is not a 64-bit
/// little-endian ELF file we can read.
std::optional<std::vector<std::string>> exportedSymbols(const std::filesystem::path& library);

}  // namespace marketsage::plugins
