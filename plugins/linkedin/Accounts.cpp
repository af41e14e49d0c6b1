// Accounts (the member, and the organizations the member administers) and the token check.
#include "LinkedIn.h"

namespace linkedin {
namespace {

constexpr int kPageSize = 100;
constexpr int kMaxPages = 10;  // 1000 administered pages is beyond any real member

/// The member as an Account, from Sign In with LinkedIn using OpenID Connect.
std::string memberAccount(const std::string& token) {
  const auto r = callApi("GET", "/v2/userinfo", token, "openid profile");
  const auto sub = host.string(r.body, "/sub");
  if (!sub || sub->empty()) throw Error(MS_ERR_PERMANENT, "LinkedIn userinfo has no sub");
  auto account = Json::object();
  account.field("id", "urn:li:person:" + *sub)
      .field("name", host.string(r.body, "/name").value_or(""))
      .field("type", "user");
  if (auto picture = host.string(r.body, "/picture")) account.field("pictureUrl", *picture);
  return account.str();
}

/// URNs of the organizations the member administers (approved ADMINISTRATOR role).
std::vector<std::string> administeredOrganizations(const std::string& token) {
  std::vector<std::string> urns;
  for (int page = 0; page < kMaxPages; ++page) {
    const auto r = callApi("GET",
                           "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&start=" +
                               std::to_string(page * kPageSize) + "&count=" + std::to_string(kPageSize),
                           token, "rw_organization_admin");
    const auto n = host.count(r.body, "/elements");
    for (size_t i = 0; i < n; ++i)
      if (auto urn = host.string(r.body, ("/elements/" + std::to_string(i) + "/organization").c_str()))
        urns.push_back(*urn);
    const auto total = host.integer(r.body, "/paging/total");
    if (n < static_cast<size_t>(kPageSize) || (total && static_cast<long long>(urns.size()) >= *total)) break;
  }
  return urns;
}

std::string organizationAccount(const std::string& urn, const std::string& token) {
  const auto id = urn.substr(urn.rfind(':') + 1);
  const auto r = callApi("GET", "/rest/organizations/" + host.urlEncode(id), token, "rw_organization_admin");
  return Json::object()
      .field("id", urn)
      .field("name", host.string(r.body, "/localizedName").value_or(id))
      .field("type", "organization")
      .raw("metadata", Json::object().field("role", "ADMINISTRATOR"))
      .str();
}

}  // namespace

ms_status listAccounts(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto token = accessToken(host.objectRequest(req, len));
    auto accounts = Json::array();
    accounts.pushRaw(memberAccount(token));
    for (const auto& urn : administeredOrganizations(token)) accounts.pushRaw(organizationAccount(urn, token));
    return Json::object().raw("accounts", accounts).str();
  });
}

ms_status checkToken(const char* req, size_t len, const ms_reply* reply) {
  return marketsage::sdk::guard(req, len, reply, [&] {
    const auto token = accessToken(host.objectRequest(req, len));
    const auto r = callApi("GET", "/v2/userinfo", token, "openid profile");
    auto out = Json::object().field("healthy", true);
    if (auto sub = host.string(r.body, "/sub")) out.field("accountId", "urn:li:person:" + *sub);
    return out.str();
  });
}

}  // namespace linkedin
