#include "webhooks/Deliverer.h"

#include "core/AddressGuard.h"
#include "core/Errors.h"
#include "core/Log.h"
#include "core/Problem.h"
#include "core/Random.h"
#include "core/Time.h"
#include "plugins/TlsClient.h"
#include "tenants/Directory.h"
#include "vault/TokenVault.h"
#include "webhooks/Webhook.h"
#include "webhooks/WebhookStore.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

namespace marketsage::webhooks {

struct Deliverer::Claimed {
  std::string id, organizationId, webhookId, eventId, payload;
  std::int64_t attempts = 0;  ///< before this one
};

struct Deliverer::Attempt {
  std::optional<std::int64_t> status;  ///< the endpoint's HTTP status, when it answered
  std::string error;                   ///< empty when delivered
  bool delivered = false;
  bool endpointGone = false;  ///< disabled or removed meanwhile: not retried, not counted
};

namespace {

constexpr std::size_t maxAnswerBytes = 2048;  ///< of the endpoint's answer, kept for the log
constexpr int claimBatch = 16;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// The delay before retry number `attempts` (1-based), jittered by up to a fifth either way.
std::int64_t retryDelayMillis(const std::vector<double>& schedule, std::int64_t attempts) {
  const double seconds = schedule.at(static_cast<std::size_t>(attempts - 1));
  const auto noise = random::bytes(2);
  const double fraction = ((noise[0] << 8) | noise[1]) / 65535.0;  // 0 … 1
  return static_cast<std::int64_t>(seconds * 1000.0 * (0.8 + 0.4 * fraction));
}

}  // namespace

CheckedUrl checkUrl(const std::string& url, const std::vector<std::string>& allowHosts) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw Problem::badInput("the webhook URL is malformed");
  }
  CheckedUrl checked;
  checked.scheme = lower(uri.getScheme());
  checked.host = lower(uri.getHost());
  if (checked.host.empty()) throw Problem::badInput("the webhook URL has no host");
  if (!uri.getUserInfo().empty()) throw Problem::badInput("the webhook URL must not carry credentials");
  if (!uri.getFragment().empty()) throw Problem::badInput("the webhook URL must not have a fragment");
  const bool allowed = std::find(allowHosts.begin(), allowHosts.end(), checked.host) != allowHosts.end();
  if (checked.scheme != "https" && !(allowed && checked.scheme == "http")) {
    throw Problem::badInput("the webhook URL must be https");
  }
  checked.addresses = guard::checkedAddresses(checked.host, allowHosts, "the webhook URL");
  checked.port = uri.getPort();
  checked.target = uri.getPathEtc().empty() ? "/" : uri.getPathEtc();
  return checked;
}

Deliverer::Deliverer(const config::Config& config, store::Database& db, tenants::Directory& directory,
                     const vault::TokenVault& vault, std::string owner)
    : config_(config.webhooks), db_(db), directory_(directory), vault_(vault), owner_(std::move(owner)) {}

Deliverer::~Deliverer() { stop(); }

void Deliverer::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Deliverer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Deliverer::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void Deliverer::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    int claimed = 0;
    try {
      claimed = pass();
    } catch (const std::exception& e) {
      log::warn("webhook delivery pass failed", {{"error", describe(e)}});
    }
    lock.lock();
    // A full claim may have left due work: look again at once.
    if (claimed < claimBatch) {
      wake_.wait_for(lock, std::chrono::milliseconds(config_.pollMillis), [this] { return stopping_ || woken_; });
    }
  }
}

int Deliverer::pass() {
  const auto now = time::nowMillis();
  // A read first: an idle host takes no write lock every poll.
  const auto next = db_.query("SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = $1",
                              {std::string(deliveryStatus::pending)});
  if (next.empty() || !next.front().optionalInteger(0) || *next.front().optionalInteger(0) > now) return 0;
  const std::int64_t leaseUntil = now + std::int64_t{config_.leaseSeconds} * 1000;
  const std::string due =
      "SELECT id FROM webhook_deliveries WHERE status = $4 AND next_attempt_at <= $3 AND COALESCE(lease_until, 0) < $3"
      " ORDER BY next_attempt_at LIMIT $5";
  const std::string sql =
      db_.backend() == store::Backend::PostgreSQL
          ? "WITH due AS (" + due +
                " FOR UPDATE SKIP LOCKED) UPDATE webhook_deliveries d SET lease_owner = $1, lease_until = $2"
                " FROM due WHERE d.id = due.id"
                " RETURNING d.id, d.organization_id, d.webhook_id, d.event_id, d.payload, d.attempts"
          : "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2 WHERE id IN (" + due +
                ") RETURNING id, organization_id, webhook_id, event_id, payload, attempts";
  std::vector<Claimed> claimed;
  {
    store::Transaction tx(db_);
    for (const auto& row :
         tx.query(sql, {owner_, leaseUntil, now, std::string(deliveryStatus::pending), std::int64_t{claimBatch}})) {
      claimed.push_back({row.text(0), row.text(1), row.text(2), row.text(3), row.text(4), row.integer(5)});
    }
    tx.commit();
  }
  for (const auto& c : claimed) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;  // the lease runs out; the next pass (here or elsewhere) sends it
    }
    try {
      deliver(c);
    } catch (const std::exception& e) {
      log::error("a webhook delivery could not be stored", {{"delivery", c.id}, {"error", describe(e)}});
    }
  }
  return static_cast<int>(claimed.size());
}

void Deliverer::deliver(const Claimed& claimed) {
  auto tenant = directory_.tenant(claimed.organizationId);
  const auto rows =
      tenant.database().query("SELECT url, secret, enabled FROM webhooks WHERE organization_id = $1 AND id = $2",
                              {claimed.organizationId, claimed.webhookId});
  Attempt attempt;
  if (rows.empty() || rows.front().integer(2) == 0) {
    attempt.endpointGone = true;
    attempt.error = "the endpoint is disabled or removed";
  } else {
    std::string secret;
    try {
      secret = vault_.open(claimed.organizationId, claimed.webhookId, secretField, rows.front().text(1));
    } catch (const vault::DecryptError& e) {
      attempt.error = std::string("the signing secret cannot be opened: ") + e.what();
    }
    if (!secret.empty()) attempt = send(rows.front().text(0), secret, claimed);
  }
  record(claimed, attempt);
}

Deliverer::Attempt Deliverer::send(const std::string& url, const std::string& secret, const Claimed& claimed) {
  Attempt attempt;
  // Connect, send and each read may take a third of the budget; reading stops at the deadline.
  const auto budget = std::chrono::milliseconds(std::int64_t{config_.timeoutSeconds} * 1000);
  const auto deadline = std::chrono::steady_clock::now() + budget;
  const Poco::Timespan third(std::chrono::duration_cast<std::chrono::microseconds>(budget / 3).count());
  try {
    // Checked again at every attempt: the name may resolve elsewhere since registration.
    const auto checked = checkUrl(url, config_.allowHosts);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (checked.scheme == "https") {
      session =
          std::make_unique<Poco::Net::HTTPSClientSession>(checked.host, checked.port, plugins::tlsClientContext());
    } else {
      // Plain http (allow-listed hosts only) connects to the checked address.
      session = std::make_unique<Poco::Net::HTTPClientSession>(
          Poco::Net::SocketAddress(checked.addresses.front(), checked.port));
    }
    session->setTimeout(third, third, third);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, checked.target, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(checked.host, checked.port);
    const auto timestamp = time::nowMillis() / 1000;
    request.setContentType("application/json");
    request.set("User-Agent", "MarketSage-Webhooks/1");
    request.set("webhook-id", claimed.eventId);
    request.set("webhook-timestamp", std::to_string(timestamp));
    request.set("webhook-signature", signature(secret, claimed.eventId, timestamp, claimed.payload));
    request.setContentLength64(static_cast<Poco::Int64>(claimed.payload.size()));
    session->sendRequest(request) << claimed.payload;
    Poco::Net::HTTPResponse response;
    auto& body = session->receiveResponse(response);
    attempt.status = response.getStatus();
    std::string answer;
    char chunk[256];
    while (answer.size() < maxAnswerBytes && std::chrono::steady_clock::now() < deadline &&
           body.read(chunk, sizeof chunk).gcount() > 0) {
      answer.append(chunk, static_cast<std::size_t>(body.gcount()));
    }
    // Kept for the delivery log as printable ASCII: the answer may be anything.
    for (auto& c : answer) c = (c >= 0x20 && c < 0x7f) ? c : '?';
    if (*attempt.status >= 200 && *attempt.status < 300) {
      attempt.delivered = true;
    } else {
      attempt.error = "HTTP " + std::to_string(*attempt.status) + (answer.empty() ? "" : ": " + answer);
    }
  } catch (const Problem& problem) {
    attempt.error = problem.detail();
  } catch (const Poco::Exception& e) {
    attempt.error = e.displayText();
  } catch (const std::exception& e) {
    attempt.error = describe(e);
  }
  return attempt;
}

void Deliverer::record(const Claimed& claimed, const Attempt& attempt) {
  const auto now = time::nowMillis();
  const auto& org = claimed.organizationId;
  const auto attempts = claimed.attempts + (attempt.endpointGone ? 0 : 1);
  const bool retry = !attempt.delivered && !attempt.endpointGone &&
                     attempts <= static_cast<std::int64_t>(config_.retrySchedule.size());
  const char* status = attempt.delivered ? deliveryStatus::delivered
                       : retry           ? deliveryStatus::pending
                                         : deliveryStatus::failed;
  const store::Param next =
      retry ? store::Param(now + retryDelayMillis(config_.retrySchedule, attempts)) : store::Param(nullptr);
  auto tenant = directory_.tenant(org);
  auto tx = tenant.database().transaction();
  const auto changed = tx.execute(
      "UPDATE webhook_deliveries SET status = $1, attempts = $2, last_status = $3, last_error = $4,"
      " next_attempt_at = $5, lease_owner = NULL, lease_until = NULL, updated_at = $6"
      " WHERE organization_id = $7 AND id = $8 AND lease_owner = $9",
      {std::string(status), attempts, store::nullable(attempt.status),
       attempt.error.empty() ? store::Param(nullptr) : store::Param(attempt.error.substr(0, maxAnswerBytes)), next, now,
       org, claimed.id, owner_});
  if (changed == 0) return;  // another host took it over after our lease ran out
  if (attempt.delivered) {
    tx.execute("UPDATE webhooks SET failed_in_row = 0 WHERE organization_id = $1 AND id = $2",
               {org, claimed.webhookId});
  } else if (!retry && !attempt.endpointGone) {
    const auto rows = tx.query(
        "UPDATE webhooks SET failed_in_row = failed_in_row + 1 WHERE organization_id = $1 AND id = $2"
        " RETURNING failed_in_row, enabled",
        {org, claimed.webhookId});
    if (!rows.empty() && rows.front().integer(1) != 0 && rows.front().integer(0) >= config_.disableAfterFailures) {
      const auto reason = std::to_string(rows.front().integer(0)) + " deliveries in a row failed";
      tx.execute("UPDATE webhooks SET enabled = 0, disabled_reason = $1 WHERE organization_id = $2 AND id = $3",
                 {reason, org, claimed.webhookId});
      tenant.audit(tx, tenants::Actor{"", "host", ""}, "webhook.disabled", "webhook", claimed.webhookId,
                   {{"reason", reason}});
      log::warn("webhook endpoint disabled", {{"webhook", claimed.webhookId}, {"reason", reason}});
    }
  }
  tx.commit();
  log::info(attempt.delivered ? "webhook delivered" : "webhook delivery failed",
            {{"delivery", claimed.id}, {"status", status}, {"attempts", std::to_string(attempts)}});
}

}  // namespace marketsage::webhooks
