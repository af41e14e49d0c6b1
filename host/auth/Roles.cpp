#include "auth/Roles.h"

namespace marketsage::auth {

bool allows(Role role, Permission permission) {
  switch (role) {
    case Role::SuperAdmin: return true;
    case Role::Admin: return permission != Permission::ManageOrganizations;
    case Role::User:
      return permission == Permission::ConnectAccounts || permission == Permission::ViewConnections ||
             permission == Permission::Post || permission == Permission::ViewAnalytics;
    case Role::Guest: return false;
  }
  return false;
}

bool mayGrant(Role actor, Role target) {
  // Lower enum value = more power.
  return static_cast<int>(actor) <= static_cast<int>(target);
}

std::string_view permissionName(Permission permission) {
  switch (permission) {
    case Permission::ConnectAccounts: return "connectAccounts";
    case Permission::ViewConnections: return "viewConnections";
    case Permission::Post: return "post";
    case Permission::ManageTokens: return "manageTokens";
    case Permission::ViewAnalytics: return "viewAnalytics";
    case Permission::ManageUsers: return "manageUsers";
    case Permission::ViewAudit: return "viewAudit";
    case Permission::ManageOrganizations: return "manageOrganizations";
  }
  return "";
}

std::string_view roleName(Role role) {
  switch (role) {
    case Role::SuperAdmin: return "SUPER_ADMIN";
    case Role::Admin: return "ADMIN";
    case Role::User: return "USER";
    case Role::Guest: return "GUEST";
  }
  return "GUEST";
}

std::optional<Role> parseRole(std::string_view name) {
  for (Role role : {Role::SuperAdmin, Role::Admin, Role::User, Role::Guest}) {
    if (roleName(role) == name) return role;
  }
  return std::nullopt;
}

}  // namespace marketsage::auth
