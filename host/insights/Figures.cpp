#include "insights/Figures.h"

#include "core/Json.h"

namespace marketsage::insights {

namespace json = boost::json;

double number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return 0;
}

void addMetrics(json::object& into, const json::value& from) {
  if (!from.is_object()) return;
  for (const auto& [name, value] : from.as_object()) {
    if (!value.is_number()) continue;
    into[name] = jsontext::rounded((into.contains(name) ? number(into[name]) : 0) + number(value), 4);
  }
}

double engagementOf(const json::object& metrics) {
  if (const auto* e = metrics.if_contains("engagement")) return number(*e);
  double sum = 0;
  for (const char* name : {"likes", "comments", "shares", "saves", "clicks"})
    if (const auto* v = metrics.if_contains(name)) sum += number(*v);
  return sum;
}

bool isLevel(std::string_view metric) {
  for (const std::string_view level :
       {"followers", "following", "subscribers", "fans", "members", "mediaCount", "videoCount", "postCount"})
    if (metric == level) return true;
  return false;
}

}  // namespace marketsage::insights
