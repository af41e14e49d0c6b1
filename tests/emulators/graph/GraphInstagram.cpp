// Instagram Platform (with Facebook Login): media containers fetched from image_url / video_url or
// uploaded to rupload, their processing status, media_publish, content_publishing_limit, reading,
// listing (media, stories) and deleting IG media.
// https://developers.facebook.com/docs/instagram-platform/content-publishing
// https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container
// https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
// https://developers.facebook.com/documentation/instagram-platform/instagram-graph-api/reference/ig-user/stories
// https://developers.facebook.com/docs/instagram-platform/content-publishing/resumable-uploads
// https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes
#include "GraphInternals.h"

#include <cctype>

namespace emulators::graph {

namespace {

constexpr int maxCarouselChildren = 10;
constexpr size_t maxCaptionCharacters = 2200, maxHashtags = 30, maxMentions = 20;

GraphError mediaError(int code, int subcode, const std::string& message, const std::string& userTitle,
                      const std::string& userMessage) {
  GraphError error{code, message, subcode};
  error.userTitle = userTitle;
  error.userMessage = userMessage;
  return error;
}

bool wordByte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// '#tags' or '@mentions' in `caption`: the mark not right after a letter, digit or _ (so no
/// e-mail address), followed by one (any non-ASCII byte counts as a letter: #café, #日本).
size_t marked(const std::string& caption, char mark) {
  size_t n = 0;
  for (size_t i = 0; i + 1 < caption.size(); ++i)
    if (caption[i] == mark && (i == 0 || !wordByte(caption[i - 1])) &&
        (wordByte(caption[i + 1]) || static_cast<unsigned char>(caption[i + 1]) >= 0x80))
      ++n;
  return n;
}

/// Captions: at most 2,200 characters, 30 hashtags and 20 @ tags
/// (https://developers.facebook.com/docs/instagram-platform/content-publishing/#limitations), else
/// code 36004 / subcode 2207010
/// (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes).
void checkCaption(const std::string& caption) {
  size_t characters = 0;
  for (const char c : caption) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  std::string why;
  if (characters > maxCaptionCharacters)
    why = "The caption has " + std::to_string(characters) + " characters; the limit is 2,200.";
  else if (marked(caption, '#') > maxHashtags)
    why = "The caption has more than 30 hashtags.";
  else if (marked(caption, '@') > maxMentions)
    why = "The caption has more than 20 @ tags.";
  if (!why.empty()) throw mediaError(36004, 2207010, "The caption is too long.", "Caption too long", why);
}

bool isJpeg(const std::string& bytes) { return bytes.size() > 3 && bytes.compare(0, 3, "\xFF\xD8\xFF") == 0; }

void recordBytes(Item& item, const std::string& bytes) {
  item.bytes = bytes.size();
  item.sha256 = hex(sha256(bytes));
}

/// Meta downloads image_url at once: unreachable -> 9004/2207052, not a JPEG -> 36001/2207005.
void downloadImage(Item& container) {
  std::string contentType;
  const auto bytes = fetchMedia(container.mediaUrl, contentType);
  if (!bytes)
    throw mediaError(9004, 2207052, "Media download has failed. The media URI doesn't meet our requirements.",
                     "Media download has failed",
                     "The media could not be fetched from this URI: " + container.mediaUrl +
                         ". Please check the URI and try again.");
  if (!isJpeg(*bytes))
    throw mediaError(36001, 2207005, "The image format is not supported.", "Unsupported image format",
                     "The image format is not supported. Supported formats: JPEG.");
  recordBytes(container, *bytes);
}

/// IG media published through the API by `igUserId` in the last 24 hours (the publishing quota).
int postsLastDay(const Impl& impl, const std::string& igUserId) {
  int count = 0;
  for (const auto& [_, item] : impl.itemsById)
    count += item.kind == "ig_media" && item.ownerId == igUserId && item.createdAt > nowMs() / 1000 - 86400;
  return count;
}

std::string statusText(const std::string& code) {
  if (code == "FINISHED") return "Finished: Media has been uploaded and it is ready to be published.";
  if (code == "IN_PROGRESS") return "In Progress: Media is still being processed.";
  if (code == "ERROR") return "Error: Media upload has failed with error code 2207053.";
  if (code == "EXPIRED") return "Expired: The container was not published within 24 hours.";
  return "Published: Media has been published.";
}

/// The container's status now; `poll` counts a status read (processing advances per read).
std::string containerStatus(Impl& impl, Item& container, bool poll) {
  if (container.status == "PUBLISHED") return container.status;
  if (container.mediaType == "CAROUSEL") {
    for (const auto& child : container.children) {
      const std::string status = containerStatus(impl, *impl.find(child), false);
      if (status != "FINISHED") return status == "IN_PROGRESS" ? status : "ERROR";
    }
    return container.status = "FINISHED";
  }
  auto& processing = impl.processing[container.id];
  if (processing.waitingForUpload) return container.status = "IN_PROGRESS";
  if (processing.pollsLeft > 0) {
    if (poll) --processing.pollsLeft;
    return container.status = "IN_PROGRESS";
  }
  return container.status = processing.outcome;
}

std::vector<std::string> carouselChildren(Impl& impl, const Call& call, const std::string& igUserId) {
  std::vector<std::string> ids;
  std::string current;
  for (char c : call.param("children") + ",") {
    if (c != ',') {
      current += c;
    } else if (!current.empty()) {
      ids.push_back(current);
      current.clear();
    }
  }
  if (ids.size() < 2 || ids.size() > maxCarouselChildren)
    invalidParameter("children must list between 2 and " + std::to_string(maxCarouselChildren) +
                     " carousel item containers");
  for (const auto& id : ids) {
    const Item* child = impl.find(id);
    if (!child || child->kind != "container" || child->ownerId != igUserId || !child->carouselItem)
      invalidParameter("children: " + id + " is not a carousel item container of this account");
  }
  return ids;
}

json::value createContainer(Impl& impl, const Call& call, const GraphApi::Page& owner) {
  impl.requireInstagram(call, owner.igUserId, "instagram_content_publish");
  Item container = makeItem(impl.newId(), "container", owner.igUserId, call.param("caption"));
  container.mediaType = call.param("media_type").empty() ? "IMAGE" : call.param("media_type");
  container.carouselItem = call.param("is_carousel_item") == "true";
  const std::string type = container.mediaType;
  const bool resumable = call.param("upload_type") == "resumable";
  if (type != "IMAGE" && type != "VIDEO" && type != "REELS" && type != "STORIES" && type != "CAROUSEL")
    throw mediaError(100, 2207023, "The media type " + type + " is unknown.", "Unknown media type",
                     "The media type " + type + " is unknown.");
  if (type == "VIDEO" && !container.carouselItem)
    throw mediaError(100, 2207023, "The VIDEO media type is only for carousel items: publish videos as REELS.",
                     "Unsupported media type", "Use media_type=REELS for a video post.");
  if (container.carouselItem && (type == "REELS" || type == "STORIES" || type == "CAROUSEL"))
    invalidParameter("is_carousel_item is only allowed for images and VIDEO items");
  checkCaption(container.message);

  auto& processing = impl.processing[container.id];
  if (!impl.nextContainerStatus.empty()) processing.outcome = std::exchange(impl.nextContainerStatus, "");
  const bool video = type == "VIDEO" || type == "REELS" || (type == "STORIES" && !call.has("image_url"));
  if (type == "CAROUSEL") {
    container.children = carouselChildren(impl, call, owner.igUserId);
  } else if (video) {
    processing.pollsLeft = impl.api.pollsUntilReady;
    if (resumable) {
      processing.waitingForUpload = true;
      impl.uploads[container.id] = {container.id, 0, {}};
    } else if (!call.has("video_url")) {
      invalidParameter("The parameter video_url is required.");
    } else {
      container.mediaUrl = call.param("video_url");
      std::string contentType;
      const auto bytes = fetchMedia(container.mediaUrl, contentType);
      if (bytes)
        recordBytes(container, *bytes);
      else
        processing.outcome = "ERROR";  // the download fails while processing, not at creation
    }
  } else {
    if (!call.has("image_url")) invalidParameter("The parameter image_url is required.");
    container.mediaUrl = call.param("image_url");
    downloadImage(container);
  }
  Item& added = impl.add(container);
  containerStatus(impl, added, false);
  json::object answer{{"id", added.id}};
  if (resumable) answer["uri"] = impl.server->url() + "/ig-api-upload/" + call.version + "/" + added.id;
  return answer;
}

json::value publish(Impl& impl, const Call& call, const GraphApi::Page& owner) {
  impl.requireInstagram(call, owner.igUserId, "instagram_content_publish");
  const std::string creationId = call.param("creation_id");
  if (creationId.empty()) invalidParameter("The parameter creation_id is required.");
  Item* container = impl.find(creationId);
  if (!container || container->kind != "container" || container->ownerId != owner.igUserId)
    unknownObject("post", creationId);
  if (container->carouselItem) invalidParameter("A carousel item container cannot be published on its own");
  // Meta documents no answer for a second media_publish of one container; the emulator refuses it
  // as a builder that no longer exists (code 24 / 2207008), and the container stays PUBLISHED.
  if (!container->publishedAs.empty())
    throw mediaError(24, 2207008, "The media builder does not exist or has expired", "Media already published",
                     "This container was published already; create a new one to publish again.");
  const std::string status = containerStatus(impl, *container, false);
  if (status == "ERROR")
    throw mediaError(-1, 2207032, "Create media fail, please try to re-create media", "Media upload failed",
                     "Create media fail, please try to re-create media");
  if (status == "EXPIRED")
    throw mediaError(-2, 2207020, "The media you are trying to access has expired. Please try to upload again.",
                     "Media expired", "The media you are trying to access has expired. Please try to upload again.");
  if (status != "FINISHED")
    throw mediaError(9007, 2207027, "Media ID is not available", "Media not ready",
                     "The media is not ready for publishing, please wait for a moment");
  if (postsLastDay(impl, owner.igUserId) >= impl.api.publishingQuota)
    throw mediaError(9, 2207042, "Application request limit reached", "Posting limit reached",
                     "You reached maximum number of posts that is allowed to be published by Content Publishing API.");
  Item media = *container;
  media.id = impl.newId();
  media.kind = "ig_media";
  media.status.clear();
  container->status = "PUBLISHED";
  container->publishedAs = media.id;
  return json::object{{"id", impl.add(media).id}};
}

std::string shortcode(const Item& media) { return "Emu" + media.id.substr(media.id.size() - 8); }

/// The fields asked of an IG media; Graph leaves out empty ones.
json::value renderMedia(const Call& call, const Item& media, const GraphApi::Page& owner) {
  std::vector<std::string> fields = call.fields();
  if (fields.empty()) fields = {"id"};
  const bool reel = media.mediaType == "REELS", story = media.mediaType == "STORIES";
  json::object out;
  for (const auto& field : fields) {
    if (field == "id") out["id"] = media.id;
    if (field == "caption" && !media.message.empty()) out["caption"] = media.message;
    if (field == "media_type")
      out["media_type"] = media.mediaType == "CAROUSEL"    ? "CAROUSEL_ALBUM"
                          : reel || media.mediaUrl.empty() ? "VIDEO"
                                                           : "IMAGE";
    if (field == "media_product_type") out["media_product_type"] = reel ? "REELS" : story ? "STORY" : "FEED";
    if (field == "permalink")
      out["permalink"] =
          story ? "https://www.instagram.com/stories/" + owner.igUsername + "/" + media.id + "/"
                : std::string("https://www.instagram.com/") + (reel ? "reel/" : "p/") + shortcode(media) + "/";
    if (field == "shortcode") out["shortcode"] = shortcode(media);
    if (field == "timestamp") out["timestamp"] = isoTime(media.createdAt);
    if (field == "like_count") out["like_count"] = media.stats.reactions;
    if (field == "comments_count") out["comments_count"] = media.stats.comments;
    if (field == "media_url" && !media.mediaUrl.empty()) out["media_url"] = media.mediaUrl;
  }
  return out;
}

json::value readMedia(Impl& impl, const Call& call, const Item& media, const GraphApi::Page& owner) {
  impl.requireInstagram(call, owner.igUserId, "instagram_basic");
  return renderMedia(call, media, owner);
}

/// GET /{ig-user}/media (feed media, reels, carousels: no stories) and /{ig-user}/stories, newest first.
json::value listMedia(Impl& impl, const Call& call, const GraphApi::Page& owner, bool stories) {
  impl.requireInstagram(call, owner.igUserId, "instagram_basic");
  std::vector<const Item*> rows;
  for (auto it = impl.order.rbegin(); it != impl.order.rend(); ++it) {
    const Item& item = impl.itemsById.at(*it);
    if (item.kind == "ig_media" && item.ownerId == owner.igUserId && !item.deleted &&
        (item.mediaType == "STORIES") == stories)
      rows.push_back(&item);
  }
  return pagedList(impl, call, rows, [&](const Item& item) { return renderMedia(call, item, owner); });
}

json::value readContainer(Impl& impl, const Call& call, Item& container, const GraphApi::Page& owner) {
  impl.requireInstagram(call, owner.igUserId, "instagram_basic");
  const std::string status = containerStatus(impl, container, true);
  json::object out{{"id", container.id}};
  for (const auto& field : call.fields()) {
    if (field == "status_code") out["status_code"] = status;
    if (field == "status") out["status"] = statusText(status);
  }
  return out;
}

json::value publishingLimit(Impl& impl, const Call& call, const GraphApi::Page& owner) {
  impl.requireInstagram(call, owner.igUserId, "instagram_content_publish");
  json::object entry{{"quota_usage", postsLastDay(impl, owner.igUserId)}};
  if (call.param("fields").find("config") != std::string::npos)
    entry["config"] = {{"quota_total", impl.api.publishingQuota.load()}, {"quota_duration", 86400}};
  return json::object{{"data", json::array{entry}}};
}

json::value readAccount(Impl& impl, const Call& call, const GraphApi::Page& owner) {
  impl.requireInstagram(call, owner.igUserId, "instagram_basic");
  json::object out{{"id", owner.igUserId}};
  for (const auto& field : call.fields()) {
    if (field == "username") out["username"] = owner.igUsername;
    if (field == "name") out["name"] = owner.name;
    if (field == "followers_count") out["followers_count"] = impl.api.followers.load();
    if (field == "profile_picture_url")
      out["profile_picture_url"] = "https://scontent.example/ig/" + owner.igUserId + ".jpg";
  }
  return out;
}

}  // namespace

json::value instagram(Impl& impl, Call& call) {
  const auto& p = call.path;
  if (const GraphApi::Page* owner = impl.igUser(p[0])) {
    if (p.size() == 1 && call.method == "GET") return readAccount(impl, call, *owner);
    if (p.size() == 2 && call.method == "POST" && p[1] == "media") return createContainer(impl, call, *owner);
    if (p.size() == 2 && call.method == "POST" && p[1] == "media_publish") return publish(impl, call, *owner);
    if (p.size() == 2 && call.method == "GET" && p[1] == "content_publishing_limit")
      return publishingLimit(impl, call, *owner);
    if (p.size() == 2 && call.method == "GET" && (p[1] == "media" || p[1] == "stories"))
      return listMedia(impl, call, *owner, p[1] == "stories");
    unknownObject(call.method, p[0]);
  }
  Item* item = impl.find(p[0]);
  if (!item || item->deleted || p.size() != 1) unknownObject(call.method, p[0]);
  const GraphApi::Page& owner = *impl.igUser(item->ownerId);
  if (item->kind == "container" && call.method == "GET") return readContainer(impl, call, *item, owner);
  if (item->kind == "ig_media" && call.method == "GET") return readMedia(impl, call, *item, owner);
  if (item->kind == "ig_media" && call.method == "DELETE") {
    impl.requireInstagram(call, owner.igUserId, "instagram_content_publish");
    item->deleted = true;
    return json::object{{"success", true}};
  }
  unknownObject(call.method, p[0]);
}

json::value rupload(Impl& impl, Call& call) {
  const std::string& body = call.rawBody;
  const std::string id = call.path.empty() ? "" : call.path[0];
  if (call.header("Authorization").rfind("OAuth ", 0) != 0)
    throw GraphError{190, "Invalid OAuth access token: the Authorization header must be \"OAuth <token>\""};
  Item* container = impl.find(id);
  auto upload = impl.uploads.find(id);
  if (!container || container->kind != "container" || upload == impl.uploads.end()) unknownObject("post", id);
  impl.requireInstagram(call, container->ownerId, "instagram_content_publish");
  std::string bytes = body;
  if (!call.header("file_url").empty()) {
    std::string contentType;
    bytes = fetchMedia(call.header("file_url"), contentType).value_or("");
    if (bytes.empty())
      throw GraphError{9004, "Media download has failed. The media URI doesn't meet our requirements.", 2207052};
    upload->second.size = bytes.size();
  } else {
    long long offset = -1, size = -1;
    try {
      offset = std::stoll(call.header("offset"));
      size = std::stoll(call.header("file_size"));
    } catch (...) {
      invalidParameter("the offset and file_size headers are required");
    }
    if (offset != static_cast<long long>(upload->second.data.size()))
      invalidParameter("offset must be " + std::to_string(upload->second.data.size()) + ", the bytes received so far");
    if (size <= 0 || (upload->second.size && upload->second.size != static_cast<uint64_t>(size)))
      invalidParameter("file_size must stay the size of the whole file");
    upload->second.size = size;
    bytes = upload->second.data + body;
  }
  if (bytes.size() > upload->second.size) invalidParameter("more bytes than file_size");
  upload->second.data = bytes;
  if (bytes.size() == upload->second.size) {
    recordBytes(*container, bytes);
    impl.processing[id].waitingForUpload = false;
  }
  return json::object{{"success", true}, {"message", "Upload successful."}};
}

}  // namespace emulators::graph
