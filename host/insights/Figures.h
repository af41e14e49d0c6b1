#pragma once
/// Arithmetic on the metrics objects plugins answer (`{"reach": 1200, "likes": 12, …}`), shared by
/// the snapshots and the analytics answers.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace marketsage::insights {

/// A JSON number as a double; 0 for anything else.
double number(const boost::json::value& v);
/// Adds every numeric metric of `from` into `into` (integers stay integers).
void addMetrics(boost::json::object& into, const boost::json::value& from);
/// Engagement as the plugin reports it, else likes + comments + shares + saves + clicks.
double engagementOf(const boost::json::object& metrics);
/// True when the metric counts what exists (followers) rather than what happened in a period
/// (reach): over several days it is the last day's value, never a sum.
bool isLevel(std::string_view metric);

}  // namespace marketsage::insights
