#pragma once
/// The service manager's readiness protocol (sd_notify(3)) without libsystemd: one datagram of
/// "KEY=VALUE" lines to the unix socket named by $NOTIFY_SOCKET, so a Type=notify unit knows when
/// the host serves and when it is stopping.

#include <string_view>

namespace marketsage::systemd {

/// Sends `state` (e.g. "READY=1\nSTATUS=…") to $NOTIFY_SOCKET: a path, or an abstract socket
/// when it starts with '@'. Nothing to do (true) when the variable is unset or empty, as when
/// run outside systemd. False when it is set and the datagram could not be sent (errno says
/// why). [thread-safe]
bool notify(std::string_view state);

}  // namespace marketsage::systemd
