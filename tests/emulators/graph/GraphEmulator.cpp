// The Graph emulator's server: request parsing, routing, the faults tests inject, usage headers
// and error objects. The public controls of GraphApi are in GraphControls.cpp.
#include "GraphInternals.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <regex>
#include <sstream>

namespace emulators {

using namespace graph;
using marketsage::test::CreateFault;

namespace {

/// Keeps multipart file parts in memory (emulator uploads are small).
struct FileParts : Poco::Net::PartHandler {
  std::map<std::string, std::string>& files;
  explicit FileParts(std::map<std::string, std::string>& f) : files(f) {}
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition;
    Poco::Net::NameValueCollection values;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, values);
    Poco::StreamCopier::copyToString(stream, files[values.get("name", "")]);
  }
};

json::object errorBody(const GraphError& e) {
  json::object error{{"message", e.message}, {"type", e.type}, {"code", e.code}};
  if (e.subcode) error["error_subcode"] = e.subcode;
  if (e.transient || e.code == 2 || e.code == 4 || e.code == 17 || e.code == 32 || e.code >= 80000)
    error["is_transient"] = e.transient;
  if (!e.userTitle.empty()) error["error_user_title"] = e.userTitle;
  if (!e.userMessage.empty()) error["error_user_msg"] = e.userMessage;
  error["fbtrace_id"] = randomToken("A").substr(0, 12);
  return {{"error", error}};
}

std::string usage(int percent) {
  return json::serialize(
      json::object{{"call_count", percent}, {"total_time", percent / 2}, {"total_cputime", percent / 3}});
}

/// X-Business-Use-Case-Usage:
/// {"<id>":[{"type","call_count","total_cputime","total_time","estimated_time_to_regain_access"}]}
std::string businessUsage(const std::string& id, const std::string& type, int percent, int regainMinutes) {
  json::object entry{{"type", type},
                     {"call_count", percent},
                     {"total_cputime", percent / 3},
                     {"total_time", percent / 2},
                     {"estimated_time_to_regain_access", regainMinutes}};
  return json::serialize(json::object{{id, json::array{entry}}});
}

GraphError throttled(int code) {
  switch (code) {
    case 4: return {4, "(#4) Application request limit reached"};
    case 17: return {17, "(#17) User request limit reached"};
    case 32: return {32, "(#32) Page request limit reached"};
    case 80002:
      return {80002,
              "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. "
              "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."};
    default:
      return {
          code,
          "(#" + std::to_string(code) +
              ") There have been too many calls to this Page account. Wait a bit and try again. "
              "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."};
  }
}

const std::regex versionPattern("v[0-9]+\\.[0-9]+");

}  // namespace

namespace graph {

void invalidParameter(const std::string& text, int subcode) { throw GraphError{100, "(#100) " + text, subcode}; }

void unknownObject(const std::string& method, const std::string& id) {
  std::string verb = method;
  for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  throw GraphError{
      100,
      "Unsupported " + verb + " request. Object with ID '" + id +
          "' does not exist, cannot be loaded due to missing permissions, or does not support this "
          "operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
      33, 400, "GraphMethodException"};
}

std::vector<std::string> Call::fields() const {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  for (char c : param("fields")) {
    if (c == '{' || c == '(') ++depth;
    if (c == '}' || c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

namespace {

/// Graph's cursors are opaque base64 strings; the emulator's name the item a page ends at.
std::string cursorOf(const std::string& id) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder << id;
  encoder.close();
  return out.str();
}

std::string idOfCursor(const std::string& cursor) {
  std::istringstream in(cursor);
  Poco::Base64Decoder decoder(in);
  std::string id;
  Poco::StreamCopier::copyToString(decoder, id);
  return id;
}

long long unixParam(const Call& call, const std::string& name, long long fallback) {
  if (!call.has(name)) return fallback;
  size_t used = 0;
  const long long value = std::stoll(call.param(name), &used);  // a malformed number: 400 (#100)
  if (used != call.param(name).size()) invalidParameter(name + " must be a unix timestamp");
  return value;
}

}  // namespace

json::value pagedList(const Impl& impl, const Call& call, const std::vector<const Item*>& newestFirst,
                      const std::function<json::value(const Item&)>& render) {
  const long long since = unixParam(call, "since", 0), until = unixParam(call, "until", 1LL << 62);
  const long long limit =
      std::clamp(unixParam(call, "limit", 25), 1LL, static_cast<long long>(std::max(1, impl.api.listLimit.load())));
  std::vector<const Item*> rows;
  for (const Item* item : newestFirst)
    if (item->createdAt >= since && item->createdAt <= until) rows.push_back(item);
  // The page after the `after` cursor's item, or the one ending before the `before` cursor's.
  const auto positionOf = [&](const std::string& name) {
    const std::string id = idOfCursor(call.param(name));
    const auto at = std::find_if(rows.begin(), rows.end(), [&](const Item* item) { return item->id == id; });
    if (at == rows.end()) invalidParameter("The " + name + " cursor is not valid");
    return static_cast<std::size_t>(at - rows.begin());
  };
  std::size_t from = call.has("after") ? positionOf("after") + 1 : 0;
  if (call.has("before")) from = positionOf("before") - std::min(positionOf("before"), static_cast<std::size_t>(limit));
  const std::size_t to = std::min(
      {rows.size(), from + static_cast<std::size_t>(limit), call.has("before") ? positionOf("before") : rows.size()});
  json::array data;
  for (std::size_t i = from; i < to; ++i) data.push_back(render(*rows[i]));
  json::object out{{"data", data}};
  if (from == to) return out;  // an empty page has no cursors
  // The URL of a neighbouring page: this call's path and parameters with another cursor.
  std::string path;
  for (const auto& segment : call.path) path += "/" + segment;
  const auto page = [&](const std::string& name, const std::string& cursor) {
    Poco::URI uri(impl.server->url() + "/" + call.version + path);
    for (const auto& [key, value] : call.params)
      if (key != "after" && key != "before") uri.addQueryParameter(key, value);
    uri.addQueryParameter(name, cursor);
    return uri.toString();
  };
  json::object paging{{"cursors", {{"before", cursorOf(rows[from]->id)}, {"after", cursorOf(rows[to - 1]->id)}}}};
  if (to < rows.size()) paging["next"] = page("after", cursorOf(rows[to - 1]->id));
  if (from > 0) paging["previous"] = page("before", cursorOf(rows[from]->id));
  out["paging"] = paging;
  return out;
}

}  // namespace graph

// ---- dispatch -------------------------------------------------------------------------------

namespace {

void send(Impl& impl, Call& call, Poco::Net::HTTPServerResponse& response, int status, const json::value& body,
          int appPercent, int businessPercent) {
  response.set("X-App-Usage", usage(appPercent));
  if (!call.usageOwner.empty())
    response.set("X-Business-Use-Case-Usage",
                 businessUsage(call.usageOwner, call.usageType, businessPercent,
                               businessPercent >= 100 ? impl.api.regainAccessMinutes.load() : 0));
  marketsage::test::sendJson(response, status, json::serialize(body));
}

/// The Page or IG account a path's first id belongs to, for X-Business-Use-Case-Usage.
void findUsageOwner(Impl& impl, Call& call) {
  if (call.path.empty()) return;
  std::string id = call.path[0];
  if (Item* item = impl.find(id)) id = item->ownerId;
  if (impl.page(id)) call.usageOwner = id, call.usageType = "pages";
  if (impl.igUser(id)) call.usageOwner = id, call.usageType = "instagram";
}

/// Injected throttling and 5xx, counted per API call (the dialog is not an API call).
void injectFaults(Impl& impl, Call& call) {
  ++impl.calls;
  if (impl.rateLimitCalls > 0) {
    --impl.rateLimitCalls;
    GraphError error = throttled(impl.rateLimitCode);
    error.transient = true;
    if (impl.rateLimitCode >= 80000 && call.usageOwner.empty()) {
      call.usageOwner = impl.pages.front().id;
      call.usageType = impl.rateLimitCode == 80002 ? "instagram" : "pages";
    }
    throw error;
  }
  const bool failThis = impl.failAt > 0 && --impl.failAt == 0;
  if (impl.failingCalls > 0 || failThis) {
    if (!failThis) --impl.failingCalls;
    throw GraphError{
        2, "An unexpected error has occurred. Please retry your request later.", 0, 500, "OAuthException", true};
  }
}

/// What a gateway in front of Graph answers when it gives up: an HTML page, no Graph error object.
void gatewayAnswer(Poco::Net::HTTPServerResponse& response, int status) {
  const std::string body = "<html><body><h1>" + std::to_string(status) +
                           (status == 504 ? " Gateway Time-out" : " Service Unavailable") + "</h1></body></html>";
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType("text/html");
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send() << body;
}

/// Whether the call makes a post go live (or natively scheduled): the calls CreateFaults act on.
/// Unpublished photos, containers, video chunks and uploads can be made again harmlessly.
bool createsPost(const Impl& impl, const Call& call) {
  const auto& p = call.path;
  if (call.method != "POST" || p.size() != 2) return false;
  if (p[1] == "media_publish") return impl.igUser(p[0]) != nullptr;
  if (!impl.page(p[0])) return false;
  const bool unpublishedUpload =
      (call.param("published") == "false" || call.param("published") == "0") && !call.has("scheduled_publish_time");
  if (p[1] == "feed") return true;
  if (p[1] == "photos") return !unpublishedUpload;
  const std::string phase = call.param("upload_phase");
  return p[1] == "videos" && (phase.empty() || phase == "finish") && !unpublishedUpload;
}

/// `uploadHost`: rupload and /upload:<id> take the token in a header and no form, so the app
/// setting "Require App Secret" is not applied to them (a proof sent is still checked).
void checkAppsecretProof(Impl& impl, const Call& call, bool uploadHost) {
  if (call.token.empty()) return;
  if (!call.has("appsecret_proof")) {
    if (impl.api.requireAppsecretProof && !uploadHost)
      throw GraphError{100, "API calls from the server require an appsecret_proof argument", 0, 400,
                       "GraphMethodException"};
    return;
  }
  if (call.param("appsecret_proof") != hmacSha256Hex(GraphApi::appSecret, call.token))
    throw GraphError{100, "Invalid appsecret_proof provided in the API argument", 0, 400, "GraphMethodException"};
}

json::value route(Impl& impl, Call& call) {
  const auto& p = call.path;
  if (p.empty()) unknownObject(call.method, "");
  if (p[0] == "oauth" || p[0] == "debug_token" || p[0] == "me") return login(impl, call);
  if (p[0] == GraphApi::appId || p[0].rfind("upload:", 0) == 0) return uploadApi(impl, call);
  if (p.size() == 2 && p[1] == "insights") return insights(impl, call);
  if (impl.page(p[0])) return pages(impl, call);
  if (impl.igUser(p[0])) return instagram(impl, call);
  if (Item* item = impl.find(p[0]))
    return item->kind == "container" || item->kind == "ig_media" ? instagram(impl, call) : pages(impl, call);
  unknownObject(call.method, p[0]);
}

}  // namespace

void graph::serve(Impl& impl, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  Call call{&request, request.getMethod(), "", {}, {}, {}, {}, {}, {}, {}};
  const Poco::URI uri(request.getURI());
  std::vector<std::string> segments;
  uri.getPathSegments(segments);
  const bool isRupload = !segments.empty() && segments[0] == "ig-api-upload";
  if (isRupload) segments.erase(segments.begin());
  if (!segments.empty() && std::regex_match(segments[0], versionPattern)) {
    call.version = segments[0];
    segments.erase(segments.begin());
  }
  // Upload hosts take the file as the raw body; every other call is a form (or multipart).
  const bool uploadHost = isRupload || (!segments.empty() && segments[0].rfind("upload:", 0) == 0);
  if (uploadHost) {
    call.rawBody = marketsage::test::readBody(request);
    for (const auto& [name, value] : uri.getQueryParameters()) call.params[name] = value;
  } else {
    FileParts parts(call.files);
    Poco::Net::HTMLForm form;
    form.setValueLengthLimit(64 << 20);
    form.setFieldLimit(1000);
    try {
      form.load(request, request.stream(), parts);
    } catch (const std::exception&) {
      // an unreadable body leaves the parameters empty: the handler reports what is missing
    }
    for (const auto& [name, value] : form) call.params[name] = value;
  }
  call.path = segments;
  call.token = call.param("access_token");
  if (call.token.empty()) call.token = marketsage::test::bearerToken(request).value_or("");

  std::unique_lock lock(impl.mutex);
  impl.versionsSeen.insert(call.version);
  impl.log.push_back(call.method + " " + uri.getPath());
  int appPercent = std::min(99, impl.calls), businessPercent = appPercent;
  try {
    if (call.path.size() == 2 && call.path[0] == "dialog" && call.path[1] == "oauth")
      return dialog(impl, call, response);
    if (!isRupload) findUsageOwner(impl, call);
    injectFaults(impl, call);
    checkAppsecretProof(impl, call, uploadHost);
    auto& faults = impl.faults();
    const auto fault = createsPost(impl, call) ? faults.next() : std::nullopt;
    if (fault == CreateFault::RefuseWithoutCreate) return gatewayAnswer(response, 503);
    if (fault == CreateFault::LateCreate) {
      // The gateway gives up at once; Graph acts on the request a moment later.
      Call late = call;
      late.request = nullptr;
      faults.createLater([&impl, late]() mutable {
        std::lock_guard later(impl.mutex);
        try {
          route(impl, late);
        } catch (const std::exception&) {  // refused when it lands (a duplicate, say): nothing made
        } catch (const GraphError&) {
        }
      });
      return gatewayAnswer(response, 504);
    }
    const json::value body = isRupload ? rupload(impl, call) : route(impl, call);
    if (fault) {
      lock.unlock();  // a slow answer holds no other call up
      return faults.afterCreate(
          *fault, request, [&] { send(impl, call, response, 200, body, appPercent, businessPercent); },
          [&] { gatewayAnswer(response, 504); });
    }
    send(impl, call, response, 200, body, appPercent, businessPercent);
  } catch (const GraphError& error) {
    const bool throttledError = error.code == 4 || error.code == 17 || error.code == 32 || error.code >= 80000;
    if (throttledError) appPercent = businessPercent = 100;
    if (error.code == 32) response.set("X-Page-Usage", usage(100));
    send(impl, call, response, error.httpStatus, errorBody(error), appPercent, businessPercent);
  } catch (const std::exception& error) {  // a malformed number or cursor in the request
    send(impl, call, response, 400,
         errorBody(GraphError(100, std::string("(#100) Invalid parameter: ") + error.what())), appPercent,
         businessPercent);
  }
}

}  // namespace emulators
