// GET /api/openapi.json against a running host: the document is served to anyone; the running
// router answers exactly the documented methods at every documented path; every role is refused
// (403) exactly where the document's x-roles leaves it out; and every example request in the
// document, sent to the host, gets the documented status and an answer with the documented
// required members.
#include "integration/World.h"

#include <Poco/URI.h>

#include <set>
#include <sstream>

using namespace harness;

namespace {

namespace json = boost::json;

const std::set<std::string> httpMethods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};
const std::string nobody = "00000000-0000-4000-8000-000000000000";

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

/// Follows a local "$ref" (RFC 6901 pointer into the document).
const json::value& resolve(const json::value& document, const json::value& value) {
  if (const auto* ref = value.is_object() ? value.as_object().if_contains("$ref") : nullptr) {
    return resolve(document, document.at_pointer(std::string(ref->as_string()).substr(1)));
  }
  return value;
}

/// The members `schema` requires that `value` lacks, as JSON pointers, following $ref, allOf,
/// array items and the properties present.
void missingMembers(const json::value& document, const json::value& schemaValue, const json::value& value,
                    const std::string& at, std::vector<std::string>& missing) {
  const auto& schema = resolve(document, schemaValue).as_object();
  if (const auto* all = schema.if_contains("allOf")) {
    for (const auto& part : all->as_array()) missingMembers(document, part, value, at, missing);
  }
  if (value.is_array() && schema.contains("items")) {
    std::size_t i = 0;
    for (const auto& item : value.as_array())
      missingMembers(document, schema.at("items"), item, at + "/" + std::to_string(i++), missing);
  }
  if (!value.is_object()) return;
  if (const auto* required = schema.if_contains("required")) {
    for (const auto& name : required->as_array()) {
      if (!value.as_object().contains(name.as_string())) missing.push_back(at + "/" + std::string(name.as_string()));
    }
  }
  if (const auto* properties = schema.if_contains("properties")) {
    for (const auto& [name, property] : properties->as_object()) {
      const auto* member = value.as_object().if_contains(name);
      if (member != nullptr && !member->is_null())
        missingMembers(document, property, *member, at + "/" + std::string(name), missing);
    }
  }
}

struct Operation {
  std::string method;  // upper case
  std::string path;    // template
  const json::object* object;
};

std::vector<Operation> operationsOf(const json::value& document) {
  std::vector<Operation> out;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (httpMethods.count(std::string(method)) == 1)
        out.push_back({upper(std::string(method)), std::string(path), &operation.as_object()});
    }
  }
  return out;
}

std::vector<const json::object*> parametersOf(const json::value& document, const Operation& op) {
  std::vector<const json::object*> out;
  if (const auto* parameters = op.object->if_contains("parameters")) {
    for (const auto& p : parameters->as_array()) out.push_back(&resolve(document, p).as_object());
  }
  return out;
}

std::string text(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : json::serialize(v); }

std::string encoded(const std::string& value) {
  std::string out;
  Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]", out);
  return out;
}

/// The path with each {name} replaced by `values[name]` (or `fallback`).
std::string fillPath(const std::string& path, const std::map<std::string, std::string>& values,
                     const std::string& fallback) {
  std::string out;
  for (std::size_t i = 0; i < path.size();) {
    if (path[i] == '{') {
      const auto close = path.find('}', i);
      const auto name = path.substr(i + 1, close - i - 1);
      out += encoded(values.count(name) ? values.at(name) : fallback);
      i = close + 1;
    } else {
      out += path[i++];
    }
  }
  return out;
}

/// A named example of a request: the parameters and body that carry an example of that name.
struct ExampleRequest {
  std::map<std::string, std::string> pathValues;
  std::string query;
  std::optional<std::string> body;
  std::string contentType = "application/json";
  std::map<std::string, std::string> headers;
};

/// Answers to the examples replayed so far, by "<operationId>.<example>".
using Answers = std::map<std::string, json::value>;

/// A value an example takes from an earlier answer ("<operationId>.<example>#<pointer>"); none
/// while that example has not been answered yet.
std::optional<json::value> valueFrom(const Answers& answers, const std::string& source) {
  const auto hash = source.find('#');
  const auto answer = answers.find(source.substr(0, hash));
  if (answer == answers.end()) return std::nullopt;
  boost::system::error_code ec;
  const auto* value = answer->second.find_pointer(hash == std::string::npos ? "" : source.substr(hash + 1), ec);
  if (value == nullptr)
    throw std::runtime_error("the answer to " + source.substr(0, hash) + " has nothing at " + source);
  return *value;
}

/// The request of example `name`; nullopt when it needs an answer not there yet.
std::optional<ExampleRequest> requestFor(const json::value& document, const Operation& op, const std::string& name,
                                         const Answers& answers) {
  ExampleRequest request;
  for (const auto* p : parametersOf(document, op)) {
    const auto* examples = p->if_contains("examples");
    const auto* example = examples ? examples->as_object().if_contains(name) : nullptr;
    if (example == nullptr) continue;
    auto value = example->at("value");
    if (const auto* source = example->as_object().if_contains("x-valueFrom")) {
      const auto earlier = valueFrom(answers, std::string(source->as_string()));
      if (!earlier) return std::nullopt;
      value = *earlier;
    }
    const auto in = p->at("in").as_string();
    const std::string parameter(p->at("name").as_string());
    if (in == "path")
      request.pathValues[parameter] = text(value);
    else if (in == "query")
      request.query += (request.query.empty() ? "?" : "&") + parameter + "=" + encoded(text(value));
    else if (in == "header")
      request.headers[parameter] = text(value);
  }
  if (const auto* body = op.object->if_contains("requestBody")) {
    for (const auto& [mediaType, content] : resolve(document, *body).at("content").as_object()) {
      const auto* examples = content.as_object().if_contains("examples");
      const auto* example = examples ? examples->as_object().if_contains(name) : nullptr;
      if (example == nullptr) continue;
      auto value = example->at("value");
      if (const auto* sources = example->as_object().if_contains("x-valuesFrom")) {
        for (const auto& [pointer, source] : sources->as_object()) {
          const auto earlier = valueFrom(answers, std::string(source.as_string()));
          if (!earlier) return std::nullopt;
          value.as_object()[std::string(pointer).substr(1)] = *earlier;  // top-level members only
        }
      }
      request.body = text(value);
      request.contentType = std::string(mediaType);
    }
  }
  return request;
}

/// Every example name the request side of an operation uses.
std::set<std::string> requestExampleNames(const json::value& document, const Operation& op) {
  std::set<std::string> names;
  const auto addAll = [&](const json::object& holder) {
    if (const auto* examples = holder.if_contains("examples")) {
      for (const auto& [name, example] : examples->as_object()) {
        const auto* replay = example.as_object().if_contains("x-replay");
        if (replay == nullptr || replay->as_bool()) names.insert(std::string(name));
      }
    }
  };
  for (const auto* p : parametersOf(document, op)) addAll(*p);
  if (const auto* body = op.object->if_contains("requestBody")) {
    for (const auto& [mediaType, content] : resolve(document, *body).at("content").as_object())
      addAll(content.as_object());
  }
  return names;
}

std::string mediaTypeOf(const std::string& contentType) {
  auto type = contentType.substr(0, contentType.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type;
}

json::value documentOf(World& world) {
  const auto served = world.host.get("/api/openapi.json", "");
  REQUIRE(served.status == 200);
  return served.json();
}

}  // namespace

TEST_CASE("OpenAPI: the document is served to anyone and describes the running host", "[openapi]") {
  World world;
  const auto served = world.host.get("/api/openapi.json", "");  // no key: anyone may read it
  REQUIRE(served.status == 200);
  CHECK(mediaTypeOf(served.header("content-type")) == "application/json");
  const auto document = served.json();
  CHECK(document.at("openapi").as_string().starts_with("3.1."));
  const auto health = world.host.get("/api/health", "");
  REQUIRE(health.status == 200);
  CHECK(document.at("info").at("version") == health.json().at("version"));

  // The running router: a method no route uses (OPTIONS) at a documented path answers 405 with
  // Allow naming every method the host routes there — which must be the documented ones.
  std::map<std::string, std::set<std::string>> documentedMethods;
  for (const auto& op : operationsOf(document)) documentedMethods[op.path].insert(op.method);
  for (const auto& [path, methods] : documentedMethods) {
    INFO(path);
    const auto probe = world.host.request("OPTIONS", fillPath(path, {}, "probe"), world.superKey);
    REQUIRE(probe.status == 405);
    std::set<std::string> allowed;
    std::istringstream allow(probe.header("allow"));
    for (std::string method; std::getline(allow, method, ',');) {
      while (!method.empty() && method.front() == ' ') method.erase(0, 1);
      allowed.insert(method);
    }
    CHECK(allowed == methods);
  }
}

TEST_CASE("OpenAPI: each role is refused exactly where x-roles leaves it out", "[openapi]") {
  World world;
  const auto document = documentOf(world);
  for (const auto& op : operationsOf(document)) {
    std::set<std::string> roles;
    for (const auto& role : op.object->at("x-roles").as_array()) roles.insert(std::string(role.as_string()));
    if (roles.count("anyone")) continue;
    // A request the handler gets far enough to check the role: the operation's own example
    // body when it has one, the caller's organization for {id} under /api/orgs, ids of nothing
    // elsewhere.
    std::optional<std::string> body;
    std::string contentType = "application/json";
    if (const auto* requestBody = op.object->if_contains("requestBody")) {
      body = "{}";
      for (const auto& [mediaType, content] : resolve(document, *requestBody).at("content").as_object()) {
        const auto* examples = content.as_object().if_contains("examples");
        if (examples && !examples->as_object().empty()) {
          body = text(examples->as_object().begin()->value().at("value"));
          contentType = std::string(mediaType);
          break;
        }
      }
    }
    for (const char* role : {"ADMIN", "USER", "GUEST"}) {
      const auto& member = world.a.byRole.at(role);
      std::map<std::string, std::string> values;
      if (op.path.rfind("/api/orgs/{id}", 0) == 0) values["id"] = world.a.id;
      const auto answer =
          world.host.request(op.method, fillPath(op.path, values, nobody), member.key, body, contentType);
      INFO(op.method << " " << op.path << " as " << role << ": " << answer.status << " " << answer.body);
      if (roles.count(role)) {
        CHECK(answer.status != 403);
        CHECK(answer.status != 401);
      } else {
        CHECK(answer.status == 403);
      }
    }
  }
}

TEST_CASE("OpenAPI: every example is answered as documented", "[openapi]") {
  World world;
  const auto document = documentOf(world);
  struct Replay {
    Operation op;
    std::string status;
    std::string mediaType;
    std::string name;
    const json::object* example;
    const json::value* schema;
  };
  std::vector<Replay> replays;
  for (const auto& op : operationsOf(document)) {
    std::set<std::string> answered;  // example names that have a documented answer
    for (const auto& [status, responseValue] : op.object->at("responses").as_object()) {
      const auto& response = responseValue.as_object();
      if (response.contains("$ref")) continue;  // shared answers: their examples show shapes only
      const auto* contents = response.if_contains("content");
      if (contents == nullptr) continue;
      for (const auto& [mediaType, content] : contents->as_object()) {
        const auto* examples = content.as_object().if_contains("examples");
        if (examples == nullptr) continue;
        for (const auto& [name, example] : examples->as_object()) {
          INFO(op.method << " " << op.path << " → " << std::string(status) << " " << std::string(name));
          const auto* schema = content.as_object().if_contains("schema");
          // The example itself has every member its schema requires.
          if ((mediaType == "application/json" || mediaType == "application/problem+json") && schema) {
            std::vector<std::string> missing;
            missingMembers(document, *schema, example.at("value"), "", missing);
            INFO("the example lacks " << json::serialize(json::value_from(missing)));
            CHECK(missing.empty());
          }
          const auto* replay = example.as_object().if_contains("x-replay");
          if (replay && !replay->as_bool()) continue;
          answered.insert(std::string(name));
          replays.push_back(
              {op, std::string(status), std::string(mediaType), std::string(name), &example.as_object(), schema});
        }
      }
    }
    // No request example without a documented answer.
    for (const auto& name : requestExampleNames(document, op)) {
      INFO(op.method << " " << op.path << ": request example " << name << " has no response example of that name");
      CHECK(answered.count(name) == 1);
    }
  }

  // Replay in document order; an example that takes a value from another's answer waits for it.
  Answers answers;
  std::size_t replayed = 0;
  for (bool progress = true; progress && !replays.empty();) {
    progress = false;
    for (auto it = replays.begin(); it != replays.end();) {
      const auto& r = *it;
      INFO(r.op.method << " " << r.op.path << " → " << r.status << " " << r.name);
      const auto request = requestFor(document, r.op, r.name, answers);
      if (!request) {
        ++it;
        continue;
      }
      const auto* apiKey = r.example->if_contains("x-apiKey");
      const std::string key = apiKey && apiKey->as_string() == "none" ? std::string() : world.superKey;
      const auto path = fillPath(r.op.path, request->pathValues, nobody) + request->query;
      const auto answer =
          world.host.request(r.op.method, path, key, request->body, request->contentType, request->headers);
      ++replayed;
      INFO(r.op.method << " " << path << " " << request->body.value_or("") << " answered " << answer.status << " "
                       << answer.header("content-type") << " " << answer.body.substr(0, 400));
      CHECK(answer.status == std::stoi(r.status));
      CHECK(mediaTypeOf(answer.header("content-type")) == r.mediaType);
      const bool isJson = r.mediaType == "application/json" || r.mediaType == "application/problem+json";
      if (isJson && answer.status == std::stoi(r.status)) {
        const auto body = answer.json();
        if (r.schema) {
          std::vector<std::string> missing;
          missingMembers(document, *r.schema, body, "", missing);
          INFO("the answer lacks " << json::serialize(json::value_from(missing)));
          CHECK(missing.empty());
        }
        answers[std::string(r.op.object->at("operationId").as_string()) + "." + r.name] = body;
      }
      it = replays.erase(it);
      progress = true;
    }
  }
  for (const auto& r : replays) {
    INFO(r.op.method << " " << r.op.path << " → " << r.status << " " << r.name);
    FAIL_CHECK("the example takes a value from an answer that never came");
  }
  CHECK(replayed >= 25);
}
