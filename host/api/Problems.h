#pragma once
/// How the services' errors are answered over HTTP. A Problem is answered as it is; a failed
/// platform call (plugins::PlatformError) as sdk-docs/README.md promises plugin authors: 422
/// content refused (invalid input or a permanent refusal), 409 the connection needs to be
/// reconnected, 429 rate limited and 503 transient (both with Retry-After), 400 not supported,
/// 502 a plugin that broke the ABI.

#include "core/Problem.h"
#include "plugins/PlatformError.h"

#include <exception>
#include <optional>

namespace marketsage::api {

Problem problemFor(const plugins::PlatformError& error);

/// The answer to an exception a handler let through; nullopt for an internal error (500).
std::optional<Problem> problemOf(const std::exception& error);

}  // namespace marketsage::api
