#include "http/RequestHead.h"

#include <algorithm>
#include <cctype>

namespace marketsage::http {
namespace {

bool isTokenChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

bool isToken(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return isTokenChar(static_cast<unsigned char>(c)); });
}

/// field-value characters: visible ASCII, space, tab and obs-text; never CR, LF, NUL or other controls.
bool isFieldValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// The comma-separated members of a list field (RFC 9110 section 5.6.1), empty ones dropped,
/// each without parameters (";q=…") and in lower case.
std::vector<std::string> listMembers(std::string_view value) {
  std::vector<std::string> members;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto comma = value.find(',', start);
    auto member =
        trimWhitespace(value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    member = trimWhitespace(member.substr(0, member.find(';')));
    if (!member.empty()) {
      std::string lower(member);
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      members.push_back(std::move(lower));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return members;
}

HeadError bad(std::string detail) { return {400, std::move(detail)}; }

/// Splits `head` into lines ending in LF (a CR before the LF is dropped; a CR anywhere else is not
/// a line ending any recipient agrees on, so the head is refused).
std::variant<std::vector<std::string_view>, HeadError> splitLines(std::string_view head) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < head.size()) {
    const auto lf = head.find('\n', start);
    if (lf == std::string_view::npos) return bad("the request head does not end with an empty line");
    auto line = head.substr(start, lf - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return bad("a bare CR in the request head");
    lines.push_back(line);
    start = lf + 1;
  }
  return lines;
}

/// request-line = method SP request-target SP HTTP-version, with single spaces.
std::optional<HeadError> parseRequestLine(std::string_view line, RequestHead& head, const HeadLimits& limits) {
  const auto firstSpace = line.find(' ');
  const auto lastSpace = line.rfind(' ');
  if (firstSpace == std::string_view::npos || firstSpace == lastSpace) return bad("the request line is malformed");
  const auto method = line.substr(0, firstSpace);
  const auto target = line.substr(firstSpace + 1, lastSpace - firstSpace - 1);
  const auto version = line.substr(lastSpace + 1);
  if (!isToken(method)) return bad("the request method is malformed");

  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !std::isdigit(static_cast<unsigned char>(version[5])) ||
      version[6] != '.' || !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return bad("the HTTP version is malformed");
  }
  if (version[5] != '1') return HeadError{505, "only HTTP/1.0 and HTTP/1.1 are served"};
  head.minorVersion = version[7] == '0' ? 0 : 1;  // a later 1.x is answered as 1.1 (RFC 9110 section 2.5)

  if (target.size() > limits.maxTargetBytes)
    return HeadError{414, "the request target is longer than " + std::to_string(limits.maxTargetBytes) + " bytes"};
  if (target.empty() || std::any_of(target.begin(), target.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u >= 0x7f;
      })) {
    return bad("the request target is malformed");
  }
  std::string_view path = target;
  if (target.front() != '/') {
    // absolute-form (RFC 9112 section 3.2.2) is accepted; its authority is ignored like a proxy's.
    const auto scheme = target.find("://");
    const bool absolute = scheme != std::string_view::npos && (equalsIgnoreCase(target.substr(0, scheme), "http") ||
                                                               equalsIgnoreCase(target.substr(0, scheme), "https"));
    if (target == "*" && method == "OPTIONS") {
      path = "*";
    } else if (absolute) {
      const auto slash = target.find('/', scheme + 3);
      path = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    } else {
      return bad("the request target must be a path");
    }
  }
  head.method = std::string(method);
  head.target = std::string(path);
  head.path = std::string(path.substr(0, path.find('?')));
  return std::nullopt;
}

/// Content-Length, Transfer-Encoding, Host, Connection and Expect decide how the request is read;
/// each of them is checked for anything two readers could disagree on (RFC 9112 section 6.3).
std::optional<HeadError> decideFraming(RequestHead& head) {
  std::vector<const std::string*> lengths;
  std::vector<std::string> codings;
  int hosts = 0;
  bool sawTransferEncoding = false;
  for (const auto& field : head.fields) {
    if (equalsIgnoreCase(field.name, "content-length")) {
      lengths.push_back(&field.value);
    } else if (equalsIgnoreCase(field.name, "transfer-encoding")) {
      sawTransferEncoding = true;
      for (auto& member : listMembers(field.value)) codings.push_back(std::move(member));
    } else if (equalsIgnoreCase(field.name, "host")) {
      ++hosts;
    } else if (equalsIgnoreCase(field.name, "connection")) {
      for (const auto& option : listMembers(field.value)) {
        if (option == "close") head.keepAlive = false;
        if (option == "keep-alive" && head.minorVersion == 0) head.keepAlive = true;
      }
    } else if (equalsIgnoreCase(field.name, "expect")) {
      if (!equalsIgnoreCase(trimWhitespace(field.value), "100-continue"))
        return HeadError{417, "only \"Expect: 100-continue\" is understood"};
      head.expectContinue = true;
    }
  }
  if (hosts > 1) return bad("more than one Host field");
  if (hosts == 0 && head.minorVersion == 1) return bad("an HTTP/1.1 request needs a Host field");

  if (sawTransferEncoding) {
    if (head.minorVersion == 0) return bad("Transfer-Encoding in an HTTP/1.0 request");
    if (!lengths.empty()) return bad("both Content-Length and Transfer-Encoding");
    if (codings.empty() || codings.back() != "chunked")
      return bad("the body's transfer coding does not end in chunked");
    if (std::count(codings.begin(), codings.end(), "chunked") > 1) return bad("chunked applied more than once");
    if (codings.size() > 1) return HeadError{501, "only the chunked transfer coding is understood"};
    head.framing = BodyFraming::Chunked;
    return std::nullopt;
  }
  if (lengths.size() > 1) return bad("more than one Content-Length field");
  if (lengths.size() == 1) {
    const auto& text = *lengths.front();
    if (text.empty() || text.size() > 18 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return bad("Content-Length is not a decimal number");
    }
    head.contentLength = std::stoull(text);
    head.framing = BodyFraming::Length;
  }
  return std::nullopt;
}

}  // namespace

const std::string* RequestHead::find(std::string_view name) const {
  for (const auto& field : fields) {
    if (equalsIgnoreCase(field.name, name)) return &field.value;
  }
  return nullptr;
}

std::size_t findHeadEnd(std::string_view buffer, std::size_t from) {
  // Skip the empty lines a client may send before a request (after a previous body, say).
  std::size_t start = 0;
  while (start < buffer.size() && (buffer[start] == '\r' || buffer[start] == '\n')) ++start;
  for (std::size_t lf = buffer.find('\n', std::max(from, start)); lf != std::string_view::npos;
       lf = buffer.find('\n', lf + 1)) {
    if (lf + 1 < buffer.size() && buffer[lf + 1] == '\n') return lf + 2;
    if (lf + 2 < buffer.size() && buffer[lf + 1] == '\r' && buffer[lf + 2] == '\n') return lf + 3;
  }
  return std::string_view::npos;
}

std::variant<RequestHead, HeadError> parseHead(std::string_view text, const HeadLimits& limits) {
  while (!text.empty() && (text.front() == '\r' || text.front() == '\n')) text.remove_prefix(1);
  auto split = splitLines(text);
  if (auto* error = std::get_if<HeadError>(&split)) return *error;
  const auto& lines = std::get<std::vector<std::string_view>>(split);
  if (lines.size() < 2 || !lines.back().empty()) return bad("the request head is incomplete");

  RequestHead head;
  if (auto error = parseRequestLine(lines.front(), head, limits)) return *error;
  head.keepAlive = head.minorVersion == 1;
  if (lines.size() - 2 > limits.maxFields)
    return HeadError{431, "more than " + std::to_string(limits.maxFields) + " header fields"};
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    const auto line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') return bad("folded header lines are not accepted");
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return bad("a header line without a colon");
    const auto name = line.substr(0, colon);
    // No whitespace between a field name and its colon (RFC 9112 section 5.1).
    if (!isToken(name)) return bad("a malformed header field name");
    const auto value = trimWhitespace(line.substr(colon + 1));
    if (!std::all_of(value.begin(), value.end(),
                     [](char c) { return isFieldValueChar(static_cast<unsigned char>(c)); })) {
      return bad("a control character in the " + std::string(name) + " field");
    }
    head.fields.push_back({std::string(name), std::string(value)});
  }
  if (auto error = decideFraming(head)) return *error;
  return head;
}

// ---- chunked bodies ----------------------------------------------------------------------

void ChunkedDecoder::fail(std::string why) {
  state_ = State::Failed;
  error_ = std::move(why);
}

std::size_t ChunkedDecoder::feed(std::string_view input, std::string& out) {
  constexpr std::size_t maxSizeLine = 4096;  // chunk size plus extensions
  constexpr std::size_t maxTrailer = 16384;  // all trailer fields together
  std::size_t used = 0;
  while (used < input.size() && state_ == State::Working) {
    const char c = input[used];
    switch (step_) {
      case Step::Size: {
        const int digit = std::isxdigit(static_cast<unsigned char>(c))
                              ? (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10))
                              : -1;
        if (digit >= 0) {
          if (++digits_ > 15) return fail("a chunk size is too large"), used;
          remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(digit);
          ++used;
          break;
        }
        if (digits_ == 0) return fail("a chunk size is not hexadecimal"), used;
        step_ = (c == ';' || c == ' ' || c == '\t') ? Step::Extension : Step::SizeEnd;
        lineBytes_ = digits_;
        break;  // the same byte is looked at again in its new step
      }
      case Step::Extension:
        // chunk-ext (BWS ";" …) is read and ignored, but must stay on its line and within bounds.
        if (c == '\r' || c == '\n') {
          step_ = Step::SizeEnd;
          break;
        }
        if (++lineBytes_ > maxSizeLine) return fail("a chunk extension is too long"), used;
        if (!isFieldValueChar(static_cast<unsigned char>(c)))
          return fail("a control character in a chunk extension"), used;
        if (c == ';')
          inExtension_ = true;
        else if (!inExtension_ && c != ' ' && c != '\t')
          return fail("a chunk size is followed by something other than an extension"), used;
        ++used;
        break;
      case Step::SizeEnd:
        if (c == '\r' && !sawCr_) {
          sawCr_ = true;
          ++used;
          break;
        }
        if (c != '\n') return fail("a chunk size line does not end in CRLF"), used;
        ++used;
        sawCr_ = false;
        inExtension_ = false;
        digits_ = 0;
        if (remaining_ == 0) {
          step_ = Step::Trailer;
          trailerLineEmpty_ = true;
        } else {
          step_ = Step::Data;
        }
        break;
      case Step::Data: {
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - used));
        out.append(input.data() + used, take);
        used += take;
        remaining_ -= take;
        decoded_ += take;
        if (remaining_ == 0) step_ = Step::DataCr;
        break;
      }
      case Step::DataCr:
        // The data must be followed by CRLF: a chunk longer than its size fails here.
        if (c == '\r') {
          step_ = Step::DataLf;
          ++used;
          break;
        }
        if (c == '\n') {
          step_ = Step::Size;
          ++used;
          break;
        }
        return fail("a chunk is longer than its size"), used;
      case Step::DataLf:
        if (c != '\n') return fail("a chunk is not followed by CRLF"), used;
        step_ = Step::Size;
        ++used;
        break;
      case Step::Trailer:
        ++used;
        if (++trailerBytes_ > maxTrailer) return fail("the chunked trailer is too large"), used;
        if (c == '\r') {
          step_ = Step::TrailerLf;
          break;
        }
        if (c == '\n') {
          if (trailerLineEmpty_) {
            state_ = State::Done;
            break;
          }
          trailerLineEmpty_ = true;
          break;
        }
        if (!isFieldValueChar(static_cast<unsigned char>(c)))
          return fail("a control character in a trailer field"), used;
        trailerLineEmpty_ = false;
        break;
      case Step::TrailerLf:
        ++used;
        if (c != '\n') return fail("a bare CR in the chunked trailer"), used;
        if (trailerLineEmpty_) {
          state_ = State::Done;
          break;
        }
        trailerLineEmpty_ = true;
        step_ = Step::Trailer;
        break;
    }
  }
  return used;
}

}  // namespace marketsage::http
