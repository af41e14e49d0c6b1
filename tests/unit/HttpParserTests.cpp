#include "http/RequestHead.h"

#include <catch2/catch.hpp>

using namespace marketsage::http;

namespace {

RequestHead parsed(std::string_view text) {
  auto result = parseHead(text);
  if (auto* error = std::get_if<HeadError>(&result)) FAIL("refused: " << error->status << " " << error->detail);
  return std::get<RequestHead>(result);
}

int refusal(std::string_view text) {
  auto result = parseHead(text);
  const auto* error = std::get_if<HeadError>(&result);
  return error != nullptr ? error->status : 0;
}

std::string decode(std::string_view body, ChunkedDecoder::State expected, std::size_t* used = nullptr) {
  ChunkedDecoder decoder;
  std::string out;
  const auto n = decoder.feed(body, out);
  if (used) *used = n;
  CHECK(decoder.state() == expected);
  return out;
}

}  // namespace

TEST_CASE("a request head: method, target, version, fields and framing", "[http]") {
  const auto head =
      parsed("POST /api/orgs?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nX-A:  spaced value \t\r\n\r\n");
  CHECK(head.method == "POST");
  CHECK(head.target == "/api/orgs?x=1");
  CHECK(head.path == "/api/orgs");
  CHECK(head.minorVersion == 1);
  CHECK(head.framing == BodyFraming::Length);
  CHECK(head.contentLength == 12);
  CHECK(*head.find("x-a") == "spaced value");
  CHECK(head.keepAlive);

  CHECK(parsed("GET / HTTP/1.0\n\n").keepAlive == false);  // bare LF line ends; 1.0 closes
  CHECK(parsed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive);
  CHECK_FALSE(parsed("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").keepAlive);
  CHECK(parsed("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").method == "GET");  // leading empty lines
  CHECK(parsed("GET http://example.com/a/b?c HTTP/1.1\r\nHost: h\r\n\r\n").target == "/a/b?c");
  CHECK(parsed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n").framing == BodyFraming::Chunked);
  CHECK(parsed("GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n").expectContinue);
}

TEST_CASE("heads that two readers could frame differently are refused", "[http]") {
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == 400);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n") == 400);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1,1\r\n\r\n") == 400);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n") == 400);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n") == 400);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n") == 400);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n") == 400);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n") == 400);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n") ==
        400);
  CHECK(refusal("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
  CHECK(refusal("GET / HTTP/1.1\r\nHost : h\r\n\r\n") == 400);              // space before the colon
  CHECK(refusal("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n") == 400);    // obs-fold
  CHECK(refusal("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n") == 400);         // bare CR
  CHECK(refusal("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01z\r\n\r\n") == 400);  // control character
  CHECK(refusal("GET / HTTP/1.1\r\n\r\n") == 400);                          // no Host
  CHECK(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
  CHECK(refusal("GET  / HTTP/1.1\r\nHost: h\r\n\r\n") == 400);  // double space
  CHECK(refusal("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n") == 400);
  CHECK(refusal("GET nopath HTTP/1.1\r\nHost: h\r\n\r\n") == 400);
  CHECK(refusal("G(T / HTTP/1.1\r\nHost: h\r\n\r\n") == 400);
  CHECK(refusal("GET / HTTP/2.0\r\nHost: h\r\n\r\n") == 505);
  CHECK(refusal("GET / HTTP/1.1x\r\nHost: h\r\n\r\n") == 400);
  CHECK(refusal("GET / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n") == 417);
  CHECK(refusal("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n") == 414);
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 120; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  CHECK(refusal(many + "\r\n") == 431);
}

TEST_CASE("the end of a head is found across CRLF and bare LF, not inside it", "[http]") {
  CHECK(findHeadEnd("GET / HTTP/1.1\r\nHost: h\r\n") == std::string::npos);
  CHECK(findHeadEnd("GET / HTTP/1.1\r\nHost: h\r\n\r\nBODY") == 27);
  CHECK(findHeadEnd("GET / HTTP/1.1\nHost: h\n\nBODY") == 24);
  CHECK(findHeadEnd("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n") == 29);
}

TEST_CASE("chunked bodies decode exactly, and every lie about a size is caught", "[http]") {
  std::size_t used = 0;
  CHECK(decode("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT", ChunkedDecoder::State::Done, &used) ==
        "hello world");
  CHECK(used == std::string_view("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n").size());
  CHECK(decode("A\r\n0123456789\r\n0\r\n\r\n", ChunkedDecoder::State::Done) == "0123456789");
  CHECK(decode("5\r\nhel", ChunkedDecoder::State::Working) == "hel");

  decode("5\r\nhello world\r\n0\r\n\r\n", ChunkedDecoder::State::Failed);  // longer than its size
  decode("zz\r\nhello\r\n0\r\n\r\n", ChunkedDecoder::State::Failed);
  decode("1000000000000000\r\n", ChunkedDecoder::State::Failed);  // overflows
  CHECK(decode("5 ;x\r\nhello\r\n0\r\n\r\n", ChunkedDecoder::State::Done) ==
        "hello");                                                      // whitespace before an extension
  decode("5 x\r\nhello\r\n0\r\n\r\n", ChunkedDecoder::State::Failed);  // not an extension
  decode("5\rhello\r\n0\r\n\r\n", ChunkedDecoder::State::Failed);      // size line without LF
  decode("5\r\nhello\r\n0\r\nbad\rtrailer\r\n\r\n", ChunkedDecoder::State::Failed);
  decode("-5\r\nhello\r\n", ChunkedDecoder::State::Failed);

  // Fed a byte at a time, the same body decodes the same.
  ChunkedDecoder decoder;
  std::string out;
  const std::string body = "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  for (char c : body) decoder.feed(std::string_view(&c, 1), out);
  CHECK(decoder.state() == ChunkedDecoder::State::Done);
  CHECK(out == "abcde");
}
