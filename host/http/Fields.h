#pragma once
/// Strict reading of a JSON request object: unknown fields, wrong types, over-long or
/// control-character text all answer 400 with the field named — before anything is written.

#include <boost/json/object.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketsage::http {

class Fields {
 public:
  /// Throws Problem 400 naming the first field not in `allowed`.
  Fields(const boost::json::object& body, std::initializer_list<std::string_view> allowed);

  /// A non-empty string of at most `maxChars` characters, clean UTF-8 without control characters.
  std::string requiredText(std::string_view name, std::size_t maxChars) const;
  std::optional<std::string> optionalText(std::string_view name, std::size_t maxChars) const;
  /// An array of at most `maxItems` texts as requiredText checks them; empty when absent.
  std::vector<std::string> optionalTextList(std::string_view name, std::size_t maxItems, std::size_t maxChars) const;

 private:
  const boost::json::object& body_;
};

/// An email address as we accept it: one '@', a dotted domain, no spaces or quotes.
bool isEmailAddress(std::string_view text);

}  // namespace marketsage::http
