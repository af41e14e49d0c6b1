#pragma once
/// The OpenAPI 3.1 document of the REST API: host/api/openapi.json, embedded at build time
/// (host/EmbedText.cmake), served at GET /api/openapi.json.

#include <string_view>

namespace marketsage::api {

/// The document's JSON text, exactly as in the source tree (the build checks it parses).
std::string_view openApiDocument();

}  // namespace marketsage::api
