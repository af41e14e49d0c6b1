#pragma once
/// The outbox: an event is written in the same transaction as the state change it tells about,
/// one delivery row per enabled endpoint of the organization that subscribes to it; the Deliverer
/// sends them afterwards. So an event is never sent for a change that rolled back, nor lost for
/// one that committed.

#include "store/Database.h"

#include <boost/json/object.hpp>

#include <functional>
#include <string>

namespace marketsage::webhooks {

/// Inside `tx`: the event `type` about `data()` for every subscribed, enabled endpoint of the
/// organization. Returns how many deliveries it queued (0 when nobody listens: then `data` is not
/// called, so a change nobody listens to reads nothing more). `data` holds no secret (a post or a
/// connection as the API shows them).
int enqueue(store::Transaction& tx, const std::string& organizationId, const std::string& type,
            const std::function<boost::json::object()>& data);

/// Inside `tx`: the event for one endpoint (its id), whatever it subscribes to; returns the
/// delivery id.
std::string enqueueFor(store::Transaction& tx, const std::string& organizationId, const std::string& webhookId,
                       const std::string& type, const boost::json::object& data);

}  // namespace marketsage::webhooks
