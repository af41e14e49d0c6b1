#include "http/Router.h"

#include <algorithm>

namespace marketsage::http {
namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    const auto stop = end == std::string_view::npos ? path.size() : end;
    segments.emplace_back(path.substr(start, stop - start));
    start = stop + 1;
  }
  return segments;
}

bool isParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, Access access, Handler handler, Body body) {
  auto segments = split(pattern);
  routes_.push_back(
      {std::move(method), std::move(pattern), access, std::nullopt, std::move(handler), body, std::move(segments)});
}

void Router::add(std::string method, std::string pattern, auth::Permission permission, Handler handler, Body body) {
  auto segments = split(pattern);
  routes_.push_back({std::move(method), std::move(pattern), Access::Authenticated, permission, std::move(handler), body,
                     std::move(segments)});
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  if (path.empty() || path.front() != '/') return result;
  const auto segments = split(path);
  // A literal segment beats a parameter in the same place: "/posts/validate" is that route's
  // path only, never a post id of "/posts/{id}" (for its methods and for Allow alike).
  std::vector<std::pair<const Route*, std::map<std::string, std::string>>> candidates;
  std::size_t mostLiterals = 0;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool same = true;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      if (isParam(route.segments[i])) {
        if (segments[i].empty())
          same = false;
        else
          params[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
      } else {
        same = route.segments[i] == segments[i];
      }
    }
    if (!same) continue;
    mostLiterals = std::max(mostLiterals, segments.size() - params.size());
    candidates.emplace_back(&route, std::move(params));
  }
  for (auto& [route, params] : candidates) {
    if (segments.size() - params.size() != mostLiterals) continue;
    if (route->method == method) {
      result.route = route;
      result.params = std::move(params);
      result.allowedMethods.clear();
      return result;
    }
    result.allowedMethods.push_back(route->method);
  }
  return result;
}

}  // namespace marketsage::http
