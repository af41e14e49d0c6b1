#pragma once
/// Rows of the tenancy model as the rest of the host sees them.

#include "auth/Roles.h"

#include <cstdint>
#include <optional>
#include <string>

namespace marketsage::tenants {

struct Organization {
  std::string id;
  std::string name;
  std::int64_t createdAt = 0;
};

struct User {
  std::string id;
  std::string organizationId;
  std::string email;
  auth::Role role = auth::Role::Guest;
  std::int64_t createdAt = 0;
};

/// An API key as listed: never the key, never its hash.
struct ApiKeyInfo {
  std::string id;
  std::string userId;
  std::string prefix;
  std::int64_t createdAt = 0;
  std::optional<std::int64_t> lastUsedAt;
  std::optional<std::int64_t> revokedAt;
};

/// Who is calling: resolved from an API key on every request.
struct Principal {
  std::string userId;
  std::string organizationId;
  std::string email;
  auth::Role role = auth::Role::Guest;
  std::string keyId;
};

/// Who did something and from where, for the audit log.
struct Actor {
  std::string userId;      ///< empty for the command line
  std::string remoteAddr;  ///< "cli" for the command line
  std::string requestId;
};

struct AuditEntry {
  std::int64_t seq = 0;
  std::string actorUserId;
  std::string action;  ///< "user.added", "key.created", …
  std::string targetType;
  std::string targetId;
  std::string detail;  ///< JSON object text; never a secret
  std::string remoteAddr;
  std::string requestId;
  std::int64_t createdAt = 0;
};

}  // namespace marketsage::tenants
