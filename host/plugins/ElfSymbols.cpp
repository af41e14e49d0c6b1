#include "plugins/ElfSymbols.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace marketsage::plugins {

std::optional<std::vector<std::string>> exportedSymbols(const std::filesystem::path& library) {
  std::ifstream in(library, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = [&](std::size_t offset, std::size_t size) {
    return offset <= file.size() && size <= file.size() - offset;
  };
  Elf64_Ehdr header;
  if (!at(0, sizeof header)) return std::nullopt;
  std::memcpy(&header, file.data(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_ident[EI_DATA] != ELFDATA2LSB || header.e_shentsize != sizeof(Elf64_Shdr)) {
    return std::nullopt;
  }
  std::vector<Elf64_Shdr> sections(header.e_shnum);
  if (!at(header.e_shoff, sections.size() * sizeof(Elf64_Shdr))) return std::nullopt;
  std::memcpy(sections.data(), file.data() + header.e_shoff, sections.size() * sizeof(Elf64_Shdr));

  std::vector<std::string> names;
  for (const auto& section : sections) {
    if (section.sh_type != SHT_DYNSYM || section.sh_link >= sections.size() || section.sh_entsize != sizeof(Elf64_Sym))
      continue;
    const auto& strings = sections[section.sh_link];
    if (!at(section.sh_offset, section.sh_size) || !at(strings.sh_offset, strings.sh_size)) return std::nullopt;
    for (std::size_t i = 1; i < section.sh_size / sizeof(Elf64_Sym); ++i) {  // entry 0 is the null symbol
      Elf64_Sym symbol;
      std::memcpy(&symbol, file.data() + section.sh_offset + i * sizeof(Elf64_Sym), sizeof symbol);
      const auto binding = ELF64_ST_BIND(symbol.st_info);
      const auto visibility = ELF64_ST_VISIBILITY(symbol.st_other);
      const bool defined = symbol.st_shndx != SHN_UNDEF;
      const bool global = binding == STB_GLOBAL || binding == STB_WEAK || binding == STB_GNU_UNIQUE;
      if (!defined || !global || (visibility != STV_DEFAULT && visibility != STV_PROTECTED)) continue;
      if (symbol.st_name >= strings.sh_size) continue;
      const char* name = file.data() + strings.sh_offset + symbol.st_name;
      names.emplace_back(name, strnlen(name, strings.sh_size - symbol.st_name));
    }
  }
  return names;
}

}  // namespace marketsage::plugins
