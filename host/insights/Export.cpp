#include "insights/Export.h"

#include "core/Json.h"

#include <boost/json.hpp>

#include <initializer_list>

namespace marketsage::insights {
namespace {

namespace json = boost::json;

/// A value as a cell: strings as they are, numbers the plain way, nothing for the rest.
std::string text(const json::value* v) {
  if (v == nullptr || v->is_null()) return {};
  if (v->is_string()) return std::string(v->as_string());
  return jsontext::write(*v);
}

std::string field(const json::value& object, const char* name) {
  return object.is_object() ? text(object.as_object().if_contains(name)) : std::string();
}

std::string csvRow(std::initializer_list<std::string> cells) {
  std::string line;
  bool first = true;
  for (const auto& c : cells) {
    line += (first ? "" : ",") + csvField(c);
    first = false;
  }
  return line + "\r\n";
}

constexpr const char* platformColumns[] = {"platform",       "posts",          "reach",        "engagement",
                                           "engagementRate", "followersStart", "followersEnd", "followerGrowth"};
constexpr const char* postColumns[] = {"platform", "accountName", "publishedAt", "content", "url", "engagement"};

}  // namespace

std::string csvField(std::string_view in) {
  if (in.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(in);
  std::string out = "\"";
  for (const char c : in) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string htmlEscape(std::string_view in) {
  std::string out;
  for (const char c : in) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string analyticsCsv(const json::object& report) {
  std::string out = csvRow({"platform", "posts", "reach", "engagement", "engagementRate"});
  const auto line = [&](const std::string& name, const json::value& s) {
    out += csvRow(
        {name, field(s, "posts"), field(s, "totalReach"), field(s, "totalEngagement"), field(s, "engagementRate")});
  };
  for (const auto& [name, value] : report)
    if (value.is_object() && name != "totals") line(name, value);
  if (const auto* totals = report.if_contains("totals")) line("totals", *totals);
  return out;
}

std::string timeseriesCsv(const json::object& series) {
  std::string out = "date,value";
  const auto& points = series.at("points").as_array();
  if (!points.empty())
    for (const auto& [platform, v] : points.front().at("byPlatform").as_object()) out += "," + csvField(platform);
  out += "\r\n";
  for (const auto& p : points) {
    out += csvField(field(p, "date")) + "," + field(p, "value");
    for (const auto& [platform, v] : p.at("byPlatform").as_object()) out += "," + text(&v);
    out += "\r\n";
  }
  return out;
}

std::string reportCsv(const json::object& report) {
  std::string out;
  for (const char* c : platformColumns) out += (out.empty() ? "" : ",") + std::string(c);
  out += "\r\n";
  const auto line = [&](const json::value& row) {
    std::string cells;
    for (const char* c : platformColumns) cells += (cells.empty() ? "" : ",") + csvField(field(row, c));
    out += cells + "\r\n";
  };
  for (const auto& row : report.at("platforms").as_array()) line(row);
  line(report.at("totals"));
  out += "\r\n";
  std::string header;
  for (const char* c : postColumns) header += (header.empty() ? "" : ",") + std::string(c);
  out += header + "\r\n";
  for (const auto& post : report.at("topPosts").as_array()) {
    std::string cells;
    for (const char* c : postColumns) cells += (cells.empty() ? "" : ",") + csvField(field(post, c));
    out += cells + "\r\n";
  }
  return out;
}

std::string reportHtml(const json::object& report) {
  const auto start = htmlEscape(field(report, "start"));
  const auto end = htmlEscape(field(report, "end"));
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Analytics report " +
      start + " to " + end +
      "</title><style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;"
      "margin:1em 0}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:right}th:first-child,"
      "td:first-child,td.text{text-align:left}@media print{body{margin:0}}</style></head><body>\n"
      "<h1>Analytics report</h1>\n<p>From " +
      start + " to " + end + " (UTC days).</p>\n<h2>Platforms</h2>\n<table><tr>";
  const char* headings[] = {"Platform",        "Posts published",   "Reach",           "Engagement",
                            "Engagement rate", "Followers (start)", "Followers (end)", "Follower growth"};
  for (const char* h : headings) out += std::string("<th>") + h + "</th>";
  out += "</tr>\n";
  const auto line = [&](const json::value& row) {
    out += "<tr>";
    for (const char* c : platformColumns)
      out += "<td>" + htmlEscape(field(row, c)) + (std::string(c) == "engagementRate" ? " %" : "") + "</td>";
    out += "</tr>\n";
  };
  for (const auto& row : report.at("platforms").as_array()) line(row);
  line(report.at("totals"));
  out +=
      "</table>\n<h2>Top posts</h2>\n<table><tr><th>Platform</th><th>Account</th><th>Published</th>"
      "<th>Content</th><th>Engagement</th></tr>\n";
  for (const auto& post : report.at("topPosts").as_array()) {
    out += "<tr><td>" + htmlEscape(field(post, "platform")) + "</td><td class=\"text\">" +
           htmlEscape(field(post, "accountName")) + "</td><td class=\"text\">" +
           htmlEscape(field(post, "publishedAt")) + "</td><td class=\"text\">" + htmlEscape(field(post, "content")) +
           "</td><td>" + htmlEscape(field(post, "engagement")) + "</td></tr>\n";
  }
  out += "</table>\n</body></html>\n";
  return out;
}

}  // namespace marketsage::insights
