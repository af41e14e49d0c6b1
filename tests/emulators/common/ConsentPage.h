// The consent page an OAuth emulator shows a browser (a request whose Accept names text/html):
// the app, the scopes it asks for, "Authorize app" and "Cancel". Both buttons submit a GET form
// back to the same endpoint with every original parameter plus `consent=allow` or `consent=deny`,
// and the endpoint then answers as it does for a client without a browser (the redirect with a
// code, or the platform's access_denied redirect). Clients that do not ask for HTML (every
// test that calls the endpoint directly) never see the page.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace marketsage::test {

/// The extra parameter of the page's buttons.
inline constexpr const char* consentParameter = "consent";

/// True when a browser asks (Accept names text/html) and has not answered the page yet.
inline bool showConsentPage(const std::string& accept, const std::map<std::string, std::string>& params) {
  return accept.find("text/html") != std::string::npos && params.find(consentParameter) == params.end();
}

inline std::string htmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

/// The page: `platform` ("X", "Facebook"), the app's name, the scopes, a form to `action` (the
/// endpoint's path) repeating `params`.
inline std::string consentPage(const std::string& platform, const std::string& appName,
                               const std::vector<std::string>& scopes, const std::string& action,
                               const std::map<std::string, std::string>& params) {
  std::string html =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
      htmlEscape(platform) + ": authorize " + htmlEscape(appName) +
      "</title></head><body><main id=\"consent\" data-platform=\"" + htmlEscape(platform) + "\"><h1>" +
      htmlEscape(appName) + " wants to access your " + htmlEscape(platform) + " account</h1><ul id=\"scopes\">";
  for (const auto& scope : scopes) html += "<li>" + htmlEscape(scope) + "</li>";
  html += "</ul><form method=\"get\" action=\"" + htmlEscape(action) + "\">";
  for (const auto& [name, value] : params)
    html += "<input type=\"hidden\" name=\"" + htmlEscape(name) + "\" value=\"" + htmlEscape(value) + "\">";
  html += std::string("<button type=\"submit\" id=\"authorize\" name=\"") + consentParameter +
          "\" value=\"allow\">Authorize app</button>" + " <button type=\"submit\" id=\"cancel\" name=\"" +
          consentParameter + "\" value=\"deny\">Cancel</button></form></main></body></html>";
  return html;
}

}  // namespace marketsage::test
