#include "api/Routes.h"
#include "api/Views.h"
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

constexpr std::size_t maxNameChars = 200;

auth::Role roleField(const http::Fields& fields) {
  const auto text = fields.requiredText("role", 32);
  const auto role = auth::parseRole(text);
  if (!role) throw Problem::badInput("\"role\" must be one of SUPER_ADMIN, ADMIN, USER, GUEST");
  return *role;
}

/// Nobody hands out, or takes away, a role above their own.
void checkMayGrant(const Exchange& ex, auth::Role role) {
  if (!auth::mayGrant(ex.principal().role, role)) {
    throw Problem::forbidden("the role " + std::string(auth::roleName(ex.principal().role)) + " may not manage " +
                             std::string(auth::roleName(role)) + " users");
  }
}

void createOrganization(tenants::Directory& directory, Exchange& ex) {
  ex.authorize();  // reaches no organization: the caller's role alone decides
  const auto body = ex.jsonBody();
  const http::Fields fields(body, {"name"});
  const auto org = directory.createOrganization(fields.requiredText("name", maxNameChars), ex.actor());
  ex.send(201, view(org));
}

void listOrganizations(tenants::Directory& directory, Exchange& ex) {
  if (ex.principal().role == auth::Role::SuperAdmin) {
    ex.send(200, viewAll(directory.listOrganizations()));
    return;
  }
  boost::json::array own;
  if (auto org = directory.findOrganization(ex.principal().organizationId)) own.push_back(view(*org));
  ex.send(200, own);
}

/// GET /api/me: who the key is, and what it may do — so that a client offers only what works.
void me(tenants::Directory& directory, Exchange& ex) {
  const auto& caller = ex.principal();
  const auto org = directory.findOrganization(caller.organizationId);
  boost::json::array permissions;
  for (const auto permission : auth::allPermissions)
    if (auth::allows(caller.role, permission)) permissions.emplace_back(auth::permissionName(permission));
  ex.send(200, boost::json::object{{"userId", caller.userId},
                                   {"email", caller.email},
                                   {"role", auth::roleName(caller.role)},
                                   {"organizationId", caller.organizationId},
                                   {"organizationName", org ? org->name : std::string()},
                                   {"permissions", permissions}});
}

void getOrganization(tenants::Directory& directory, Exchange& ex) {
  auto tenant = ex.tenant(ex.param("id"));
  const auto org = directory.findOrganization(tenant.organizationId());
  if (!org) throw Problem::notFound("no such organization");
  ex.send(200, view(*org));
}

void listUsers(Exchange& ex) {
  auto tenant = ex.tenant(ex.param("id"));
  ex.send(200, viewAll(tenant.listUsers()));
}

void addUser(Exchange& ex) {
  auto tenant = ex.tenant(ex.param("id"));
  const auto body = ex.jsonBody();
  const http::Fields fields(body, {"email", "role"});
  const auto email = fields.requiredText("email", 254);
  if (!http::isEmailAddress(email)) throw Problem::badInput("\"email\" is not an email address");
  const auto role = roleField(fields);
  checkMayGrant(ex, role);
  ex.send(201, view(tenant.addUser(email, role, ex.actor())));
}

tenants::User existingUser(Exchange& ex, tenants::TenantStore& tenant) {
  auto user = tenant.findUser(ex.param("userId"));
  if (!user) throw Problem::notFound("no such user");
  return *user;
}

void getUser(Exchange& ex) {
  auto tenant = ex.tenant(ex.param("id"));
  ex.send(200, view(existingUser(ex, tenant)));
}

void changeRole(tenants::Authenticator& authenticator, Exchange& ex) {
  auto tenant = ex.tenant(ex.param("id"));
  const auto user = existingUser(ex, tenant);
  const auto body = ex.jsonBody();
  const http::Fields fields(body, {"role"});
  const auto role = roleField(fields);
  checkMayGrant(ex, user.role);
  checkMayGrant(ex, role);
  if (!tenant.changeRole(user.id, role, ex.actor())) throw Problem::notFound("no such user");
  authenticator.forgetAll();
  ex.send(200, view(*tenant.findUser(user.id)));
}

void removeUser(tenants::Authenticator& authenticator, Exchange& ex) {
  auto tenant = ex.tenant(ex.param("id"));
  const auto user = existingUser(ex, tenant);
  checkMayGrant(ex, user.role);
  if (user.id == ex.principal().userId) throw Problem::conflict("you cannot remove yourself");
  if (!tenant.removeUser(user.id, ex.actor())) throw Problem::notFound("no such user");
  authenticator.forgetAll();
  ex.sendNoContent();
}

}  // namespace

void addOrganizationRoutes(http::Router& router, tenants::Directory& directory, tenants::Authenticator& authenticator) {
  using std::bind_front, std::ref;
  router.add("GET", "/api/me", Access::Authenticated, bind_front(me, ref(directory)));
  router.add("POST", "/api/orgs", Permission::ManageOrganizations, bind_front(createOrganization, ref(directory)));
  router.add("GET", "/api/orgs", Access::Authenticated, bind_front(listOrganizations, ref(directory)));
  router.add("GET", "/api/orgs/{id}", Access::Authenticated, bind_front(getOrganization, ref(directory)));
  router.add("GET", "/api/orgs/{id}/users", Permission::ManageUsers, listUsers);
  router.add("POST", "/api/orgs/{id}/users", Permission::ManageUsers, addUser);
  router.add("GET", "/api/orgs/{id}/users/{userId}", Permission::ManageUsers, getUser);
  router.add("PATCH", "/api/orgs/{id}/users/{userId}", Permission::ManageUsers,
             bind_front(changeRole, ref(authenticator)));
  router.add("DELETE", "/api/orgs/{id}/users/{userId}", Permission::ManageUsers,
             bind_front(removeUser, ref(authenticator)));
}

}  // namespace marketsage::api
