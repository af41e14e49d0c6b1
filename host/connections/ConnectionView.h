#pragma once
/// A connection as the API shows it (GET /api/social-media/connections) and webhooks send it:
/// never a token, sealed or not.

#include "connections/Connection.h"

#include <boost/json/object.hpp>

namespace marketsage::connections {

boost::json::object connectionView(const Connection& connection);

}  // namespace marketsage::connections
