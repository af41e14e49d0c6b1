// Pages API: posts (text, link, scheduled, multi-photo via attached_media), photos (multipart
// `source` or `url`), videos (single request or resumable start/transfer/finish), reading,
// listing (published_posts, scheduled_posts, videos) and deleting what was made.
// https://developers.facebook.com/docs/pages-api/posts
// https://developers.facebook.com/docs/graph-api/reference/page/published_posts/
// https://developers.facebook.com/docs/graph-api/reference/page/scheduled_posts/
// https://developers.facebook.com/docs/graph-api/reference/page/videos/
// https://developers.facebook.com/docs/graph-api/reference/page/photos/
// https://developers.facebook.com/docs/video-api/guides/publishing
// https://developers.facebook.com/docs/graph-api/guides/upload (Resumable Upload API, file handles)
#include "GraphInternals.h"

namespace emulators::graph {

namespace {

bool isFalse(const std::string& value) { return value == "false" || value == "0"; }

bool looksLikeImage(const std::string& bytes) {
  auto starts = [&](const std::string& magic) { return bytes.compare(0, magic.size(), magic) == 0; };
  return bytes.size() > 8 && (starts("\xFF\xD8\xFF") || starts("\x89PNG") || starts("GIF8") || starts("BM") ||
                              starts("II*") || starts("MM\0*"));
}

[[noreturn]] void uploadProblem(const std::string& why) {
  throw GraphError{6000, "(#6000) There was a problem uploading your video file. Please try again. " + why, 1363019};
}

/// scheduled_publish_time must be a unix time between 10 minutes and 30 days from now.
long long scheduledTime(const Call& call) {
  const std::string text = call.param("scheduled_publish_time");
  if (!isFalse(call.param("published")))
    invalidParameter("You cannot specify a scheduled publish time on a published post");
  long long when = 0;
  try {
    size_t used = 0;
    when = std::stoll(text, &used);
    if (used != text.size()) when = 0;
  } catch (...) {
  }
  const long long now = nowMs() / 1000;
  if (when < now + 10 * 60 || when > now + 30 * 86400)
    invalidParameter("The specified scheduled publish time is invalid.");
  return when;
}

/// attached_media[0..]={"media_fbid":"…"}: unpublished photos of this Page, each used once.
std::vector<std::string> attachedMedia(Impl& impl, const Call& call, const std::string& pageId) {
  std::vector<std::string> ids;
  for (int i = 0; call.has("attached_media[" + std::to_string(i) + "]"); ++i) {
    const std::string name = "attached_media[" + std::to_string(i) + "]";
    std::string id;
    try {
      id = json::value_to<std::string>(json::parse(call.param(name)).at("media_fbid"));
    } catch (...) {
      invalidParameter("param " + name + " must be a JSON object with media_fbid");
    }
    Item* photo = impl.find(id);
    if (!photo || photo->kind != "photo" || photo->ownerId != pageId || photo->published || !photo->publishedAs.empty())
      invalidParameter("param " + name + " has invalid media_fbid " + id);
    ids.push_back(id);
  }
  return ids;
}

/// The Page's latest published post, or null.
const Item* latestPost(const Impl& impl, const std::string& pageId) {
  for (auto it = impl.order.rbegin(); it != impl.order.rend(); ++it) {
    const Item& item = impl.itemsById.at(*it);
    if (item.kind == "post" && item.ownerId == pageId && item.published && !item.deleted) return &item;
  }
  return nullptr;
}

json::value createPost(Impl& impl, const Call& call, const std::string& pageId) {
  impl.requirePageToken(call, pageId);
  Item post = makeItem(pageId + "_" + impl.newId(), "post", pageId, call.param("message"));
  post.link = call.param("link");
  post.children = attachedMedia(impl, call, pageId);
  if (post.message.empty() && post.link.empty() && post.children.empty())
    throw GraphError{100, "(#100) Missing message or attachment"};
  if (call.has("scheduled_publish_time")) post.scheduledPublishTime = scheduledTime(call);
  post.published = !isFalse(call.param("published"));
  // Facebook refuses a status identical to the one just posted.
  const Item* latest = latestPost(impl, pageId);
  if (impl.api.refuseDuplicatePosts && post.published && post.children.empty() && latest && latest->children.empty() &&
      latest->message == post.message && latest->link == post.link)
    throw GraphError{506, "(#506) Duplicate status message"};
  for (const auto& id : post.children) impl.find(id)->publishedAs = post.id;
  return json::object{{"id", impl.add(post).id}};
}

json::value createPhoto(Impl& impl, const Call& call, const std::string& pageId) {
  impl.requirePageToken(call, pageId);
  std::string bytes = call.bytes("source");
  if (bytes.empty() && call.has("url")) {
    std::string contentType;
    bytes = fetchMedia(call.param("url"), contentType).value_or("");
  }
  if (bytes.empty()) throw GraphError{324, "(#324) Requires upload file"};
  if (!looksLikeImage(bytes)) throw GraphError{324, "(#324) Missing or invalid image file"};
  Item photo = makeItem(impl.newId(), "photo", pageId, call.param("caption"));
  photo.bytes = bytes.size();
  photo.sha256 = hex(sha256(bytes));
  photo.published = !isFalse(call.param("published"));
  if (call.has("scheduled_publish_time")) photo.scheduledPublishTime = scheduledTime(call);
  if (!photo.published && !photo.scheduledPublishTime) return json::object{{"id", impl.add(photo).id}};
  // A published photo makes a post; a scheduled one a post that goes live at that time.
  Item post = makeItem(pageId + "_" + impl.newId(), "post", pageId, photo.message);
  post.published = photo.published;
  post.scheduledPublishTime = photo.scheduledPublishTime;
  post.children = {photo.id};
  photo.publishedAs = post.id;
  impl.add(post);
  return json::object{{"id", impl.add(photo).id}, {"post_id", post.id}};
}

json::value startVideo(Impl& impl, const Call& call, const std::string& pageId) {
  long long size = 0;
  try {
    size = std::stoll(call.param("file_size"));
  } catch (...) {
  }
  if (size <= 0) invalidParameter("file_size must be a positive number of bytes");
  Item video = makeItem(impl.newId(), "video", pageId);
  video.published = false;  // until upload_phase=finish
  const std::string session = impl.newId();
  impl.uploads[session] = {video.id, static_cast<uint64_t>(size), {}};
  const long long end = std::min<long long>(size, impl.api.videoChunkBytes);
  return json::object{{"video_id", impl.add(video).id},
                      {"start_offset", "0"},
                      {"end_offset", std::to_string(end)},
                      {"upload_session_id", session}};
}

Impl::Upload& session(Impl& impl, const Call& call) {
  auto it = impl.uploads.find(call.param("upload_session_id"));
  if (it == impl.uploads.end()) invalidParameter("Invalid upload_session_id");
  return it->second;
}

json::value transferVideo(Impl& impl, const Call& call) {
  Impl::Upload& upload = session(impl, call);
  const std::string chunk = call.bytes("video_file_chunk");
  const uint64_t expectedEnd = std::min<uint64_t>(upload.size, upload.data.size() + impl.api.videoChunkBytes);
  if (call.param("start_offset") != std::to_string(upload.data.size()))
    uploadProblem("start_offset must be " + std::to_string(upload.data.size()));
  if (chunk.empty() || upload.data.size() + chunk.size() != expectedEnd)
    uploadProblem("video_file_chunk must hold bytes [start_offset, end_offset)");
  upload.data += chunk;
  const uint64_t next = std::min<uint64_t>(upload.size, upload.data.size() + impl.api.videoChunkBytes);
  return json::object{{"start_offset", std::to_string(upload.data.size())}, {"end_offset", std::to_string(next)}};
}

void describeVideo(Item& video, const Call& call, const std::string& bytes) {
  video.message = call.param("description");
  video.link = call.param("title");
  video.bytes = bytes.size();
  video.sha256 = hex(sha256(bytes));
  video.published = !isFalse(call.param("published"));
  if (call.has("scheduled_publish_time")) video.scheduledPublishTime = scheduledTime(call);
}

json::value finishVideo(Impl& impl, const Call& call) {
  Impl::Upload& upload = session(impl, call);
  if (upload.data.size() != upload.size) uploadProblem("the upload is incomplete");
  describeVideo(*impl.find(upload.itemId), call, upload.data);
  impl.uploads.erase(call.param("upload_session_id"));
  return json::object{{"success", true}};
}

json::value createVideo(Impl& impl, const Call& call, const std::string& pageId) {
  impl.requirePageToken(call, pageId);
  const std::string phase = call.param("upload_phase");
  if (phase == "start") return startVideo(impl, call, pageId);
  if (phase == "transfer") return transferVideo(impl, call);
  if (phase == "finish") return finishVideo(impl, call);
  if (!phase.empty()) invalidParameter("upload_phase must be start, transfer or finish");
  std::string bytes = call.bytes("source");
  if (bytes.empty() && call.has("file_url")) {
    std::string contentType;
    bytes = fetchMedia(call.param("file_url"), contentType).value_or("");
  }
  if (const std::string handle = call.param("fbuploader_video_file_chunk"); !handle.empty()) {
    auto uploaded = impl.uploads.find(handle);
    if (uploaded == impl.uploads.end()) invalidParameter("fbuploader_video_file_chunk is not a valid file handle");
    bytes = uploaded->second.data;
  }
  if (bytes.empty()) uploadProblem("No file was sent (source, file_url or fbuploader_video_file_chunk)");
  Item video = makeItem(impl.newId(), "video", pageId);
  describeVideo(video, call, bytes);
  return json::object{{"id", impl.add(video).id}};
}

/// POST /{app-id}/uploads?file_name&file_length&file_type -> {"id":"upload:<session>"}
json::value startUploadSession(Impl& impl, const Call& call) {
  impl.authenticate(call);
  static const std::set<std::string> types = {"application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"};
  long long length = 0;
  try {
    length = std::stoll(call.param("file_length"));
  } catch (...) {
  }
  if (call.param("file_name").empty() || length <= 0 || !types.count(call.param("file_type")))
    invalidParameter(
        "file_name, file_length and file_type (application/pdf, image/jpeg, image/jpg, image/png, video/mp4) are "
        "required");
  const std::string session = "upload:" + impl.newId();
  impl.uploads[session] = {"", static_cast<uint64_t>(length), {}};
  return json::object{{"id", session}};
}

/// POST /upload:<session> (header file_offset, raw bytes) -> {"h": handle}; GET -> {"id","file_offset"}.
json::value uploadToSession(Impl& impl, Call& call) {
  if (call.header("Authorization").rfind("OAuth ", 0) != 0)
    throw GraphError(190, "An access token is required in the Authorization header: OAuth <token>");
  impl.authenticate(call);
  auto it = impl.uploads.find(call.path[0]);
  if (it == impl.uploads.end()) unknownObject(call.method, call.path[0]);
  Impl::Upload& upload = it->second;
  if (call.method == "GET")
    return json::object{{"id", call.path[0]}, {"file_offset", static_cast<int64_t>(upload.data.size())}};
  if (call.header("file_offset") != std::to_string(upload.data.size()))
    invalidParameter("file_offset must be " + std::to_string(upload.data.size()));
  if (upload.data.size() + call.rawBody.size() > upload.size) invalidParameter("more bytes than file_length");
  upload.data += call.rawBody;
  if (upload.data.size() < upload.size)
    return json::object{{"id", call.path[0]}, {"file_offset", static_cast<int64_t>(upload.data.size())}};
  const std::string handle = "4:" + call.path[0].substr(7) + ":" + hex(sha256(upload.data)).substr(0, 16);
  impl.uploads[handle] = upload;
  return json::object{{"h", handle}};
}

std::string permalink(const Item& item) {
  if (item.kind == "photo") return "https://www.facebook.com/photo.php?fbid=" + item.id;
  if (item.kind == "video") return "/" + item.ownerId + "/videos/" + item.id + "/";  // Graph answers it relative
  return "https://www.facebook.com/" + item.ownerId + "/posts/" + item.id.substr(item.id.find('_') + 1);
}

/// A post's attachments field as Graph draws them (StoryAttachment): a link share, one photo, or
/// an album of photos with its subattachments; absent for a plain status.
std::optional<json::value> attachments(const Item& post) {
  const auto photo = [](const std::string& id) {
    return json::object{{"media_type", "photo"},
                        {"type", "photo"},
                        {"target", {{"id", id}}},
                        {"url", "https://www.facebook.com/photo.php?fbid=" + id}};
  };
  json::object attachment;
  if (post.children.size() == 1) {
    attachment = photo(post.children[0]);
  } else if (post.children.size() > 1) {
    json::array sub;
    for (const auto& id : post.children) sub.push_back(photo(id));
    attachment = {{"media_type", "album"}, {"type", "album"}, {"subattachments", {{"data", sub}}}};
  } else if (!post.link.empty()) {
    attachment = {{"media_type", "link"}, {"type", "share"}, {"url", post.link}, {"unshimmed_url", post.link}};
  } else {
    return std::nullopt;
  }
  return json::object{{"data", json::array{attachment}}};
}

/// The fields asked of a Page object (post, photo or video); Graph leaves out empty ones.
json::value renderItem(const Call& call, const Item& item) {
  std::vector<std::string> fields = call.fields();
  if (fields.empty()) fields = {"created_time", "message", "id"};
  json::object out;
  for (const auto& field : fields) {
    const std::string name = field.substr(0, field.find_first_of(".{("));
    const auto& stats = item.stats;
    if (name == "id") out["id"] = item.id;
    if (name == "message" && !item.message.empty())
      out[item.kind == "video" ? "description" : "message"] = item.message;
    if (name == "description" && !item.message.empty()) out["description"] = item.message;
    if (name == "created_time") out["created_time"] = isoTime(item.createdAt);
    if (name == "permalink_url") out["permalink_url"] = permalink(item);
    if (name == "is_published") out["is_published"] = item.published;
    if (name == "published" && item.kind == "video") out["published"] = item.published;
    if (name == "attachments" && item.kind == "post")
      if (auto drawn = attachments(item)) out["attachments"] = std::move(*drawn);
    if (name == "scheduled_publish_time" && item.scheduledPublishTime)
      out["scheduled_publish_time"] = item.scheduledPublishTime;
    if (name == "reactions" || name == "likes")
      out[name] = {{"data", json::array()},
                   {"summary", {{"total_count", stats.reactions}, {"viewer_reaction", "NONE"}}}};
    if (name == "comments")
      out["comments"] = {{"data", json::array()},
                         {"summary", {{"order", "ranked"}, {"total_count", stats.comments}, {"can_comment", true}}}};
    if (name == "shares" && stats.shares > 0) out["shares"] = {{"count", stats.shares}};  // absent when never shared
  }
  return out;
}

json::value readItem(Impl& impl, const Call& call, const Item& item) {
  impl.authenticate(call);
  impl.require("pages_read_engagement");
  return renderItem(call, item);
}

/// GET /{page}/published_posts (live posts), /scheduled_posts (posts Facebook will publish at
/// their scheduled_publish_time) and /videos (the Page's uploaded videos), newest first.
json::value listPage(Impl& impl, const Call& call, const std::string& pageId, const std::string& edge) {
  impl.authenticate(call);
  impl.require("pages_read_engagement");
  std::vector<const Item*> rows;
  for (auto it = impl.order.rbegin(); it != impl.order.rend(); ++it) {
    const Item& item = impl.itemsById.at(*it);
    if (item.ownerId != pageId || item.deleted) continue;
    const bool post = item.kind == "post";
    if ((edge == "published_posts" && post && item.published) ||
        (edge == "scheduled_posts" && post && !item.published && item.scheduledPublishTime) ||
        (edge == "videos" && item.kind == "video"))
      rows.push_back(&item);
  }
  return pagedList(impl, call, rows, [&](const Item& item) { return renderItem(call, item); });
}

json::value readPage(Impl& impl, const Call& call, const GraphApi::Page& page) {
  impl.authenticate(call);
  json::object out{{"id", page.id}};
  for (const auto& field : call.fields()) {
    if (field == "name") out["name"] = page.name;
    if (field == "followers_count") out["followers_count"] = impl.api.followers.load();
    if (field == "link") out["link"] = "https://www.facebook.com/" + page.id;
  }
  if (call.fields().empty()) out["name"] = page.name;
  return out;
}

}  // namespace

json::value uploadApi(Impl& impl, Call& call) {
  const auto& p = call.path;
  if (p.size() == 2 && p[1] == "uploads" && call.method == "POST") return startUploadSession(impl, call);
  if (p.size() == 1 && p[0].rfind("upload:", 0) == 0) return uploadToSession(impl, call);
  unknownObject(call.method, p[0]);
}

json::value pages(Impl& impl, Call& call) {
  const auto& p = call.path;
  if (const GraphApi::Page* page = impl.page(p[0])) {
    if (p.size() == 1 && call.method == "GET") return readPage(impl, call, *page);
    if (p.size() == 2 && call.method == "GET" &&
        (p[1] == "published_posts" || p[1] == "scheduled_posts" || p[1] == "videos"))
      return listPage(impl, call, page->id, p[1]);
    if (p.size() == 2 && call.method == "POST" && p[1] == "feed") return createPost(impl, call, page->id);
    if (p.size() == 2 && call.method == "POST" && p[1] == "photos") return createPhoto(impl, call, page->id);
    if (p.size() == 2 && call.method == "POST" && p[1] == "videos") return createVideo(impl, call, page->id);
    unknownObject(call.method, p[0]);
  }
  Item* item = impl.find(p[0]);
  if (!item || item->deleted || p.size() != 1)
    unknownObject(call.method == "DELETE" ? "delete" : call.method == "GET" ? "get" : "post", p[0]);
  if (call.method == "GET") return readItem(impl, call, *item);
  if (call.method == "DELETE") {
    impl.requirePageToken(call, item->ownerId);
    item->deleted = true;
    return json::object{{"success", true}};
  }
  unknownObject("post", p[0]);
}

}  // namespace emulators::graph
