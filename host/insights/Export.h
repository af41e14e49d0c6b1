#pragma once
/// The analytics answers as people take them away: CSV (RFC 4180: a header row, fields quoted
/// when they hold a comma, a quote or a line break, quotes doubled, CRLF line ends) and the client
/// report as one self-contained, printable HTML page (no script, no external resource, every
/// text escaped).

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace marketsage::insights {

std::string csvField(std::string_view text);
std::string htmlEscape(std::string_view text);

/// GET /analytics as CSV: one row per platform, then "totals".
std::string analyticsCsv(const boost::json::object& report);
/// GET /analytics/timeseries as CSV: date, value, then one column per platform.
std::string timeseriesCsv(const boost::json::object& series);
/// The client report (Analytics::clientReport) as CSV: the platform rows, a blank line, the top posts.
std::string reportCsv(const boost::json::object& report);
/// The client report as a printable HTML page.
std::string reportHtml(const boost::json::object& report);

}  // namespace marketsage::insights
