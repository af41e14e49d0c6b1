// Images, Videos and Documents APIs: initializeUpload, the upload URLs (one PUT; per video part an
// ETag), finalizeUpload for videos, and GET of the asset whose status goes WAITING_UPLOAD →
// PROCESSING (for a few polls) → AVAILABLE.
#include "LinkedInState.h"

#include <Poco/URI.h>

namespace emulators {
namespace {

/// "images" → "image", "videos" → "video", "documents" → "document"; "" for other resources.
std::string kindOf(const std::string& resource) {
  if (resource == "images" || resource == "videos" || resource == "documents")
    return resource.substr(0, resource.size() - 1);
  return {};
}

void sendEmpty(Response& response, int status) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentLength(0);
  response.send();
}

}  // namespace

bool LinkedInApi::State::media(Request& request, Response& response, const Caller& caller, const std::string& path) {
  const auto slash = path.find('/', 6);
  const auto resource = path.substr(6, slash == std::string::npos ? std::string::npos : slash - 6);
  const auto kind = kindOf(resource);
  if (kind.empty()) return false;
  const auto action = Poco::URI(request.getURI()).getQueryParameters();
  const std::string actionName = !action.empty() && action.front().first == "action" ? action.front().second : "";

  if (request.getMethod() == "POST" && actionName == "initializeUpload") {
    auto body = jsonBody(request, response);
    if (!body) return true;
    const auto* init = body->if_contains("initializeUploadRequest");
    const auto* owner = init && init->is_object() ? init->as_object().if_contains("owner") : nullptr;
    if (!owner || !owner->is_string())
      return sendError(response, 422, "UNPROCESSABLE_ENTITY",
                       "ERROR :: /initializeUploadRequest/owner :: field is required\n"),
             true;
    std::lock_guard lock(mutex);
    const std::string ownerUrn(owner->as_string());
    const auto scope = writeScope(ownerUrn);
    if (scope.empty() || !caller.has(scope))
      return sendDenied(response, resource, "ACTION-initializeUpload", caller), true;
    const auto id = "D4E10AQ" + newId();
    const auto urn = "urn:li:" + kind + ":" + id;
    Asset asset;
    asset.kind = kind;
    asset.owner = ownerUrn;
    json::object value{{"uploadUrlExpiresAt", nowMs() + 3600000}};
    const auto uploadBase = server->url() + "/dms-uploads/" + resource + "/" + id;
    if (kind == "video") {
      const auto* size = init->as_object().if_contains("fileSizeBytes");
      if (!size || !size->is_int64() || size->as_int64() <= 0)
        return sendError(response, 422, "UNPROCESSABLE_ENTITY",
                         "ERROR :: /initializeUploadRequest/fileSizeBytes :: field is required\n"),
               true;
      json::array instructions;
      const long long total = size->as_int64();
      for (long long first = 0, n = 0; first < total; first += partSize, ++n) {
        const long long last = std::min(first + partSize, total) - 1;
        asset.parts.push_back(Part{first, last, ""});
        instructions.push_back(json::object{
            {"uploadUrl", uploadBase + "/parts/" + std::to_string(n)}, {"firstByte", first}, {"lastByte", last}});
      }
      asset.uploadToken = asset.parts.size() > 1 ? "upload-token-" + id : "";
      value["video"] = urn;
      value["uploadInstructions"] = instructions;
      value["uploadToken"] = asset.uploadToken;
    } else {
      value["uploadUrl"] = uploadBase;
      value[kind] = urn;
    }
    assets[urn] = asset;
    marketsage::test::sendJson(response, 200, json::serialize(json::object{{"value", value}}));
    return true;
  }
  if (request.getMethod() == "POST" && kind == "video" && actionName == "finalizeUpload") {
    auto body = jsonBody(request, response);
    if (!body) return true;
    const auto* finalize = body->if_contains("finalizeUploadRequest");
    if (!finalize || !finalize->is_object())
      return sendError(response, 422, "UNPROCESSABLE_ENTITY", "finalizeUploadRequest is required"), true;
    const auto& f = finalize->as_object();
    std::lock_guard lock(mutex);
    const auto it = f.contains("video") && f.at("video").is_string()
                        ? assets.find(std::string(f.at("video").as_string()))
                        : assets.end();
    if (it == assets.end()) return sendError(response, 404, "NOT_FOUND", "Video not found"), true;
    const auto scope = writeScope(it->second.owner);
    if (scope.empty() || !caller.has(scope))
      return sendDenied(response, resource, "ACTION-finalizeUpload", caller), true;
    json::array expected;
    for (const auto& part : it->second.parts) expected.push_back(json::string(part.etag));
    const auto* token = f.if_contains("uploadToken");
    if (!token || !token->is_string() || token->as_string() != it->second.uploadToken)
      return sendError(response, 400, "INVALID_UPLOAD_TOKEN", "The uploadToken does not match the upload"), true;
    if (!f.contains("uploadedPartIds") || f.at("uploadedPartIds") != expected)
      return sendError(response, 400, "INVALID_PART_IDS", "uploadedPartIds must list every part's ETag, in order"),
             true;
    it->second.status = "PROCESSING";
    it->second.pollsLeft = videoPolls;
    sendEmpty(response, 200);
    return true;
  }
  if (request.getMethod() == "GET" && slash != std::string::npos) {
    const auto urn = path.substr(slash + 1);
    std::lock_guard lock(mutex);
    const auto it = assets.find(urn);
    if (it == assets.end() || it->second.kind != kind)
      return sendError(response, 404, "NOT_FOUND", "No " + kind + " " + urn), true;
    ++statusPolls;
    auto& asset = it->second;
    if (asset.status == "PROCESSING" && asset.pollsLeft-- <= 0) asset.status = "AVAILABLE";
    json::object answer{{"id", urn}, {"owner", asset.owner}, {"status", asset.status}};
    if (asset.status == "AVAILABLE") answer["downloadUrl"] = server->url() + "/media/" + urn;
    marketsage::test::sendJson(response, 200, json::serialize(answer));
    return true;
  }
  sendError(response, 400, "ILLEGAL_ARGUMENT", "Unsupported " + request.getMethod() + " on " + resource);
  return true;
}

void LinkedInApi::State::uploadBytes(Request& request, Response& response, const std::string& path) {
  // /dms-uploads/{images|documents}/{id}  or  /dms-uploads/videos/{id}/parts/{n}
  const auto rest = path.substr(std::string("/dms-uploads/").size());
  const auto resource = rest.substr(0, rest.find('/'));
  auto id = rest.substr(resource.size() + 1);
  int part = -1;
  if (const auto at = id.find("/parts/"); at != std::string::npos) {
    part = std::stoi(id.substr(at + 7));
    id = id.substr(0, at);
  }
  const auto bytes = static_cast<long long>(marketsage::test::readBody(request).size());
  std::lock_guard lock(mutex);
  const auto it = assets.find("urn:li:" + kindOf(resource) + ":" + id);
  if (it == assets.end()) return sendError(response, 404, "NOT_FOUND", "Unknown upload");
  auto& asset = it->second;
  if (asset.kind != "video") {
    // Image and document uploads are authenticated with the member's token.
    const auto token = marketsage::test::bearerToken(request);
    const auto t = token ? tokens.find(*token) : tokens.end();
    if (t == tokens.end() || t->second.revoked || t->second.expiresAtMs <= nowMs())
      return sendError(response, 401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600);
    if (bytes == 0) return sendError(response, 400, "EMPTY_UPLOAD", "The upload is empty");
    asset.status = "PROCESSING";
    asset.pollsLeft = imagePolls;
    return sendEmpty(response, 201);
  }
  if (part < 0 || part >= static_cast<int>(asset.parts.size()))
    return sendError(response, 404, "NOT_FOUND", "Unknown part");
  auto& p = asset.parts[static_cast<size_t>(part)];
  if (bytes != p.lastByte - p.firstByte + 1)
    return sendError(
        response, 400, "INVALID_PART_SIZE",
        "Part " + std::to_string(part) + " must be " + std::to_string(p.lastByte - p.firstByte + 1) + " bytes");
  p.etag = "/ambry-video/signedId/" + id + "-" + std::to_string(part) + "-" + std::to_string(bytes);
  ++partsUploaded;
  response.set("ETag", p.etag);
  sendEmpty(response, 200);
}

}  // namespace emulators
