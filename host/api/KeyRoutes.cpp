#include "api/Routes.h"
#include "api/Views.h"
#include "auth/ApiKey.h"
#include "http/Exchange.h"
#include "http/Fields.h"
#include "http/Router.h"

#include <boost/json.hpp>

#include <functional>

namespace marketsage::api {
namespace {

using auth::Permission;
using http::Access;
using http::Exchange;

void createKey(tenants::Directory& directory, Exchange& ex) {
  const auto body = ex.jsonBody();
  const http::Fields fields(body, {"userId", "organizationId"});
  const auto userId = fields.requiredText("userId", 64);
  // A user id names its organization: a SUPER_ADMIN need not repeat it. Anyone else reaches only
  // their own organization's users (another's is 404, like one that does not exist).
  auto organizationId = fields.optionalText("organizationId", 64);
  if (!organizationId && ex.principal().role == auth::Role::SuperAdmin)
    organizationId = directory.organizationOfUser(userId);
  auto tenant = organizationId ? ex.tenant(*organizationId) : ex.ownTenant();
  const auto user = tenant.findUser(userId);
  if (!user) throw Problem::notFound("no such user");
  if (!auth::mayGrant(ex.principal().role, user->role))
    throw Problem::forbidden("you may not create keys for a higher role");
  const auto key = auth::generateApiKey();
  const auto info = tenant.createKey(userId, key, ex.actor());
  if (!info) throw Problem::notFound("no such user");
  auto answer = view(*info);
  answer["key"] = key.key;  // shown this once; only its hash is kept
  ex.send(201, answer);
}

void listKeys(Exchange& ex) {
  auto tenant = ex.targetTenant();
  ex.send(200, viewAll(tenant.listKeys()));
}

void revokeKey(tenants::Authenticator& authenticator, Exchange& ex) {
  auto tenant = ex.targetTenant();
  const auto key = tenant.findKey(ex.param("id"));
  if (!key) throw Problem::notFound("no such key");
  // Nobody acts on the key of a user above them: an ADMIN cannot lock a SUPER_ADMIN out.
  const auto holder = tenant.findUser(key->userId);
  if (holder && !auth::mayGrant(ex.principal().role, holder->role)) {
    throw Problem::forbidden("you may not revoke the key of a " + std::string(auth::roleName(holder->role)));
  }
  if (!tenant.revokeKey(ex.param("id"), ex.actor())) throw Problem::conflict("the key is already revoked");
  authenticator.forgetAll();
  ex.sendNoContent();
}

}  // namespace

void addKeyRoutes(http::Router& router, tenants::Directory& directory, tenants::Authenticator& authenticator) {
  router.add("POST", "/api/keys", Permission::ManageTokens, std::bind_front(createKey, std::ref(directory)));
  router.add("GET", "/api/keys", Permission::ManageTokens, listKeys);
  router.add("DELETE", "/api/keys/{id}", Permission::ManageTokens, std::bind_front(revokeKey, std::ref(authenticator)));
}

}  // namespace marketsage::api
