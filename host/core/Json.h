#pragma once
/// JSON text as people and plugins read it. Boost.JSON writes every double in exponent form
/// ("9E0", "8.1E0"); this writer prints numbers the plain way — integral values as integers,
/// others as the shortest decimal that reads back the same — and everything else as Boost does.

#include <boost/json/value.hpp>

#include <string>

namespace marketsage::jsontext {

/// The value as compact JSON text with plain numbers.
std::string write(const boost::json::value& value);

/// A number rounded to `decimals` places, as a JSON value: an integer when it has no fraction left.
boost::json::value rounded(double number, int decimals);

}  // namespace marketsage::jsontext
