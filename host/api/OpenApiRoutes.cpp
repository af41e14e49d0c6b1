/// GET /api/openapi.json: the OpenAPI 3.1 document of every route, for anyone (like /api/health).
#include "api/OpenApi.h"
#include "api/Routes.h"
#include "http/Exchange.h"
#include "http/Router.h"

#include <string>

namespace marketsage::api {

void addOpenApiRoutes(http::Router& router) {
  router.add("GET", "/api/openapi.json", http::Access::Public, [](http::Exchange& ex) {
    ex.response().set("Cache-Control", "no-cache");
    ex.response().set("X-Content-Type-Options", "nosniff");
    ex.sendText(200, "application/json", std::string(openApiDocument()));
  });
}

}  // namespace marketsage::api
