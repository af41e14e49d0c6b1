#include "MediaFetch.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace marketsage::test {

std::optional<std::string> fetchMedia(const std::string& url, std::string& contentType) {
  try {
    const Poco::URI uri(url);
    if (uri.getScheme() != "http") return std::nullopt;  // loopback test servers speak plain HTTP
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) return std::nullopt;
    contentType = response.getContentType();
    return body;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> fetchMedia(const std::string& url) {
  std::string contentType;
  return fetchMedia(url, contentType);
}

}  // namespace marketsage::test
