#include "core/Problem.h"

#include <boost/json.hpp>

namespace marketsage {

std::string Problem::json(const std::string& requestId) const {
  boost::json::object body{
      {"type", type()}, {"title", title()}, {"status", status()}, {"detail", detail()}, {"requestId", requestId}};
  for (const auto& [name, json] : extensions_) {
    boost::system::error_code ec;
    auto value = boost::json::parse(json, ec);
    if (!ec && !body.contains(name)) body[name] = std::move(value);
  }
  return boost::json::serialize(body);
}

}  // namespace marketsage
