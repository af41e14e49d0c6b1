#pragma once
/// The guard every URL a tenant gives the host to call passes (media imports, webhook endpoints):
/// against server-side request forgery, each address the host name resolves to must be public —
/// no loopback, private, link-local (169.254.169.254 included), carrier-grade NAT, unique-local,
/// multicast or unspecified address — unless the host is on the caller's allow-list (tests).

#include <Poco/Net/IPAddress.h>

#include <string>
#include <vector>

namespace marketsage::guard {

/// True when `address` (textual IPv4/IPv6) is not a public unicast address.
bool isInternalAddress(const std::string& address);

/// The addresses `host` resolves to, each checked: throws Problem 400 naming the first internal
/// one (unless `host` is in `allowHosts`, lower case) or a host that does not resolve. `what` names
/// the URL in the message ("the media URL", "the webhook URL").
std::vector<Poco::Net::IPAddress> checkedAddresses(const std::string& host, const std::vector<std::string>& allowHosts,
                                                   const std::string& what);

/// A base URL the host will send calls to on a tenant's word (an app's "apiBase", a Mastodon
/// instance): https (http only for an allow-listed host), no credentials, query or fragment, and a
/// host that passes checkedAddresses. Returns it as scheme://host[:port][/path] without a trailing
/// slash, the host in lower case; throws Problem 400 naming `what` otherwise.
std::string checkedBaseUrl(const std::string& url, const std::vector<std::string>& allowHosts, const std::string& what);

}  // namespace marketsage::guard
