#include "core/Json.h"

#include <boost/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace marketsage::jsontext {
namespace {

void writeNumber(std::string& out, double number) {
  if (!std::isfinite(number)) {  // JSON has no NaN or infinity
    out += "null";
    return;
  }
  if (number == std::trunc(number) && std::fabs(number) < 9007199254740992.0) {  // 2^53: exact
    out += std::to_string(static_cast<long long>(number));
    return;
  }
  char buffer[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, number);
    if (std::strtod(buffer, nullptr) == number) break;
  }
  out += buffer;
}

void write(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::bool_: out += value.get_bool() ? "true" : "false"; return;
    case boost::json::kind::int64: out += std::to_string(value.get_int64()); return;
    case boost::json::kind::uint64: out += std::to_string(value.get_uint64()); return;
    case boost::json::kind::double_: writeNumber(out, value.get_double()); return;
    case boost::json::kind::string: out += boost::json::serialize(value.get_string()); return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        write(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out += ':';
        write(out, item);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string write(const boost::json::value& value) {
  std::string out;
  write(out, value);
  return out;
}

boost::json::value rounded(double number, int decimals) {
  const double scale = std::pow(10.0, decimals);
  const double value = std::round(number * scale) / scale;
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) return static_cast<std::int64_t>(value);
  return value;
}

}  // namespace marketsage::jsontext
