#pragma once
/// The one TLS client context of the process (OpenSSL initialised once; certificates checked
/// against the system's trust store): plugin HTTP calls and webhook deliveries use it.

#include <Poco/Net/Context.h>

namespace marketsage::plugins {

Poco::Net::Context::Ptr tlsClientContext();

}  // namespace marketsage::plugins
