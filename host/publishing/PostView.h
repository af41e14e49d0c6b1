#pragma once
/// A post as the API shows it (GET /api/social-media/posts/{id}) and webhooks send it: the post,
/// each target's result, and its history when it was read.

#include "publishing/Post.h"

#include <boost/json/object.hpp>

namespace marketsage::publishing {

boost::json::object postView(const Post& post);

}  // namespace marketsage::publishing
