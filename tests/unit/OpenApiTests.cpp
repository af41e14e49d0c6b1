// The OpenAPI document (host/api/openapi.json, embedded in the binary) against the host's router:
// every route the host registers is documented with the same method and path template, nothing
// documented is missing from the router, and each operation states who may call it.
#include "api/OpenApi.h"
#include "app/Host.h"
#include "auth/Roles.h"
#include "core/Random.h"
#include "http/Router.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

using namespace marketsage;

namespace {

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

const std::set<std::string> httpMethods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};

/// A host assembled as `marketsage serve` assembles it (on a throwaway SQLite file, no plugins),
/// for its route table.
struct AssembledHost {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("marketsage-routes-" + random::token(9));
  std::unique_ptr<app::Host> host;
  AssembledHost() {
    config::Config config;
    config.dataDir = dir;
    config.database.url = "sqlite:" + (dir / "marketsage.db").string();
    std::filesystem::create_directories(dir);
    host = std::make_unique<app::Host>(config);
  }
  ~AssembledHost() {
    host.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

/// The roles a route admits: every role for a route with no permission of its own.
std::set<std::string> rolesAdmitted(const http::Route& route) {
  std::set<std::string> roles;
  for (const auto role : {auth::Role::SuperAdmin, auth::Role::Admin, auth::Role::User, auth::Role::Guest}) {
    if (!route.permission || auth::allows(role, *route.permission)) roles.insert(std::string(auth::roleName(role)));
  }
  return roles;
}

/// Every "$ref" in `value` that does not point into the document.
void collectBrokenRefs(const boost::json::value& document, const boost::json::value& value,
                       std::vector<std::string>& broken) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.as_object()) {
      if (key == "$ref" && member.is_string()) {
        const std::string ref(member.get_string());
        boost::system::error_code ec;
        if (ref.rfind("#/", 0) != 0 || document.find_pointer(ref.substr(1), ec) == nullptr) broken.push_back(ref);
      } else {
        collectBrokenRefs(document, member, broken);
      }
    }
  } else if (value.is_array()) {
    for (const auto& item : value.as_array()) collectBrokenRefs(document, item, broken);
  }
}

}  // namespace

TEST_CASE("OpenAPI document: every route the host registers is documented, and only those", "[openapi]") {
  const auto document = boost::json::parse(api::openApiDocument());
  REQUIRE(document.at("openapi").as_string().starts_with("3.1."));
  CHECK(document.at("info").at("version").as_string() == MARKETSAGE_VERSION);

  // The route table exactly as the host builds it.
  const AssembledHost assembled;
  const auto& router = assembled.host->router();
  std::map<std::string, const http::Route*> registered;  // "GET /api/orgs/{id}" → route
  for (const auto& route : router.routes()) registered[route.method + " " + route.pattern] = &route;
  REQUIRE(registered.size() == router.routes().size());  // no route registered twice

  std::map<std::string, const boost::json::object*> documented;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (httpMethods.count(std::string(method)) == 0) continue;
      documented[upper(std::string(method)) + " " + std::string(path)] = &operation.as_object();
    }
  }

  for (const auto& [route, entry] : registered) {
    INFO(route);
    CHECK(documented.count(route) == 1);  // registered but not documented
  }
  std::set<std::string> operationIds;
  for (const auto& [route, operation] : documented) {
    INFO(route);
    CHECK(registered.count(route) == 1);  // documented but not registered
    REQUIRE(operation->contains("operationId"));
    CHECK(operationIds.insert(std::string(operation->at("operationId").as_string())).second);
    REQUIRE(operation->contains("responses"));
    CHECK(!operation->at("description").as_string().empty());
    // Who may call it: x-roles is ["anyone"] for routes without a key (and security: []), else
    // the roles whose key is accepted.
    REQUIRE(operation->contains("x-roles"));
    const auto& roles = operation->at("x-roles").as_array();
    REQUIRE(!roles.empty());
    const bool publicRoute = roles.size() == 1 && roles[0] == "anyone";
    if (!publicRoute) {
      for (const auto& role : roles) {
        INFO(role);
        CHECK((role == "SUPER_ADMIN" || role == "ADMIN" || role == "USER" || role == "GUEST"));
      }
    }
    const auto* security = operation->if_contains("security");
    CHECK(publicRoute == (security != nullptr && security->as_array().empty()));
    if (registered.count(route) == 1) {
      CHECK(publicRoute == (registered[route]->access == http::Access::Public));
      // The roles documented are the roles the route table admits (its permission through the
      // role matrix): the integration tests refuse each other role over HTTP from this list.
      std::set<std::string> documentedRoles;
      for (const auto& role : roles) documentedRoles.insert(std::string(role.as_string()));
      if (!publicRoute) CHECK(documentedRoles == rolesAdmitted(*registered[route]));
    }
    // Path parameters: each {name} of the template is declared, and nothing else.
    const std::string path = route.substr(route.find(' ') + 1);
    std::set<std::string> inTemplate;
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
      inTemplate.insert(path.substr(open + 1, path.find('}', open) - open - 1));
    }
    std::set<std::string> declared;
    if (const auto* parameters = operation->if_contains("parameters")) {
      for (const auto& parameter : parameters->as_array()) {
        const auto* p = &parameter;
        if (const auto* ref = parameter.as_object().if_contains("$ref"))
          p = &document.at_pointer(std::string(ref->as_string()).substr(1));
        if (p->at("in") == "path") declared.insert(std::string(p->at("name").as_string()));
      }
    }
    CHECK(declared == inTemplate);
  }

  std::vector<std::string> broken;
  collectBrokenRefs(document, document, broken);
  INFO(boost::json::serialize(boost::json::value_from(broken)));
  CHECK(broken.empty());
}

TEST_CASE("OpenAPI document: errors are RFC 9457 problems; the API key is a bearer scheme", "[openapi]") {
  const auto document = boost::json::parse(api::openApiDocument());
  const auto& problem = document.at_pointer("/components/schemas/Problem").as_object();
  std::set<std::string> required;
  for (const auto& name : problem.at("required").as_array()) required.insert(std::string(name.as_string()));
  CHECK(required == std::set<std::string>{"type", "title", "status", "detail", "requestId"});
  const auto& scheme = document.at_pointer("/components/securitySchemes/apiKey").as_object();
  CHECK(scheme.at("type") == "http");
  CHECK(scheme.at("scheme") == "bearer");
  // Every error answer of every operation (4xx, 5xx, default) is application/problem+json — but
  // the 503 of /api/health, which is the health body saying the database is down.
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      for (const auto& [status, response] : operation.at("responses").as_object()) {
        if (!(status == "default" || status.front() == '4' || status.front() == '5')) continue;
        if (path == "/api/health" && status == "503") continue;
        INFO(std::string(method) + " " + std::string(path) + " " + std::string(status));
        const auto* r = &response;
        if (const auto* ref = response.as_object().if_contains("$ref"))
          r = &document.at_pointer(std::string(ref->as_string()).substr(1));
        const auto& content = r->at("content").as_object();
        CHECK(content.size() == 1);
        CHECK(content.contains("application/problem+json"));
      }
    }
  }
}
