#include "media/UrlFetch.h"

#include "core/AddressGuard.h"
#include "core/Problem.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <algorithm>
#include <memory>

namespace marketsage::media {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

void fetchGuarded(const std::string& url, const FetchPolicy& policy,
                  const std::function<void(std::istream&)>& consume) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw Problem::badInput("the media URL is malformed");
  }
  for (int hop = 0;; ++hop) {
    const std::string scheme = lower(uri.getScheme());
    if (scheme != "http" && scheme != "https") throw Problem::badInput("the media URL must be http or https");
    if (uri.getHost().empty()) throw Problem::badInput("the media URL has no host");
    if (!uri.getUserInfo().empty()) throw Problem::badInput("the media URL must not carry credentials");
    const auto addresses = guard::checkedAddresses(uri.getHost(), policy.allowHosts, "the media URL");

    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (scheme == "https") {
      // TLS needs the name for SNI and certificate checks; the resolved addresses were checked.
      session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort());
    } else {
      session =
          std::make_unique<Poco::Net::HTTPClientSession>(Poco::Net::SocketAddress(addresses.front(), uri.getPort()));
    }
    session->setTimeout(Poco::Timespan(policy.timeoutSeconds, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathEtc().empty() ? "/" : uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(uri.getHost(), uri.getPort());
    request.set("User-Agent", "MarketSage-MediaFetch/1");
    Poco::Net::HTTPResponse response;
    std::istream* body = nullptr;
    try {
      session->sendRequest(request);
      body = &session->receiveResponse(response);
    } catch (const Poco::Exception& e) {
      throw Problem(502, "media-fetch-failed", "Media fetch failed",
                    "could not fetch the media URL: " + e.displayText());
    }
    const int status = response.getStatus();
    if (status >= 300 && status < 400 && response.has("Location")) {
      if (hop >= policy.maxRedirects) throw Problem::badInput("the media URL redirects too many times");
      Poco::URI next(uri);
      next.resolve(response.get("Location"));
      uri = next;
      continue;  // checked again at the top: a redirect to an internal address is refused too
    }
    if (status != 200) {
      throw Problem(502, "media-fetch-failed", "Media fetch failed",
                    "the media URL answered HTTP " + std::to_string(status));
    }
    if (policy.maxBytes > 0 && response.hasContentLength() &&
        static_cast<std::uint64_t>(response.getContentLength64()) > policy.maxBytes) {
      throw Problem::tooLarge("the media at that URL is larger than " + std::to_string(policy.maxBytes) + " bytes");
    }
    consume(*body);
    return;
  }
}

}  // namespace marketsage::media
