#pragma once
/// The role matrix of the product contract, in one place. Every route asks `allows()`.

#include <optional>
#include <string>
#include <string_view>

namespace marketsage::auth {

enum class Role { SuperAdmin, Admin, User, Guest };

enum class Permission {
  ConnectAccounts,  ///< start OAuth, add a connection
  ViewConnections,  ///< list connections and their health
  Post,             ///< publish, schedule, upload media
  ManageTokens,     ///< refresh or revoke connection tokens; create and revoke API keys
  ViewAnalytics,
  ManageUsers,  ///< add, remove and re-role users of the organization
  ViewAudit,
  ManageOrganizations,  ///< create organizations (SUPER_ADMIN only)
};

inline constexpr Permission allPermissions[] = {
    Permission::ConnectAccounts, Permission::ViewConnections, Permission::Post,      Permission::ManageTokens,
    Permission::ViewAnalytics,   Permission::ManageUsers,     Permission::ViewAudit, Permission::ManageOrganizations};

/// "connectAccounts", "viewConnections" …: how GET /api/me names what the caller may do.
std::string_view permissionName(Permission permission);

/// Whether `role` may do `permission` within its own organization. Reaching another
/// organization at all is a separate rule: only SUPER_ADMIN spans organizations.
bool allows(Role role, Permission permission);

/// True when `actor` may give `target` to a user, or act on a user who holds it (their keys,
/// role, membership): nobody reaches above their own role.
bool mayGrant(Role actor, Role target);

std::string_view roleName(Role role);  ///< "SUPER_ADMIN", "ADMIN", "USER", "GUEST"
std::optional<Role> parseRole(std::string_view name);

}  // namespace marketsage::auth
