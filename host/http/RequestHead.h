#pragma once
/// The request line and header fields of one HTTP/1.x request, parsed strictly (RFC 9112), and
/// the framing of its body decided once, here. Anything a proxy in front of us could read
/// differently (two lengths, a length beside chunked, an unknown coding, folded or spaced field
/// names) is refused, so no byte of a body is ever taken for the start of another request.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace marketsage::http {

struct HeaderField {
  std::string name;   ///< as sent
  std::string value;  ///< without surrounding whitespace
};

enum class BodyFraming { None, Length, Chunked };

struct RequestHead {
  std::string method;
  std::string target;    ///< the request-target as sent (origin-form: path and query)
  std::string path;      ///< target up to '?'
  int minorVersion = 1;  ///< HTTP/1.0 or HTTP/1.1
  std::vector<HeaderField> fields;
  BodyFraming framing = BodyFraming::None;
  std::uint64_t contentLength = 0;  ///< with BodyFraming::Length
  bool keepAlive = true;            ///< what the client asked for (version and Connection)
  bool expectContinue = false;

  /// The first field of that name (case-insensitive), or nullptr.
  const std::string* find(std::string_view name) const;
  bool hasBody() const {
    return framing == BodyFraming::Chunked || (framing == BodyFraming::Length && contentLength > 0);
  }
};

/// Why a head was refused: the status to answer (400, 414, 431, 501, 505) and a short reason.
struct HeadError {
  int status;
  std::string detail;
};

/// Where the head in `buffer` ends (just past its empty line), or npos while it is incomplete.
/// Lines may end in CRLF or a bare LF. `from` lets a caller resume a search it already made.
std::size_t findHeadEnd(std::string_view buffer, std::size_t from = 0);

struct HeadLimits {
  std::size_t maxTargetBytes = 8192;
  std::size_t maxFields = 100;
};

/// Parses a complete head (through its empty line). Empty lines before the request line are
/// skipped (RFC 9112 section 2.2).
std::variant<RequestHead, HeadError> parseHead(std::string_view head, const HeadLimits& limits = {});

/// Decodes a chunked body (RFC 9112 section 7.1) as it arrives, refusing anything malformed: a
/// size that is not hexadecimal or overflows, data longer or shorter than its size, a missing
/// CRLF, oversized extensions or trailers. Trailer fields are read and dropped.
class ChunkedDecoder {
 public:
  enum class State { Working, Done, Failed };

  /// Consumes bytes of `input`, appending decoded data to `out`; returns how many bytes it used.
  /// Stops at the end of the body (state() == Done), so whatever follows stays with the caller.
  std::size_t feed(std::string_view input, std::string& out);
  State state() const { return state_; }
  const std::string& error() const { return error_; }
  std::uint64_t decodedBytes() const { return decoded_; }

 private:
  enum class Step { Size, Extension, SizeEnd, Data, DataCr, DataLf, Trailer, TrailerLf };
  void fail(std::string why);

  Step step_ = Step::Size;
  State state_ = State::Working;
  std::string error_;
  std::uint64_t remaining_ = 0;  ///< data bytes left in the current chunk
  std::uint64_t decoded_ = 0;
  std::size_t digits_ = 0;
  std::size_t lineBytes_ = 0;  ///< size line or trailer bytes seen, bounded
  std::size_t trailerBytes_ = 0;
  bool trailerLineEmpty_ = true;
  bool sawCr_ = false;
  bool inExtension_ = false;
};

}  // namespace marketsage::http
