#pragma once
/// Media referenced by URL, fetched by the host with a guard against server-side request forgery
/// (core/AddressGuard): only http(s); every address the name resolves to must be public (no loopback, private,
/// link-local — 169.254.169.254 included —, carrier-grade NAT, unique-local, multicast or
/// unspecified address) unless the host is on the configured allow-list; redirects are followed
/// only a few times and each hop is checked again; plain http connects to the checked address so
/// a second DNS answer cannot swap it.

#include <functional>
#include <istream>
#include <string>
#include <vector>

namespace marketsage::media {

struct FetchPolicy {
  std::vector<std::string> allowHosts;  ///< exact host names/addresses allowed even when internal
  int maxRedirects = 3;
  int timeoutSeconds = 30;
  std::uint64_t maxBytes = 0;  ///< a larger Content-Length is refused up front (413)
};

/// GETs `url` under `policy` and hands the response body to `consume`. Throws Problem 400 for a
/// URL that is not allowed (the reason named), 413 for a declared size over the limit, 502 when
/// the server cannot be reached or does not answer 200.
void fetchGuarded(const std::string& url, const FetchPolicy& policy, const std::function<void(std::istream&)>& consume);

}  // namespace marketsage::media
