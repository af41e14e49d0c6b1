#pragma once
// Fills the queue with targets due far in the future, so that bench_publish can show that the
// claim of due work costs the same whatever waits behind it (issue 18: 1,000,000 scheduled).

#include <string>

namespace bench {

/// Adds `count` queued targets, copies of an existing one, due 30 days from `nowMs` onwards.
/// Written straight into the database in one statement: making a million through the REST API
/// would measure scheduling, not claiming. Returns the milliseconds it took.
long long addFutureTargets(const std::string& databaseUrl, bool postgres, long long count, long long nowMs);

}  // namespace bench
