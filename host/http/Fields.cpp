#include "http/Fields.h"

#include "core/Encoding.h"
#include "core/Problem.h"

#include <algorithm>

namespace marketsage::http {
namespace {

std::size_t countCodePoints(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

}  // namespace

Fields::Fields(const boost::json::object& body, std::initializer_list<std::string_view> allowed) : body_(body) {
  for (const auto& member : body) {
    if (std::find(allowed.begin(), allowed.end(), member.key()) == allowed.end()) {
      throw Problem::badInput("unknown field \"" + std::string(member.key()) + "\"");
    }
  }
}

std::optional<std::string> Fields::optionalText(std::string_view name, std::size_t maxChars) const {
  const auto* value = body_.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) throw Problem::badInput("\"" + std::string(name) + "\" must be a string");
  std::string text(value->get_string());
  if (text.empty()) throw Problem::badInput("\"" + std::string(name) + "\" must not be empty");
  if (countCodePoints(text) > maxChars) {
    throw Problem::badInput("\"" + std::string(name) + "\" is longer than " + std::to_string(maxChars) + " characters");
  }
  if (!encoding::isCleanUtf8(text)) throw Problem::badInput("\"" + std::string(name) + "\" holds control characters");
  return text;
}

std::vector<std::string> Fields::optionalTextList(std::string_view name, std::size_t maxItems,
                                                  std::size_t maxChars) const {
  const auto* value = body_.if_contains(name);
  if (value == nullptr || value->is_null()) return {};
  if (!value->is_array()) throw Problem::badInput("\"" + std::string(name) + "\" must be an array of strings");
  const auto& items = value->get_array();
  if (items.size() > maxItems)
    throw Problem::badInput("\"" + std::string(name) + "\" has more than " + std::to_string(maxItems) + " elements");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string element = std::string(name) + "[" + std::to_string(i) + "]";
    const boost::json::object one{{element, items[i]}};
    out.push_back(Fields(one, {element}).requiredText(element, maxChars));
  }
  return out;
}

std::string Fields::requiredText(std::string_view name, std::size_t maxChars) const {
  auto text = optionalText(name, maxChars);
  if (!text) throw Problem::badInput("\"" + std::string(name) + "\" is required");
  return *text;
}

bool isEmailAddress(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos || text.size() > 254)
    return false;
  const auto local = text.substr(0, at);
  const auto domain = text.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') return false;
  auto allowed = [](std::string_view part, std::string_view extra) {
    return std::all_of(part.begin(), part.end(), [&](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             extra.find(c) != std::string_view::npos;
    });
  };
  return allowed(local, "._%+-") && allowed(domain, ".-");
}

}  // namespace marketsage::http
