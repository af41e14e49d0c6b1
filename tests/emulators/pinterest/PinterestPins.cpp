// The Pinterest emulator's Pins, media and analytics.
// https://developers.pinterest.com/docs/api/v5/pins-create, pins-delete, boards-list_pins,
// media-create, media-get, pins-analytics, user_account-analytics, and
// https://developers.pinterest.com/docs/api-features/creating-boards-and-pins/#creating-video-pins
#include "PinterestState.h"
#include "Tokens.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <algorithm>
#include <ctime>

namespace emulators {
namespace {

size_t codePoints(const std::string& text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// As the API reference's samples show it: "2020-01-01T20:10:40-00:00"
/// (https://developers.pinterest.com/docs/api/v5/boards-list_pins).
std::string createdAt(long long ms) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp(ms * 1000), "%Y-%m-%dT%H:%M:%S-00:00");
}

/// Pinterest ids are decimal digits (the API's ^\d+$ pattern for board_id, board_section_id).
bool numericId(const std::string& id) { return !id.empty() && id.find_first_not_of("0123456789") == std::string::npos; }

bool isImage(const std::string& bytes) {
  return bytes.rfind("\x89PNG", 0) == 0 || bytes.rfind("\xFF\xD8\xFF", 0) == 0 || bytes.rfind("GIF8", 0) == 0 ||
         (bytes.size() > 12 && bytes.rfind("RIFF", 0) == 0 && bytes.compare(8, 4, "WEBP") == 0);
}

/// GETs an image URL as Pinterest's fetcher does (http only here); nullopt when it is no image.
std::optional<std::string> fetchImage(const std::string& url) {
  try {
    const Poco::URI uri(url);
    if (uri.getScheme() != "http") return std::nullopt;
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("User-Agent", "Pinterestbot/1.0 (+http://www.pinterest.com/bot.html)");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    std::string bytes;
    Poco::StreamCopier::copyToString(in, bytes);
    if (response.getStatus() != 200 || !isImage(bytes)) return std::nullopt;
    return bytes;
  } catch (...) {
    return std::nullopt;
  }
}

/// {"all": {"lifetime_metrics"?, "daily_metrics", "summary_metrics"}} for the asked metric types.
json::object analyticsJson(const PinterestApi::State::Analytics& a, const std::vector<std::string>& types,
                           const std::string& start, bool lifetime) {
  json::object summary;
  for (const auto& type : types) {
    if (type == "IMPRESSION")
      summary[type] = a.impressions;
    else if (type == "SAVE")
      summary[type] = a.saves;
    else if (type == "OUTBOUND_CLICK")
      summary[type] = a.outbound;
    else if (type == "PIN_CLICK")
      summary[type] = a.pinClicks;
  }
  json::object all{
      {"daily_metrics", json::array{json::object{{"date", start}, {"data_status", "READY"}, {"metrics", summary}}}},
      {"summary_metrics", summary}};
  if (lifetime) all["lifetime_metrics"] = summary;
  return json::object{{"all", all}};
}

/// The request's JSON object body (sent as application/json), or answers Pinterest's error and nullopt.
std::optional<json::object> jsonBody(const Request& request, Response& response, const std::string& body) {
  if (request.getContentType().rfind("application/json", 0) != 0) {
    sendPinterestError(response, 415, 415, "Content-Type must be application/json.");
    return std::nullopt;
  }
  try {
    auto parsed = json::parse(body);
    if (parsed.is_object()) return std::move(parsed.as_object());
  } catch (...) {
  }
  sendPinterestError(response, 400, 1, "Invalid request body.");
  return std::nullopt;
}

std::time_t dateOf(const std::string& text) {
  std::tm tm{};
  if (text.size() != 10 || ::strptime(text.c_str(), "%Y-%m-%d", &tm) == nullptr) return -1;
  return ::timegm(&tm);
}

}  // namespace

json::object PinterestApi::State::pinJson(const Pin& pin) const {
  json::object media{{"media_type", pin.sourceType == "video_id" ? "video" : "image"}};
  if (pin.sourceType == "multiple_image_urls") media["media_type"] = "multiple_images";
  return json::object{{"id", pin.id},
                      {"created_at", createdAt(pin.createdAtMs)},
                      {"link", pin.link.empty() ? json::value(nullptr) : json::value(pin.link)},
                      {"title", pin.title},
                      {"description", pin.description},
                      {"alt_text", pin.altText.empty() ? json::value(nullptr) : json::value(pin.altText)},
                      {"board_id", pin.boardId},
                      {"board_owner", json::object{{"username", username}}},
                      {"media", media}};
}

void PinterestApi::State::createPin(Request& request, Response& response) {
  const auto body = marketsage::test::readBody(request);
  std::unique_lock lock(mutex);
  ++creates;
  if (!authorize(request, response, {"boards:read", "pins:write"})) return;
  const auto parsed = jsonBody(request, response, body);
  if (!parsed) return;
  const auto& o = *parsed;
  auto text = [&](const char* name) {
    const auto* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  Pin pin;
  pin.boardId = text("board_id");
  pin.title = text("title");
  pin.description = text("description");
  pin.link = text("link");
  pin.altText = text("alt_text");
  if (pin.boardId.empty()) return sendPinterestError(response, 400, 1, "Invalid parameters: board_id is required.");
  if (!numericId(pin.boardId))
    return sendPinterestError(response, 400, 1, "Invalid parameters: board_id does not match '^\\d+$'.");
  if (const auto* section = o.if_contains("board_section_id");
      section && (!section->is_string() || !numericId(std::string(section->as_string()))))
    return sendPinterestError(response, 400, 1, "Invalid parameters: board_section_id does not match '^\\d+$'.");
  if (!ownBoard(pin.boardId)) return sendPinterestError(response, 404, 40, "Board not found.");
  if (codePoints(pin.title) > 100)
    return sendPinterestError(response, 400, 1, "Invalid parameters: title is too long.");
  if (codePoints(pin.description) > 500)
    return sendPinterestError(response, 400, 1, "Invalid parameters: description is too long.");
  if (codePoints(pin.altText) > 500)
    return sendPinterestError(response, 400, 1, "Invalid parameters: alt_text is too long.");
  if (pin.link.size() > 2048 || (!pin.link.empty() && pin.link.rfind("http", 0) != 0))
    return sendPinterestError(response, 400, 1, "Invalid parameters: link is not a valid URL.");
  const auto* source = o.if_contains("media_source");
  if (!source || !source->is_object())
    return sendPinterestError(response, 400, 1, "Invalid parameters: media_source is required.");
  const auto& s = source->as_object();
  auto sourceText = [&](const char* name) {
    const auto* v = s.if_contains(name);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  pin.sourceType = sourceText("source_type");
  if (pin.sourceType == "image_url") {
    pin.imageUrls.push_back(sourceText("url"));
  } else if (pin.sourceType == "multiple_image_urls") {
    const auto* items = s.if_contains("items");
    if (!items || !items->is_array() || items->as_array().size() < 2 || items->as_array().size() > 5)
      return sendPinterestError(response, 400, 1, "Invalid parameters: a carousel has 2 to 5 items.");
    for (const auto& item : items->as_array()) {
      const auto* url = item.is_object() ? item.as_object().if_contains("url") : nullptr;
      pin.imageUrls.push_back(url && url->is_string() ? std::string(url->as_string()) : std::string());
    }
  } else if (pin.sourceType == "video_id") {
    pin.mediaId = sourceText("media_id");
    const auto it = media.find(pin.mediaId);
    if (it == media.end()) return sendPinterestError(response, 400, 1, "Invalid parameters: media_id not found.");
    if (it->second.upload.status != "succeeded")
      return sendPinterestError(response, 400, 1, "Invalid parameters: the media upload is not ready.");
    pin.coverImageUrl = sourceText("cover_image_url");
    if (const auto* frame = s.if_contains("cover_image_key_frame_time"); frame && frame->is_int64())
      pin.coverKeyFrame = frame->as_int64();
    if (pin.coverImageUrl.empty() && pin.coverKeyFrame < 0 && sourceText("cover_image_data").empty())
      return sendPinterestError(response, 400, 1,
                                "Invalid parameters: a video Pin needs cover_image_url, cover_image_data or "
                                "cover_image_key_frame_time.");
  } else {
    return sendPinterestError(response, 400, 1, "Invalid parameters: unsupported media_source.source_type.");
  }
  // Pinterest fetches every image (and a cover URL) before it makes the Pin: not under the lock.
  lock.unlock();
  auto urls = pin.imageUrls;
  if (!pin.coverImageUrl.empty()) urls.push_back(pin.coverImageUrl);
  for (const auto& url : urls) {
    const auto image = fetchImage(url);
    if (!image) return sendPinterestError(response, 400, 1, "Sorry we could not fetch the image.");
    if (pin.imageBytes.size() < pin.imageUrls.size()) pin.imageBytes.push_back(static_cast<long long>(image->size()));
  }
  using marketsage::test::CreateFault;
  const auto fault = createFaults.next();
  if (fault == CreateFault::RefuseWithoutCreate) return sendPinterestError(response, 503, 503, "Service unavailable.");
  auto make = [this, pin]() mutable {
    pin.id = newId();
    pin.createdAtMs = nowMs();
    pins.push_back(pin);
    return pin;
  };
  if (fault == CreateFault::LateCreate) {
    createFaults.createLater([this, make]() mutable {
      std::lock_guard lateLock(mutex);
      make();
    });
    return sendPinterestError(response, 504, 504, "Gateway timeout.");
  }
  lock.lock();
  const auto answer = json::serialize(pinJson(make()));
  lock.unlock();
  if (!fault) return marketsage::test::sendJson(response, 201, answer);
  createFaults.afterCreate(
      *fault, request, [&] { marketsage::test::sendJson(response, 201, answer); },
      [&] { sendPinterestError(response, 504, 504, "Gateway timeout."); });
}

void PinterestApi::State::deletePin(Request& request, Response& response, const std::string& id) {
  std::lock_guard lock(mutex);
  if (!authorize(request, response, {"boards:read", "pins:write"})) return;
  for (auto& pin : pins)
    if (pin.id == id && !pin.deleted) {
      pin.deleted = true;
      response.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
      response.setContentLength(0);
      response.send();
      return;
    }
  sendPinterestError(response, 404, 50, "Pin not found.");
}

void PinterestApi::State::boardPins(Request& request, Response& response, const std::string& id) {
  std::lock_guard lock(mutex);
  if (!authorize(request, response, {"boards:read", "pins:read"})) return;
  if (!ownBoard(id)) return sendPinterestError(response, 404, 40, "Board not found.");
  const auto sizeText = pinterestQuery(request, "page_size");
  const int pageSize = sizeText.empty() ? 25 : std::atoi(sizeText.c_str());
  if (pageSize < 1 || pageSize > 250)
    return sendPinterestError(response, 400, 1, "Invalid parameters: page_size must be between 1 and 250.");
  std::vector<const Pin*> live;
  for (auto it = pins.rbegin(); it != pins.rend(); ++it)
    if (it->boardId == id && !it->deleted) live.push_back(&*it);
  const auto bookmark = pinterestQuery(request, "bookmark");
  const size_t start = bookmark.rfind("bm", 0) == 0 ? static_cast<size_t>(std::atoll(bookmark.c_str() + 2)) : 0;
  json::array items;
  for (size_t i = start; i < live.size() && items.size() < static_cast<size_t>(pageSize); ++i)
    items.push_back(pinJson(*live[i]));
  const auto next = start + items.size();
  json::value mark = next < live.size() ? json::value("bm" + std::to_string(next)) : json::value(nullptr);
  marketsage::test::sendJson(response, 200, json::serialize(json::object{{"items", items}, {"bookmark", mark}}));
}

void PinterestApi::State::analytics(Request& request, Response& response, const std::string& pinId) {
  std::lock_guard lock(mutex);
  if (!authorize(request, response, {pinId.empty() ? "user_accounts:read" : "pins:read"})) return;
  const auto start = pinterestQuery(request, "start_date"), end = pinterestQuery(request, "end_date");
  const auto startAt = dateOf(start), endAt = dateOf(end);
  if (startAt < 0 || endAt < 0 || endAt < startAt)
    return sendPinterestError(response, 400, 1, "Invalid parameters: start_date and end_date (YYYY-MM-DD).");
  if (startAt < nowMs() / 1000 - 91LL * 86400)
    return sendPinterestError(response, 400, 1, "Invalid parameters: start_date cannot be more than 90 days back.");
  std::vector<std::string> types;
  std::string current;
  for (const char c : pinterestQuery(request, "metric_types") + ",") {
    if (c != ',')
      current += c;
    else if (!current.empty())
      types.push_back(std::exchange(current, {}));
  }
  if (types.empty()) return sendPinterestError(response, 400, 1, "Invalid parameters: metric_types is required.");
  if (pinId.empty())
    return marketsage::test::sendJson(response, 200,
                                      json::serialize(analyticsJson(userAnalytics, types, start, false)));
  const auto it = std::find_if(pins.begin(), pins.end(), [&](const Pin& p) { return p.id == pinId && !p.deleted; });
  if (it == pins.end()) return sendPinterestError(response, 404, 50, "Pin not found.");
  marketsage::test::sendJson(response, 200, json::serialize(analyticsJson(pinAnalytics[pinId], types, start, true)));
}

// ---- video media ----

void PinterestApi::State::registerMedia(Request& request, Response& response) {
  const auto body = marketsage::test::readBody(request);
  std::lock_guard lock(mutex);
  if (!authorize(request, response, {"pins:write"})) return;
  const auto parsed = jsonBody(request, response, body);
  if (!parsed) return;
  const auto* type = parsed->if_contains("media_type");
  if (!type || !type->is_string() || type->as_string() != "video")
    return sendPinterestError(response, 400, 1, "Invalid parameters: media_type must be video.");
  Media m;
  m.upload.mediaId = newId();
  m.upload.status = "registered";
  m.parameters = {{"x-amz-date", "20261202T000000Z"},
                  {"x-amz-signature", marketsage::test::sha256Hex(m.upload.mediaId).substr(0, 64)},
                  {"x-amz-security-token", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH"},
                  {"x-amz-algorithm", "AWS4-HMAC-SHA256"},
                  {"key", "uploads/" + m.upload.mediaId + "/video"},
                  {"policy", "eyJleHBpcmF0aW9uIjogIjIwMjYtMTItMDNUMDA6MDA6MDBaIn0="},
                  {"x-amz-credential", "ASIAEXAMPLE/20261202/us-east-1/s3/aws4_request"},
                  {"Content-Type", "multipart/form-data"}};
  json::object parameters;
  for (const auto& [k, v] : m.parameters) parameters[k] = v;
  const auto id = m.upload.mediaId;
  media[id] = m;
  marketsage::test::sendJson(response, 201,
                             json::serialize(json::object{{"media_id", id},
                                                          {"media_type", "video"},
                                                          {"upload_url", server->url() + "/storage-upload/"},
                                                          {"upload_parameters", parameters}}));
}

void PinterestApi::State::getMedia(Request& request, Response& response, const std::string& id) {
  std::lock_guard lock(mutex);
  ++polls;
  if (!authorize(request, response, {"pins:read"})) return;
  const auto it = media.find(id);
  if (it == media.end()) return sendPinterestError(response, 404, 404, "Media upload not found.");
  auto& m = it->second;
  if (m.upload.status == "processing" && m.pollsLeft-- <= 0)
    m.upload.status = m.failProcessing ? "failed" : "succeeded";
  marketsage::test::sendJson(
      response, 200,
      json::serialize(json::object{{"media_id", id}, {"media_type", "video"}, {"status", m.upload.status}}));
}

/// The storage service's POST form (S3-style): every field of upload_parameters, then `file`;
/// answers 204 as S3 does, or an XML error.
void PinterestApi::State::storageUpload(Request& request, Response& response) {
  const auto body = marketsage::test::readBody(request);
  auto s3Error = [&](int status, const std::string& code, const std::string& message) {
    const auto xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message +
                     "</Message></Error>";
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/xml");
    response.sendBuffer(xml.data(), xml.size());
  };
  if (request.has("Authorization"))
    return s3Error(400, "InvalidArgument", "Unsupported Authorization Type for a POST form upload");
  const auto type = request.getContentType();
  const auto at = type.find("boundary=");
  if (type.rfind("multipart/form-data", 0) != 0 || at == std::string::npos)
    return s3Error(412, "PreconditionFailed", "Bucket POST must be of the enclosure-type multipart/form-data");
  auto boundary = type.substr(at + 9);
  if (!boundary.empty() && boundary.front() == '"') boundary = boundary.substr(1, boundary.size() - 2);
  const auto mark = "--" + boundary;
  std::vector<std::pair<std::string, std::string>> fields;  // name, value
  std::string fileType;
  size_t pos = body.find(mark);
  while (pos != std::string::npos) {
    pos += mark.size();
    if (body.compare(pos, 2, "--") == 0) break;
    const auto headersEnd = body.find("\r\n\r\n", pos);
    if (headersEnd == std::string::npos) break;
    const auto headers = body.substr(pos, headersEnd - pos);
    const auto next = body.find("\r\n" + mark, headersEnd + 4);
    if (next == std::string::npos) break;
    const auto nameAt = headers.find("name=\"");
    const auto name = nameAt == std::string::npos
                          ? std::string()
                          : headers.substr(nameAt + 6, headers.find('"', nameAt + 6) - nameAt - 6);
    if (name == "file")
      if (const auto ct = headers.find("Content-Type: "); ct != std::string::npos)
        fileType = headers.substr(ct + 14, headers.find("\r\n", ct) - ct - 14);
    fields.emplace_back(name, body.substr(headersEnd + 4, next - headersEnd - 4));
    pos = next + 2;
  }
  std::lock_guard lock(mutex);
  std::string key;
  for (const auto& [name, value] : fields)
    if (name == "key") key = value;
  auto it =
      std::find_if(media.begin(), media.end(), [&](const auto& m) { return m.second.parameters.at("key") == key; });
  if (it == media.end()) return s3Error(403, "AccessDenied", "Invalid according to Policy: key");
  auto& m = it->second;
  if (fields.empty() || fields.back().first != "file")
    return s3Error(400, "InvalidArgument", "POST requires exactly one file upload per request, as the last field");
  for (const auto& [name, value] : m.parameters) {
    const auto f = std::find_if(fields.begin(), fields.end(), [&](const auto& field) { return field.first == name; });
    if (f == fields.end() || f->second != value)
      return s3Error(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: " + name);
  }
  if (m.upload.status != "registered") return s3Error(403, "AccessDenied", "Request has expired");
  if (const auto refused = std::exchange(refuseStorage, 0); refused == 403)
    return s3Error(403, "AccessDenied", "Invalid according to Policy: Policy expired.");
  else if (refused != 0)
    return s3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
  m.upload.fieldOrder.clear();
  for (const auto& field : fields) m.upload.fieldOrder.push_back(field.first);
  m.upload.bytes = static_cast<long long>(fields.back().second.size());
  m.upload.sha256 = marketsage::test::sha256Hex(fields.back().second);
  m.upload.contentType = fileType;
  m.upload.status = "processing";
  m.pollsLeft = processingPolls;
  m.failProcessing = std::exchange(failNextVideo, false);
  response.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  response.setContentLength(0);
  response.send();
}

}  // namespace emulators
