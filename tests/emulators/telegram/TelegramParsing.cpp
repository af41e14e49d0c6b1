// Multipart bodies, UTF-16 lengths and parse_mode (HTML, MarkdownV2, Markdown) as the Bot API
// reads them (https://core.telegram.org/bots/api#formatting-options).
#include "TelegramEmulator.h"

#include <algorithm>
#include <set>

namespace emulators::telegram_parsing {
namespace {

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string utf8(unsigned long cp) {
  std::string out;
  if (cp < 0x80)
    out += static_cast<char>(cp);
  else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

Parsed html(const std::string& text) {
  static const std::set<std::string> tags = {"b",    "strong", "i",          "em",      "u",          "ins",
                                             "s",    "strike", "del",        "span",    "tg-spoiler", "a",
                                             "code", "pre",    "blockquote", "tg-emoji"};
  Parsed out;
  std::vector<std::string> open;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '&') {
      const auto semi = text.find(';', i);
      const auto name = semi == std::string::npos ? std::string() : text.substr(i + 1, semi - i - 1);
      if (name == "lt")
        out.text += '<';
      else if (name == "gt")
        out.text += '>';
      else if (name == "amp")
        out.text += '&';
      else if (name == "quot")
        out.text += '"';
      else if (name.size() > 1 && name[0] == '#') {
        try {
          out.text += utf8(name[1] == 'x' || name[1] == 'X' ? std::stoul(name.substr(2), nullptr, 16)
                                                            : std::stoul(name.substr(1)));
        } catch (...) {
          out.text += '&';
          ++i;
          continue;
        }
      } else {  // not an entity: kept as is
        out.text += '&';
        ++i;
        continue;
      }
      i = semi + 1;
      continue;
    }
    if (c == '<') {
      const auto close = text.find('>', i);
      if (close == std::string::npos)
        return {{}, "Bad Request: can't parse entities: Unclosed start tag at byte offset " + std::to_string(i)};
      const bool end = i + 1 < text.size() && text[i + 1] == '/';
      std::string inner = text.substr(i + (end ? 2 : 1), close - i - (end ? 2 : 1));
      const auto name = lower(inner.substr(0, inner.find_first_of(" \t\n")));
      if (end) {
        if (open.empty() || open.back() != name)
          return {{},
                  "Bad Request: can't parse entities: Unmatched end tag at byte offset " + std::to_string(i) +
                      ", expected \"</" + (open.empty() ? std::string() : open.back()) + ">\", found \"</" + name +
                      ">\""};
        open.pop_back();
      } else {
        if (!tags.count(name))
          return {{},
                  "Bad Request: can't parse entities: Unsupported start tag \"" + name + "\" at byte offset " +
                      std::to_string(i)};
        open.push_back(name);
      }
      i = close + 1;
      continue;
    }
    out.text += c;
    ++i;
  }
  if (!open.empty())
    return {{},
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"" + open.back() + "\""};
  return out;
}

Parsed markdownV2(const std::string& text) {
  static const std::string reserved = "_*[]()~`>#+-=|{}.!";
  Parsed out;
  std::vector<std::pair<std::string, size_t>> open;  // marker, byte offset
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      out.text += text[++i];
      continue;
    }
    if (reserved.find(c) == std::string::npos) {
      out.text += c;
      continue;
    }
    std::string marker(1, c);
    if ((c == '_' || c == '|') && i + 1 < text.size() && text[i + 1] == c) marker += text[++i];
    if (marker == "*" || marker == "_" || marker == "__" || marker == "~" || marker == "||" || marker == "`") {
      if (!open.empty() && open.back().first == marker)
        open.pop_back();
      else
        open.emplace_back(marker, i);
      continue;
    }
    return {{},
            std::string("Bad Request: can't parse entities: Character '") + c +
                "' is reserved and must be escaped with the preceding '\\'"};
  }
  if (!open.empty())
    return {{},
            "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset " +
                std::to_string(open.back().second)};
  return out;
}

Parsed markdown(const std::string& text) {
  Parsed out;
  char open = 0;
  size_t openAt = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size() && std::string("_*`[").find(text[i + 1]) != std::string::npos) {
      out.text += text[++i];
      continue;
    }
    if (c == '*' || c == '_' || c == '`') {
      if (open == 0) {
        open = c;
        openAt = i;
        continue;
      }
      if (open == c) {
        open = 0;
        continue;
      }
    }
    out.text += c;
  }
  if (open != 0)
    return {{},
            "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset " +
                std::to_string(openAt)};
  return out;
}

}  // namespace

std::optional<std::vector<FormPart>> parseMultipart(const std::string& body, const std::string& boundary) {
  if (boundary.empty()) return std::nullopt;
  const std::string delimiter = "--" + boundary;
  std::vector<FormPart> parts;
  size_t pos = body.find(delimiter);
  if (pos != 0) return std::nullopt;
  for (;;) {
    pos += delimiter.size();
    if (body.compare(pos, 2, "--") == 0) return parts;
    if (body.compare(pos, 2, "\r\n") != 0) return std::nullopt;
    pos += 2;
    const auto headersEnd = body.find("\r\n\r\n", pos);
    if (headersEnd == std::string::npos) return std::nullopt;
    const auto headers = body.substr(pos, headersEnd - pos);
    const auto next = body.find("\r\n" + delimiter, headersEnd + 4);
    if (next == std::string::npos) return std::nullopt;
    FormPart part;
    size_t line = 0;
    while (line <= headers.size()) {
      auto end = headers.find("\r\n", line);
      if (end == std::string::npos) end = headers.size();
      const auto header = headers.substr(line, end - line);
      const auto lowered = lower(header);
      if (lowered.rfind("content-disposition:", 0) == 0) {
        // As tdlib's HttpReader reads it: "form-data;" first, then key=value pairs split at ';'
        // (a quoted value loses its quotes only when it both starts and ends with one).
        auto value = trimmed(header.substr(header.find(':') + 1));
        if (value.rfind("form-data;", 0) != 0) return std::nullopt;
        value.erase(0, 10);
        while (true) {
          value = trimmed(value);
          const auto eq = value.find('=');
          if (eq == std::string::npos) break;
          const auto key = trimmed(value.substr(0, eq));
          value.erase(0, eq + 1);
          const auto semi = value.find(';');
          auto v = trimmed(value.substr(0, semi));
          if (v.size() > 1 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
          value.erase(0, semi == std::string::npos ? value.size() : semi + 1);
          if (key == "name")
            part.name = v;
          else if (key == "filename")
            part.isFile = true, part.filename = v;
        }
      } else if (lowered.rfind("content-type:", 0) == 0) {
        part.contentType = header.substr(header.find(':') + 1);
        while (!part.contentType.empty() && part.contentType.front() == ' ') part.contentType.erase(0, 1);
      }
      line = end + 2;
    }
    if (part.name.empty()) return std::nullopt;
    part.content = body.substr(headersEnd + 4, next - headersEnd - 4);
    parts.push_back(std::move(part));
    pos = next + 2;
  }
}

size_t utf16Length(const std::string& text) {
  size_t units = 0;
  for (const unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;
    units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

std::string cleanText(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r') continue;
    if (c <= 32 && c != '\n') {
      out += ' ';
      continue;
    }
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) >= 0xA8 && static_cast<unsigned char>(text[i + 2]) <= 0xAE) {
      i += 2;
      continue;
    }
    if (c == 0xCC && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next == 0xB3 || next == 0xBF || next == 0x8A) {
        ++i;
        continue;
      }
    }
    out += text[i];
  }
  const auto first = out.find_first_not_of(" \n");
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(" \n") - first + 1);
}

bool isEmptyText(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t n = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
    n = std::min(n, text.size() - i);
    unsigned long cp = n == 1 ? lead : lead & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    i += n;
    const bool empty = cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r' || cp == 0xA0 || cp == 0x1680 ||
                       cp == 0x180E || (cp >= 0x2000 && cp <= 0x200F) || cp == 0x202E || cp == 0x202F || cp == 0x205F ||
                       cp == 0x2800 || cp == 0x3000 || cp == 0xFEFF || cp == 0xFFFC || (cp >= 0xE0000 && cp <= 0xE007F);
    if (!empty) return false;
  }
  return true;
}

Parsed applyParseMode(const std::string& text, const std::string& parseMode) {
  if (parseMode.empty()) return {text, {}};
  const auto mode = lower(parseMode);
  if (mode == "html") return html(text);
  if (mode == "markdownv2") return markdownV2(text);
  if (mode == "markdown") return markdown(text);
  return {{}, "Bad Request: unsupported parse_mode"};
}

}  // namespace emulators::telegram_parsing
