#include "core/AddressGuard.h"

#include "core/Problem.h"

#include <Poco/Net/DNS.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <algorithm>

namespace marketsage::guard {
namespace {

using Poco::Net::IPAddress;

bool inPrefix(const IPAddress& address, const char* network, unsigned prefix) {
  const IPAddress base(network);
  if (base.family() != address.family()) return false;
  return (address & IPAddress(prefix, address.family())) == (base & IPAddress(prefix, address.family()));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

bool isInternalAddress(const std::string& text) {
  IPAddress address;
  if (!IPAddress::tryParse(text, address)) return true;
  if (address.family() == IPAddress::IPv6 && (address.isIPv4Mapped() || address.isIPv4Compatible())) {
    // ::ffff:127.0.0.1 is 127.0.0.1.
    const std::string v4 = address.toString().substr(address.toString().rfind(':') + 1);
    if (v4.find('.') != std::string::npos) return isInternalAddress(v4);
  }
  if (address.isWildcard() || address.isLoopback() || address.isLinkLocal() || address.isSiteLocal() ||
      address.isMulticast() || address.isBroadcast()) {
    return true;
  }
  if (address.family() == IPAddress::IPv4) {
    return inPrefix(address, "0.0.0.0", 8) || inPrefix(address, "100.64.0.0", 10) ||
           inPrefix(address, "192.0.0.0", 24) || inPrefix(address, "198.18.0.0", 15) ||
           inPrefix(address, "240.0.0.0", 4);
  }
  return inPrefix(address, "fc00::", 7) || inPrefix(address, "64:ff9b::", 96);
}

std::vector<IPAddress> checkedAddresses(const std::string& host, const std::vector<std::string>& allowHosts,
                                        const std::string& what) {
  std::vector<IPAddress> addresses;
  IPAddress literal;
  if (IPAddress::tryParse(host, literal)) {
    addresses.push_back(literal);
  } else {
    try {
      const auto entry = Poco::Net::DNS::hostByName(host);
      addresses = entry.addresses();
    } catch (const Poco::Exception&) {
      throw Problem::badInput(what + "'s host does not resolve: " + host);
    }
  }
  if (addresses.empty()) throw Problem::badInput(what + "'s host does not resolve: " + host);
  const bool allowed = std::find(allowHosts.begin(), allowHosts.end(), lower(host)) != allowHosts.end();
  if (!allowed) {
    for (const auto& a : addresses) {
      if (isInternalAddress(a.toString())) {
        throw Problem::badInput(what + " points inside the host's network (" + a.toString() + "); give a public URL");
      }
    }
  }
  return addresses;
}

std::string checkedBaseUrl(const std::string& url, const std::vector<std::string>& allowHosts,
                           const std::string& what) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw Problem::badInput(what + " is not a URL");
  }
  const auto host = lower(uri.getHost());
  const bool allowListed = std::find(allowHosts.begin(), allowHosts.end(), host) != allowHosts.end();
  if (host.empty() || (uri.getScheme() != "https" && !(allowListed && uri.getScheme() == "http")))
    throw Problem::badInput(what + " must be an https URL");
  if (!uri.getUserInfo().empty() || !uri.getRawQuery().empty() || !uri.getFragment().empty())
    throw Problem::badInput(what + " must be a plain base URL, without credentials, query or fragment");
  checkedAddresses(host, allowHosts, what);
  std::string path = uri.getPath();
  while (!path.empty() && path.back() == '/') path.pop_back();
  const auto port = uri.getSpecifiedPort();  // 0 when the URL names none
  const bool defaultPort = port == 0 || port == (uri.getScheme() == "https" ? 443 : 80);
  return uri.getScheme() + "://" + host + (defaultPort ? "" : ":" + std::to_string(port)) + path;
}

}  // namespace marketsage::guard
