#include "plugins/Plugin.h"

#include "plugins/HostServices.h"
#include "plugins/LoadedPlugin.h"

#include "core/Json.h"
#include "core/Time.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <exception>

namespace json = boost::json;

namespace marketsage::plugins {

std::string_view toString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Ok: return "ok";
    case ErrorKind::InvalidInput: return "invalid_input";
    case ErrorKind::AuthExpired: return "auth_expired";
    case ErrorKind::AuthInvalid: return "auth_invalid";
    case ErrorKind::RateLimited: return "rate_limited";
    case ErrorKind::Transient: return "transient";
    case ErrorKind::Permanent: return "permanent";
    case ErrorKind::NotSupported: return "not_supported";
    case ErrorKind::OutcomeUnknown: return "outcome_unknown";
    case ErrorKind::PluginFault: return "plugin_fault";
  }
  return "plugin_fault";
}

std::string_view toString(Operation op) {
  switch (op) {
    case Operation::AuthorizeUrl: return "authorize_url";
    case Operation::ExchangeCode: return "exchange_code";
    case Operation::RefreshToken: return "refresh";
    case Operation::RevokeToken: return "revoke";
    case Operation::ListAccounts: return "list_accounts";
    case Operation::Validate: return "validate";
    case Operation::Publish: return "publish";
    case Operation::UploadMedia: return "upload";
    case Operation::DeletePost: return "delete_post";
    case Operation::AccountInsights: return "account_insights";
    case Operation::PostInsights: return "post_insights";
    case Operation::CheckToken: return "check_token";
    case Operation::ApiVersion: return "api_version";
    case Operation::Reconcile: return "reconcile";
    case Operation::RegisterApp: return "register_app";
  }
  return "unknown";
}

std::optional<long> daysToSunset(const PluginInfo& info, std::int64_t nowMillis) {
  if (!info.apiVersion || info.apiVersion->sunsetAt.empty()) return std::nullopt;
  const auto sunset = marketsage::time::parseIso8601(info.apiVersion->sunsetAt + "T00:00:00Z");
  if (!sunset) return std::nullopt;
  const auto diff = *sunset - nowMillis;
  return static_cast<long>(diff >= 0 ? diff / marketsage::time::dayMillis
                                     : -((-diff + marketsage::time::dayMillis - 1) / marketsage::time::dayMillis));
}

std::optional<std::string> apiVersionWarning(const PluginInfo& info, std::int64_t nowMillis) {
  const auto days = daysToSunset(info, nowMillis);
  if (!days || *days > 60) return std::nullopt;
  const auto& v = *info.apiVersion;
  const std::string when = v.estimated ? "around " + v.sunsetAt : "on " + v.sunsetAt;
  const std::string fix = ": set plugins." + info.id + ".api_version to a current version";
  if (*days < 0)
    return info.id + " pins API version " + v.version + ", which the platform stopped serving " + when + fix;
  return info.id + " pins API version " + v.version + ", which the platform stops serving " + when + " (in " +
         std::to_string(*days) + " days)" + fix;
}

const std::vector<Operation>& allOperations() {
  static const std::vector<Operation> ops = {
      Operation::AuthorizeUrl, Operation::ExchangeCode,    Operation::RefreshToken, Operation::RevokeToken,
      Operation::ListAccounts, Operation::Validate,        Operation::Publish,      Operation::UploadMedia,
      Operation::DeletePost,   Operation::AccountInsights, Operation::PostInsights, Operation::CheckToken,
      Operation::ApiVersion,   Operation::Reconcile,       Operation::RegisterApp};
  return ops;
}

namespace {

/// The ms_reply of one call: collects the JSON and the error details, bounded by a size limit.
class Reply {
 public:
  explicit Reply(std::size_t limit) : limit_(limit) {
    abi_.struct_size = sizeof(ms_reply);
    abi_.host_data = this;
    abi_.write = &Reply::write;
    abi_.error = &Reply::error;
  }
  const ms_reply* abi() const { return &abi_; }

  std::string body, message, platformCode;
  int retryAfter = 0;
  bool overflow = false;

 private:
  static Reply& self(const ms_reply* r) { return *static_cast<Reply*>(r->host_data); }
  static int write(const ms_reply* r, const char* data, size_t len) {
    if (r == nullptr) return -1;
    Reply& s = self(r);
    if (len == 0) return 0;
    if (data == nullptr || s.overflow || len > s.limit_ - s.body.size()) {
      s.overflow = true;
      return -1;
    }
    try {
      s.body.append(data, len);
      return 0;
    } catch (...) {
      s.overflow = true;
      return -1;
    }
  }
  static void error(const ms_reply* r, const char* message, const char* platformCode, int32_t retryAfter) {
    if (r == nullptr) return;
    Reply& s = self(r);
    try {
      s.message = message ? std::string(message).substr(0, 4096) : std::string();
      s.platformCode = platformCode ? std::string(platformCode).substr(0, 256) : std::string();
      s.retryAfter = retryAfter > 0 ? retryAfter : 0;
    } catch (...) {
    }
  }

  ms_reply abi_{};
  std::size_t limit_;
};

ErrorKind kindOf(ms_status status) {
  switch (status) {
    case MS_OK: return ErrorKind::Ok;
    case MS_ERR_INVALID_INPUT: return ErrorKind::InvalidInput;
    case MS_ERR_AUTH_EXPIRED: return ErrorKind::AuthExpired;
    case MS_ERR_AUTH_INVALID: return ErrorKind::AuthInvalid;
    case MS_ERR_RATE_LIMITED: return ErrorKind::RateLimited;
    case MS_ERR_TRANSIENT: return ErrorKind::Transient;
    case MS_ERR_PERMANENT: return ErrorKind::Permanent;
    case MS_ERR_NOT_SUPPORTED: return ErrorKind::NotSupported;
    case MS_ERR_OUTCOME_UNKNOWN: return ErrorKind::OutcomeUnknown;
    default: return ErrorKind::PluginFault;
  }
}

}  // namespace

Plugin::Plugin(std::unique_ptr<LoadedPlugin> loaded) : loaded_(std::move(loaded)) {}
Plugin::~Plugin() = default;

const PluginInfo& Plugin::info() const { return loaded_->info(); }

bool Plugin::supports(Operation op) const { return loaded_->function(op) != nullptr; }

CallResult Plugin::call(Operation op, const json::value& request) const {
  auto result = call(op, std::string_view(marketsage::jsontext::write(request)));
  // A plugin's message may quote what it sent (a URL with a bot token in its path, a form): the
  // tokens the host gave it never reach an answer, a log line or the database through it.
  std::vector<std::string> secrets;
  if (request.is_object()) {
    for (const char* field : {"accessToken", "refreshToken"}) {
      if (const auto* value = request.as_object().if_contains(field); value && value->is_string())
        secrets.emplace_back(value->as_string());
    }
  }
  if (!secrets.empty()) {
    result.message = redact(result.message, secrets);
    result.platformCode = redact(result.platformCode, secrets);
  }
  return result;
}

CallResult Plugin::call(Operation op, std::string_view requestText) const {
  return invokePlugin(*loaded_, op, requestText.data(), requestText.size());
}

CallResult invokePlugin(const LoadedPlugin& plugin, Operation op, const char* request, std::size_t length) {
  CallResult result;
  const HostServices* host = plugin.host();
  auto fault = [&](std::string why) {
    if (result.kind != ErrorKind::PluginFault) result.status = MS_ERR_PERMANENT;  // not a raw code
    result.kind = ErrorKind::PluginFault;
    result.message = std::move(why);
    if (host) host->log(MS_LOG_ERROR, std::string(toString(op)) + ": " + result.message);
    return result;
  };

  const ms_call_fn fn = plugin.function(op);
  if (fn == nullptr || host == nullptr) {
    result.kind = ErrorKind::NotSupported;
    result.status = MS_ERR_NOT_SUPPORTED;
    result.message = "plugin '" + plugin.info().id + "' does not support " + std::string(toString(op));
    return result;
  }

  Reply reply(host->options().maxReplyBytes);
  HostServices::AmbiguousRequests ambiguous;  // requests of this call that may have acted unanswered
  try {
    result.status = fn(request, length, reply.abi());
  } catch (const std::exception& e) {
    return fault(std::string("C++ exception escaped the plugin: ") + e.what());
  } catch (...) {
    return fault("unknown exception escaped the plugin");
  }
  result.kind = kindOf(result.status);
  result.message = std::move(reply.message);
  result.platformCode = std::move(reply.platformCode);
  result.retryAfterSeconds = reply.retryAfter;
  if (result.kind == ErrorKind::PluginFault)
    return fault("unknown status code " + std::to_string(result.status) +
                 (result.message.empty() ? "" : " (" + result.message + ")"));
  if (reply.overflow) return fault("reply larger than " + std::to_string(host->options().maxReplyBytes) + " bytes");
  // A plugin built before ABI 1.2 cannot say "outcome unknown": when its publish reports a
  // transient failure after a write request went out and got no answer (or a gateway's 5xx),
  // the post may exist, and resending it could post twice.
  if (op == Operation::Publish && result.kind == ErrorKind::Transient && plugin.info().abiMinor < 2 &&
      ambiguous.count() > 0) {
    result.kind = ErrorKind::OutcomeUnknown;
    result.status = MS_ERR_OUTCOME_UNKNOWN;
    result.message +=
        (result.message.empty() ? "" : "; ") + std::string("a request may have reached the platform unanswered");
  }

  if (reply.body.empty()) {
    if (result.ok()) result.json = json::object();
    return result;
  }
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  result.json = json::parse(reply.body, ec, {}, options);
  if (ec) {
    result = CallResult{};
    return fault("reply is not valid JSON: " + ec.message());
  }
  return result;
}

}  // namespace marketsage::plugins
