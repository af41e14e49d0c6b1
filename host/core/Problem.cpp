#include "core/Problem.h"

#include <boost/json.hpp>

namespace marketsage {

std::string Problem::json(const std::string& requestId) const {
  return boost::json::serialize(boost::json::object{
      {"type", type()}, {"title", title()}, {"status", status()}, {"detail", detail()}, {"requestId", requestId}});
}

}  // namespace marketsage
