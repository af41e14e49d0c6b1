#pragma once
/// Sends the outbox's deliveries: a background thread claims due rows with a lease (FOR UPDATE
/// SKIP LOCKED on PostgreSQL, so two hosts never send the same attempt at once), POSTs each
/// signed payload with a bounded wait, and stores the outcome. A 2xx is delivered; anything else
/// (a redirect too, never followed), a timeout or a connection error is retried after the next
/// delay of the configured schedule (jittered); after the last, the delivery is failed, and an
/// endpoint with disableAfterFailures failed deliveries in a row is disabled (audited).

#include "config/Config.h"
#include "store/Database.h"

#include <Poco/Net/IPAddress.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace marketsage::tenants {
class Directory;
}
namespace marketsage::vault {
class TokenVault;
}

namespace marketsage::webhooks {

/// A webhook URL that passed the guard, with the addresses its host resolves to (all checked).
struct CheckedUrl {
  std::string scheme, host, target;
  unsigned short port = 0;
  std::vector<Poco::Net::IPAddress> addresses;
};

/// https only, no credentials, every address public (media's guard), unless the host is in
/// `allowHosts` (then http and internal addresses pass). Throws Problem 400 naming the reason.
CheckedUrl checkUrl(const std::string& url, const std::vector<std::string>& allowHosts);

class Deliverer {
 public:
  Deliverer(const config::Config& config, store::Database& db, tenants::Directory& directory,
            const vault::TokenVault& vault, std::string owner);
  ~Deliverer();
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  void start();
  void stop();
  /// New due deliveries: look now instead of at the next poll. [thread-safe]
  void wake();

 private:
  struct Claimed;
  struct Attempt;
  void loop();
  /// One pass: claims due deliveries and sends them; the number claimed.
  int pass();
  void deliver(const Claimed& claimed);
  Attempt send(const std::string& url, const std::string& secret, const Claimed& claimed);
  void record(const Claimed& claimed, const Attempt& attempt);

  const config::WebhooksConfig& config_;
  store::Database& db_;
  tenants::Directory& directory_;
  const vault::TokenVault& vault_;
  const std::string owner_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace marketsage::webhooks
