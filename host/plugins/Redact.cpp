// marketsage::plugins::redact — credentials out of plugin log lines and logged URLs.
#include "plugins/HostServices.h"

#include <algorithm>
#include <cctype>

namespace marketsage::plugins {

namespace {

constexpr auto npos = std::string_view::npos;

constexpr std::string_view kSchemes[] = {"bearer", "basic", "oauth"};
constexpr std::string_view kParams[] = {"access_token", "refresh_token", "id_token", "client_secret", "code_verifier",
                                        "appsecret_proof", "api_key", "apikey", "password", "token", "secret",
                                        "signature", "sig",
                                        // OAuth codes and Meta's token-exchange parameters travel in
                                        // query strings of documented GET calls.
                                        "code", "fb_exchange_token", "input_token", "client_assertion"};
constexpr std::string_view kFields[] = {"accesstoken", "refreshtoken", "idtoken",       "access_token", "refresh_token",
                                        "id_token",    "clientsecret", "client_secret", "codeverifier", "code_verifier",
                                        "password",    "token",        "secret"};

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool isSpace(char c) { return c == ' ' || c == '\t'; }

/// True when `s` has `word` (lower case) at `i`, case-insensitively.
bool hasAt(std::string_view s, std::size_t i, std::string_view word) {
  if (s.size() - i < word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(s[i + k])) != word[k]) return false;
  return true;
}

/// The index of the first character from `j` on where `stop` holds (or the end).
template <typename Stop>
std::size_t skipValue(std::string_view v, std::size_t j, Stop stop) {
  while (j < v.size() && !stop(v[j])) ++j;
  return j;
}

/// Each redact* below looks at `v[i]`: on a match it appends the redacted text to `out` and returns
/// where to go on; otherwise it appends nothing and returns npos.

/// "Bearer <token>" and the like.
std::size_t redactScheme(std::string_view v, std::size_t i, std::string& out) {
  for (auto scheme : kSchemes) {
    std::size_t j = i + scheme.size();
    if (!hasAt(v, i, scheme) || j >= v.size() || !isSpace(v[j])) continue;
    while (j < v.size() && isSpace(v[j])) ++j;
    const std::size_t end =
        skipValue(v, j, [](char c) { return isSpace(c) || c == '"' || c == ',' || c == ';' || c == '\n'; });
    if (end == j) continue;
    out.append(v.substr(i, j - i)).append("***");
    return end;
  }
  return npos;
}

/// "token=<value>" style parameters.
std::size_t redactParam(std::string_view v, std::size_t i, std::string& out) {
  for (auto param : kParams) {
    const std::size_t j = i + param.size();
    if (!hasAt(v, i, param) || j >= v.size() || v[j] != '=') continue;
    const std::size_t end =
        skipValue(v, j + 1, [](char c) { return c == '&' || isSpace(c) || c == '"' || c == '\'' || c == '\n'; });
    out.append(v.substr(i, j + 1 - i)).append("***");
    return end;
  }
  return npos;
}

/// A bot token in a URL path, as the Telegram Bot API wants it: /bot<id>:<secret>/method.
std::size_t redactBotPath(std::string_view v, std::size_t i, std::string& out) {
  if (v[i] != '/' || !hasAt(v, i + 1, "bot")) return npos;
  std::size_t j = i + 4;
  while (j < v.size() && std::isdigit(static_cast<unsigned char>(v[j]))) ++j;
  if (j == i + 4 || j >= v.size() || v[j] != ':') return npos;
  out.append("/bot***");
  return skipValue(v, j, [](char c) { return c == '/' || c == '?' || isSpace(c) || c == '"' || c == '\n'; });
}

/// "accessToken": "<value>" style JSON fields.
std::size_t redactField(std::string_view v, std::size_t i, std::string& out) {
  if (v[i] != '"') return npos;
  for (auto field : kFields) {
    std::size_t j = i + 1 + field.size();
    if (!hasAt(v, i + 1, field) || j >= v.size() || v[j] != '"') continue;
    ++j;
    while (j < v.size() && isSpace(v[j])) ++j;
    if (j >= v.size() || v[j] != ':') continue;
    ++j;
    while (j < v.size() && isSpace(v[j])) ++j;
    if (j >= v.size() || v[j] != '"') continue;
    std::size_t end = j + 1;
    while (end < v.size() && v[end] != '"') end += v[end] == '\\' ? 2 : 1;
    out.append(v.substr(i, j + 1 - i)).append("***\"");
    return std::min(end + 1, v.size());
  }
  return npos;
}

std::size_t redactAt(std::string_view v, std::size_t i, std::string& out) {
  std::size_t next = npos;
  if (i == 0 || !isWordChar(v[i - 1])) {
    next = redactScheme(v, i, out);
    if (next == npos) next = redactParam(v, i, out);
  }
  if (next == npos) next = redactBotPath(v, i, out);
  if (next == npos) next = redactField(v, i, out);
  return next;
}

}  // namespace

std::string redact(std::string_view text, const std::vector<std::string>& secrets) {
  std::string s(text);
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;
    for (auto pos = s.find(secret); pos != std::string::npos; pos = s.find(secret, pos + 3))
      s.replace(pos, secret.size(), "***");
  }
  // One linear pass (no std::regex: plugin log lines may be huge): replace the value after
  // "Bearer ", after "token=" style parameters and after "accessToken": style JSON fields.
  std::string out;
  out.reserve(s.size());
  const std::string_view v(s);
  std::size_t i = 0;
  while (i < v.size()) {
    const std::size_t next = redactAt(v, i, out);
    if (next == npos) {
      out += v[i];
      ++i;
    } else {
      i = next;
    }
  }
  return out;
}

}  // namespace marketsage::plugins
