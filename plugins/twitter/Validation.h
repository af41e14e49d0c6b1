// A post as X will receive it (parts of a thread, media, options) and the limits it must meet.
// Shared by validate and publish, so nothing that X would refuse reaches the network.
#pragma once

#include <marketsage/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twitter {

struct MediaItem {
  std::string pointer;  ///< JSON pointer of the item in the request, for issues
  std::string hostId;   ///< the host's media id ("id"), when the request gives one
  std::string kind, mimeType, path, platformMediaId, altText;
  long long size = 0;
};

/// One post of a thread: the first is the request's content (plus its link), the next ones its
/// "thread" items, each replying to the previous.
struct Part {
  std::string pointer;  ///< "/content" or "/thread/<i>/content"
  std::string text;
  std::vector<MediaItem> media;
};

/// options.twitter of the post request (see README, "Options").
struct PostOptions {
  std::string replyTo, quoteTweetId, replySettings;
  std::vector<std::string> pollOptions;
  long long pollDurationMinutes = 0;
};

struct Post {
  std::vector<Part> parts;
  PostOptions options;
};

using marketsage::sdk::Issue;

/// A part's text as X counts it: its weighted length against X's limit (validate reports the
/// first part's as "length"). `used` is nullopt when the text is not valid UTF-8.
struct TextLength {
  std::optional<int> used;
  int limit = 0;
};
TextLength textLength(const Part& part);

/// Reads the Post JSON; throws MS_ERR_INVALID_INPUT when it is wrongly shaped.
Post parsePost(std::string_view json);
/// resume.postIds of a request: the parts of the post already live, in order (X ids, at most one
/// per part); refused with MS_ERR_INVALID_INPUT otherwise.
std::vector<std::string> livePartIds(std::string_view json, const Post& post);
/// Every limit of X the post breaks (empty = publishable).
std::vector<Issue> checkLimits(const Post& post);
/// {"issues":[{"field":…,"message":…}]}, plus "length" (the first part's) when it is known.
std::string issuesJson(const std::vector<Issue>& issues, const TextLength& length = {});

}  // namespace twitter
