// The REST API of the Mastodon emulator: instance configuration (methods/instance#v2), the
// account (methods/accounts), statuses with Idempotency-Key (methods/statuses,
// api/guidelines#idempotency) and v2 media with background processing (methods/media).
#include "ConsentPage.h"
#include "MastodonImpl.h"

#include <algorithm>

namespace emulators {

using mastodon::error;
using mastodon::json;
using mastodon::nowMs;

namespace {

const std::vector<std::string> supportedTypes = {
    "image/jpeg", "image/png",   "image/gif", "image/heic",      "image/heif", "image/webp",
    "image/avif", "video/webm",  "video/mp4", "video/quicktime", "video/ogg",  "audio/wave",
    "audio/wav",  "audio/x-wav", "audio/ogg", "audio/mpeg",      "audio/mp3",  "audio/webm",
    "audio/flac", "audio/aac",   "audio/m4a", "audio/mp4"};

constexpr long long idempotencyWindowMs = 3600 * 1000;

/// Mastodon's HTML of a plain-text status: escaped, newlines as <br />.
std::string htmlOf(const std::string& text) {
  std::string out;
  for (const char c : marketsage::test::htmlEscape(text)) out += c == '\n' ? std::string("<br />") : std::string(1, c);
  return out;
}

long long codePoints(const std::string& text) {
  return std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

std::string stringOf(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return "";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  return "";
}

bool boolOf(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_bool()) return v->as_bool();
  return v->is_string() && (v->as_string() == "true" || v->as_string() == "1");
}

/// One part of a multipart/form-data body.
struct Part {
  std::string name, contentType, data;
};

std::vector<Part> multipart(const std::string& contentType, const std::string& body) {
  std::vector<Part> parts;
  const size_t at = contentType.find("boundary=");
  if (at == std::string::npos) return parts;
  std::string boundary = contentType.substr(at + 9);
  if (!boundary.empty() && boundary.front() == '"') boundary = boundary.substr(1, boundary.find('"', 1) - 1);
  const std::string mark = "--" + boundary;
  size_t pos = body.find(mark);
  while (pos != std::string::npos) {
    pos += mark.size();
    if (body.compare(pos, 2, "--") == 0) break;
    const size_t headersEnd = body.find("\r\n\r\n", pos);
    if (headersEnd == std::string::npos) break;
    const std::string headers = body.substr(pos, headersEnd - pos);
    const size_t next = body.find("\r\n" + mark, headersEnd + 4);
    if (next == std::string::npos) break;
    Part part;
    part.data = body.substr(headersEnd + 4, next - headersEnd - 4);
    if (const size_t n = headers.find("name=\""); n != std::string::npos)
      part.name = headers.substr(n + 6, headers.find('"', n + 6) - n - 6);
    if (const size_t t = headers.find("Content-Type: "); t != std::string::npos)
      part.contentType = headers.substr(t + 14, headers.find("\r\n", t) - t - 14);
    parts.push_back(part);
    pos = next + 2;
  }
  return parts;
}

}  // namespace

long long MastodonInstance::Impl::countCharacters(const std::string& text) const {
  long long n = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++n;
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    std::string word = text.substr(i, end - i);
    const bool url = word.rfind("http://", 0) == 0 || word.rfind("https://", 0) == 0;
    const bool mention = word.size() > 1 && word[0] == '@' && word.find('@', 1) != std::string::npos;
    // The entity ends before trailing punctuation, which counts as itself (twitter-text's
    // valid_url_path_ending_chars; Account::MENTION_RE's domain ends in a word character).
    while ((url || mention) && word.size() > 1 && static_cast<unsigned char>(word.back()) < 0x80 &&
           !std::isalnum(static_cast<unsigned char>(word.back())) &&
           std::string(url ? "=_#/+-" : "_").find(word.back()) == std::string::npos) {
      word.pop_back();
      ++n;
    }
    if (url)
      n += limits.charactersPerUrl;
    else if (mention)
      n += codePoints(word.substr(0, word.find('@', 1)));
    else
      n += codePoints(word);
    i = end;
  }
  return n;
}

boost::json::object MastodonInstance::Impl::accountJson() const {
  long long count = 0;
  for (const auto& s : statuses)
    if (s.accountId == MastodonInstance::accountId && !s.deleted) ++count;
  return {{"id", MastodonInstance::accountId},
          {"username", MastodonInstance::username},
          {"acct", MastodonInstance::username},
          {"display_name", "MarketSage Test"},
          {"locked", false},
          {"bot", false},
          {"url", baseUrl + "/@" + MastodonInstance::username},
          {"avatar", baseUrl + "/avatars/original/missing.png"},
          {"followers_count", followers},
          {"following_count", 12},
          {"statuses_count", count}};
}

boost::json::object MastodonInstance::Impl::mediaJson(const Media& m) const {
  const bool ready = m.pollsLeft == 0 && !m.failed;
  const std::string file = baseUrl + "/system/media_attachments/files/" + m.id;
  return {{"id", m.id},
          {"type", m.type},
          {"url", ready ? boost::json::value(file + "/original") : boost::json::value()},
          {"preview_url", file + "/small"},
          {"remote_url", nullptr},
          {"description", m.description.empty() ? boost::json::value() : boost::json::value(m.description)},
          {"blurhash", "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}"}};
}

boost::json::object MastodonInstance::Impl::statusJson(const Status& s, bool withSource) const {
  boost::json::array attachments;
  for (const auto& id : s.mediaIds)
    if (const auto it = media.find(id); it != media.end()) attachments.push_back(mediaJson(it->second));
  boost::json::value poll;
  if (!s.pollOptions.empty()) {
    boost::json::array options;
    for (const auto& o : s.pollOptions) options.push_back(boost::json::object{{"title", o}, {"votes_count", 0}});
    poll =
        boost::json::object{{"id", s.id + "0"}, {"expires_at", mastodon::iso(s.createdAtMs + s.pollExpiresIn * 1000)},
                            {"expired", false}, {"multiple", s.pollMultiple},
                            {"votes_count", 0}, {"options", options}};
  }
  const std::string url = baseUrl + "/@" + MastodonInstance::username + "/" + s.id;
  boost::json::object out{
      {"id", s.id},
      {"created_at", mastodon::iso(s.createdAtMs)},
      {"in_reply_to_id", s.inReplyToId.empty() ? boost::json::value() : boost::json::value(s.inReplyToId)},
      {"sensitive", s.sensitive},
      {"spoiler_text", s.spoilerText},
      {"visibility", s.visibility},
      {"language", s.language.empty() ? boost::json::value() : boost::json::value(s.language)},
      {"uri", baseUrl + "/users/" + MastodonInstance::username + "/statuses/" + s.id},
      {"url", url},
      {"replies_count", s.replies},
      {"reblogs_count", s.reblogs},
      {"favourites_count", s.favourites},
      {"content", "<p>" + htmlOf(s.text) + "</p>"},
      {"account", accountJson()},
      {"media_attachments", attachments},
      {"poll", poll}};
  if (withSource) out["text"] = s.text;  // DELETE answers the source, for "delete and redraft"
  return out;
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::instance() const {
  boost::json::array types;
  for (const auto& t : supportedTypes) types.emplace_back(t);
  return json(200,
              boost::json::object{
                  {"domain", baseUrl.substr(baseUrl.find("://") + 3)},
                  {"title", "Mastodon emulator"},
                  {"version", pkceSupported ? "4.3.0" : "4.2.10"},
                  {"api_versions", boost::json::object{{"mastodon", pkceSupported ? 2 : 0}}},
                  {"configuration",
                   boost::json::object{
                       {"statuses", boost::json::object{{"max_characters", limits.maxCharacters},
                                                        {"max_media_attachments", limits.maxMediaAttachments},
                                                        {"characters_reserved_per_url", limits.charactersPerUrl}}},
                       {"media_attachments", boost::json::object{{"supported_mime_types", types},
                                                                 {"image_size_limit", limits.imageSizeLimit},
                                                                 {"image_matrix_limit", 33177600},
                                                                 {"video_size_limit", limits.videoSizeLimit},
                                                                 {"video_frame_rate_limit", 120},
                                                                 {"video_matrix_limit", 8294400}}},
                       {"polls", boost::json::object{{"max_options", limits.pollMaxOptions},
                                                     {"max_characters_per_option", limits.pollMaxCharactersPerOption},
                                                     {"min_expiration", limits.pollMinExpiration},
                                                     {"max_expiration", limits.pollMaxExpiration}}}}}});
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::verifyCredentials() const { return json(200, accountJson()); }

MastodonInstance::Impl::Reply MastodonInstance::Impl::createStatus(const Request& r, const Grant& g) {
  // Mastodon takes JSON or a form; the plugin sends JSON.
  boost::json::object p;
  if (r.contentType.find("application/json") != std::string::npos) {
    boost::system::error_code ec;
    auto body = boost::json::parse(r.body, ec);
    if (ec || !body.is_object()) return error(400, "Error occurred while parsing request parameters");
    p = body.as_object();
  } else {
    for (const auto& [key, value] : r.query) p[key] = value;
  }
  // The same key from the same account within an hour answers the first status.
  const std::string idempotencyKey = g.accountId + "\n" + r.idempotencyKey;
  if (!r.idempotencyKey.empty())
    if (const auto it = idempotency.find(idempotencyKey);
        it != idempotency.end() && nowMs() - it->second.atMs < idempotencyWindowMs)
      for (const auto& s : statuses)
        if (s.id == it->second.statusId) {
          ++replays;
          return json(200, statusJson(s));
        }

  Status s;
  s.accountId = g.accountId;
  s.clientId = g.clientId;
  s.idempotencyKey = r.idempotencyKey;
  s.text = stringOf(p, "status");
  s.spoilerText = stringOf(p, "spoiler_text");
  s.visibility = stringOf(p, "visibility");
  if (s.visibility.empty()) s.visibility = "public";
  s.language = stringOf(p, "language");
  s.inReplyToId = stringOf(p, "in_reply_to_id");
  s.sensitive = boolOf(p, "sensitive");
  if (const auto* ids = p.if_contains("media_ids"); ids && ids->is_array())
    for (const auto& id : ids->as_array())
      if (id.is_string()) s.mediaIds.emplace_back(id.as_string());
  if (const auto* poll = p.if_contains("poll"); poll && poll->is_object()) {
    const auto& o = poll->as_object();
    if (const auto* options = o.if_contains("options"); options && options->is_array())
      for (const auto& option : options->as_array())
        if (option.is_string()) s.pollOptions.emplace_back(option.as_string());
    const auto* expires = o.if_contains("expires_in");
    s.pollExpiresIn = expires && expires->is_int64() ? expires->as_int64() : 0;
    s.pollMultiple = boolOf(o, "multiple");
    if (s.pollOptions.size() < 2) return error(422, "Validation failed: Poll options must have at least 2 items");
    if (static_cast<long long>(s.pollOptions.size()) > limits.pollMaxOptions)
      return error(
          422, "Validation failed: Poll options must have at most " + std::to_string(limits.pollMaxOptions) + " items");
    for (const auto& option : s.pollOptions)
      if (codePoints(option) > limits.pollMaxCharactersPerOption)
        return error(422, "Validation failed: Poll options must be at most " +
                              std::to_string(limits.pollMaxCharactersPerOption) + " characters long");
    if (std::set<std::string>(s.pollOptions.begin(), s.pollOptions.end()).size() != s.pollOptions.size())
      return error(422, "Validation failed: Poll options contain duplicate items");
    if (s.pollExpiresIn < limits.pollMinExpiration || s.pollExpiresIn > limits.pollMaxExpiration)
      return error(422, "Validation failed: Poll expiration is out of range");
  }
  static const std::set<std::string> visibilities = {"public", "unlisted", "private", "direct"};
  if (!visibilities.count(s.visibility)) return error(422, "Validation failed: Visibility is not included in the list");
  // Status: validates :text, presence: true, unless: with_media? (a poll does not count; blank = empty)
  if (std::all_of(s.text.begin(), s.text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }) &&
      s.mediaIds.empty())
    return error(422, "Validation failed: Text can't be blank");
  // StatusLengthValidator: [spoiler_text, countable_text(text)].join: the warning is not shortened.
  if (countCharacters(s.text) + codePoints(s.spoilerText) > limits.maxCharacters)
    return error(422,
                 "Validation failed: Text character limit of " + std::to_string(limits.maxCharacters) + " exceeded");
  if (static_cast<long long>(s.mediaIds.size()) > limits.maxMediaAttachments ||
      (!s.mediaIds.empty() && !s.pollOptions.empty()))
    return error(
        422, "Cannot attach more than " + std::to_string(limits.maxMediaAttachments) + " files, nor files to a poll");
  // PostStatusService#validate_media!: not_found, images_and_video, then not_ready.
  for (const auto& id : s.mediaIds) {
    const auto it = media.find(id);
    if (it == media.end() || it->second.accountId != g.accountId || !it->second.statusId.empty())
      return error(422, "Media " + id + " not found or already attached to another post");
  }
  if (s.mediaIds.size() > 1 && std::any_of(s.mediaIds.begin(), s.mediaIds.end(), [&](const std::string& id) {
        return media[id].type == "video" || media[id].type == "audio";
      }))
    return error(422, "Cannot attach a video to a post that already contains images");
  for (const auto& id : s.mediaIds)
    if (media[id].pollsLeft > 0 || media[id].failed)
      return error(422, "Cannot attach files that have not finished processing. Try again in a moment!");
  if (!s.inReplyToId.empty() && std::none_of(statuses.begin(), statuses.end(), [&](const Status& other) {
        return other.id == s.inReplyToId && !other.deleted;
      }))  // StatusesController#set_thread: statuses.errors.in_reply_not_found
    return error(404, "The post you are trying to reply to does not appear to exist.");

  const auto fault = faults.next();
  if (fault == marketsage::test::CreateFault::RefuseWithoutCreate)
    return Reply{503, "<html><body><h1>503 Service Unavailable</h1></body></html>", "text/html"};
  const auto create = [this, idempotencyKey, hasKey = !r.idempotencyKey.empty()](Status status) {
    status.id = newId();
    status.createdAtMs = nowMs();
    for (auto& other : statuses)
      if (other.id == status.inReplyToId) ++other.replies;
    for (const auto& id : status.mediaIds) media[id].statusId = status.id;
    statuses.push_back(status);
    ++created;
    if (hasKey) idempotency[idempotencyKey] = Idempotent{status.id, status.createdAtMs};
    return status;
  };
  if (fault == marketsage::test::CreateFault::LateCreate) {
    faults.createLater([this, create, s] {
      std::lock_guard lock(mutex);
      create(s);
    });
    return Reply{504, "<html><body><h1>504 Gateway Time-out</h1></body></html>", "text/html"};
  }
  auto reply = json(200, statusJson(create(s)));
  reply.fault = fault;
  return reply;
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::showStatus(const std::string& id, bool source) const {
  for (const auto& s : statuses)
    if (s.id == id && !s.deleted) {
      if (source)
        return json(200, boost::json::object{{"id", s.id}, {"text", s.text}, {"spoiler_text", s.spoilerText}});
      return json(200, statusJson(s));
    }
  return error(404, "Record not found");
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::deleteStatus(const std::string& id, const Grant& g) {
  for (auto& s : statuses)
    if (s.id == id && !s.deleted && s.accountId == g.accountId) {
      s.deleted = true;
      return json(200, statusJson(s, true));
    }
  return error(404, "Record not found");
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::accountStatuses(const Request& r,
                                                                      const std::string& account) const {
  if (account != MastodonInstance::accountId) return error(404, "Record not found");
  long long limit = 20;
  if (!r.param("limit").empty()) limit = std::clamp(std::stoll(r.param("limit")), 1LL, 40LL);
  boost::json::array out;
  for (auto it = statuses.rbegin(); it != statuses.rend() && static_cast<long long>(out.size()) < limit; ++it)
    if (it->accountId == account && !it->deleted) out.push_back(statusJson(*it));
  return json(200, out);
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::uploadMedia(const Request& r, const Grant& g) {
  if (r.contentType.find("multipart/form-data") == std::string::npos)
    return error(422, "Validation failed: File can't be blank");
  Media m;
  bool hasFile = false;
  for (const auto& part : multipart(r.contentType, r.body)) {
    if (part.name == "file") {
      hasFile = true;
      m.mimeType = part.contentType;
      m.size = static_cast<long long>(part.data.size());
    } else if (part.name == "description") {
      m.description = part.data;
    }
  }
  if (!hasFile) return error(422, "Validation failed: File can't be blank");
  if (std::find(supportedTypes.begin(), supportedTypes.end(), m.mimeType) == supportedTypes.end())
    return error(422, "Validation failed: File content type is invalid, File is invalid");
  const bool image = m.mimeType.rfind("image/", 0) == 0 && m.mimeType != "image/gif";
  const long long limit = image ? limits.imageSizeLimit : limits.videoSizeLimit;
  if (m.size > limit)
    return error(
        422, "Validation failed: File file size must be less than " + std::to_string(limit / (1024 * 1024)) + " MB");
  if (codePoints(m.description) > 1500)
    return error(422, "Validation failed: Description is too long (maximum is 1500 characters)");
  m.id = newId();
  m.accountId = g.accountId;
  m.type = image                                ? "image"
           : m.mimeType == "image/gif"          ? "gifv"
           : m.mimeType.rfind("audio/", 0) == 0 ? "audio"
                                                : "video";
  if (!image) {  // processed in the background
    m.pollsLeft = processingPolls;
    m.failed = processingFails;
  }
  media[m.id] = m;
  return json(image ? 200 : 202, mediaJson(m));
}

MastodonInstance::Impl::Reply MastodonInstance::Impl::showMedia(const std::string& id, const Grant& g) {
  // MediaController#set_media_attachment: current_account.media_attachments.where(status_id: nil)
  const auto it = media.find(id);
  if (it == media.end() || it->second.accountId != g.accountId || !it->second.statusId.empty())
    return error(404, "Record not found");
  auto& m = it->second;
  if (m.failed) return error(422, "Error processing thumbnail for uploaded media");
  if (m.pollsLeft > 0) {
    --m.pollsLeft;
    return json(206, mediaJson(m));
  }
  return json(200, mediaJson(m));
}

}  // namespace emulators
